"""Daily field metrics (research §B): per worker and day, from the filtered track.

- 巡查里程 ``distance_m``: metres over consecutive kept fixes at most ``FIELD_SEGMENT_MAX_GAP_SECONDS`` apart;
- 在岗时长 ``on_duty_s``: gaps of at most twice ``FIELD_SAMPLING_SECONDS`` starting inside the worker's areas plus
  ``FIELD_GRID_BUFFER_M``, counted within the roster (排班, or the default shift on a working day);
  在岗率 = on duty ÷ scheduled;
- 脱岗 ``off_grid_events``/``off_grid_s``: spells outside that fence during the roster longer than
  ``FIELD_OFF_GRID_MINUTES``;
- coverage on three bases: buildings within ``FIELD_COVERAGE_RADIUS_M`` of a kept fix ÷ buildings of the areas;
  planned points checked in ÷ active planned points; households in covered buildings ÷ households;
- reports made that day.

``day_metrics_compute`` reads each input in a few queries per chunk of workers, computes with numpy and writes
the rows with one upsert per chunk: running it again gives the same rows.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone
from scipy.spatial import cKDTree
from shapely.geometry.base import BaseGeometry

from accounts.models import User
from accounts.roles import FIELD_ROLES
from cases.models import Report
from fieldwork.choices import CheckInKind
from fieldwork.models import CheckIn, CheckPoint, DailyMetric, TrackPoint
from fieldwork.selectors import day_bounds, fences_of, roster_windows, track_filters
from fieldwork.tracks import (
    Fixes,
    buffered_fence,
    filter_fixes,
    inside_fence,
    local_xy,
    off_fence_spells,
    on_duty_s,
    segments_distance_m,
)
from registry.models import Building, Household

CHUNK = 250
METRIC_FIELDS = [
    "grid",
    "fixes",
    "distance_m",
    "on_duty_s",
    "scheduled_s",
    "on_duty_rate",
    "off_grid_events",
    "off_grid_s",
    "coverage_buildings_num",
    "coverage_buildings_den",
    "coverage_points_num",
    "coverage_points_den",
    "coverage_households_num",
    "coverage_households_den",
    "reports",
    "computed_at",
]


def _epoch(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"EXTRACT(EPOCH FROM {column})"
    return f"((julianday({column}) - 2440587.5) * 86400.0)"


def _fixes_by_worker(worker_ids: list[int], start: dt.datetime, end: dt.datetime) -> dict[int, Fixes]:
    """The raw fixes of the workers in [start, end) in one query, as arrays per worker ordered by time."""
    if not worker_ids:
        return {}
    table = connection.ops.quote_name(TrackPoint._meta.db_table)
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT worker_id, {_epoch('device_time')}, lon, lat, accuracy, mock, {_epoch('server_time')} "
            f"FROM {table} WHERE worker_id IN ({', '.join(['%s'] * len(worker_ids))}) "
            "AND device_time >= %s AND device_time < %s ORDER BY worker_id, device_time",
            [*worker_ids, adapt(start), adapt(end)],
        )
        rows = cursor.fetchall()
    if not rows:
        return {}
    table_values = np.array(rows, dtype=float)
    workers = table_values[:, 0].astype(np.int64)
    cuts = np.flatnonzero(np.diff(workers)) + 1
    found: dict[int, Fixes] = {}
    for part in np.split(table_values, cuts):
        found[int(part[0, 0])] = Fixes(
            times=part[:, 1],
            lons=part[:, 2],
            lats=part[:, 3],
            accuracy=part[:, 4],
            mock=part[:, 5] != 0,
            arrived=part[:, 6],
        )
    return found


@dataclass
class _Registry:
    """Buildings (with their household counts) sorted by grid code, to take an area's by code prefix."""

    codes: list[str]
    ids: np.ndarray
    lons: np.ndarray
    lats: np.ndarray
    households: np.ndarray

    @classmethod
    def load(cls) -> _Registry:
        counts = dict(
            Household.objects.values("house__building").annotate(n=Count("id")).values_list("house__building", "n")
        )
        rows = sorted(Building.objects.values_list("grid__code", "id", "lon", "lat"))
        return cls(
            codes=[row[0] for row in rows],
            ids=np.array([row[1] for row in rows], dtype=np.int64),
            lons=np.array([row[2] for row in rows], dtype=float),
            lats=np.array([row[3] for row in rows], dtype=float),
            households=np.array([counts.get(row[1], 0) for row in rows], dtype=np.int64),
        )

    def of(self, prefixes: list[str]) -> np.ndarray:
        """Indexes of the buildings whose grid code starts with one of ``prefixes`` (no prefix covers another)."""
        parts = [
            np.arange(bisect.bisect_left(self.codes, prefix), bisect.bisect_left(self.codes, prefix + "\uffff"))
            for prefix in prefixes
        ]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def _minimal(codes: list[str]) -> list[str]:
    kept: list[str] = []
    for code in sorted(set(codes), key=lambda value: (len(value), value)):
        if not any(code.startswith(prefix) for prefix in kept):
            kept.append(code)
    return kept


