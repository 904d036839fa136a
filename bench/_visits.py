"""Synthetic residents for the visit benchmarks: persons in houses of the benchmark district, a share of them in
care groups (tags dated so that their plans' due days spread over the coming weeks, as on a running site), and one
grid worker per grid."""

from __future__ import annotations

import datetime as dt
import random
import time

TODAY = dt.date(2026, 10, 12)
BATCH = 20_000


def residents_build(persons: int, in_groups: int, seed: int = 11) -> dict:
    # Imported once Django is set up (settings and app registry), as a benchmark script must.
    from _registry import district_build, houses_build
    from django.contrib.auth.models import Group
    from django.db import connection

    from accounts.models import User
    from accounts.roles import Role
    from registry.models import Building, Person, PersonTag
    from visits.models import VisitPlan

    rng = random.Random(seed)
    started = time.perf_counter()
    grids = district_build()
    per_grid = max(24, persons // len(grids) // 3)
    houses = houses_build(grids, per_grid)
    # spread the buildings over their grid (houses_build puts them at the grid's centre)
    moved = []
    for building in Building.objects.only("pk", "lon", "lat"):
        building.lon += rng.uniform(-0.008, 0.008)
        building.lat += rng.uniform(-0.01, 0.01)
        moved.append(building)
    Building.objects.bulk_update(moved, ["lon", "lat"], batch_size=5000)
    houses_of: dict[int, list[int]] = {}
    for house in houses:
        houses_of.setdefault(house.grid_id, []).append(house.pk)
    batch: list[Person] = []
    for index in range(persons):
        grid = grids[index % len(grids)]
        batch.append(
            Person(
                grid_id=grid.pk,
                house_id=rng.choice(houses_of[grid.pk]),
                name="居民",
                sex="female" if index % 2 else "male",
                birth_date=dt.date(1950 + index % 50, 1, 1),
            )
        )
        if len(batch) == BATCH:
            Person.objects.bulk_create(batch)
            batch = []
    Person.objects.bulk_create(batch)
    intervals = dict(VisitPlan.objects.filter(subject="tag").values_list("tag_category", "interval"))
    categories = sorted(intervals)
    # in steady state each person's window started within the last interval
    ids = list(Person.objects.order_by("pk").values_list("pk", flat=True))
    tags = []
    for position, person_id in enumerate(sorted(rng.sample(ids, min(in_groups, len(ids))))):
        category = categories[position % len(categories)]
        since = TODAY - dt.timedelta(days=rng.randrange(intervals[category]))
        tags.append(PersonTag(person_id=person_id, category=category, since=since))
    PersonTag.objects.bulk_create(tags, batch_size=BATCH)
    group = Group.objects.get(name=Role.GRID_WORKER)
    workers = []
    for grid in grids:
        worker = User.objects.create_user(f"worker{grid.code}", password=None)
        worker.groups.add(group)
        worker.areas.add(grid)
        workers.append(worker)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    seconds = time.perf_counter() - started
    print(
        f"{connection.vendor}: {persons:,} persons, {len(tags):,} in care groups, {len(grids)} grids "
        f"built in {seconds:.0f} s"
    )
    return {"grids": grids, "workers": workers, "tags": len(tags)}
