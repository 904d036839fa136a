"""Every indicator of DESIGN §7 on hand-made event logs, against answers worked out by hand.

The logs are written event by event (:class:`stats.tests.case_log.CaseLog`), the facts rebuilt from them, and the
indicators read back. Times are the site's local time (Asia/Shanghai). The definitions the code uses where DESIGN
§7 leaves room are stated in the tests' docstrings:

* 应处置数 / 应结案数 (the denominator of 处置率, 按期处置率, 超期处置率, 结案率, 按期结案率, 返工率, 延期率) is the
  number of cases filed in the period plus those resolved on the spot (自处置); the numerators count what became
  of those same cases (cohort measures, on the filing day), whenever it happened.
* 按期处置 is judged on a case's first 处置反馈, against the handling deadline as the events last set it (派遣,
  返工, 延期, 恢复办理); a case handled exactly at its deadline is on time.
* 按期结案 is a first 结案 when no step of the case went overdue (超时) before it; a case closed again after
  不满意重办 is counted once, as its first 结案 was.
* 重办 after 不满意 is not a 返工 (返工 is a failed 核查), though the case's ``rework_count`` counts both.
* 平均处置时长 is the elapsed time from (re)dispatch to each 处置反馈, a suspension (挂账) included.
* Event measures (上报, 立案, 派遣, 回退…) fall on the local day of their event; 有效上报数 (known at 立案) falls on
  the day of its report, beside its 上报数, so 有效上报率 compares the reports of one period.
"""

from __future__ import annotations

import datetime as dt

import pytest

from audit.services import Origin
from cases import services
from cases.choices import CaseStatus, Rating, Source
from cases.models import Case, Category
from cases.photos import CheckedPhoto
from cases.seed import categories_ensure
from cases.services import ReportData, report_submit
from gridgov import timesource
from gridgov.testing import IN_A, case_run_to_closed, jpeg_bytes
from stats.facts import Measure, facts_equal, facts_from_log, facts_rebuild, facts_table
from stats.indicators import (
    COUNT,
    INDICATORS,
    Durations,
    Total,
    Value,
    durations_of,
    facts_in,
    indicators_of,
    sums_total,
    value_of,
)
from stats.models import StatFact
from stats.periods import period_parse
from stats.tests.case_log import CaseLog, after, local

NOVEMBER = period_parse("2026-11")
DECEMBER = period_parse("2026-12")


@pytest.fixture
def category(world) -> Category:
    categories_ensure()
    return Category.objects.get(kind="event", code="0102")


def _values(period=NOVEMBER, **filters) -> dict[str, Value]:
    facts_rebuild()
    return indicators_of(sums_total(facts_in(period, **filters)))


def _counts(values: dict[str, Value]) -> dict[str, float]:
    return {code: values[code].numerator for code in ("reports", "filed", "dispatched", "handled", "closed")}


def _assert_rate(value: Value, numerator: float, denominator: float, score: float | None) -> None:
    assert (value.numerator, value.denominator) == (numerator, denominator), value.code
    assert value.rate == pytest.approx(numerator / denominator), value.code
    assert value.score == score, value.code


# --- A month of eight cases -----------------------------------------------------------------------------------


