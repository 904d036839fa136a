"""A month of patrols for the demo's grid workers: rosters, walking tracks, check-ins and the daily metrics.

Each grid has a beat: its outline (the streets the base map draws along the area boundaries) walked on the inner
side, then a lawn-mower sweep of east–west lanes about ``LANE_SPACING_M`` apart. Every working day a worker has two
patrol shifts (``SHIFTS``); they walk on from a different place of the beat each day at a walking pace, pause at
doors, check in at the grid's planned points as they pass them, step aside to the places they report problems at
(the reports of ``demo.cases``, at the moment they were made), and now and then leave the grid for half an hour.
The phone sends a fix every 10–30 s with GPS noise (5–15 m), a few wild fixes the read-time filters drop, and
gaps. Some days a worker is absent. Deterministic for a seed; written with ``bulk_create``; the metrics job then
runs for every day.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from django.db import transaction
from django.utils import timezone
from shapely.geometry.base import BaseGeometry

from accounts.models import User
from accounts.roles import Role
from areas.choices import AreaLevel
from areas.models import Area, AreaBoundary
from cases.models import Report
from cases.worktime import calendar_for
from fieldwork.choices import CheckInKind, CheckPointKind, TrackSource
from fieldwork.metrics import day_metrics_compute
from fieldwork.models import CheckIn, CheckPoint, Patrol, Roster, TrackPoint
from registry.models import Building

DAYS = 30
#: The two patrol shifts of a working day (local time): they are the grid workers' roster.
SHIFTS = ((dt.time(9, 0), dt.time(11, 30)), (dt.time(14, 30), dt.time(16, 30)))
LANE_SPACING_M = 110.0
INSET_M = 8.0  # the pavement on the inner side of the boundary street
CHECKPOINTS_PER_GRID = 4
ABSENCE_SHARE = 0.04
SKIP_AFTERNOON_SHARE = 0.15
OFF_GRID_SHARE = 0.08
BATCH = 5000


# --- geometry in local metres -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plane:
    """An equirectangular plane in metres around a grid (good to a few centimetres over a kilometre)."""

    lon0: float
    lat0: float

    @property
    def kx(self) -> float:
        return 111_320.0 * math.cos(math.radians(self.lat0))

    ky = 110_540.0

    def to_metres(self, shape: BaseGeometry) -> BaseGeometry:
        return shapely.transform(shape, lambda xy: (xy - [self.lon0, self.lat0]) * [self.kx, self.ky])

    def xy(self, lon: np.ndarray | float, lat: np.ndarray | float) -> tuple[Any, Any]:
        return (np.asarray(lon) - self.lon0) * self.kx, (np.asarray(lat) - self.lat0) * self.ky

    def lonlat(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return self.lon0 + np.asarray(x) / self.kx, self.lat0 + np.asarray(y) / self.ky


def _largest(shape: BaseGeometry) -> BaseGeometry:
    parts = [part for part in shapely.get_parts(shape) if not part.is_empty]
    return max(parts, key=lambda part: part.area if part.area else part.length) if parts else shape


@dataclass
class Beat:
    """A grid's walking route as one polyline in metres, with the distance along it at every vertex."""

    plane: Plane
    shape: BaseGeometry  # the grid in metres
    xy: np.ndarray  # (n, 2)
    along: np.ndarray  # (n,)

    @property
    def length(self) -> float:
        return float(self.along[-1])

    def at(self, distance: np.ndarray | float) -> np.ndarray:
        """Points at distances along the beat, walking it round and round."""
        d = np.mod(np.asarray(distance, dtype=float), self.length)
        return np.column_stack((np.interp(d, self.along, self.xy[:, 0]), np.interp(d, self.along, self.xy[:, 1])))

    def vertices_between(self, start: float, end: float) -> list[tuple[float, np.ndarray]]:
        """The beat's vertices strictly between two distances (unwrapped), with their distances."""
        found = []
        lap = math.floor(start / self.length)
        while lap * self.length < end:
            base = lap * self.length
            inside = (self.along + base > start) & (self.along + base < end)
            found += [(float(self.along[k] + base), self.xy[k]) for k in np.flatnonzero(inside)]
            lap += 1
        return found


