"""Background work of field work: the periodic job keeping yesterday's and today's daily metrics current."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from fieldwork.metrics import day_metrics_compute
from fieldwork.models import DailyMetric
from fieldwork.selectors import day_bounds


def metrics_sweep(now: dt.datetime | None = None) -> dict[str, int]:
    """Recompute today's metrics when the last computation is older than ``FIELD_METRICS_EVERY_MINUTES``, and
    yesterday's once after it ended (fixes sent late by phones that were offline arrive then). Idempotent: the
    periodic clock may call it every minute."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    yesterday = today - dt.timedelta(days=1)
    counts = {"yesterday": 0, "today": 0}
    last = dict(
        DailyMetric.objects.filter(day__in=[yesterday, today])
        .values("day")
        .annotate(at=Max("computed_at"))
        .values_list("day", "at")
    )
    _start, yesterday_end = day_bounds(yesterday)
    if last.get(yesterday) is None or last[yesterday] < yesterday_end:
        counts["yesterday"] = day_metrics_compute(yesterday)
    every = dt.timedelta(minutes=settings.FIELD_METRICS_EVERY_MINUTES)
    if last.get(today) is None or now - last[today] >= every:
        counts["today"] = day_metrics_compute(today)
    return counts
