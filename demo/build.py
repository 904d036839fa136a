"""Building the whole demo district in an empty database: areas and users (``demo.district``), the registry
(``demo.residents``), a month of cases (``demo.cases``), a month of patrols (``demo.patrols``) and the hotline
(``demo.hotline``), a month of visits and diaries with 八必报 and 10+X waiting for confirmation (``demo.visits``), in
that order."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import numpy as np
from django.db import transaction

from areas.choices import AreaLevel
from areas.models import Area
from areas.services import areas_import
from bulletins.services import bulletins_publish_for_demo
from cases.seed import categories_ensure
from demo.cases import cases_populate
from demo.district import departments_create, departments_place, district_collection, users_create
from demo.hotline import hotline_populate, open311_client_demo
from demo.patrols import patrols_populate
from demo.residents import populate
from demo.visits import DAYS as VISIT_DAYS
from demo.visits import field_reports_populate, visits_populate
from hotline.gazetteer import gazetteer_rebuild


def demo_build(
    scale: float, seed: int, progress_factory: Callable[[str, int], Callable[[int], None]]
) -> dict[str, Any]:
    """Build the whole demo district in an empty database; returns counts and the demo users."""
    summary, users, totals = district_build(scale, seed, progress_factory)
    grid_count = totals.pop("grids")
    filed = max(20, round(1000 * scale))
    totals["cases"] = cases_populate(seed, filed, progress_factory("一个月的案件（模拟办理过程）", filed * 9))["filed"]
    totals.update(patrols_populate(seed, progress_factory("一个月的巡查轨迹（定位点）", 650 * 22 * grid_count)))
    totals.update(visits_populate(seed, progress_factory("一个月的走访与民情日志", VISIT_DAYS)))
    totals.update(field_reports_populate(seed))
    totals["hotline_consultations"] = hotline_populate(seed, consultations=max(10, round(40 * scale)))["consultations"]
    open311_client_demo()
    totals["bulletins"] = len(bulletins_publish_for_demo())
    return {"areas": len(summary.created), "grids": grid_count, **totals, "users": users}


def district_build(
    scale: float,
    seed: int,
    progress_factory: Callable[[str, int], Callable[[int], None]],
    households: tuple[int, int] = (320, 480),
) -> tuple[Any, list[Any], dict[str, Any]]:
    """The district before its month: areas and grids, departments, the demo users and the registry (buildings,
    houses, residents, places and components, ``households`` per grid). Returns the import's summary, the users
    and the registry's counts (with ``grids``)."""
    rng = np.random.default_rng(seed)
    with transaction.atomic():
        categories_ensure()  # the migrations seed them; a flushed database (a test's) has none
        departments_create()
        collection = district_collection(scale, rng)
        summary = areas_import(
            collection,
            name="东城区网格划分（演示）",
            effective_from=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
            progress=progress_factory("区域与网格", len(collection["features"])),
        )
        departments_place()
        users = users_create()

    grid_count = Area.objects.filter(level=AreaLevel.GRID).count()
    with transaction.atomic():
        totals = populate(households, seed, progress_factory("楼栋、房屋、居民、场所与部件", grid_count))
    totals["gazetteer_entries"] = gazetteer_rebuild()  # the bulk-created registry bypassed the signals
    totals["grids"] = grid_count
    return summary, users, totals
