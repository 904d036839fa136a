from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from accounts.models import Department, DepartmentKind
from cases.models import Category
from gridgov.testing import World
from stats.models import StatFact


def fact(day: dt.date, grid: Any, measure: str, count: int = 1, **columns: Any) -> StatFact:
    """One fact row, written straight into the table (the engine reads nothing else)."""
    values = {"category_id": 0, "source": "grid_worker", "department_id": 0, "person_id": 0, "on_time": 0, "minutes": 0}
    values.update(columns)
    return StatFact.objects.create(day=day, grid_id=grid.pk, measure=measure, count=count, **values)


@dataclass
class Facts:
    """A hand-made quarter of facts in the test world (see ``facts`` below)."""

    world: World
    litter: Category  # a class (大类)
    garbage: Category  # its subclasses
    dirt: Category
    other_class: Category
    sanitation: Department
    roads: Department


@pytest.fixture
def facts(world: World) -> Facts:
    return facts_make(world)


def facts_make(world: World) -> Facts:
    """Q1 2026 (and one April day):

    ======== ====== ========= ========== ============================================================
    day      grid   category  source     facts
    ======== ====== ========= ========== ============================================================
    01-05    A      garbage   grid_worker report 4, filed 3 (2 on time, 30 min), c_closed 2 (1 on time)
    01-20    B      dirt      hotline    report 2, filed 2 (2 on time), c_closed 2 (2 on time)
    02-03    C      garbage   hotline    report 5, filed 1, self_resolved 1
    03-31    A      other     grid_worker report 1
    04-01    A      garbage   grid_worker handled 3 by 环卫所 (1 on time, 90 min); handled 1 by 道路 (on time, 20 min)
    ======== ====== ========= ========== ============================================================
    """
    litter = Category.objects.create(kind="governance", code="90", name="测试大类")
    garbage = Category.objects.create(kind="governance", code="9001", name="暴露垃圾", parent=litter)
    dirt = Category.objects.create(kind="governance", code="9002", name="道路不洁", parent=litter)
    other_class = Category.objects.create(kind="governance", code="91", name="另一大类")
    sanitation = world.department
    roads = Department.objects.create(code="DL", name="道路养护", kind=DepartmentKind.OTHER)
    a, b, c = world.grid_a, world.grid_b, world.grid_c
    jan5, jan20, feb3 = dt.date(2026, 1, 5), dt.date(2026, 1, 20), dt.date(2026, 2, 3)
    fact(jan5, a, "report", 4, category_id=garbage.pk)
    fact(jan5, a, "filed", 3, category_id=garbage.pk, on_time=2, minutes=30)
    fact(jan5, a, "c_closed", 2, category_id=garbage.pk, on_time=1, department_id=sanitation.pk)
    fact(jan20, b, "report", 2, category_id=dirt.pk, source="hotline")
    fact(jan20, b, "filed", 2, category_id=dirt.pk, source="hotline", on_time=2)
    fact(jan20, b, "c_closed", 2, category_id=dirt.pk, source="hotline", on_time=2, department_id=sanitation.pk)
    fact(feb3, c, "report", 5, category_id=garbage.pk, source="hotline")
    fact(feb3, c, "filed", 1, category_id=garbage.pk, source="hotline")
    fact(feb3, c, "self_resolved", 1, category_id=garbage.pk, source="hotline", on_time=1)
    fact(dt.date(2026, 3, 31), a, "report", 1, category_id=other_class.pk)
    april = dt.date(2026, 4, 1)
    fact(april, a, "handled", 3, category_id=garbage.pk, department_id=sanitation.pk, on_time=1, minutes=90)
    fact(april, a, "handled", 1, category_id=garbage.pk, department_id=roads.pk, on_time=1, minutes=20)
    return Facts(world, litter, garbage, dirt, other_class, sanitation, roads)


def spec_of(rows: list[str], measures: list[str], columns: list[str] | None = None, **filters: Any) -> dict[str, Any]:
    hide_empty = filters.pop("hide_empty", False)
    if "period" not in filters and "start" not in filters:
        filters["period"] = "2026-Q1"
    return {
        "rows": rows,
        "columns": columns or [],
        "measures": measures,
        "filters": filters,
        "hide_empty": hide_empty,
    }
