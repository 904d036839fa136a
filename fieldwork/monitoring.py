"""What the command centre and the leaders see of field work: who may look (``may_monitor``), the workers in a
user's scope with their last fix (在岗监控), a worker's day for the playback (轨迹回放), and the day's metrics per
grid (巡查统计). Every list is within the viewer's scope; a worker outside it answers 404
(``fieldwork.selectors.access_worker``)."""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass
from typing import Any

import shapely
from django.db.models import Exists, Max, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import user_scope
from accounts.models import User
from accounts.roles import Role
from areas.choices import AreaLevel
from areas.models import Area, AreaBoundary
from fieldwork.models import DailyMetric, Patrol, Roster, TrackPoint
from fieldwork.selectors import VIEW_TRACKS, day_bounds, workers_visible
from gridgov.errors import NotFound, ValidationFailed

#: The people whose fixes are watched.
FIELD_WORKER_ROLES = (Role.GRID_WORKER, Role.GRID_LEADER, Role.SUPERVISOR)
#: A last fix older than this is stale (shown grey): the phone stopped sending.
STALE_AFTER = dt.timedelta(minutes=10)
#: A fix this far outside the worker's grid counts as outside it (GPS noise along a boundary street is not).
GRID_MARGIN_M = 50.0
#: The live map lists at most this many workers (the nearest scopes hold a few hundred).
LIVE_LIMIT = 2000


def may_monitor(user: Any) -> bool:
    """Whether the user watches others' field work (the permission the selectors check for others' tracks)."""
    return bool(getattr(user, "is_authenticated", False)) and user.has_perm(VIEW_TRACKS)


def monitor_required(user: Any) -> None:
    """The watching pages do not exist for other roles (404, like the 12345 desk for non-seats)."""
    if not may_monitor(user):
        raise NotFound(_("页面不存在"), code="not_found")


def field_workers(user: Any) -> QuerySet[User]:
    """The active field workers the user may watch (``workers_visible``: with an area in the user's scope)."""
    return workers_visible(user).filter(is_active=True, groups__name__in=FIELD_WORKER_ROLES).distinct().order_by("pk")


def day_param(value: str | None, *, field: str = "date") -> dt.date:
    """A ``YYYY-MM-DD`` parameter (today when absent); a bad or future one answers ``invalid_date``."""
    today = timezone.localdate()
    if not value:
        return today
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        day = None
    if day is None or not dt.date(2000, 1, 1) <= day <= today:
        message = _("日期应为不晚于今天的 YYYY-MM-DD")
        raise ValidationFailed(message, code="invalid_date", details=[{"field": field, "message": message}])
    return day


def grid_of(worker: User) -> Area | None:
    """The worker's grid (the first grid among their prefetched areas)."""
    grids = [area for area in worker.areas.all() if area.level == AreaLevel.GRID]
    return min(grids, key=lambda area: area.code) if grids else None


def grid_shapes(grid_ids: list[int]) -> dict[int, str]:
    """The current boundary (GeoJSON text) of each grid."""
    return dict(
        AreaBoundary.objects.filter(area_id__in=grid_ids, valid_to__isnull=True).values_list("area_id", "geometry")
    )


def outside_grid(shape: Any, lon: float, lat: float, margin_m: float = GRID_MARGIN_M) -> bool:
    """Whether a fix lies more than ``margin_m`` outside a grid (a prepared shapely polygon)."""
    point = shapely.Point(lon, lat)
    if shape.contains(point):
        return False
    # The distance in degrees, read with the shorter (east–west) degree: never more than the true distance.
    return shape.distance(point) * 111_320 * math.cos(math.radians(lat)) > margin_m


# --- 在岗监控 -------------------------------------------------------------------------------------------------------