def _november(world, category) -> dict[str, CaseLog]:
    """Eight cases of November 2026 in grid A, each one's path chosen to land in some numerators and not others."""
    logs = {}
    # 1. On time at every step, closed, rated 满意.
    logs["on_time"] = (
        CaseLog(world, category, local(11, 2, 9, 0), due=local(11, 2, 9, 30))
        .file(local(11, 2, 9, 20), due=local(11, 2, 9, 50))
        .dispatch(local(11, 2, 9, 40), due=local(11, 2, 17, 40))
        .handle(local(11, 2, 15, 40), due=local(11, 2, 17, 40))
        .check_request(local(11, 2, 15, 45))
        .check_pass(local(11, 2, 16, 40))
        .close(local(11, 2, 17, 0))
        .evaluate(local(11, 3, 10, 0), Rating.SATISFIED)
    )
    # 2. From the hotline, late at every step (two steps went red), closed, rated 基本满意.
    logs["late"] = (
        CaseLog(world, category, local(11, 4, 9, 0), source=Source.HOTLINE, by="intake_clerk", due=local(11, 4, 9, 30))
        .accept(local(11, 4, 9, 40))
        .verify_request(local(11, 4, 9, 45), due=local(11, 4, 10, 45))
        .verify(local(11, 4, 11, 0), confirmed=True, due=local(11, 4, 11, 30))
        .overdue(local(11, 4, 11, 30))
        .file(local(11, 4, 11, 45), due=local(11, 4, 12, 15))
        .dispatch(local(11, 4, 12, 30), due=local(11, 5, 12, 30))
        .overdue(local(11, 5, 12, 30))
        .handle(local(11, 5, 14, 30), due=local(11, 5, 16, 30))
        .check_request(local(11, 5, 14, 31))
        .check_pass(local(11, 5, 17, 0))
        .close(local(11, 5, 17, 20))
        .evaluate(local(11, 6, 10, 0), Rating.BASICALLY_SATISFIED)
    )
    # 3. Rejected at intake.
    logs["rejected"] = CaseLog(world, category, local(11, 6, 10, 0)).reject(local(11, 6, 10, 10))
    # 4. Resolved on the spot by the grid worker, checked and closed.
    logs["self_resolved"] = (
        CaseLog(world, category, local(11, 9, 10, 0), self_resolved=True, due=local(11, 9, 12, 0))
        .check_request(local(11, 9, 10, 5))
        .check_pass(local(11, 9, 11, 0))
        .close(local(11, 9, 11, 30))
    )
    # 5. From the portal (no account), filed on time, then voided: a wrong filing.
    logs["voided"] = (
        CaseLog(world, category, local(11, 10, 10, 0), source=Source.PUBLIC_WEB, by=None, due=local(11, 10, 10, 30))
        .file(local(11, 10, 10, 20), due=local(11, 10, 10, 50))
        .void(local(11, 11, 9, 0))
    )
    # 6. From the hotline: accepted and filed on time, dispatched to the wrong department (回退), dispatched again,
    #    extended, handled exactly at the extended deadline, reworked once, handled again; not closed yet.
    logs["reworked"] = (
        CaseLog(
            world, category, local(11, 12, 9, 0), source=Source.HOTLINE, by="intake_clerk", due=local(11, 12, 9, 30)
        )
        .accept(local(11, 12, 9, 5))
        .file(local(11, 12, 9, 10), due=local(11, 12, 9, 40))
        .dispatch(local(11, 12, 9, 20), due=local(11, 12, 17, 20))
        .return_to_dispatch(local(11, 13, 9, 0), due=local(11, 13, 9, 30))
        .dispatch(local(11, 13, 9, 20), due=local(11, 13, 17, 20))
        .extend(local(11, 13, 15, 0), due=local(11, 16, 17, 20))
        .handle(local(11, 16, 17, 20), due=local(11, 16, 19, 20))
        .check_request(local(11, 16, 17, 25))
        .rework(local(11, 16, 18, 0), due=local(11, 17, 18, 0))
        .handle(local(11, 17, 10, 0), due=local(11, 17, 12, 0))
        .check_request(local(11, 17, 10, 5))
        .check_pass(local(11, 17, 11, 0))
    )
    # 7. Verified on the spot as not true, exactly at the verify deadline.
    logs["denied"] = (
        CaseLog(world, category, local(11, 20, 9, 0))
        .verify_request(local(11, 20, 9, 10), due=local(11, 20, 10, 10))
        .verify(local(11, 20, 10, 10), confirmed=False)
    )
    # 8. From the portal, voided before filing (a duplicate): no filing to be wrong about.
    logs["voided_unfiled"] = CaseLog(world, category, local(11, 25, 9, 0), source=Source.PUBLIC_WEB, by=None).void(
        local(11, 25, 9, 30)
    )
    return logs


