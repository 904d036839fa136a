"""Issuing, revoking and checking Open311 API keys."""

from __future__ import annotations

import hashlib
import secrets

from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.errors import PermissionDenied
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