def _field_workers(start: dt.datetime, end: dt.datetime) -> list[int]:
    """Active users in a field role, and anyone who sent fixes that day."""
    in_role = User.objects.filter(is_active=True, groups__name__in=[str(role) for role in FIELD_ROLES]).values_list(
        "pk", flat=True
    )
    with_fixes = (
        TrackPoint.objects.filter(device_time__gte=start, device_time__lt=end)
        .values_list("worker_id", flat=True)
        .distinct()
    )
    return sorted({*in_role, *with_fixes})


def day_metrics_compute(day: dt.date, workers: list[int] | None = None, *, chunk: int = CHUNK) -> int:
    """Compute (again) the :class:`DailyMetric` rows of ``day`` for ``workers`` (ids; every field worker and
    everyone with fixes that day when left out). Returns how many rows were written."""
    start, end = day_bounds(day)
    worker_ids = sorted(set(workers)) if workers is not None else _field_workers(start, end)
    if not worker_ids:
        return 0
    registry = _Registry.load()
    points = dict(CheckPoint.objects.filter(active=True).values_list("pk", "grid__code"))
    written = 0
    for offset in range(0, len(worker_ids), chunk):
        written += _compute_chunk(day, worker_ids[offset : offset + chunk], start, end, registry, points)
    return written


