"""The reporter a fact names (有效上报数) is the event log's: the actor of the case's first report, also after a merge
(合并) moved an older duplicate's report into the main case, so that the facts kept equal the log replayed."""

from __future__ import annotations

import datetime as dt

from audit.services import Origin
from cases import services
from cases.models import Category
from cases.seed import categories_ensure
from cases.services import ReportData, report_submit
from gridgov import timesource
from gridgov.testing import IN_A
from stats.facts import Measure, facts_equal, facts_from_log, facts_table
from stats.models import StatFact

MONDAY = dt.datetime(2026, 11, 16, 9, 0, tzinfo=dt.UTC)


def _report(world, persona, source, **more):
    categories_ensure()
    category = Category.objects.get(kind="event", code="0102")
    point = {"longitude": IN_A[0], "latitude": IN_A[1]}
    data = ReportData(source=source, description="路边有暴露垃圾", category_id=category.pk, **point, **more)
    return report_submit(Origin(world.users[persona], "api"), data).case


def test_an_older_duplicate_merged_into_a_newer_case_leaves_the_reporter_to_the_log(world):
    with timesource.acting_at(MONDAY):
        older = _report(world, "intake_clerk", "hotline", reporter_phone="13800138000")
    with timesource.acting_at(MONDAY + dt.timedelta(minutes=10)):
        newer = _report(world, "grid_worker_a", "grid_worker")
        services.case_merge(Origin(world.users["intake_clerk"], "api"), older, newer, reason="同一问题")
        services.case_file(Origin(world.users["shift_leader"], "api"), newer)

    assert newer.reports.order_by("id").first().reported_by == world.user("intake_clerk")  # the moved report
    valid = StatFact.objects.get(measure=Measure.VALID_REPORT)
    assert valid.person_id == world.user("grid_worker_a").pk
    assert facts_equal(facts_table(), facts_from_log()) == []