#: November's rates: code → (numerator, denominator, score), worked out case by case in the comments.
NOVEMBER_RATES = {
    # 上报 8; 有效: filed 1, 2, 5, 6 and self-resolved 4.
    "valid_report_rate": (5, 8, 62.5),
    # 立案 1, 2, 5, 6; from the public (12345, portal): 2, 5, 6. Bad: (1 − 3/4) × 100.
    "missed_report_rate": (3, 4, 25.0),
    # 核实: 2 late (11:00 > 10:45), 7 exactly at its deadline.
    "verify_on_time_rate": (1, 2, 50.0),
    # 核查: 1 ✓, 2 ✗ (17:00 > 16:30), 4 ✓, 6's rework ✓ and pass ✓.
    "check_on_time_rate": (4, 5, 80.0),
    # 受理: 2 late (9:40 > 9:30), 6 on time.
    "accept_on_time_rate": (1, 2, 50.0),
    # 立案: 1 ✓, 2 ✗ (11:45 > 11:30, the intake clock restarted after 核实), 5 ✓, 6 ✓.
    "file_on_time_rate": (3, 4, 75.0),
    # 立案 4, of which 5 voided after filing (8 was voided before filing).
    "file_accuracy_rate": (3, 4, 75.0),
    # 派遣: 1 ✓, 2 ✗ (12:30 > 12:15), 6 twice ✓.
    "dispatch_on_time_rate": (3, 4, 75.0),
    # 派遣 4, 回退 1 (6).
    "dispatch_accuracy_rate": (3, 4, 75.0),
    # 应处置 = 立案 4 + 自处置 1. Handled: 1 ✓, 2 ✗, 4 ✓ (on the spot), 6 ✓ (first handling, at the deadline).
    "handle_rate": (4, 5, 80.0),
    "handle_on_time_rate": (3, 5, 60.0),
    "handle_overdue_rate": (1, 5, 80.0),
    # Closed: 1 ✓, 2 ✗ (two steps went red), 4 ✓.
    "close_rate": (3, 5, 60.0),
    "close_on_time_rate": (2, 5, 40.0),
    "rework_rate": (1, 5, 80.0),
    "extension_rate": (1, 5, 80.0),
    # 评价: 1 满意, 2 基本满意.
    "satisfaction_rate": (2, 2, 100.0),
    # Over all departments: 结案 3 (4 has none) / 派遣 4; handled in time 3 of 4; 返工 1 of 4 handled.
    "department_close_rate": (3, 4, 75.0),
    "department_handle_on_time_rate": (3, 4, 75.0),
    "department_rework_rate": (1, 4, 75.0),
}
NOVEMBER_COUNTS = {
    "reports": 8,
    "filed": 4,
    "self_resolved": 1,
    "dispatched": 4,
    "handled": 4,
    "closed": 3,
    "reworks": 1,
    "overdue": 2,
    "department_received": 4,
}


def test_every_rate_of_a_month_has_its_known_answer(world, category):
    _november(world, category)
    values = _values()
    assert set(NOVEMBER_RATES) | set(NOVEMBER_COUNTS) | {"handle_minutes_mean"} == set(INDICATORS)
    for code, (numerator, denominator, score) in NOVEMBER_RATES.items():
        _assert_rate(values[code], numerator, denominator, score)
    for code, count in NOVEMBER_COUNTS.items():
        assert INDICATORS[code].unit == COUNT
        assert (values[code].numerator, values[code].rate, values[code].score) == (count, count, None), code


def test_the_mean_handling_time_is_minutes_from_dispatch_to_each_handling(world, category):
    """1: 09:40 → 15:40 (360); 2: 12:30 → next day 14:30 (1560); 6: 13 Nov 09:20 → 16 Nov 17:20 (4800), then from
    the rework 16 Nov 18:00 → 17 Nov 10:00 (960). A self-resolved case has no 处置反馈 of a department."""
    _november(world, category)
    value = _values()["handle_minutes_mean"]
    assert (value.numerator, value.denominator) == (360 + 1560 + 4800 + 960, 4)
    assert value.rate == 1920.0
    assert value.score is None


def test_a_department_and_a_person_are_counted_for_their_own_part(world, category):
    """The department is counted for what was dispatched to it and what it did; the grid worker for the reports
    they made (1, 3, 4, 7), of which 1 (filed) and 4 (resolved on the spot) were valid."""
    _november(world, category)
    department = _values(department_ids=[world.department.pk])
    _assert_rate(department["department_close_rate"], 2, 4, 50.0)
    _assert_rate(department["department_handle_on_time_rate"], 3, 4, 75.0)
    worker = _values(person_ids=[world.user("grid_worker_a").pk])
    _assert_rate(worker["valid_report_rate"], 2, 4, 50.0)


def test_the_durations_of_a_month_count_open_cases_until_now(world, category):
    """Received → closed: 1 480, 2 1940 (09:00 → next day 17:20), 4 90; 6 still open on 30 Nov 09:00: 18 days
    (25920). Rejected (3, 7) and voided (5, 8) cases are left out. Sorted 90, 480, 1940, 25920: the median is
    (480 + 1940) / 2, P90 is 1940 + 0.7 × (25920 − 1940) (linear between the 3rd and 4th)."""
    _november(world, category)
    start, end = NOVEMBER.instants()
    received = Case.objects.filter(created_at__gte=start, created_at__lt=end)
    assert durations_of(received, now=local(11, 30, 9, 0)) == Durations(
        cases=4, open=1, mean=7107.5, median=1210.0, p90=18726.0
    )


