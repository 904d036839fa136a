"""Hand-made figures for the evaluation tests: fact rows (as the statistics core keeps them), daily field metrics,
visit compliance and 八必报 items, on chosen days, for chosen people, departments and grids."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import Department, DepartmentKind, User
from accounts.roles import Role
from areas.models import Area
from evaluation.models import Position, ScoringScheme
from fieldwork.models import DailyMetric
from gridgov.testing import World, make_user
from stats.facts import Measure
from stats.models import StatFact
from visits.models import MustReport, VisitCompliance, VisitPlan

NOVEMBER = dt.date(2026, 11, 10)
OCTOBER = dt.date(2026, 10, 10)
MONTH = "2026-11"
FIRST_OF_NOVEMBER = dt.date(2026, 11, 1)


def fact(
    measure: str,
    count: int = 1,
    on_time: int = 0,
    *,
    day: dt.date = NOVEMBER,
    grid: Area | None = None,
    person: Any = None,
    department: Department | None = None,
    category: int = 0,
    source: str = "grid_worker",
) -> StatFact:
    """One fact row; facts of the same key add up (as the core's upsert does)."""
    row, _created = StatFact.objects.get_or_create(
        day=day,
        grid_id=grid.pk if grid else 0,
        category_id=category,
        source=source,
        department_id=department.pk if department else 0,
        person_id=person.pk if person else 0,
        measure=measure,
    )
    row.count += count
    row.on_time += on_time
    row.save()
    return row


def metric(worker: User, grid: Area, day: dt.date = NOVEMBER, **figures: Any) -> DailyMetric:
    return DailyMetric.objects.create(worker=worker, grid=grid, day=day, computed_at=timezone.now(), **figures)


def compliance(worker: User, grid: Area, month: dt.date = FIRST_OF_NOVEMBER, **counts: int) -> VisitCompliance:
    plan = VisitPlan.objects.create(name="独居老人走访", tag_category="elderly_alone", interval=30, area=grid.parent)
    return VisitCompliance.objects.create(month=month, worker=worker, grid=grid, plan=plan, **counts)


def must_report(worker: User, grid: Area, day: dt.date = NOVEMBER) -> MustReport:
    at = dt.datetime.combine(day, dt.time(10), timezone.get_current_timezone())
    return MustReport.objects.create(item="安全隐患", worker=worker, grid=grid, reported_at=at)


def scheme(position: str, weights: Mapping[str, float], quotas: Mapping[str, float] | None = None, **more: Any):
    return ScoringScheme.objects.create(
        position=position,
        effective_from=more.pop("effective_from", dt.date(2026, 1, 1)),
        weights=weights,
        quotas=quotas or {},
        **more,
    )


#: DESIGN §7's 监督员 weights without the field figures: the composites below are worked out by hand from them.
DESIGN_FIELD_WEIGHTS = {
    "valid_report_rate": 40,
    "grid_missed_report_rate": 20,
    "verify_on_time_rate": 20,
    "check_on_time_rate": 20,
}


@dataclass
class Office:
    """The test world with hand-made figures for November 2026 (and some for October)."""

    world: World
    worker_c: User
    worker_d: User
    dispatcher_2: User
    brigade: Department
    squad_1: Department
    squad_2: Department


@pytest.fixture
def office(world: World) -> Office:
    return office_build(world)


def office_build(world: World) -> Office:
    """Field workers of grids A, B (and a second one of B, one of C without a case), two dispatchers, a 大队 of two
    中队, with figures whose composites are known:

    * worker_a: 有效上报 8/10 = 80, 漏报 grid A 1/10 → 90, 按时核实 3/4 = 75, no check → left out:
      (40×80 + 20×90 + 20×75) / 80 = 81.25 (B). October: 有效上报 5/10 only → 50 (D).
    * worker_b and worker_d: 100 everywhere they have figures (tie, rank 1); grid B has no filed case.
    * grid_leader (community of A and B): 漏报 over A + B = 1/10 → 90 (A).
    * worker_c (grid C): nothing → no composite, listed last.
    * dispatcher: 派遣 5 (4 in time), returns shared 1 of 4 → (20×50 + 40×80 + 40×80) / 100 = 74 (C) with a quota
      of 10; dispatcher_2: 派遣 15 in time, share 3 → (20×100 + 40×100 + 40×80) / 100 = 92 (A).
    * 大队 ZF (中队 ZF1 in grid A, ZF2 in grid C): ZF1 80 (B), ZF2 92 (A), the 大队 88 (B).
    """
    areas = world.areas
    worker_a, worker_b = world.user("grid_worker_a"), world.user("grid_worker_b")
    worker_c = make_user("worker_c", Role.GRID_WORKER, [world.grid_c], full_name="丙网格员")
    worker_d = make_user("worker_d", Role.GRID_WORKER, [world.grid_b], full_name="丁网格员")
    dispatcher_2 = make_user("dispatcher_2", Role.DISPATCHER, [areas["110101"]], full_name="第二派遣员")
    scheme(Position.FIELD_WORKER, DESIGN_FIELD_WEIGHTS)
    scheme(
        Position.DISPATCHER,
        {"dispatched": 20, "dispatch_on_time_rate": 40, "dispatcher_accuracy_rate": 40},
        {"dispatched": 10},
    )
    # Field workers
    fact(Measure.REPORT, 10, grid=world.grid_a, person=worker_a)
    fact(Measure.VALID_REPORT, 8, grid=world.grid_a, person=worker_a)
    fact(Measure.VERIFIED, 4, 3, grid=world.grid_a, person=worker_a)
    fact(Measure.FILED, 10, 10, grid=world.grid_a, person=world.user("shift_leader"))
    fact(Measure.PUBLIC_FILED, 1, grid=world.grid_a, source="hotline")
    fact(Measure.REPORT, 10, grid=world.grid_a, person=worker_a, day=OCTOBER)
    fact(Measure.VALID_REPORT, 5, grid=world.grid_a, person=worker_a, day=OCTOBER)
    for worker, reports in ((worker_b, 5), (worker_d, 4)):
        fact(Measure.REPORT, reports, grid=world.grid_b, person=worker)
        fact(Measure.VALID_REPORT, reports, grid=world.grid_b, person=worker)
        fact(Measure.VERIFIED, 2, 2, grid=world.grid_b, person=worker)
        fact(Measure.CHECKED, 1, 1, grid=world.grid_b, person=worker)
    # Dispatchers: returns are kept per department, shared by what each dispatched to it.
    sanitation = world.department
    fact(Measure.DISPATCHED, 5, 4, grid=world.grid_a, person=world.user("dispatcher"), department=sanitation)
    fact(Measure.DISPATCHED, 15, 15, grid=world.grid_c, person=dispatcher_2, department=sanitation)
    fact(Measure.RETURNED, 4, grid=world.grid_a, department=sanitation)
    # Departments in two levels
    brigade = Department.objects.create(code="ZF", name="城管执法大队", kind=DepartmentKind.ENFORCEMENT)
    squad_1 = Department.objects.create(code="ZF1", name="执法一中队", kind=DepartmentKind.ENFORCEMENT, parent=brigade)
    squad_2 = Department.objects.create(code="ZF2", name="执法二中队", kind=DepartmentKind.ENFORCEMENT, parent=brigade)
    for squad, grid, closed, in_time, reworks in ((squad_1, world.grid_a, 8, 9, 1), (squad_2, world.grid_c, 10, 10, 0)):
        fact(Measure.DISPATCHED, 10, 10, grid=grid, department=squad)
        fact(Measure.CLOSED, closed, closed, grid=grid, department=squad)
        fact(Measure.HANDLED, 10, in_time, grid=grid, department=squad)
        if reworks:
            fact(Measure.REWORK, reworks, grid=grid, department=squad)
    return Office(world, worker_c, worker_d, dispatcher_2, brigade, squad_1, squad_2)
