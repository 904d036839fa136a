"""Reads of field work: fetch-and-authorize (``access_*``: "not yours" answers 404 like "does not exist"), the
filtered track of a worker's day (each view of another person's track audited), rosters, lists."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from shapely.geometry.base import BaseGeometry

from accounts.access import user_scope
from accounts.models import User
from areas.choices import AreaLevel
from areas.geometry import shapes_from_geojson_texts
from areas.models import Area, AreaBoundary
from audit.models import AuditAction
from audit.services import Origin, audit_record
from cases.worktime import calendar_for
from fieldwork.models import CheckPoint, DailyMetric, Patrol, Roster, TrackPoint
from fieldwork.tracks import Filters, Fixes, Stop, filter_fixes, segments_distance_m, stops
from gridgov.errors import NotFound

#: Who may open another person's track and daily metrics (within their scope); everyone sees their own.
VIEW_TRACKS = "fieldwork.view_trackpoint"


# --- Fetch and authorize ----------------------------------------------------------------------------------------
def access_own_patrol(user: Any, patrol_id: int, *, for_update: bool = False) -> Patrol:
    rows = Patrol.objects.select_related("grid").filter(pk=patrol_id, worker=user.pk)
    patrol = (rows.select_for_update(of=("self",)) if for_update else rows).first()
    if patrol is None:
        raise NotFound(_("巡查不存在"), code="patrol_not_found")
    return patrol


def access_checkpoint(user: Any, point_id: int) -> CheckPoint:
    point = CheckPoint.objects.visible_to(user).select_related("grid").filter(pk=point_id, active=True).first()
    if point is None:
        raise NotFound(_("签到点不存在"), code="checkpoint_not_found")
    return point


def workers_visible(user: Any) -> QuerySet[User]:
    """The people whose tracks ``user`` may open: themselves, and with the permission anyone with an area in
    ``user``'s scope."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return User.objects.none()
    if not user.has_perm(VIEW_TRACKS):
        return User.objects.filter(pk=user.pk)
    scope = user_scope(user)
    if scope.everything:
        return User.objects.all()
    return User.objects.filter(Q(pk=user.pk) | Q(pk__in=User.objects.filter(scope.q("areas__code")).values("pk")))


def access_worker(user: Any, worker_id: int) -> User:
    worker = workers_visible(user).filter(pk=worker_id).first()
    if worker is None:
        raise NotFound(_("人员不存在"), code="worker_not_found")
    return worker


def grid_of_worker(worker: User, grid_code: str | None) -> Area:
    """The grid a worker patrols: ``grid_code`` if in their scope, otherwise their only grid."""
    grids = Area.objects.visible_to(worker).filter(level=AreaLevel.GRID, retired_in__isnull=True)
    if grid_code:
        grid = grids.filter(code=grid_code).first()
        if grid is None:
            raise NotFound(_("网格 %(code)s 不存在") % {"code": grid_code}, code="grid_not_found")
        return grid
    own = list(grids.filter(pk__in=worker.areas.values("pk"))[:2])
    if len(own) != 1:
        raise NotFound(_("请指明巡查的网格"), code="grid_required")
    return own[0]


# --- Areas as fences ----------------------------------------------------------------------------------------------
def fences_of(area_ids: set[int]) -> dict[int, BaseGeometry]:
    """The current polygon of each area (one query)."""
    rows = list(
        AreaBoundary.objects.filter(area_id__in=area_ids, valid_to__isnull=True).values_list("area_id", "geometry")
    )
    if not rows:
        return {}
    shapes = shapes_from_geojson_texts([geometry for _id, geometry in rows])
    return {area_id: shape for (area_id, _geometry), shape in zip(rows, shapes, strict=True)}


def worker_fences(worker: User) -> list[tuple[Area, BaseGeometry]]:
    """The worker's assigned areas with their current polygons."""
    areas = list(worker.areas.filter(retired_in__isnull=True).order_by("code"))
    shapes = fences_of({area.pk for area in areas})
    return [(area, shapes[area.pk]) for area in areas if area.pk in shapes]