# --- No cases, no score ---------------------------------------------------------------------------------------


def test_no_cases_give_no_rate_and_no_score(world, category):
    """A month without cases has no rate and no score, never 0 or 100; its counts are 0."""
    _november(world, category)
    for period in (period_parse("2026-10"), DECEMBER):
        values = _values(period)
        for code, value in values.items():
            if INDICATORS[code].unit == COUNT:
                assert (value.numerator, value.rate, value.score) == (0, 0, None), code
            else:
                assert (value.rate, value.score, value.percent) == (None, None, None), code
    nothing = indicators_of({})
    assert all(nothing[code].score is None for code in nothing)


def test_a_rate_of_nothing_done_is_zero_but_a_rate_of_nothing_due_is_none(world, category):
    """One report, rejected: 有效上报率 is a real 0 % (scored 0); nothing was filed, so 结案率 has no value."""
    CaseLog(world, category, local(11, 6, 10, 0)).reject(local(11, 6, 10, 10))
    values = _values()
    _assert_rate(values["valid_report_rate"], 0, 1, 0.0)
    assert (values["close_rate"].denominator, values["close_rate"].rate, values["close_rate"].score) == (0, None, None)
    assert values["missed_report_rate"].score is None  # bad rates too: no filing, no 漏报率 (not 100)


# --- Edge cases -----------------------------------------------------------------------------------------------


def test_a_case_reworked_twice(world, category):
    """返工 twice: 返工数 2 over one case to close (200 %, a bad rate bounded to score 0). 按期处置 is judged on the
    first handling (late), though both later ones were on time; the case is closed once."""
    log = (
        CaseLog(world, category, local(11, 2, 9, 0))
        .file(local(11, 2, 9, 10), due=local(11, 2, 9, 40))
        .dispatch(local(11, 2, 9, 20), due=local(11, 2, 17, 0))
        .overdue(local(11, 2, 17, 0))
        .handle(local(11, 2, 18, 0))
        .check_request(local(11, 2, 18, 5))
        .rework(local(11, 2, 19, 0), due=local(11, 3, 17, 0))
        .handle(local(11, 3, 10, 0))
        .check_request(local(11, 3, 10, 5))
        .rework(local(11, 3, 11, 0), due=local(11, 4, 17, 0))
        .handle(local(11, 4, 9, 0))
        .check_request(local(11, 4, 9, 5))
        .check_pass(local(11, 4, 10, 0))
        .close(local(11, 4, 10, 30))
    )
    assert log.case.rework_count == 2
    values = _values()
    assert (values["reworks"].numerator, values["handled"].numerator, values["closed"].numerator) == (2, 3, 1)
    _assert_rate(values["rework_rate"], 2, 1, 0.0)
    _assert_rate(values["handle_rate"], 1, 1, 100.0)
    _assert_rate(values["handle_on_time_rate"], 0, 1, 0.0)
    _assert_rate(values["handle_overdue_rate"], 1, 1, 0.0)
    _assert_rate(values["department_handle_on_time_rate"], 2, 3, 66.67)  # each handling, by its own deadline
    _assert_rate(values["department_rework_rate"], 2, 3, 33.33)
    _assert_rate(values["close_rate"], 1, 1, 100.0)
    _assert_rate(values["close_on_time_rate"], 0, 1, 0.0)  # a step went red
    _assert_rate(values["check_on_time_rate"], 3, 3, 100.0)


