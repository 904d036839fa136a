"""The demo's patrols: believable walks in each worker's grid, sampled like a phone does, the same for a seed."""

from __future__ import annotations

import datetime as dt

import numpy as np
import shapely
from django.utils import timezone

from areas.models import AreaBoundary
from demo.patrols import beat_of, patrols_populate
from fieldwork.models import CheckIn, CheckPoint, DailyMetric, Patrol, Roster, TrackPoint
from fieldwork.selectors import fixes_of, track_filters
from fieldwork.tracks import filter_fixes
from gridgov.testing import World
from registry.tests.factories import BuildingFactory

# A Wednesday afternoon: the week before it holds five working days (the calendar of 2026).
NOW = timezone.make_aware(dt.datetime(2026, 3, 11, 17, 0))


def fingerprint() -> list[tuple]:
    return list(
        TrackPoint.objects.order_by("worker_id", "device_time").values_list("worker_id", "device_time", "lon", "lat")
    )


def test_the_beat_runs_round_the_grid_and_across_it() -> None:
    grid = shapely.box(116.40, 39.90, 116.41, 39.907)  # about 850 m × 780 m
    beat = beat_of(grid)
    assert 3000 < beat.length < 15000
    inside = beat.plane.to_metres(grid)
    points = beat.at(np.linspace(0, beat.length, 200))
    assert all(inside.buffer(1).contains(shapely.Point(x, y)) for x, y in points)  # on the inner side of the streets


def test_a_week_of_patrols_is_believable_and_the_same_for_a_seed(world: World) -> None:
    for grid, lon in ((world.grid_a, 116.405), (world.grid_b, 116.415)):
        for offset in range(6):
            BuildingFactory(grid=grid, lon=lon - 0.003 + offset * 0.0012, lat=39.905 + offset * 0.0015)
    totals = patrols_populate(7, days=7, now=NOW)
    first = fingerprint()
    worker_a = world.user("grid_worker_a")
    # Two workers, five working days, two shifts each: the roster; patrols on most of them.
    assert Roster.objects.filter(worker=worker_a).count() == 10
    assert 14 <= Patrol.objects.count() == totals["patrols"] <= 20
    assert CheckPoint.objects.filter(grid=world.grid_a).count() == 4
    assert CheckIn.objects.filter(kind="shift_start").count() >= 8
    assert CheckIn.objects.filter(kind="point").exists()
    # Every fix of a patrol lies in its worker's grid or near it, one every 10–30 s.
    shape = shapely.from_geojson(AreaBoundary.objects.get(area=world.grid_a, valid_to__isnull=True).geometry)
    day = timezone.localdate(NOW) - dt.timedelta(days=1)
    start = timezone.make_aware(dt.datetime.combine(day, dt.time(0)))
    fixes = fixes_of(worker_a.pk, start, start + dt.timedelta(days=1))
    keep, _reasons = filter_fixes(fixes, track_filters())
    gaps = np.diff(fixes.times)
    assert 8 <= np.median(gaps) <= 32
    kept = [shapely.Point(lon, lat) for lon, lat in zip(fixes.lons[keep], fixes.lats[keep], strict=True)]
    near = sum(shape.buffer(0.004).contains(point) for point in kept)
    assert near / len(kept) > 0.95
    assert 0 < (~keep).sum() < 0.1 * len(fixes)  # some wild fixes, dropped when read
    # The metrics job ran for every day.
    metric = DailyMetric.objects.get(worker=worker_a, day=day)
    assert metric.distance_m > 1000 and metric.on_duty_s > 3600 and metric.scheduled_s == 4.5 * 3600
    # The same seed, the same week.
    for model in (DailyMetric, TrackPoint, CheckIn, Patrol, Roster, CheckPoint):
        model.objects.all().delete()
    patrols_populate(7, days=7, now=NOW)
    assert fingerprint() == first
