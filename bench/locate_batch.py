"""Batch grid lookup on 40,000 grids: points/s of grid_locate_many's index against a plain per-point shapely
loop, and the time to rebuild the index from the database. Run: .venv/bin/python bench/locate_batch.py"""

from __future__ import annotations

import argparse
import time

import numpy as np
import shapely
from _setup import django_setup, synthetic_grids


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--grids", type=int, default=40_000)
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--loop-points", type=int, default=20_000, help="points for the slow per-point loop")
    arguments = parser.parse_args()
    django_setup()
    # Imported once Django is set up (settings and app registry), as a benchmark script must.
    from django.utils import timezone

    from areas.locate import GridIndex, grid_index_load
    from areas.models import Area, AreaBoundary, BoundaryVersion
    from areas.services import boundary_row

    _frame, cells = synthetic_grids(arguments.grids)
    BoundaryVersion.objects.create(number=1, name="bench", effective_from=timezone.now())
    district = Area.objects.create(code="110101", name="bench", level="district")
    street = Area.objects.create(code="110101001", name="s", level="street", parent=district)
    communities = Area.objects.bulk_create(
        [Area(code=f"110101001{n:03d}", name=f"c{n}", level="community", parent=street) for n in range(1, 400)]
    )
    grids = Area.objects.bulk_create(
        [
            Area(
                code=f"{communities[n // 999].code}{n % 999 + 1:03d}",
                name=f"g{n}",
                level="grid",
                parent=communities[n // 999],
            )
            for n in range(len(cells))
        ],
        batch_size=5000,
    )
    rows = [boundary_row(grid, cell, 1) for grid, cell in zip(grids, cells, strict=True)]
    AreaBoundary.objects.bulk_create(rows, batch_size=5000)

    started = time.perf_counter()
    index = grid_index_load(1)
    rebuild = time.perf_counter() - started
    rng = np.random.default_rng(2)
    lons = rng.uniform(116.2, 116.6, arguments.points)
    lats = rng.uniform(39.8, 40.1, arguments.points)
    index.locate(lons[:1000], lats[:1000])  # warm up
    started = time.perf_counter()
    found = index.locate(lons, lats)
    batch_rate = arguments.points / (time.perf_counter() - started)
    started = time.perf_counter()
    exact = index.locate_exact(lons, lats)
    exact_rate = arguments.points / (time.perf_counter() - started)
    tree = shapely.STRtree(index.shapes)
    started = time.perf_counter()
    loop = []
    for lon, lat in zip(lons[: arguments.loop_points], lats[: arguments.loop_points], strict=True):
        point = shapely.Point(lon, lat)
        hit = -1
        for candidate in sorted(tree.query(point)):
            if index.shapes[candidate].covers(point):
                hit = int(candidate)
                break
        loop.append(hit)
    loop_rate = arguments.loop_points / (time.perf_counter() - started)
    assert np.array_equal(found, exact), "raster shortcut and exact path disagree"
    assert np.array_equal(found[: arguments.loop_points], loop), "batch and per-point loop disagree"
    print(f"grids={len(index.codes)} points={arguments.points}")
    print(f"index rebuild from the database: {rebuild:.2f} s (target ≤ 2 s)")
    print(f"batch (raster + exact):  {batch_rate:12,.0f} points/s (target ≥ 1,000,000)")
    print(f"batch exact (STRtree):   {exact_rate:12,.0f} points/s  ratio batch/exact = {batch_rate / exact_rate:.1f}x")
    print(f"per-point shapely loop:  {loop_rate:12,.0f} points/s  ratio batch/loop  = {batch_rate / loop_rate:.1f}x")
    del GridIndex


if __name__ == "__main__":
    main()