@pytest.mark.parametrize(("handled_at", "on_time"), [(local(11, 10, 16, 0), 1), (local(11, 10, 17, 30), 0)])
def test_a_suspended_case_is_judged_by_the_deadline_its_resumption_set(world, category, handled_at, on_time):
    """挂账 on 3 Nov, 恢复办理 on 10 Nov with a new handling deadline of 10 Nov 17:00: handled at 16:00 it is on
    time (a week after the first deadline), at 17:30 late. The suspension is counted on its day, for the
    department; the handling time runs from the dispatch, the suspended week included."""
    (
        CaseLog(world, category, local(11, 2, 9, 0))
        .file(local(11, 2, 9, 10), due=local(11, 2, 9, 40))
        .dispatch(local(11, 2, 9, 20), due=local(11, 3, 17, 0))
        .suspend(local(11, 3, 10, 0))
        .resume(local(11, 10, 10, 0), due=local(11, 10, 17, 0))
        .handle(handled_at)
    )
    values = _values()
    _assert_rate(values["handle_on_time_rate"], on_time, 1, on_time * 100.0)
    _assert_rate(values["handle_overdue_rate"], 1 - on_time, 1, on_time * 100.0)
    suspended = StatFact.objects.get(measure=Measure.SUSPENDED)
    assert (suspended.day, suspended.department_id, suspended.count) == (dt.date(2026, 11, 3), world.department.pk, 1)
    assert values["handle_minutes_mean"].rate == (handled_at - local(11, 2, 9, 20)).total_seconds() / 60


def test_a_case_crossing_the_end_of_a_month(world, category):
    """Event measures fall on the local day of their event, cohort measures on the filing day.

    X is reported 30 Nov 23:50 and filed 1 Dec 00:10; its dispatch at 30 Nov 16:30 UTC is 1 Dec 00:30 in
    Asia/Shanghai. Y is filed on 30 Nov and handled and closed in December. November has both reports, Y's filing,
    and Y's handling and closing as what became of its cases; December has X's filing, both 处置反馈 and both 结案
    events, and X's closing. X's 有效上报 (known at its 立案 in December) counts on the day it was reported, in
    November, beside its 上报: December has neither, so no rate."""
    x = (
        CaseLog(world, category, local(11, 30, 23, 50), due=local(12, 1, 0, 20))
        .file(local(12, 1, 0, 10), due=local(12, 1, 0, 40))
        .dispatch(dt.datetime(2026, 11, 30, 16, 30, tzinfo=dt.UTC), due=local(12, 1, 17, 0))
        .handle(local(12, 2, 10, 0))
        .check_request(local(12, 2, 10, 5))
        .check_pass(local(12, 2, 11, 0))
        .close(local(12, 3, 9, 0))
    )
    (
        CaseLog(world, category, local(11, 30, 10, 0))
        .file(local(11, 30, 10, 10), due=local(11, 30, 10, 40))
        .dispatch(local(11, 30, 10, 20), due=local(12, 1, 17, 0))
        .handle(local(12, 1, 9, 0))
        .check_request(local(12, 1, 9, 5))
        .check_pass(local(12, 1, 10, 0))
        .close(local(12, 2, 9, 0))
    )
    november, december = _values(NOVEMBER), _values(DECEMBER)
    assert _counts(november) == {"reports": 2, "filed": 1, "dispatched": 1, "handled": 0, "closed": 0}
    _assert_rate(november["valid_report_rate"], 2, 2, 100.0)
    _assert_rate(november["handle_rate"], 1, 1, 100.0)
    _assert_rate(november["close_rate"], 1, 1, 100.0)
    assert _counts(december) == {"reports": 0, "filed": 1, "dispatched": 1, "handled": 2, "closed": 2}
    _assert_rate(december["dispatch_on_time_rate"], 1, 1, 100.0)  # 00:30 local, by its 00:40 deadline
    _assert_rate(december["close_rate"], 1, 1, 100.0)
    valid = december["valid_report_rate"]
    assert (valid.numerator, valid.denominator, valid.rate, valid.score) == (0, 0, None, None)
    reported = StatFact.objects.filter(measure=Measure.REPORT).values_list("day", "count")
    assert list(reported) == [(dt.date(2026, 11, 30), 2)]
    dispatched = StatFact.objects.filter(measure=Measure.DISPATCHED).values_list("day", "count").order_by("day")
    assert list(dispatched) == [(dt.date(2026, 11, 30), 1), (dt.date(2026, 12, 1), 1)]
    filed = StatFact.objects.filter(measure=Measure.FILED).values_list("day", flat=True).order_by("day")
    assert list(filed) == [dt.date(2026, 11, 30), dt.date(2026, 12, 1)]
    assert x.case.created_at.date() == dt.date(2026, 11, 30)