def beat_of(shape_wgs84: BaseGeometry) -> Beat:
    centre = shape_wgs84.centroid
    plane = Plane(centre.x, centre.y)
    shape = _largest(plane.to_metres(shape_wgs84))
    inner = _largest(shape.buffer(-INSET_M))
    if inner.is_empty or inner.geom_type != "Polygon":
        inner = shape
    ring = np.asarray(inner.exterior.coords)
    lanes_area = _largest(shape.buffer(-2 * INSET_M)) if shape.buffer(-2 * INSET_M).area > 0 else inner
    min_x, min_y, max_x, max_y = lanes_area.bounds
    lanes: list[np.ndarray] = []
    for number, y in enumerate(np.arange(min_y + LANE_SPACING_M / 2, max_y, LANE_SPACING_M)):
        cut = shapely.intersection(shapely.LineString([(min_x - 1, y), (max_x + 1, y)]), lanes_area)
        pieces = [part for part in shapely.get_parts(cut) if part.geom_type == "LineString" and part.length > 20]
        if pieces:
            lane = np.asarray(max(pieces, key=lambda part: part.length).coords)
            lanes.append(lane if number % 2 == 0 else lane[::-1])
    xy = np.vstack([ring, *lanes, ring[:1]]) if lanes else ring
    steps = np.hypot(*np.diff(xy, axis=0).T)
    keep = np.concatenate(([True], steps > 0.01))
    xy = xy[keep]
    along = np.concatenate(([0.0], np.cumsum(np.hypot(*np.diff(xy, axis=0).T))))
    return Beat(plane, shape, xy, along)


# --- one patrol -----------------------------------------------------------------------------------------------------


@dataclass
class Walk:
    """The true path of a patrol as key frames (seconds since its start, x, y); positions between them are linear."""

    t: list[float] = field(default_factory=list)
    x: list[float] = field(default_factory=list)
    y: list[float] = field(default_factory=list)
    visits: list[tuple[float, int]] = field(default_factory=list)  # (seconds, checkpoint index)

    def key(self, t: float, point: np.ndarray) -> None:
        if self.t and t <= self.t[-1]:
            t = self.t[-1] + 0.001
        self.t.append(t)
        self.x.append(float(point[0]))
        self.y.append(float(point[1]))

    @property
    def here(self) -> np.ndarray:
        return np.array([self.x[-1], self.y[-1]])

    @property
    def start(self) -> np.ndarray:
        return np.array([self.x[0], self.y[0]])


@dataclass
class Aside:
    """A step off the beat at a moment: to a report's place, or out of the grid."""

    at: float  # seconds since the patrol's start, when the worker should be there
    to: np.ndarray
    dwell: float


