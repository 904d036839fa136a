"""The daily field metrics job over a district's day: 1,000 grid workers × 8 h of fixes at 30 s (~1 M fixes), with
buildings, households and planned points to cover (target ≤ 30 s), beside a plain read of the same fixes.
Run on SQLite, then with --database-url for PostgreSQL:
  .venv/bin/python bench/patrol_metrics.py [--workers 1000] [--hours 8] [--database-url postgresql://…]"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import time

import numpy as np
from _registry import district_build
from _setup import django_setup

DAY = dt.date(2026, 1, 5)  # a working day
TARGET_S = 30.0


def fixes_insert(worker_ids: list[int], grids: list, hours: float, seed: int = 7) -> int:
    """Random walks at about 1.2 m/s inside each worker's grid from 08:30, one fix every 30 s, with a few jumps
    and inaccurate fixes; written with COPY on PostgreSQL, in big INSERTs elsewhere."""
    # Imported once Django is set up (settings and app registry), as a benchmark script must.
    from django.db import connection, transaction

    from fieldwork.models import TrackPoint

    rng = np.random.default_rng(seed)
    start = dt.datetime(2026, 1, 5, 8, 30, tzinfo=dt.timezone(dt.timedelta(hours=8))).timestamp()
    count = int(hours * 3600 / 30)
    times = start + np.arange(count) * 30.0
    table = TrackPoint._meta.db_table
    columns = ["worker_id", "device_time", "server_time", "lon", "lat", "accuracy", "mock", "source"]
    total = 0
    with transaction.atomic():
        for worker_id, grid in zip(worker_ids, grids, strict=True):
            boundary = grid.boundaries.get()
            steps = rng.normal(0, 1, (count, 2)) * 25 / 111_000
            lons = np.clip(boundary.centroid_lon + np.cumsum(steps[:, 0]), boundary.min_lon, boundary.max_lon)
            lats = np.clip(boundary.centroid_lat + np.cumsum(steps[:, 1]), boundary.min_lat, boundary.max_lat)
            jumps = rng.random(count) < 0.005
            lons[jumps] += 0.05
            accuracy = rng.uniform(4, 40, count)
            accuracy[rng.random(count) < 0.02] = 120
            rows = [
                (
                    worker_id,
                    dt.datetime.fromtimestamp(t, dt.UTC),
                    dt.datetime.fromtimestamp(t + 2, dt.UTC),
                    x,
                    y,
                    a,
                    False,
                    "demo",
                )
                for t, x, y, a in zip(times.tolist(), lons.tolist(), lats.tolist(), accuracy.tolist(), strict=True)
            ]
            total += len(rows)
            if connection.vendor == "postgresql":
                buffer = io.StringIO()
                for row in rows:
                    buffer.write(
                        "\t".join(value.isoformat() if isinstance(value, dt.datetime) else str(value) for value in row)
                        + "\n"
                    )
                with (
                    connection.cursor() as cursor,
                    cursor.connection.cursor().copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
                ):
                    copy.write(buffer.getvalue())
            else:
                TrackPoint.objects.bulk_create(
                    [TrackPoint(**dict(zip(columns, row, strict=True))) for row in rows], batch_size=2000
                )
    return total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=1000)
    parser.add_argument("--hours", type=float, default=8)
    parser.add_argument("--buildings", type=int, default=20, help="buildings per grid")
    parser.add_argument("--database-url")
    arguments = parser.parse_args()
    django_setup(arguments.database_url)
    # Imported once Django is set up (settings and app registry), as a benchmark script must.
    from django.contrib.auth.models import Group
    from django.db import connection

    from accounts.models import User
    from accounts.roles import Role
    from fieldwork.metrics import day_metrics_compute
    from fieldwork.models import CheckPoint, DailyMetric, TrackPoint
    from fieldwork.selectors import day_bounds
    from registry.models import Building, House, Household

    communities = 4
    per_street = communities * 15
    streets = max(1, -(-arguments.workers // per_street))
    grids = district_build(streets=streets, communities=communities, grids=15)[: arguments.workers]
    group = Group.objects.get(name=Role.GRID_WORKER)
    users = User.objects.bulk_create([User(username=f"walker{index:05d}") for index in range(len(grids))])
    group.user_set.add(*users)
    User.areas.through.objects.bulk_create(
        [User.areas.through(user_id=user.pk, area_id=grid.pk) for user, grid in zip(users, grids, strict=True)]
    )
    rng = np.random.default_rng(11)
    buildings = []
    points = []
    for grid in grids:
        boundary = grid.boundaries.get()
        for number in range(arguments.buildings):
            lon = boundary.centroid_lon + rng.uniform(-0.003, 0.003)  # within ~300 m of where the walk starts
            lat = boundary.centroid_lat + rng.uniform(-0.003, 0.003)
            road, door = f"路{grid.code}", f"{number + 1}号"
            address = Building.address_of(road, door, "", "")
            buildings.append(Building(grid=grid, road=road, door_number=door, address=address, lon=lon, lat=lat))
        points += [
            CheckPoint(grid=grid, name=f"点{index}", lon=boundary.centroid_lon, lat=boundary.centroid_lat)
            for index in range(5)
        ]
    Building.objects.bulk_create(buildings, batch_size=5000)
    CheckPoint.objects.bulk_create(points, batch_size=5000)
    houses = House.objects.bulk_create(
        [
            House(building=b, grid_id=b.grid_id, unit=1, floor=1, room="101", address=House.address_of(b, 1, "101"))
            for b in buildings[::2]
        ],
        batch_size=5000,
    )
    Household.objects.bulk_create([Household(house=h, grid_id=h.grid_id) for h in houses], batch_size=5000)
    started = time.perf_counter()
    fixes = fixes_insert([user.pk for user in users], grids, arguments.hours)
    written_s = time.perf_counter() - started
    print(f"database: {connection.vendor}  {len(users)} workers, {fixes:,} fixes written in {written_s:.1f} s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {TrackPoint._meta.db_table}")

    start, end = day_bounds(DAY)
    started = time.perf_counter()
    plain = len(
        list(
            TrackPoint.objects.filter(device_time__gte=start, device_time__lt=end).values_list(
                "worker_id", "device_time", "lon", "lat", "accuracy", "mock", "server_time"
            )
        )
    )
    plain_s = time.perf_counter() - started
    timings = []
    for _round in range(2):
        started = time.perf_counter()
        rows = day_metrics_compute(DAY)
        timings.append(time.perf_counter() - started)
    assert rows == len(users) and DailyMetric.objects.filter(day=DAY).count() == len(users)
    sample = DailyMetric.objects.filter(day=DAY).order_by("worker_id").first()
    assert sample is not None and sample.fixes > 0
    best = min(timings)
    print(f"plain read of the day's {plain:,} fixes (values_list)  {plain_s:.2f} s")
    print(
        f"day_metrics_compute: {rows} workers  first {timings[0]:.2f} s, again {timings[1]:.2f} s  "
        f"(target ≤ {TARGET_S:.0f} s: ratio time/target = {best / TARGET_S:.3f}; "
        f"ratio to the plain read = {best / plain_s:.2f}x)"
    )
    print(
        f"sample row: {sample.fixes} fixes kept, {sample.distance_m:.0f} m, on duty {sample.on_duty_s} s, "
        f"buildings {sample.coverage_buildings_num}/{sample.coverage_buildings_den}"
    )


if __name__ == "__main__":
    main()