def test_a_reopened_case_is_closed_once_in_its_cohort(world, category):
    """结案 on time, 评价 不满意, 重办 (a step goes red), 结案 again, 评价 满意: two 结案 events, one closed case
    in the cohort, on time as its first 结案 was, also while it is being redone. 满意率 counts both ratings. The
    重办 is not a 返工."""
    log = (
        CaseLog(world, category, local(11, 2, 9, 0))
        .file(local(11, 2, 9, 10), due=local(11, 2, 9, 40))
        .dispatch(local(11, 2, 9, 20), due=local(11, 2, 17, 0))
        .handle(local(11, 2, 15, 0))
        .check_request(local(11, 2, 15, 5))
        .check_pass(local(11, 2, 16, 0))
        .close(local(11, 2, 16, 20))
        .evaluate(local(11, 3, 10, 0), Rating.UNSATISFIED)
        .reopen(local(11, 3, 10, 0), due=local(11, 3, 17, 0))
    )
    redoing = _values()
    _assert_rate(redoing["close_rate"], 1, 1, 100.0)
    (
        log.overdue(local(11, 3, 17, 0))
        .handle(local(11, 4, 9, 0))
        .check_request(local(11, 4, 9, 5))
        .check_pass(local(11, 4, 10, 0))
        .close(local(11, 4, 10, 30))
        .evaluate(local(11, 5, 10, 0), Rating.SATISFIED)
    )
    values = _values()
    closed = sums_total(facts_in(NOVEMBER))[Measure.CLOSED]
    assert (closed.count, closed.on_time) == (2, 1)  # the second 结案 came after a step went red
    assert values["closed"].numerator == 2
    _assert_rate(values["close_rate"], 1, 1, 100.0)
    _assert_rate(values["close_on_time_rate"], 1, 1, 100.0)
    _assert_rate(values["handle_on_time_rate"], 1, 1, 100.0)
    _assert_rate(values["satisfaction_rate"], 1, 2, 50.0)
    _assert_rate(values["rework_rate"], 0, 1, 100.0)
    assert log.case.rework_count == 1


# --- Deadlines: on time up to and including the deadline -------------------------------------------------------


def _step_at(world, category, step: str, offset: int) -> None:
    """A case whose ``step`` ends ``offset`` minutes after its deadline (9:30 for 受理 and 立案, 10:05 for 核实,
    9:40 for 派遣, 17:20 for 处置, 12:00 for 核查)."""
    log = CaseLog(world, category, local(11, 2, 9, 0), due=local(11, 2, 9, 30))
    if step == "accept":
        log.accept(after(local(11, 2, 9, 30), offset))
    elif step == "verify":
        log.verify_request(local(11, 2, 9, 5), due=local(11, 2, 10, 5))
        log.verify(after(local(11, 2, 10, 5), offset), confirmed=True, due=local(11, 2, 11, 0))
    elif step == "file":
        log.file(after(local(11, 2, 9, 30), offset), due=local(11, 2, 10, 30))
    else:
        log.file(local(11, 2, 9, 10), due=local(11, 2, 9, 40))
        if step == "dispatch":
            log.dispatch(after(local(11, 2, 9, 40), offset), due=local(11, 2, 17, 40))
            return
        log.dispatch(local(11, 2, 9, 20), due=local(11, 2, 17, 20))
        if step == "handle":
            log.handle(after(local(11, 2, 17, 20), offset))
            return
        log.handle(local(11, 2, 10, 0), due=local(11, 2, 12, 0)).check_request(local(11, 2, 10, 5))
        log.check_pass(after(local(11, 2, 12, 0), offset))


STEP_RATES = {
    "accept": "accept_on_time_rate",
    "verify": "verify_on_time_rate",
    "file": "file_on_time_rate",
    "dispatch": "dispatch_on_time_rate",
    "handle": "handle_on_time_rate",
    "check": "check_on_time_rate",
}


@pytest.mark.parametrize("offset", [-1, 0, 1])
@pytest.mark.parametrize("step", list(STEP_RATES))
def test_a_step_done_exactly_at_its_deadline_is_on_time(world, category, step, offset):
    _step_at(world, category, step, offset)
    on_time = 1 if offset <= 0 else 0
    _assert_rate(_values()[STEP_RATES[step]], on_time, 1, on_time * 100.0)


# --- Scores ---------------------------------------------------------------------------------------------------


def _totals(**counts: int | tuple[int, int] | tuple[int, int, float]) -> dict[str, Total]:
    return {name: Total(*value) if isinstance(value, tuple) else Total(value) for name, value in counts.items()}