def walk_plan(
    beat: Beat,
    rng: np.random.Generator,
    duration: float,
    start_along: float,
    asides: list[Aside],
    checkpoints: list[float],
) -> tuple[Walk, float]:
    """Walk the beat from ``start_along`` for ``duration`` seconds, pausing now and then, checking in at the
    checkpoints passed (distances along the beat), and stepping aside where ``asides`` say; returns the walk and
    where on the beat it ended."""
    walk = Walk()
    speed = rng.uniform(0.9, 1.25)
    t, along = 0.0, start_along
    walk.key(t, beat.at(along)[0])
    asides = sorted(asides, key=lambda aside: aside.at)
    next_pause = rng.uniform(600, 1500)
    while t < duration:
        lead = 0.0
        if asides:
            lead = min(900.0, np.hypot(*(asides[0].to - beat.at(along)[0])) / speed + 30)
        until = min(duration, next_pause, asides[0].at - lead if asides else duration)
        if until > t:  # walk on along the beat, through its bends and past its checkpoints
            end_along = along + (until - t) * speed
            stops = sorted(
                (cp + lap * beat.length, index)
                for index, cp in enumerate(checkpoints)
                for lap in range(math.floor(along / beat.length), math.floor(end_along / beat.length) + 1)
                if along < cp + lap * beat.length <= end_along
            )
            marks = [(d, "vertex", -1) for d, _point in beat.vertices_between(along, end_along)]
            marks += [(d, "checkpoint", index) for d, index in stops]
            for d, kind, index in sorted(marks):
                t += (d - along) / speed
                along = d
                walk.key(t, beat.at(along)[0])
                if kind == "checkpoint":
                    walk.visits.append((t + rng.uniform(10, 40), index))
                    t += rng.uniform(60, 150)
                    walk.key(t, beat.at(along)[0])
            t = max(t + (end_along - along) / speed, until)  # never short of it by a rounding
            along = end_along
            walk.key(t, beat.at(along)[0])
        if t >= duration:
            break
        if asides and t >= asides[0].at - lead - 1:
            aside = asides.pop(0)
            back = walk.here
            leg = float(np.hypot(*(aside.to - back)))
            t = max(t, aside.at - leg / speed - 20)
            walk.key(t, back)
            t += leg / speed
            walk.key(t, aside.to)
            t += aside.dwell
            walk.key(t, aside.to)
            t += leg / speed
            walk.key(t, back)
            continue
        if t >= next_pause - 1:
            t += rng.uniform(200, 480) if rng.random() < 0.35 else rng.uniform(40, 150)  # a long talk or a look
            walk.key(t, walk.here)
            next_pause = t + rng.uniform(600, 1500)
    return walk, along


@dataclass
class Fixes:
    seconds: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    accuracy: np.ndarray
    speed: np.ndarray
    bearing: np.ndarray


def fixes_of(walk: Walk, plane: Plane, rng: np.random.Generator, interval: float, duration: float) -> Fixes:
    """What the phone sends along a walk: a fix every ``interval`` ± 2 s, 5–15 m of noise, a few wild fixes
    (poor accuracy, or a jump of kilometres), and sometimes a gap of minutes."""
    count = max(2, int(duration / interval) + 1)
    seconds = np.cumsum(np.concatenate(([rng.uniform(0, 5)], rng.uniform(interval - 2, interval + 2, count - 1))))
    seconds = np.floor(seconds[seconds <= duration])
    if rng.random() < 0.5 and len(seconds) > 60:  # a gap: a tunnel, a lift, a phone in a drawer
        start = rng.uniform(seconds[10], seconds[-40])
        seconds = seconds[(seconds < start) | (seconds > start + rng.uniform(180, 540))]
    t = np.asarray(walk.t)
    x = np.interp(seconds, t, walk.x)
    y = np.interp(seconds, t, walk.y)
    step = np.maximum(np.diff(seconds, prepend=seconds[0] - interval), 1)
    true_speed = np.hypot(np.diff(x, prepend=x[0]), np.diff(y, prepend=y[0])) / step
    bearing = np.degrees(np.arctan2(np.diff(x, prepend=x[0]), np.diff(y, prepend=y[0]))) % 360
    accuracy = rng.uniform(4, 15, len(seconds))
    wild = rng.random(len(seconds)) < 0.015
    accuracy[wild] = rng.uniform(60, 180, wild.sum())
    sigma = accuracy / 2
    x = x + rng.normal(0, 1, len(x)) * sigma
    y = y + rng.normal(0, 1, len(y)) * sigma
    jump = rng.random(len(seconds)) < 0.003  # a fix from a cell tower kilometres away, reported as precise
    angle = rng.uniform(0, 2 * np.pi, jump.sum())
    distance = rng.uniform(1000, 3000, jump.sum())
    x[jump] += np.cos(angle) * distance
    y[jump] += np.sin(angle) * distance
    lon, lat = plane.lonlat(x, y)
    speed = np.clip(true_speed + rng.normal(0, 0.15, len(seconds)), 0, None)
    return Fixes(seconds, lon, lat, np.round(accuracy, 1), np.round(speed, 2), np.round(bearing, 0))