def _compute_chunk(
    day: dt.date,
    worker_ids: list[int],
    start: dt.datetime,
    end: dt.datetime,
    registry: _Registry,
    points: dict[int, str],
) -> int:
    point_codes = sorted(points.values())
    areas: dict[int, list[tuple[str, int]]] = defaultdict(list)
    memberships = User.areas.through.objects.filter(user_id__in=worker_ids, area__retired_in__isnull=True)
    for user_id, area_id, code in memberships.values_list("user_id", "area_id", "area__code"):
        areas[user_id].append((code, area_id))
    shapes = fences_of({area_id for rows in areas.values() for _code, area_id in rows})
    fences: dict[int, BaseGeometry | None] = {}
    buffer_m = settings.FIELD_GRID_BUFFER_M
    grown: dict[int, BaseGeometry] = {}
    for worker_id in worker_ids:
        polygons = []
        for _code, area_id in areas.get(worker_id, []):
            if area_id in shapes:
                if area_id not in grown:
                    grown[area_id] = buffered_fence(shapes[area_id], buffer_m)
                polygons.append(grown[area_id])
        fences[worker_id] = shapely.union_all(polygons) if len(polygons) > 1 else (polygons[0] if polygons else None)
    windows = roster_windows(day, worker_ids)
    visited_points: dict[int, set[int]] = defaultdict(set)
    for worker_id, point_id in CheckIn.objects.filter(
        worker_id__in=worker_ids, kind=CheckInKind.POINT, device_time__gte=start, device_time__lt=end
    ).values_list("worker_id", "point_id"):
        visited_points[worker_id].add(point_id)
    reports = dict(
        Report.objects.filter(reported_by__in=worker_ids, created_at__gte=start, created_at__lt=end)
        .values("reported_by")
        .annotate(n=Count("id"))
        .values_list("reported_by", "n")
    )
    fixes_by_worker = _fixes_by_worker(worker_ids, start, end)
    filters = track_filters()
    sampling_gap = 2 * settings.FIELD_SAMPLING_SECONDS
    max_gap = settings.FIELD_SEGMENT_MAX_GAP_SECONDS
    off_limit = settings.FIELD_OFF_GRID_MINUTES * 60
    reach = settings.FIELD_COVERAGE_RADIUS_M
    now = timezone.now()
    rows: list[DailyMetric] = []
    for worker_id in worker_ids:
        codes = [code for code, _id in sorted(areas.get(worker_id, []))]
        prefixes = _minimal(codes)
        grid_id = next((area_id for _code, area_id in sorted(areas.get(worker_id, []))), None)
        metric = DailyMetric(worker_id=worker_id, day=day, grid_id=grid_id, computed_at=now)
        shifts = windows.get(worker_id, [])
        metric.scheduled_s = round(sum(b - a for a, b in shifts))
        buildings = registry.of(prefixes)
        metric.coverage_buildings_den = len(buildings)
        metric.coverage_households_den = int(registry.households[buildings].sum())
        metric.coverage_points_den = sum(
            bisect.bisect_left(point_codes, prefix + "\uffff") - bisect.bisect_left(point_codes, prefix)
            for prefix in prefixes
        )
        metric.coverage_points_num = sum(
            1 for point_id in visited_points.get(worker_id, ()) if points.get(point_id, "").startswith(tuple(prefixes))
        )
        metric.reports = reports.get(worker_id, 0)
        raw = fixes_by_worker.get(worker_id)
        if raw is not None and len(raw):
            keep, _reasons = filter_fixes(raw, filters)
            kept = raw.take(keep)
            metric.fixes = len(kept)
            metric.distance_m = round(segments_distance_m(kept, max_gap), 1)
            fence = fences.get(worker_id)
            if fence is not None and len(kept):
                inside = inside_fence(kept, fence)
                metric.on_duty_s = round(on_duty_s(kept, inside, shifts, sampling_gap))
                spells = [
                    seconds
                    for _start, seconds in off_fence_spells(kept, inside, shifts, max_gap)
                    if seconds > off_limit
                ]
                metric.off_grid_events = len(spells)
                metric.off_grid_s = round(sum(spells))
            if len(kept) and len(buildings):
                lat0 = float(np.mean(kept.lats))
                tree = cKDTree(np.column_stack(local_xy(kept.lons, kept.lats, lat0)))
                nearest, _index = tree.query(
                    np.column_stack(local_xy(registry.lons[buildings], registry.lats[buildings], lat0)),
                    distance_upper_bound=reach,
                )
                covered = np.isfinite(nearest)
                metric.coverage_buildings_num = int(covered.sum())
                metric.coverage_households_num = int(registry.households[buildings][covered].sum())
        metric.on_duty_rate = round(metric.on_duty_s / metric.scheduled_s, 4) if metric.scheduled_s else None
        rows.append(metric)
    with transaction.atomic():
        DailyMetric.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["worker", "day"], update_fields=METRIC_FIELDS
        )
    return len(rows)


def metric_values(row: DailyMetric) -> dict[str, Any]:
    """A row's computed values (for comparing two computations)."""
    return {
        name: getattr(row, name if name != "grid" else "grid_id") for name in METRIC_FIELDS if name != "computed_at"
    }
