"""A worker's day for the playback page (轨迹回放): the filtered track, the fixes filtered out and why, the stops,
the check-ins and the reports of the day, the patrols. Reading another person's day is audited."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from areas.geometry import distance_m
from audit.models import AuditAction
from audit.services import Origin, audit_record
from cases.models import Case, Report
from fieldwork.models import CheckIn, Patrol, TrackPoint
from fieldwork.monitoring import day_bounds, grid_of, grid_shapes

#: The read-time filters and the stop rule (a stop: within ``STOP_RADIUS_M`` for at least ``STOP_MIN_S``).
MAX_ACCURACY_M = 50.0
MAX_WALKING_SPEED = 15 / 3.6
FUTURE_TOLERANCE = dt.timedelta(minutes=5)
STOP_RADIUS_M = 200.0
STOP_MIN_S = 180
REASONS = {
    "mock": _("模拟定位"),
    "future": _("定位时间晚于接收时间"),
    "accuracy": _("精度差（>50 米）"),
    "speed": _("速度异常（>15 公里/小时）"),
    "duplicate": _("重复定位"),
}


@dataclass
class TrackFix:
    time: dt.datetime
    lon: float
    lat: float
    accuracy: float | None
    speed: float | None
    reason: str = ""

    @property
    def reason_label(self) -> Any:
        return REASONS.get(self.reason, self.reason)


@dataclass
class Stop:
    lon: float
    lat: float
    start: dt.datetime
    end: dt.datetime


@dataclass
class TrackDay:
    kept: list[TrackFix] = field(default_factory=list)
    rejected: list[TrackFix] = field(default_factory=list)
    stops: list[Stop] = field(default_factory=list)
    distance_m: float = 0.0


def track_day(worker: User, day: dt.date) -> TrackDay:
    """The worker's fixes of the day, filtered when read, with the stops found on the kept ones."""
    start, end = day_bounds(day)
    found = TrackDay()
    previous: TrackFix | None = None
    for device_time, server_time, lon, lat, accuracy, speed, mock in (
        TrackPoint.objects.filter(worker=worker, device_time__gte=start, device_time__lt=end)
        .order_by("device_time")
        .values_list("device_time", "server_time", "lon", "lat", "accuracy", "speed", "mock")
        .iterator(chunk_size=2000)
    ):
        fix = TrackFix(device_time, lon, lat, accuracy, speed)
        if mock:
            fix.reason = "mock"
        elif device_time > server_time + FUTURE_TOLERANCE:
            fix.reason = "future"
        elif accuracy is not None and accuracy > MAX_ACCURACY_M:
            fix.reason = "accuracy"
        elif previous is not None and (previous.lon, previous.lat) == (lon, lat):
            fix.reason = "duplicate"
        elif previous is not None:
            seconds = max((device_time - previous.time).total_seconds(), 1.0)
            step = distance_m(previous.lon, previous.lat, lon, lat)
            if step / seconds > MAX_WALKING_SPEED and step > MAX_ACCURACY_M:
                fix.reason = "speed"
            else:
                found.distance_m += step if seconds <= 300 else 0.0
        if fix.reason:
            found.rejected.append(fix)
        else:
            found.kept.append(fix)
            previous = fix
    found.stops = stops_of(found.kept)
    return found


def stops_of(fixes: list[TrackFix]) -> list[Stop]:
    """Where the worker stayed within ``STOP_RADIUS_M`` of a place for at least ``STOP_MIN_S`` seconds."""
    stops = []
    first = 0
    while first < len(fixes):
        last = first
        while last + 1 < len(fixes) and (
            distance_m(fixes[first].lon, fixes[first].lat, fixes[last + 1].lon, fixes[last + 1].lat) <= STOP_RADIUS_M
        ):
            last += 1
        if (fixes[last].time - fixes[first].time).total_seconds() >= STOP_MIN_S:
            group = fixes[first : last + 1]
            stops.append(
                Stop(
                    sum(f.lon for f in group) / len(group),
                    sum(f.lat for f in group) / len(group),
                    fixes[first].time,
                    fixes[last].time,
                )
            )
            first = last + 1
        else:
            first += 1
    return stops


def _ms(moment: dt.datetime) -> int:
    return int(moment.timestamp() * 1000)


def playback_data(origin: Origin, worker: User, day: dt.date) -> dict[str, Any]:
    """Everything the playback page draws of ``worker``'s ``day``; a view by anyone but the worker is audited."""
    viewer = origin.actor
    start, end = day_bounds(day)
    track = track_day(worker, day)
    if viewer.pk != worker.pk:
        audit_record(
            origin,
            AuditAction.VIEW,
            worker,
            fields=["track"],
            detail={"day": day.isoformat(), "fixes": len(track.kept) + len(track.rejected)},
        )
    worker = User.objects.prefetch_related("areas").get(pk=worker.pk)
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

    def fix(row: TrackFix) -> list[Any]:
        return [_ms(row.time), round(row.lon, 6), round(row.lat, 6), row.accuracy, row.speed]

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
        "points": [fix(row) for row in track.kept],
        "rejected": [[*fix(row), str(row.reason_label)] for row in track.rejected],
        "stops": [
            {
                "lon": round(stop.lon, 6),
                "lat": round(stop.lat, 6),
                "start": _ms(stop.start),
                "end": _ms(stop.end),
                "duration_s": int((stop.end - stop.start).total_seconds()),
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
            "fixes": len(track.kept) + len(track.rejected),
            "kept": len(track.kept),
            "rejected": len(track.rejected),
            "distance_m": round(track.distance_m),
            "stops": len(track.stops),
        },
        "now": _ms(timezone.now()),
    }
