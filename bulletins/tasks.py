"""The periodic job publishing the bulletins that are due, for each district (the roots) and each street:
yesterday's patrol summary, last week's on Monday, last month's on the 1st, last quarter's and last year's on their
first day — each from ``BULLETIN_PUBLISH_HOUR`` (site time) on. A period already published (any version) is
skipped, so running it again, or in parallel, publishes nothing more; a missed morning is caught up later."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone

from bulletins.models import Bulletin
from bulletins.services import bulletin_publish, publishing_areas
from stats.periods import Period, PeriodKind, period_of


def due_periods(now: dt.datetime) -> list[Period]:
    """The last finished period of each kind, once its publishing hour has come."""
    local = timezone.localtime(now)
    hour = min(int(settings.BULLETIN_PUBLISH_HOUR), 23)
    today = local.date()
    due = []
    for kind in PeriodKind.values:
        current = period_of(kind, today)
        opens = dt.datetime.combine(current.start, dt.time(hour), local.tzinfo)
        due.append(current.previous() if local >= opens else current.previous().previous())
    return due


def bulletins_sweep(now: dt.datetime | None = None) -> dict[str, Any]:
    """Publish what is due and not yet published. Cheap when nothing is: one query for what exists."""
    now = now or timezone.now()
    periods = due_periods(now)
    areas = publishing_areas()
    published = set(
        Bulletin.objects.filter(period_key__in=[period.key for period in periods], area__in=areas).values_list(
            "kind", "period_key", "area_id"
        )
    )
    counts = {"published": 0, "skipped": 0}
    for period in periods:
        for area in areas:
            if (period.kind, period.key, area.pk) in published:
                counts["skipped"] += 1
                continue
            outcome = bulletin_publish(period.kind, period, area, today=timezone.localdate(now))
            counts["published" if outcome.outcome != "unchanged" else "skipped"] += 1
    return counts
