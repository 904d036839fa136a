"""Writing the audit trail. Callers pass who, what and from where; nothing here decides access.

Audit rows never hold a phone or an ID number in clear: searched values are kept as their keyed hash (to find
who looked for a given number) and their mask, and ``path`` is the URL without its query string.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext as _

from audit.models import AlertKind, AuditAction, AuditEntry, Channel, SecurityAlert
from gridgov import crypto
from gridgov.errors import DomainError
from gridgov.ratelimit import rate_allow

# A value that could be a phone or an ID number (7–18 characters of digits, an ID number may end in X).
NUMBER_LIKE = re.compile(r"^\d{6,17}[\dXx]$")


@dataclass(frozen=True)
class Origin:
    """Who acts and through which door: a page, the API, an import, a command."""

    actor: Any
    channel: str = Channel.PAGE
    path: str = ""

    @classmethod
    def of_request(cls, request: Any, channel: str = Channel.PAGE) -> Origin:
        return cls(actor=request.user, channel=channel, path=request.path[:300])

    @property
    def actor_id(self) -> int | None:
        return getattr(self.actor, "pk", None) if getattr(self.actor, "is_authenticated", False) else None


def object_type_of(instance: models.Model | type[models.Model]) -> str:
    return instance._meta.label_lower


def audit_entry(
    origin: Origin,
    action: str,
    instance: models.Model,
    *,
    area_code: str = "",
    fields: Iterable[str] = (),
    changes: Mapping[str, Any] | None = None,
    detail: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """An unsaved entry; :func:`audit_record` saves one, bulk paths save many at once."""
    return AuditEntry(
        actor_id=origin.actor_id,
        action=action,
        channel=origin.channel,
        object_type=object_type_of(instance),
        object_id=str(instance.pk or ""),
        area_code=area_code,
        fields=list(fields),
        changes=dict(changes or {}),
        path=origin.path,
        detail=dict(detail or {}),
    )


def audit_record(origin: Origin, action: str, instance: models.Model, **kwargs: Any) -> AuditEntry:
    entry = audit_entry(origin, action, instance, **kwargs)
    entry.save()
    return entry


def audit_list_read(
    origin: Origin, action: str, model: type[models.Model], *, count: int, query: Mapping[str, Any]
) -> AuditEntry:
    """One row for a search or an export over a list: which filters, how many rows matched."""
    return AuditEntry.objects.create(
        actor_id=origin.actor_id,
        action=action,
        channel=origin.channel,
        object_type=object_type_of(model),
        path=origin.path,
        detail={"query": query_safe(query), "count": count},
    )


def value_safe(value: Any) -> Any:
    """A searched value as the audit keeps it: a phone or ID number becomes its keyed hash and its mask."""
    if not isinstance(value, str):
        return value
    compact = value.replace(" ", "")
    if not NUMBER_LIKE.match(compact):
        return value
    return {"hash": crypto.lookup_hash(compact), "masked": crypto.mask_number(compact)}


def query_safe(query: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value_safe(value) for key, value in query.items() if value not in (None, "")}


class SearchRateLimited(DomainError):
    """Too many exact searches (by phone or ID number) in a minute: each would confirm or refute a guess."""

    code = "search_rate_limited"
    status = 429


DAY = 86_400


def exact_search_allow(
    origin: Origin, kind: str, value: str, per_minute: int | None = None, per_day: int | None = None
) -> None:
    """Count one exact-value lookup (a phone or an ID number) of ``origin``'s user; beyond the limit per minute,
    or per day, raise :class:`SearchRateLimited`. Each refusal is an audit row; the first refusal of a window is
    also a security alert. ``per_day=0`` leaves the day unlimited (the hotline desk's caller lookups)."""
    per_minute = per_minute or settings.EXACT_SEARCHES_PER_MINUTE
    per_day = settings.EXACT_SEARCHES_PER_DAY if per_day is None else per_day
    who = origin.actor_id or "anonymous"
    windows = [(per_minute, 60, _("每分钟"))] + ([(per_day, DAY, _("每天"))] if per_day else [])
    for limit, seconds, label in windows:
        if not rate_allow(f"exact:{kind}:{who}:{seconds}", limit, seconds):
            _refusal_record(origin, kind, value, limit, seconds)
            raise SearchRateLimited(
                _("按手机号或证件号码精确查询过于频繁（%(window)s最多 %(limit)s 次），请稍后再试。此次操作已记录。")
                % {"window": label, "limit": limit}
            )


def _refusal_record(origin: Origin, kind: str, value: str, limit: int, seconds: int) -> None:
    detail = {"search": kind, "limit": limit, "window_seconds": seconds, "channel": origin.channel}
    AuditEntry.objects.create(
        actor_id=origin.actor_id,
        action=AuditAction.REFUSE,
        channel=origin.channel,
        object_type=kind,
        path=origin.path,
        detail={**detail, "reason": "search_rate_limited", "value": value_safe(value)},
    )
    if rate_allow(f"exact-alert:{kind}:{origin.actor_id or 'anonymous'}:{seconds}", 1, seconds):
        SecurityAlert.objects.create(
            kind=AlertKind.SEARCH_BURST, actor_id=origin.actor_id, detail={**detail, "path": origin.path}
        )
