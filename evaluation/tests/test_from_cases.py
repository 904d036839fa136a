"""From real case events to scores: cases run through the case services (reported, filed, dispatched, returned,
handled, checked, closed, voided) give each position its figures, and a rebuild of the facts from the event log
gives the same ranking."""

from __future__ import annotations

import datetime as dt

import pytest

from audit.services import Origin
from cases import services
from cases.models import Category
from cases.seed import categories_ensure
from cases.services import ReportData, report_submit
from evaluation.rankings import ranking_build
from gridgov import timesource
from gridgov.testing import IN_A, IN_C, case_run_to_closed
from stats.facts import facts_rebuild
from stats.periods import period_parse

pytestmark = pytest.mark.django_db
MONDAY = dt.datetime(2026, 11, 16, 9, 0, tzinfo=dt.UTC)
PERIOD = period_parse("2026-11")


def _origin(world, persona):
    return Origin(world.users[persona], "api")


def _report(world, category, persona, point, source):
    data = ReportData(source=source, description="路边有暴露垃圾", longitude=point[0], latitude=point[1],
                      category_id=category.pk, reporter_phone="13800138000" if source == "hotline" else "")  # fmt: skip
    return report_submit(_origin(world, persona), data).case


def _cells(line):
    return {cell.column.code: cell.now for cell in line.cells}


def _line(ranking, name):
    return next(line for line in ranking.rows() if line.subject.name == name)


def test_cases_run_through_the_services_score_each_position(world):
    categories_ensure()
    category = Category.objects.get(kind="event", code="0102")
    with timesource.acting_at(MONDAY):
        closed = case_run_to_closed(world, _report(world, category, "grid_worker_a", IN_A, "grid_worker"))
        voided = _report(world, category, "intake_clerk", IN_C, "hotline")
        voided = services.case_accept(_origin(world, "intake_clerk"), voided)
        voided = services.case_file(_origin(world, "shift_leader"), voided)
        request = services.case_request_open(_origin(world, "shift_leader"), voided, "void", "重复上报")
        services.case_request_decide(_origin(world, "dispatcher"), request, approve=True)
        returned = _report(world, category, "grid_worker_a", IN_A, "grid_worker")
        returned = services.case_file(_origin(world, "shift_leader"), returned)
        returned = services.case_dispatch(_origin(world, "dispatcher"), returned, world.department)
        request = services.case_request_open(_origin(world, "department_handler"), returned, "return", "不属于本部门")
        services.case_request_decide(_origin(world, "dispatcher"), request, approve=True)
    assert closed.status == "closed"
    viewer = world.user("administrator")

    leader = _cells(_line(ranking_build(viewer, "shift_leader", PERIOD), "shift"))
    assert (leader["file_on_time_rate"].value.numerator, leader["file_on_time_rate"].value.denominator) == (3, 3)
    accuracy = leader["leader_file_accuracy_rate"].value
    assert (accuracy.numerator, accuracy.denominator) == (2, 3), "one of the three filings was voided"
    assert leader["leader_close_on_time_rate"].value.denominator == 1

    dispatcher = _cells(_line(ranking_build(viewer, "dispatcher", PERIOD), "dispatcher"))
    assert dispatcher["dispatched"].value.numerator == 2
    assert dispatcher["dispatcher_accuracy_rate"].value.numerator == pytest.approx(1.0), "one of two returned"

    worker = _cells(_line(ranking_build(viewer, "field_worker", PERIOD), "worker_a"))
    assert (worker["valid_report_rate"].value.numerator, worker["valid_report_rate"].value.denominator) == (2, 2)
    assert worker["check_on_time_rate"].value.denominator == 1

    clerk = _cells(_line(ranking_build(viewer, "intake_clerk", PERIOD), "intake"))
    assert (clerk["accept_on_time_rate"].value.denominator, clerk["accepted"].value.numerator) == (1, 1)

    department = _line(ranking_build(viewer, "department", PERIOD), "环卫所")
    assert _cells(department)["department_received"].value.numerator == 2

    before = {line.subject.key: line.now.composite for kind in ("shift_leader", "dispatcher", "field_worker", "grid")
              for line in ranking_build(viewer, kind, PERIOD).rows()}  # fmt: skip
    facts_rebuild()
    after = {line.subject.key: line.now.composite for kind in ("shift_leader", "dispatcher", "field_worker", "grid")
             for line in ranking_build(viewer, kind, PERIOD).rows()}  # fmt: skip
    assert after == before and any(value is not None for value in before.values())