# --- the month --------------------------------------------------------------------------------------------------


@dataclass
class Worker:
    user: User
    grid: Area
    beat: Beat
    interval: float
    checkpoints: list[CheckPoint]
    checkpoint_along: list[float]
    along: float = 0.0


def _checkpoints(grid: Area, beat: Beat, buildings: list[tuple[int, float, float, str]], rng: np.random.Generator):
    """A few planned points spread along the beat: the building nearest to the beat there (within 40 m), else the
    spot on the beat itself."""
    points, alongs = [], []
    if buildings:
        bx, by = beat.plane.xy(np.array([b[1] for b in buildings]), np.array([b[2] for b in buildings]))
    for number in range(CHECKPOINTS_PER_GRID):
        along = beat.length * (number + rng.uniform(0.2, 0.8)) / CHECKPOINTS_PER_GRID
        spot = beat.at(along)[0]
        point = CheckPoint(grid=grid, radius_m=50, kind=CheckPointKind.POINT, name=f"{grid.name}巡查点{number + 1}")
        lon, lat = beat.plane.lonlat(spot[0:1], spot[1:2])
        point.lon, point.lat = round(float(lon[0]), 6), round(float(lat[0]), 6)
        if buildings:
            nearest = int(np.argmin(np.hypot(bx - spot[0], by - spot[1])))
            if math.hypot(bx[nearest] - spot[0], by[nearest] - spot[1]) <= 40:
                building_id, lon_b, lat_b, address = buildings[nearest]
                point.kind, point.building_id, point.name = CheckPointKind.BUILDING, building_id, address[:100]
                point.lon, point.lat = lon_b, lat_b
        points.append(point)
        alongs.append(along)
    return points, alongs


def _off_grid_spot(beat: Beat, rng: np.random.Generator) -> np.ndarray:
    """A place 150–350 m outside the grid, beyond a point of its outline (the community office, a market)."""
    edge = np.asarray(beat.shape.exterior.coords)[:-1]
    corner = edge[rng.integers(len(edge))]
    centre = np.array(beat.shape.centroid.coords[0])
    direction = (corner - centre) / max(float(np.hypot(*(corner - centre))), 1.0)
    return corner + direction * rng.uniform(150, 350)


def _local(day: dt.date, time: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, time))


@dataclass
class Month:
    rosters: list[Roster] = field(default_factory=list)
    patrols: list[Patrol] = field(default_factory=list)
    fixes: list[tuple[int, Fixes, dt.datetime, float]] = field(
        default_factory=list
    )  # (patrol index, fixes, start, battery)
    checkins: list[CheckIn] = field(default_factory=list)


def _workers(rng: np.random.Generator) -> list[Worker]:
    grids = {area.pk: area for area in Area.objects.current().filter(level=AreaLevel.GRID).select_related("parent")}
    shapes = dict(
        AreaBoundary.objects.filter(area_id__in=list(grids), valid_to__isnull=True).values_list("area_id", "geometry")
    )
    buildings: dict[int, list[tuple[int, float, float, str]]] = defaultdict(list)
    for pk, grid_id, lon, lat, address in Building.objects.values_list("pk", "grid_id", "lon", "lat", "address"):
        buildings[grid_id].append((pk, lon, lat, address))
    workers = []
    seen = set()
    for user in (
        User.objects.filter(groups__name=Role.GRID_WORKER, is_active=True).prefetch_related("areas").order_by("pk")
    ):
        grid = next((area for area in user.areas.all() if area.pk in grids and area.pk in shapes), None)
        if grid is None or grid.pk in seen:
            continue
        seen.add(grid.pk)
        beat = beat_of(shapely.from_geojson(shapes[grid.pk]))
        checkpoints, alongs = _checkpoints(grid, beat, buildings[grid.pk], rng)
        interval = float(rng.choice([10, 15, 20, 20, 25, 30, 30]))
        workers.append(Worker(user, grid, beat, interval, checkpoints, alongs, rng.uniform(0, beat.length)))
    return workers


