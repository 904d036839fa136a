"""What an evaluation page or call records: every view of another person's figures, and every export."""

from __future__ import annotations

from typing import Any

from audit.models import AuditAction
from audit.services import Origin, audit_list_read, audit_record
from stats.models import StatFact
from stats.periods import Period


def person_figures_viewed(origin: Origin, person: Any, period: Period) -> None:
    """An audit row when someone opens another person's figures (one's own are not recorded)."""
    if origin.actor_id == person.pk:
        return
    audit_record(origin, AuditAction.VIEW, person, detail={"what": "evaluation", "period": period.key})


def ranking_exported(origin: Origin, kind: str, period: Period, count: int) -> None:
    audit_list_read(
        origin,
        AuditAction.EXPORT,
        StatFact,
        count=count,
        query={"what": "evaluation", "by": kind, "period": period.key},
    )