@pytest.mark.parametrize(
    ("code", "sums", "rate", "score"),
    [
        ("valid_report_rate", _totals(valid_report=2, report=3), 2 / 3, 66.67),
        ("valid_report_rate", _totals(valid_report=3, report=2), 1.5, 100.0),  # above 100 %: bounded
        ("valid_report_rate", _totals(valid_report=0, report=2), 0.0, 0.0),
        ("missed_report_rate", _totals(public_filed=1, filed=4), 0.25, 75.0),  # bad: (1 − rate) × 100
        ("missed_report_rate", _totals(public_filed=0, filed=4), 0.0, 100.0),
        ("rework_rate", _totals(c_rework=3, filed=1, self_resolved=1), 1.5, 0.0),  # bad above 100 %: 0
        ("file_accuracy_rate", _totals(filed=4, c_voided=1), 0.75, 75.0),
        ("handle_overdue_rate", _totals(c_handled=(3, 1), filed=4), 0.5, 50.0),
        ("satisfaction_rate", _totals(evaluated=(3, 2)), 2 / 3, 66.67),
    ],
)
def test_a_rate_scores_rate_times_100_and_a_bad_rate_the_rest(code, sums, rate, score):
    value = value_of(INDICATORS[code], sums)
    assert value.rate == pytest.approx(rate)
    assert value.score == score
    assert value.percent == round(rate * 100, 2)


def test_a_mean_time_has_no_score():
    value = value_of(INDICATORS["handle_minutes_mean"], _totals(handled=(4, 3, 600.0)))
    assert (value.rate, value.score) == (150.0, None)


# --- Durations ------------------------------------------------------------------------------------------------


def test_durations_count_an_open_case_as_now_minus_received(world, category):
    """Closed after 60, 120 and 240 minutes; one open for 600 minutes now; a rejected, a merged and a voided case
    left out. Mean (60 + 120 + 240 + 600) / 4; median (120 + 240) / 2; P90 240 + 0.7 × (600 − 240)."""
    now = local(11, 10, 12, 0)
    for minutes in (60, 120, 240):
        start = after(now, -1000)
        (
            CaseLog(world, category, start)
            .file(after(start, 5), due=after(start, 30))
            .dispatch(after(start, 10), due=after(start, 50))
            .handle(after(start, 20))
            .check_request(after(start, 21))
            .check_pass(after(start, 30))
            .close(after(start, minutes))
        )
    CaseLog(world, category, after(now, -600)).file(after(now, -590), due=after(now, -560))
    CaseLog(world, category, after(now, -900)).reject(after(now, -890))
    CaseLog(world, category, after(now, -900)).merge(after(now, -890))
    CaseLog(world, category, after(now, -900)).void(after(now, -890))
    assert Case.objects.filter(status=CaseStatus.CLOSED).count() == 3
    assert durations_of(Case.objects.all(), now) == Durations(cases=4, open=1, mean=255.0, median=180.0, p90=492.0)
    assert durations_of(Case.objects.none(), now) == Durations(0, 0, None, None, None)


def test_a_reopened_case_through_the_services_counts_as_its_log_replayed(world, category):
    """The same rule holds for the facts added as the services write the events (评价 不满意 reopens the case
    by rule): one closed case in the cohort, two 结案 events, and a rebuild changes nothing."""

    def origin(persona: str) -> Origin:
        return Origin(world.users[persona], "api")

    photo = CheckedPhoto(jpeg_bytes(), "jpg", None, None, None)
    with timesource.acting_at(local(11, 2, 9, 0)):
        data = ReportData(
            source="grid_worker", description="暴露垃圾", longitude=IN_A[0], latitude=IN_A[1], category_id=category.pk
        )
        case = case_run_to_closed(world, report_submit(origin("grid_worker_a"), data).case)
        case = services.case_evaluate(origin("intake_clerk"), case, Rating.UNSATISFIED)
        assert case.status == CaseStatus.DISPATCHED
        case = services.case_report_result(origin("department_handler"), case, "再次处理", photos=[photo])
        case = services.case_check(origin("grid_worker_a"), case, passed=True, note="核查", photos=[photo])
        services.case_close(origin("shift_leader"), case)
    kept = facts_table()
    assert facts_equal(kept, facts_from_log()) == []
    sums = sums_total(facts_in(NOVEMBER))
    assert (sums[Measure.CLOSED].count, sums[Measure.C_CLOSED].count) == (2, 1)
