"""Background work of early warnings: the periodic sweep over yesterday and today so far."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from django.utils import timezone

from alerts.detection import Config, detect
from alerts.services import Recorded, alerts_record
from areas.choices import AreaLevel
from areas.models import Area


def alerts_sweep(now: dt.datetime | None = None) -> dict[str, Any]:
    """Test yesterday (now complete) and today so far, one top-level area (a district) at a time, and record what
    alerts. Idempotent: the periodic clock may call it every minute; a re-run records nothing new, a count grown
    since updates its alert without telling anyone again."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    days = [today - dt.timedelta(days=1), today]
    config = Config.from_settings()
    totals = Recorded()
    for code in Area.objects.filter(parent__isnull=True).order_by("code").values_list("code", flat=True):
        grids = Area.objects.filter(level=AreaLevel.GRID, code__startswith=code)
        recorded = alerts_record(detect(days, grids=grids, config=config), now)
        totals.created += recorded.created
        totals.updated += recorded.updated
        totals.notified += recorded.notified
    return dataclasses.asdict(totals)
