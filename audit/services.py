"""Writing the audit trail. Callers pass who, what and from where; nothing here decides access."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import models

from audit.models import AuditEntry, Channel


@dataclass(frozen=True)
class Origin:
    """Who acts and through which door: a page, the API, an import, a command."""

    actor: Any
    channel: str = Channel.PAGE
    path: str = ""

    @classmethod
    def of_request(cls, request: Any, channel: str = Channel.PAGE) -> Origin:
        return cls(actor=request.user, channel=channel, path=request.get_full_path()[:300])

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
        detail={"query": {key: value for key, value in query.items() if value not in (None, "")}, "count": count},
    )
