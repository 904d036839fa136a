"""Background work of visit plans: the daily generation of due visits and the month's compliance numbers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from visits.compliance import visit_compliance_compute
from visits.plans import due_visits_generate

_last_day: dict[str, dt.date] = {}


def due_visits_sweep(now: dt.datetime | None = None) -> dict[str, Any]:
    """Daily: generate today's due visits and recompute this month's compliance (and last month's during the
    first week, while late visits are still being recorded). The periodic clock calls it every minute; this
    process runs it once a day. Both jobs are idempotent, so another process running it too changes nothing."""
    today = timezone.localdate(now or timezone.now())
    if _last_day.get("day") == today:
        return {"skipped": True}
    generated = due_visits_generate(today)
    month = today.replace(day=1)
    rows = visit_compliance_compute(month, today=today)
    if today.day <= 7:
        rows += visit_compliance_compute((month - dt.timedelta(days=1)).replace(day=1), today=today)
    _last_day["day"] = today
    return {"created": generated.created, "cancelled": generated.cancelled, "compliance_rows": rows}
