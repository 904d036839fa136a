from __future__ import annotations

from django.db import models
from django.db.models import QuerySet

from audit.models import CHANGE_ACTIONS, AuditEntry
from audit.services import object_type_of


def history_of(instance: models.Model) -> QuerySet[AuditEntry]:
    """The record's change history, newest first."""
    return (
        AuditEntry.objects.filter(
            object_type=object_type_of(instance), object_id=str(instance.pk), action__in=CHANGE_ACTIONS
        )
        .select_related("actor")
        .order_by("-at", "-pk")
    )
