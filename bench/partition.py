"""Partition check of 5,000 grids (target ≤ 5 s), and the same check against a naive all-pairs overlap
test on 1,000 grids, side by side. Run: .venv/bin/python bench/partition.py"""

from __future__ import annotations

import argparse
import time

import numpy as np
import shapely
from _setup import django_setup, synthetic_grids


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--grids", type=int, default=5_000)
    parser.add_argument("--naive-grids", type=int, default=1_000)
    arguments = parser.parse_args()
    django_setup()
    # Imported once Django is set up (settings and app registry), as a benchmark script must.
    from areas.partition import PartitionChild, partition_check

    def children(cells):
        counts = {"households": 400}
        return [
            PartitionChild(f"110101001001{n + 1:03d}", f"g{n}", "grid", "comprehensive", cell, counts)
            for n, cell in enumerate(cells)
        ]

    frame, cells = synthetic_grids(arguments.grids)
    started = time.perf_counter()
    report = partition_check("110101001001", "bench", frame, children(cells))
    full = time.perf_counter() - started
    assert report.overlaps == [] and report.gap_m2 == 0, "a Voronoi tiling has no overlaps or gaps"

    small_frame, small = synthetic_grids(arguments.naive_grids)
    started = time.perf_counter()
    partition_check("110101001001", "bench", small_frame, children(small))
    indexed = time.perf_counter() - started
    started = time.perf_counter()
    pairs = 0
    for i in range(len(small)):
        interior = shapely.relate_pattern(small[i], small[i + 1 :], "T********")
        pairs += int(np.count_nonzero(interior))
    naive = time.perf_counter() - started
    print(f"partition check of {arguments.grids} grids: {full:.2f} s (target ≤ 5 s)")
    print(
        f"{arguments.naive_grids} grids: whole check {indexed:.3f} s; naive all-pairs overlap test alone {naive:.3f} s"
        f" (ratio naive/indexed = {naive / indexed:.1f}x, overlapping pairs found {pairs})"
    )


if __name__ == "__main__":
    main()
