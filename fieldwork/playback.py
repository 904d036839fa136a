"""A worker's day for the playback page (轨迹回放): the filtered track, the fixes filtered out and why, the stops,
the check-ins and the reports of the day, the patrols. Reading another person's day is audited."""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import Any

import numpy as np
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from audit.services import Origin
from cases.models import Case, Report
from fieldwork.models import CheckIn, Patrol
from fieldwork.monitoring import grid_of, grid_shapes
from fieldwork.selectors import day_bounds, fixes_of, track_filters, track_of_day
from fieldwork.tracks import DUPLICATE, FUTURE, INACCURATE, INVALID, MOCK, TOO_FAST, Fixes, filter_fixes

#: Why a fix was left out, as the page says it (fieldwork.tracks.REASONS).
REASONS = {
    INVALID: _("坐标无效"),
    MOCK: _("模拟定位"),
    FUTURE: _("定位时间晚于接收时间"),
    INACCURATE: _("精度差"),
    DUPLICATE: _("重复定位"),
    TOO_FAST: _("速度异常"),
}


def _ms(moment: dt.datetime) -> int:
    return int(moment.timestamp() * 1000)


def _fix(fixes: Fixes, index: int) -> list[Any]:
    accuracy = fixes.accuracy[index]
    return [
        int(fixes.times[index] * 1000),
        round(float(fixes.lons[index]), 6),
        round(float(fixes.lats[index]), 6),
        None if math.isnan(accuracy) else round(float(accuracy)),
    ]


def playback_data(origin: Origin, worker_id: int, day: dt.date) -> dict[str, Any]:
    """Everything the playback page draws of a worker's day (the selectors' filtered track: a worker outside the
    viewer's reach answers 404, a view of another person's day is audited), with the fixes the filters dropped."""
    viewer = origin.actor
    track = track_of_day(origin, worker_id, day)
    start, end = day_bounds(day)
    raw = fixes_of(worker_id, start, end)
    keep, reasons = filter_fixes(raw, track_filters())
    worker = User.objects.prefetch_related("areas").get(pk=worker_id)
    grid = grid_of(worker)
    shape = grid_shapes([grid.pk]).get(grid.pk) if grid else None
    checkins = (
        CheckIn.objects.filter(worker=worker, device_time__gte=start, device_time__lt=end)
        .select_related("point")
        .order_by("device_time", "pk")
    )
    reports = (
        Report.objects.filter(
            reported_by=worker,
            created_at__gte=start,
            created_at__lt=end,
            case__in=Case.objects.visible_to(viewer).values("pk"),
        )
        .select_related("case", "category")
        .order_by("created_at", "pk")
    )
    patrols = Patrol.objects.filter(worker=worker, started_at__gte=start, started_at__lt=end).order_by("started_at")

    return {
        "worker": {"id": worker.pk, "name": worker.full_name or worker.username},
        "day": day.isoformat(),
        "grid": {
            "type": "Feature",
            "properties": {"code": grid.code, "name": grid.name},
            "geometry": json.loads(shape),
        }
        if grid and shape
        else None,
        "points": [_fix(track.kept, index) for index in range(len(track.kept))],
        "rejected": [
            [*_fix(raw, index), str(REASONS.get(reasons[index], reasons[index]))]
            for index in np.flatnonzero(~keep).tolist()
        ],
        "stops": [
            {
                "lon": round(stop.lon, 6),
                "lat": round(stop.lat, 6),
                "start": int(stop.started * 1000),
                "end": int(stop.ended * 1000),
                "duration_s": int(stop.seconds),
            }
            for stop in track.stops
        ],
        "checkins": [
            {
                "time": _ms(row.device_time),
                "kind": row.get_kind_display(),
                "lon": row.lon,
                "lat": row.lat,
                "point": row.point.name if row.point else "",
                "flagged": row.flagged_clock,
            }
            for row in checkins
        ],
        "reports": [
            {
                "time": _ms(row.created_at),
                "lon": row.longitude,
                "lat": row.latitude,
                "number": row.case.number,
                "category": row.category.name if row.category else "",
                "url": reverse("cases:detail", args=[row.case.number]),
            }
            for row in reports
            if row.longitude is not None and row.latitude is not None
        ],
        "patrols": [
            {"start": _ms(row.started_at), "end": _ms(row.ended_at) if row.ended_at else None} for row in patrols
        ],
        "summary": {
            "fixes": len(raw),
            "kept": len(track.kept),
            "rejected": int((~keep).sum()),
            "distance_m": round(track.distance_m),
            "stops": len(track.stops),
        },
        "now": _ms(timezone.now()),
        "time_zone": timezone.get_current_timezone_name(),
    }