# --- Rosters ------------------------------------------------------------------------------------------------------
def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The local day as [start, end) instants."""
    zone = timezone.get_current_timezone()
    return dt.datetime.combine(day, dt.time(), zone), dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), zone)


def default_shift() -> tuple[dt.time, dt.time]:
    start, end = settings.FIELD_DEFAULT_SHIFT.split("-")
    return dt.time.fromisoformat(start.strip()), dt.time.fromisoformat(end.strip())


def roster_windows(day: dt.date, worker_ids: list[int]) -> dict[int, list[tuple[float, float]]]:
    """Each worker's shifts of the day as epoch-second windows: their roster rows, or on a working day without rows
    the default shift (one query)."""
    zone = timezone.get_current_timezone()

    def window(start: dt.time, end: dt.time) -> tuple[float, float]:
        return (dt.datetime.combine(day, start, zone).timestamp(), dt.datetime.combine(day, end, zone).timestamp())

    windows: dict[int, list[tuple[float, float]]] = {}
    for worker_id, start, end in Roster.objects.filter(day=day, worker_id__in=worker_ids).values_list(
        "worker_id", "start", "end"
    ):
        windows.setdefault(worker_id, []).append(window(start, end))
    fallback = [window(*default_shift())] if calendar_for().is_workday(day) else []
    return {worker_id: sorted(windows.get(worker_id, fallback)) for worker_id in worker_ids}


# --- Tracks ---------------------------------------------------------------------------------------------------
def fixes_of(worker_id: int, start: dt.datetime, end: dt.datetime) -> Fixes:
    """A worker's raw fixes in [start, end), ordered by device time (one query on the (worker, device_time) index)."""
    rows = list(
        TrackPoint.objects.filter(worker_id=worker_id, device_time__gte=start, device_time__lt=end)
        .order_by("device_time")
        .values_list("device_time", "lon", "lat", "accuracy", "mock", "server_time")
    )
    return fixes_from_rows(rows)


def fixes_from_rows(rows: list[tuple[Any, ...]]) -> Fixes:
    if not rows:
        empty = np.zeros(0)
        return Fixes(empty, empty, empty, empty, np.zeros(0, dtype=bool), empty)
    times, lons, lats, accuracy, mock, arrived = zip(*rows, strict=True)
    return Fixes(
        times=np.array([moment.timestamp() for moment in times]),
        lons=np.array(lons, dtype=float),
        lats=np.array(lats, dtype=float),
        accuracy=np.array([np.nan if value is None else value for value in accuracy], dtype=float),
        mock=np.array(mock, dtype=bool),
        arrived=np.array([moment.timestamp() for moment in arrived]),
    )


def track_filters() -> Filters:
    return Filters.of(settings.TRACK_FILTERS)


@dataclass
class TrackDay:
    worker: User
    day: dt.date
    kept: Fixes
    dropped: dict[str, int] = field(default_factory=dict)
    stops: list[Stop] = field(default_factory=list)
    distance_m: float = 0.0


def track_of_day(origin: Origin, worker_id: int, day: dt.date) -> TrackDay:
    """The filtered track of a worker's day with its stops and distance. Another person's track is audited."""
    viewer = origin.actor
    worker = access_worker(viewer, worker_id)
    start, end = day_bounds(day)
    fixes = fixes_of(worker.pk, start, end)
    keep, reasons = filter_fixes(fixes, track_filters())
    kept = fixes.take(keep)
    dropped: dict[str, int] = {}
    for reason in reasons[~keep].tolist():
        dropped[reason] = dropped.get(reason, 0) + 1
    if worker.pk != viewer.pk:
        area = worker.areas.order_by("code").first()
        audit_record(
            origin,
            AuditAction.VIEW,
            worker,
            area_code=area.code if area else "",
            fields=["track"],
            detail={"track_day": day.isoformat(), "fixes": len(kept)},
        )
    return TrackDay(
        worker=worker,
        day=day,
        kept=kept,
        dropped=dropped,
        stops=stops(kept, settings.FIELD_STOP_RADIUS_M, settings.FIELD_STOP_SECONDS),
        distance_m=segments_distance_m(kept, settings.FIELD_SEGMENT_MAX_GAP_SECONDS),
    )


# --- Lists ------------------------------------------------------------------------------------------------------
def patrols_list(user: Any, *, mine: bool, day: dt.date | None = None) -> QuerySet[Patrol]:
    rows = Patrol.objects.filter(worker=user.pk) if mine else Patrol.objects.visible_to(user)
    if not mine and not user.has_perm(VIEW_TRACKS):
        rows = rows.filter(worker=user.pk)
    if day is not None:
        start, end = day_bounds(day)
        rows = rows.filter(started_at__gte=start, started_at__lt=end)
    return rows.select_related("grid", "worker").order_by("-started_at", "-id")


def checkpoints_of(user: Any) -> QuerySet[CheckPoint]:
    """The active planned points of the user's areas."""
    return CheckPoint.objects.visible_to(user).filter(active=True).order_by("grid__code", "name", "id")


def daily_metrics_list(user: Any, day: dt.date) -> QuerySet[DailyMetric]:
    """The day's metrics the user may read: their own, and with the permission those of their scope."""
    if user.has_perm(VIEW_TRACKS):
        rows = DailyMetric.objects.filter(
            Q(worker=user.pk) | Q(pk__in=DailyMetric.objects.visible_to(user).values("pk"))
        )
    else:
        rows = DailyMetric.objects.filter(worker=user.pk)
    return rows.filter(day=day).select_related("worker", "grid").order_by("grid__code", "worker__username")
