"""Shared set-up for benchmarks: Django on a throw-away SQLite database (or DATABASE_URL)."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import numpy as np
import shapely

ROOT = Path(__file__).resolve().parent.parent


def django_setup(database_url: str | None = None) -> Path:
    sys.path.insert(0, str(ROOT))
    work = Path(tempfile.mkdtemp(prefix="gridgov-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings_test")
    os.environ["GRIDGOV_VAR_DIR"] = str(work)
    os.environ["DATABASE_URL"] = database_url or os.environ.get("DATABASE_URL") or f"sqlite:///{work / 'bench.sqlite3'}"
    # Imported once Django is set up (settings and app registry), as a benchmark script must.
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    return work


def synthetic_grids(count: int, seed: int = 1):
    """``count`` Voronoi grids tiling a box around Beijing (a district-sized partition)."""

    rng = np.random.default_rng(seed)
    frame = shapely.box(116.2, 39.8, 116.6, 40.1)
    seeds = shapely.multipoints(rng.uniform((116.2, 39.8), (116.6, 40.1), (count, 2)))
    cells = shapely.intersection(shapely.get_parts(shapely.voronoi_polygons(seeds, extend_to=frame)), frame)
    return frame, cells
