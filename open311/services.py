"""Issuing, revoking and checking Open311 API keys."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Report
from gridgov.errors import DomainError, PermissionDenied
from gridgov.ratelimit import rate_allow
from open311.models import ApiClient

KEY_PREFIX = "o311_"


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def key_new() -> tuple[str, dict[str, str]]:
    """A new key and the columns that identify it (its first characters and its hash)."""
    key = KEY_PREFIX + secrets.token_urlsafe(24)
    return key, {"key_prefix": key[:12], "key_hash": _hash(key)}


def client_issue(name: str, *, contact: str = "", requests_per_minute: int = 60) -> tuple[ApiClient, str]:
    """A new client and its key. The key is returned once; only its hash is stored."""
    key, columns = key_new()
    client = ApiClient.objects.create(name=name, contact=contact, requests_per_minute=requests_per_minute, **columns)
    return client, key


def client_revoke(client: ApiClient) -> None:
    ApiClient.objects.filter(pk=client.pk, is_active=True).update(is_active=False, revoked_at=timezone.now())


class RateLimited(Exception):
    pass


def client_authenticate(key: str) -> ApiClient:
    """The active client holding ``key``; counts one submission against its per-minute limit."""
    client = ApiClient.objects.filter(key_hash=_hash(key), is_active=True).first() if key else None
    if client is None:
        message = _("缺少 api_key") if not key else _("api_key 无效或已被吊销")
        raise PermissionDenied(message, code="api_key_invalid")
    if not rate_allow(f"open311:{client.pk}", client.requests_per_minute, 60):
        raise RateLimited(_("提交过于频繁，请稍后再试"))
    ApiClient.objects.filter(pk=client.pk).update(last_used_at=timezone.now())
    return client


# --- Retries: one submission makes one case ---------------------------------------------------------------------
class IdempotencyKeyReused(DomainError):
    code = "idempotency_key_reused"
    status = 422


def submission_hash(client: ApiClient, values: dict[str, Any], photos: list[bytes]) -> str:
    """A digest of everything a submission says (its photos by their own digest)."""
    document = {
        "client": client.pk,
        "values": values,
        "photos": [hashlib.sha256(content).hexdigest() for content in photos],
    }
    return hashlib.sha256(json.dumps(document, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _keyed(client: ApiClient, key: str) -> str:
    return f"open311:{client.pk}:key:{hashlib.sha256(key.encode()).hexdigest()[:40]}"


def _unkeyed(client: ApiClient, digest: str, window: int, at: dt.datetime, earlier: int = 0) -> str:
    period = int(at.timestamp()) // window - earlier
    return f"open311:{client.pk}:same:{period}:{digest[:40]}"


def submission_key(client: ApiClient, key: str, digest: str, at: dt.datetime) -> str | None:
    """The report's idempotency key: from the client's ``Idempotency-Key`` when it sent one, otherwise from the
    submission itself and the retry window it falls in (none when the window is off)."""
    if key:
        return _keyed(client, key)
    window = settings.OPEN311_RETRY_WINDOW_SECONDS
    return _unkeyed(client, digest, window, at) if window else None


def submission_first(client: ApiClient, key: str, digest: str, at: dt.datetime) -> Report | None:
    """The report this submission repeats: the one made with the same key (refused when it said something else),
    or the client's identical submission within the retry window."""
    if key:
        first = Report.objects.select_related("case").filter(idempotency_key=_keyed(client, key)).first()
        if first is not None:
            submission_check(first, digest)
        return first
    window = settings.OPEN311_RETRY_WINDOW_SECONDS
    if not window:
        return None
    keys = [_unkeyed(client, digest, window, at, earlier) for earlier in (0, 1)]
    since = at - dt.timedelta(seconds=window)
    return Report.objects.select_related("case").filter(idempotency_key__in=keys, created_at__gte=since).first()


def submission_check(first: Report, digest: str) -> None:
    if first.submission_hash != digest:
        raise IdempotencyKeyReused(_("该幂等键已用于另一次不同的提交"))