def _reports(start: dt.datetime, end: dt.datetime) -> dict[tuple[int, dt.date], list[tuple[dt.datetime, float, float]]]:
    """Each grid worker's reports by day: where the walk must be at the moment they were made."""
    found: dict[tuple[int, dt.date], list[tuple[dt.datetime, float, float]]] = defaultdict(list)
    for user_id, at, lon, lat in Report.objects.filter(
        reported_by__groups__name=Role.GRID_WORKER,
        created_at__gte=start,
        created_at__lt=end,
        longitude__isnull=False,
        latitude__isnull=False,
    ).values_list("reported_by_id", "created_at", "longitude", "latitude"):
        if user_id is not None and lon is not None and lat is not None:
            found[(user_id, timezone.localdate(at))].append((at, lon, lat))
    return found


def _checkin(
    worker: Worker, kind: str, at: dt.datetime, plane: Plane, spot: np.ndarray, rng: np.random.Generator, **extra: Any
) -> CheckIn:
    lon, lat = plane.lonlat(spot[0:1], spot[1:2])
    skew = 0
    if rng.random() < 0.02:  # a phone whose clock is off by minutes: flagged for the leader to look at
        skew = int(rng.choice([-1, 1]) * rng.uniform(360, 1200))
    return CheckIn(
        worker=worker.user,
        kind=kind,
        grid=worker.grid,
        lon=round(float(lon[0]), 6),
        lat=round(float(lat[0]), 6),
        accuracy=round(float(rng.uniform(5, 20)), 1),
        device_time=at - dt.timedelta(seconds=skew),
        server_time=at + dt.timedelta(seconds=float(rng.uniform(1, 8))),
        clock_skew_s=skew,
        flagged_clock=abs(skew) > 300,
        **extra,
    )


def _day(worker: Worker, day: dt.date, now: dt.datetime, reports: list, rng: np.random.Generator, month: Month) -> None:
    """One working day of one worker: the roster, and unless absent, the patrols with their fixes, a check-in at
    the start of the day, at each planned point passed and at the end of the day's last patrol."""
    for start, end in SHIFTS:
        month.rosters.append(Roster(worker=worker.user, day=day, start=start, end=end, grid=worker.grid))
    if rng.random() < ABSENCE_SHARE:
        return
    plane, beat = worker.beat.plane, worker.beat
    last: tuple[dt.datetime, np.ndarray] | None = None
    for number, (shift_start, shift_end) in enumerate(SHIFTS):
        if number == 1 and rng.random() < SKIP_AFTERNOON_SHARE:
            continue
        started = _local(day, shift_start) + dt.timedelta(minutes=float(rng.normal(3, 5)))
        ended = _local(day, shift_end) + dt.timedelta(minutes=float(rng.normal(-4, 6)))
        if started + dt.timedelta(minutes=2) >= now:
            break
        live = ended > now  # today's patrol, under way
        ended = min(ended, now)
        duration = (ended - started).total_seconds()
        asides = []
        for at, lon, lat in reports:
            offset = (at - started).total_seconds()
            if 300 < offset < duration - 300:
                x, y = plane.xy(lon, lat)
                asides.append(Aside(offset, np.array([float(x), float(y)]), float(rng.uniform(120, 300))))
        if rng.random() < OFF_GRID_SHARE:
            asides.append(Aside(rng.uniform(0.2, 0.6) * duration, _off_grid_spot(beat, rng), rng.uniform(1100, 2100)))
        walk, worker.along = walk_plan(beat, rng, duration, worker.along, asides, worker.checkpoint_along)
        month.patrols.append(
            Patrol(
                worker=worker.user,
                grid=worker.grid,
                started_at=started,
                ended_at=None if live else ended,
                source=TrackSource.DEMO,
            )
        )
        fixes = fixes_of(walk, plane, rng, worker.interval, duration)
        month.fixes.append((len(month.patrols) - 1, fixes, started, float(rng.uniform(55, 100))))
        if number == 0:
            month.checkins.append(_checkin(worker, CheckInKind.SHIFT_START, started, plane, walk.start, rng))
        for seconds, index in walk.visits:
            point = worker.checkpoints[index]
            offset = rng.normal(0, 8, 2)
            x, y = plane.xy(point.lon, point.lat)
            spot = np.array([float(x) + offset[0], float(y) + offset[1]])
            at = started + dt.timedelta(seconds=seconds)
            distance = round(float(np.hypot(*offset)), 1)
            month.checkins.append(
                _checkin(worker, CheckInKind.POINT, at, plane, spot, rng, point=point, distance_m=distance)
            )
        last = None if live else (ended, walk.here)
    if last is not None and _local(day, SHIFTS[-1][1]) <= now:
        month.checkins.append(_checkin(worker, CheckInKind.SHIFT_END, last[0], plane, last[1], rng))