def live_positions(user: Any, now: dt.datetime | None = None) -> dict[str, Any]:
    """The field workers in the user's scope with their last fix of today (five queries whatever their number):
    whether they are scheduled now, online (a fix in the last ``STALE_AFTER``), outside their grid, on patrol."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    start, _end = day_bounds(today)
    local_now = timezone.localtime(now).time()
    last_fix = (
        TrackPoint.objects.filter(worker=OuterRef("pk"), device_time__gte=start, device_time__lte=now)
        .order_by("-device_time")
        .values("pk")[:1]
    )
    patrolling = Patrol.objects.filter(worker=OuterRef("pk"), ended_at__isnull=True, started_at__gte=start)
    scheduled = Roster.objects.filter(worker=OuterRef("pk"), day=today, start__lte=local_now, end__gt=local_now)
    workers = list(
        field_workers(user)
        .annotate(last_fix=Subquery(last_fix), patrolling=Exists(patrolling), scheduled=Exists(scheduled))
        .prefetch_related("areas")[:LIVE_LIMIT]
    )
    fixes = {
        fix.pk: fix
        for fix in TrackPoint.objects.filter(pk__in=[w.last_fix for w in workers if w.last_fix]).only(
            "pk", "device_time", "lon", "lat", "battery", "accuracy"
        )
    }
    grids = {worker.pk: grid_of(worker) for worker in workers}
    shapes = {
        grid_id: shapely.from_geojson(text)
        for grid_id, text in grid_shapes([grid.pk for grid in grids.values() if grid]).items()
    }
    for shape in shapes.values():
        shapely.prepare(shape)
    rows = []
    counts = {"workers": len(workers), "scheduled": 0, "online": 0, "outside": 0, "stale": 0, "offline": 0}
    for worker in workers:
        grid = grids[worker.pk]
        fix = fixes.get(worker.last_fix)
        online = fix is not None and now - fix.device_time <= STALE_AFTER
        shape = shapes.get(grid.pk) if grid else None
        outside = bool(online and fix and shape is not None and outside_grid(shape, fix.lon, fix.lat))
        counts["scheduled"] += worker.scheduled
        counts["online"] += online
        counts["outside"] += outside
        counts["stale"] += fix is not None and not online
        counts["offline"] += fix is None
        rows.append(
            {
                "id": worker.pk,
                "name": worker.full_name or worker.username,
                "grid_code": grid.code if grid else "",
                "grid_name": grid.name if grid else "",
                "lon": round(fix.lon, 6) if fix else None,
                "lat": round(fix.lat, 6) if fix else None,
                "time": timezone.localtime(fix.device_time).isoformat() if fix else None,
                "age_s": int((now - fix.device_time).total_seconds()) if fix else None,
                "battery": fix.battery if fix else None,
                "stale": fix is not None and not online,
                "online": online,
                "outside": outside,
                "patrolling": worker.patrolling,
                "scheduled": worker.scheduled,
                "playback": reverse("fieldwork:playback", args=[worker.pk]) + f"?date={today.isoformat()}",
            }
        )
    state = {"outside": 0, "online": 1, "stale": 2}
    rows.sort(key=lambda row: (state["outside"] if row["outside"] else state["online"] if row["online"] else
                               state["stale"] if row["stale"] else 3, row["grid_code"], row["name"]))  # fmt: skip
    return {"now": timezone.localtime(now).isoformat(), "counts": counts, "workers": rows}


def live_grids(user: Any) -> dict[str, Any]:
    """The outlines of the grids of the watched workers (drawn under the positions, once per page)."""
    grid_ids = Area.objects.filter(
        level=AreaLevel.GRID, retired_in__isnull=True, pk__in=field_workers(user).values("areas")
    ).values_list("pk", "code", "name")
    found = list(grid_ids[:LIVE_LIMIT])
    shapes = grid_shapes([pk for pk, _code, _name in found])
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"code": code, "name": name}, "geometry": json.loads(shapes[pk])}
            for pk, code, name in found
            if pk in shapes
        ],
    }


# --- 巡查统计 -------------------------------------------------------------------------------------------------------

#: The sort keys of the statistics table (a whitelist), each with its ordering.
SORTS: dict[str, tuple[str, ...]] = {
    "grid": ("grid__code", "worker__full_name"),
    "worker": ("worker__full_name", "grid__code"),
    "on_duty": ("on_duty_s", "grid__code"),
    "rate": ("on_duty_rate", "grid__code"),
    "distance": ("distance_m", "grid__code"),
    "off_grid": ("off_grid_s", "grid__code"),
    "buildings": ("coverage_buildings_num", "grid__code"),
    "points": ("coverage_points_num", "grid__code"),
    "reports": ("reports", "grid__code"),
}


@dataclass(frozen=True)
class StatsFilter:
    day: dt.date
    area: str = ""  # a street or community code
    sort: str = "grid"
    descending: bool = False

    def query(self, **changes: Any) -> dict[str, str]:
        values = {"date": self.day.isoformat(), "area": self.area, "sort": ("-" if self.descending else "") + self.sort}
        values.update(changes)
        return {key: value for key, value in values.items() if value}


def last_worked_day(user: Any) -> dt.date:
    """The latest day up to today with a rostered or tracked worker in the user's scope (today when none): a
    leader opening the statistics early in the morning or on a weekend sees the last working day, not an empty
    table."""
    today = timezone.localdate()
    worked = DailyMetric.objects.visible_to(user).filter(Q(fixes__gt=0) | Q(scheduled_s__gt=0), day__lte=today)
    return worked.aggregate(last=Max("day"))["last"] or today


def stats_filter(user: Any, params: Any) -> StatsFilter:
    day = day_param(params.get("date")) if params.get("date") else last_worked_day(user)
    area = params.get("area", "")
    if area and not (area.isdigit() and len(area) <= 12 and user_scope(user).covers(area)):
        area = ""  # not one of the user's streets or communities: the whole scope
    sort = params.get("sort", "grid")
    descending = sort.startswith("-")
    sort = sort.lstrip("-")
    if sort not in SORTS:
        sort, descending = "grid", False
    return StatsFilter(day, area, sort, descending)


def stats_rows(user: Any, selection: StatsFilter) -> QuerySet[DailyMetric]:
    """The day's metrics in the user's scope (one query, the grid with its community and street joined)."""
    rows = (
        DailyMetric.objects.visible_to(user).filter(day=selection.day).select_related("worker", "grid__parent__parent")
    )
    if selection.area:
        rows = rows.filter(grid__code__startswith=selection.area)
    order = [("-" if selection.descending else "") + key for key in SORTS[selection.sort][:1]]
    return rows.order_by(*order, *SORTS[selection.sort][1:], "pk")


def stats_areas(user: Any) -> list[Area]:
    """The streets and communities of the user's scope, for the filter."""
    return list(
        Area.objects.visible_to(user)
        .current()
        .filter(level__in=[AreaLevel.STREET, AreaLevel.COMMUNITY])
        .order_by("code")
        .only("code", "name", "level")
    )


@dataclass
class StatsTotals:
    workers: int
    on_duty_s: int
    scheduled_s: int
    distance_m: float
    off_grid_events: int
    reports: int

    @property
    def distance_km(self) -> float:
        return self.distance_m / 1000

    @property
    def on_duty_rate(self) -> float | None:
        return self.on_duty_s / self.scheduled_s if self.scheduled_s else None


def stats_totals(rows: list[DailyMetric]) -> StatsTotals:
    return StatsTotals(
        workers=len(rows),
        on_duty_s=sum(row.on_duty_s for row in rows),
        scheduled_s=sum(row.scheduled_s for row in rows),
        distance_m=sum(row.distance_m for row in rows),
        off_grid_events=sum(row.off_grid_events for row in rows),
        reports=sum(row.reports for row in rows),
    )
