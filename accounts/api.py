"""Signing an app in and its devices under /api/v1/: a device token from a password, who the token's user is, the
person's own tokens and revoking one."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Field, Router, Schema

from accounts.models import ApiToken
from accounts.selectors import access_token, token_of_request, tokens_of, user_profile
from accounts.services import DEVICE_NAME_MAX, device_sign_in, token_revoke
from audit.models import Channel
from audit.services import Origin
from gridgov.apikit import ERRORS, BodyIn, PathId
from gridgov.http import AuthenticatedHttpRequest

router = Router(tags=["accounts"])


class SignInIn(BodyIn):
    username: str = Field(min_length=1, max_length=150)
    password: str = Field(min_length=1, max_length=1024)
    device_name: str = Field(min_length=1, max_length=DEVICE_NAME_MAX)


class GridOut(Schema):
    code: str
    name: str


class ProfileOut(Schema):
    id: int
    username: str
    full_name: str
    roles: list[str]
    grids: list[GridOut]
    areas: list[str]


class SignedInOut(Schema):
    token: str
    token_id: int
    device_name: str
    tracker_id: str | None
    expires_after_idle_days: int
    user: ProfileOut


class TokenOut(Schema):
    id: int
    device_name: str
    kind: str
    tracker_id: str | None
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None
    current: bool


def _token_out(request: HttpRequest, token: ApiToken) -> dict[str, Any]:
    current = token_of_request(request)
    return {
        "id": token.pk,
        "device_name": token.name,
        "kind": token.kind,
        "tracker_id": token.tracker_id,
        "created_at": token.created_at,
        "last_used_at": token.last_used_at,
        "revoked_at": token.revoked_at,
        "current": current is not None and current.pk == token.pk,
    }


@router.post(
    "/auth/token",
    auth=None,
    response={201: SignedInOut, **ERRORS},
    summary="Sign a device in with a password: a bearer token (shown once) and its tracker id",
)
def token_create(request: HttpRequest, payload: SignInIn) -> tuple[int, dict[str, Any]]:
    token, key = device_sign_in(request, payload.username, payload.password, payload.device_name)
    return 201, {
        "token": key,
        "token_id": token.pk,
        "device_name": token.name,
        "tracker_id": token.tracker_id,
        "expires_after_idle_days": settings.TOKEN_IDLE_DAYS,
        "user": user_profile(token.user),
    }


@router.get("/me", response={200: ProfileOut, **ERRORS}, summary="The signed-in user: name, roles, areas, grids")
def me(request: AuthenticatedHttpRequest) -> dict[str, Any]:
    return user_profile(request.user)


@router.get("/auth/tokens", response={200: list[TokenOut], **ERRORS}, summary="My tokens that still work")
def token_list(request: AuthenticatedHttpRequest) -> list[dict[str, Any]]:
    return [_token_out(request, token) for token in tokens_of(request.user)]


@router.post(
    "/auth/tokens/{token_id}/revoke",
    response={200: TokenOut, **ERRORS},
    summary="Revoke one of my tokens (another person's answers 404)",
)
def token_revoke_one(request: AuthenticatedHttpRequest, token_id: PathId) -> dict[str, Any]:
    token = access_token(request.user, token_id)
    return _token_out(request, token_revoke(Origin.of_request(request, Channel.API), token))