def _write(month: Month, progress: Callable[[int], None] | None) -> int:
    """Everything of the month in bulk: rosters, check-in points' visits, patrols (their ids), then the fixes."""
    Roster.objects.bulk_create(month.rosters, batch_size=BATCH)
    CheckIn.objects.bulk_create(month.checkins, batch_size=BATCH)
    Patrol.objects.bulk_create(month.patrols, batch_size=BATCH)
    rows: list[TrackPoint] = []
    written = 0
    for index, fixes, started, battery in month.fixes:
        patrol = month.patrols[index]
        times = [started + dt.timedelta(seconds=float(second)) for second in fixes.seconds]
        drain = battery - fixes.seconds / 3600 * 7.5  # about 7.5 % an hour with the screen mostly off
        for k, device_time in enumerate(times):
            rows.append(
                TrackPoint(
                    worker_id=patrol.worker_id,
                    patrol_id=patrol.pk,
                    device_time=device_time,
                    server_time=device_time + dt.timedelta(seconds=2 + k % 5),
                    lon=round(float(fixes.lon[k]), 7),
                    lat=round(float(fixes.lat[k]), 7),
                    accuracy=float(fixes.accuracy[k]),
                    speed=float(fixes.speed[k]),
                    bearing=float(fixes.bearing[k]),
                    altitude=45.0,
                    battery=round(max(5.0, float(drain[k])), 0),
                    source=TrackSource.DEMO,
                )
            )
        if len(rows) >= BATCH:
            TrackPoint.objects.bulk_create(rows, batch_size=BATCH)
            written += len(rows)
            if progress:
                progress(len(rows))
            rows = []
    TrackPoint.objects.bulk_create(rows, batch_size=BATCH)
    if progress:
        progress(len(rows))
    return written + len(rows)


def patrols_populate(
    seed: int, progress: Callable[[int], None] | None = None, days: int = DAYS, now: dt.datetime | None = None
) -> dict[str, int]:
    """A month of patrols ending now for every grid worker with a grid, then the daily metrics of every day."""
    rng = np.random.default_rng(seed)
    now = (now or timezone.now()).replace(microsecond=0)
    today = timezone.localdate(now)
    first = today - dt.timedelta(days=days - 1)
    with transaction.atomic():
        workers = _workers(rng)
        CheckPoint.objects.bulk_create([point for worker in workers for point in worker.checkpoints])
        reports = _reports(_local(first, dt.time(0)), now)
        month = Month()
        calendar = calendar_for()
        for offset in range(days):
            day = first + dt.timedelta(days=offset)
            if not calendar.is_workday(day):
                continue
            for worker in workers:
                _day(worker, day, now, reports.get((worker.user.pk, day), []), rng, month)
        fixes = _write(month, progress)
    for offset in range(days):
        day_metrics_compute(first + dt.timedelta(days=offset))
    return {"patrols": len(month.patrols), "track_points": fixes, "checkins": len(month.checkins)}
