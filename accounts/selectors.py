"""Reading API tokens (which still authenticate, a person's own devices) and what a signed-in app is told about its
user."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from accounts.access import user_scope
from accounts.models import ApiToken, User
from areas.choices import AreaLevel
from areas.models import Area
from gridgov.errors import NotFound

#: ``last_used_at`` is written at most once per this interval (not one write per request).
USAGE_RESOLUTION = dt.timedelta(minutes=1)
#: The most grids a profile lists (a district-wide user covers thousands; the app needs a field worker's few).
PROFILE_GRIDS_MAX = 200
REQUEST_TOKEN = "_gridgov_api_token"


def tokens_live(now: dt.datetime | None = None) -> QuerySet[ApiToken]:
    """Tokens that still authenticate: not revoked, their user active, used (or issued) within
    ``TOKEN_IDLE_DAYS``."""
    since = (now or timezone.now()) - dt.timedelta(days=settings.TOKEN_IDLE_DAYS)
    recent = Q(last_used_at__gte=since) | Q(last_used_at__isnull=True, created_at__gte=since)
    return ApiToken.objects.filter(recent, revoked_at__isnull=True, user__is_active=True)


def token_touch(token: ApiToken, now: dt.datetime | None = None) -> None:
    """Note that ``token`` was used now (at most one write a minute)."""
    now = now or timezone.now()
    if token.last_used_at is None or now - token.last_used_at > USAGE_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


def token_authenticate(key: str) -> ApiToken | None:
    """The live token of a bearer key, with its user, noted as used; ``None`` for an unknown, revoked or idle one."""
    token = tokens_live().select_related("user").filter(key_hash=ApiToken.hash_key(key)).first()
    if token is not None:
        token_touch(token)
    return token


def token_on_request(request: HttpRequest, token: ApiToken) -> None:
    """Keep the token a request authenticated with (the API's bearer authentication calls this)."""
    setattr(request, REQUEST_TOKEN, token)


def token_of_request(request: HttpRequest) -> ApiToken | None:
    """The token the request authenticated with; ``None`` for a session."""
    return getattr(request, REQUEST_TOKEN, None)


def token_of_tracker(tracker_id: str) -> ApiToken | None:
    """The live device token a background GPS client's ``id`` belongs to (``None``: unknown, revoked or idle)."""
    return tokens_live().select_related("user").filter(tracker_id=tracker_id).first()


def tokens_of(user: User) -> QuerySet[ApiToken]:
    """A person's tokens that still authenticate, most recently used first."""
    return tokens_live().filter(user=user).order_by("-last_used_at", "-created_at", "-pk")


def access_token(user: User, token_id: int) -> ApiToken:
    """One of ``user``'s own tokens (revoked ones included); anyone else's answers 404 like a missing one."""
    token = ApiToken.objects.filter(pk=token_id, user=user).first()
    if token is None:
        raise NotFound("令牌不存在", code="token_not_found")
    return token


def user_profile(user: User) -> dict[str, Any]:
    """What an app holding a token is told about its user: name, roles, the areas of its scope and its grids."""
    scope = user_scope(user)
    grids: list[dict[str, str]] = []
    if scope.codes:
        rows = (
            Area.objects.filter(scope.q("code"), level=AreaLevel.GRID, retired_in__isnull=True)
            .order_by("code")
            .values("code", "name")[:PROFILE_GRIDS_MAX]
        )
        grids = [{"code": row["code"], "name": row["name"]} for row in rows]
    return {
        "id": user.pk,
        "username": user.username,
        "full_name": user.full_name,
        "roles": [str(role) for role in user.roles],
        "grids": grids,
        "areas": list(scope.codes),
    }
