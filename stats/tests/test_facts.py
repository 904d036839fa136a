"""Facts added as events are written equal the facts replayed from the event log; the derivation of each action."""

from __future__ import annotations

import datetime as dt

import pytest

from accounts.models import Department, DepartmentKind
from audit.services import Origin
from cases import services
from cases.models import Category
from cases.photos import CheckedPhoto
from cases.seed import categories_ensure
from cases.services import ReportData, report_submit
from gridgov import timesource
from gridgov.testing import IN_A, IN_C, jpeg_bytes
from stats.facts import Measure, facts_equal, facts_from_log, facts_rebuild, facts_table
from stats.indicators import facts_in, indicators_of, sums_total
from stats.models import StatFact

MONDAY = dt.datetime(2026, 11, 16, 9, 0, tzinfo=dt.UTC)


def _photo():
    return CheckedPhoto(jpeg_bytes(), "jpg", None, None, None)


@pytest.fixture
def desk(world):
    categories_ensure()
    return world, Category.objects.get(kind="event", code="0102")


def _origin(world, persona):
    return Origin(world.users[persona], "api")


def _report(world, category, persona="grid_worker_a", point=IN_A, source="grid_worker", **more):
    data = ReportData(
        source=source,
        description="路边有暴露垃圾",
        longitude=point[0],
        latitude=point[1],
        category_id=category.pk,
        **more,
    )
    return report_submit(_origin(world, persona), data).case


def _handle(world, case, *, passed=True):
    case = services.case_accept_task(_origin(world, "department_handler"), case)
    case = services.case_report_result(_origin(world, "department_handler"), case, "已处理", photos=[_photo()])
    persona = "grid_worker_a" if case.grid == world.grid_a else "grid_worker_b"
    return services.case_check(_origin(world, persona), case, passed=passed, note="核查", photos=[_photo()])


def _lifecycles(world, category):
    """Cases through every branch: closed, reworked twice then closed, rejected, voided, self-resolved, open."""
    with timesource.acting_at(MONDAY):
        closed = _report(world, category)
        closed = services.case_file(_origin(world, "shift_leader"), closed)
        closed = services.case_dispatch(_origin(world, "dispatcher"), closed, world.department)
    with timesource.acting_at(MONDAY + dt.timedelta(hours=1)):
        closed = _handle(world, closed)
        services.case_close(_origin(world, "shift_leader"), closed)

        twice = _report(world, category, source="hotline", persona="intake_clerk", reporter_phone="13800138000")
        twice = services.case_file(_origin(world, "shift_leader"), twice)
        twice = services.case_dispatch(_origin(world, "dispatcher"), twice, world.department)
        twice = _handle(world, twice, passed=False)
        twice = _handle(world, twice, passed=False)
    with timesource.acting_at(MONDAY + dt.timedelta(days=3)):
        twice = _handle(world, twice)
        services.case_close(_origin(world, "shift_leader"), twice)

        rejected = _report(world, category)
        services.case_reject(_origin(world, "shift_leader"), rejected, "不属于受理范围")

        voided = _report(world, category, persona="intake_clerk", point=IN_C, source="hotline")
        voided = services.case_file(_origin(world, "shift_leader"), voided)
        request = services.case_request_open(_origin(world, "shift_leader"), voided, "void", "重复上报")
        services.case_request_decide(_origin(world, "dispatcher"), request, approve=True)

        _report(world, category, self_resolved=True, before_photos=[_photo()], after_photos=[_photo()])
        _report(world, category)
    return closed, twice


def test_facts_added_as_events_are_written_equal_the_replayed_log(desk):
    world, category = desk
    _lifecycles(world, category)
    incremental = facts_table()
    assert incremental, "the transitions wrote facts"
    assert facts_equal(incremental, facts_from_log()) == []
    rows = StatFact.objects.count()
    assert facts_rebuild() == rows
    assert facts_equal(facts_table(), incremental) == []


def test_the_lifecycles_count_what_they_did(desk):
    world, category = desk
    _lifecycles(world, category)
    sums = sums_total(facts_in(start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 30)))
    assert sums[Measure.REPORT].count == 6
    assert sums[Measure.FILED].count == 3
    assert sums[Measure.SELF_RESOLVED].count == 1
    assert sums[Measure.REWORK].count == 2
    assert sums[Measure.C_CLOSED].count == 2
    assert sums[Measure.C_VOIDED].count == 1
    assert sums[Measure.PUBLIC_FILED].count == 2  # the hotline cases
    values = indicators_of(sums)
    # Of 3 filed + 1 self-resolved: 2 closed; the self-resolved one was handled on the spot.
    assert values["close_rate"].numerator == 2 and values["close_rate"].denominator == 4
    assert values["rework_rate"].numerator == 2 and values["rework_rate"].score == 50.0
    assert values["file_accuracy_rate"].rate == pytest.approx(2 / 3)
    assert values["missed_report_rate"].rate == pytest.approx(2 / 3)
    assert values["satisfaction_rate"].rate is None and values["satisfaction_rate"].score is None


def test_a_department_the_handler_belongs_to_is_counted(desk):
    world, category = desk
    _lifecycles(world, category)
    handled = StatFact.objects.filter(measure=Measure.HANDLED)
    assert set(handled.values_list("department_id", flat=True)) == {world.department.pk}
    other = Department.objects.create(code="X", name="其他", kind=DepartmentKind.OTHER)
    assert not StatFact.objects.filter(department_id=other.pk).exists()
