"""Each rule of the case workflow and its clock pinned by a test that fails when the rule changes: who may close,
what may be merged into what, the light thresholds at their exact boundaries, and the minutes banked across a
suspension. Expected instants are computed here, from the working hours, not by the code under test."""

import datetime as dt

import pytest
from django.utils import timezone

from cases import services
from cases.choices import CaseStatus, Light, RequestKind, Step
from cases.clock import clock_extend
from cases.deadlines import deadlines_sweep
from cases.models import Case
from cases.tests.test_lifecycle import assert_replays, run_to_dispatched
from gridgov.errors import Conflict
from gridgov.testing import case_run_to_closed
from gridgov.timesource import acting_at

# The default working periods (cases.worktime): 08:30–12:00 and 13:30–17:30, Monday to Friday.
WORK_PERIODS = ((dt.time(8, 30), dt.time(12, 0)), (dt.time(13, 30), dt.time(17, 30)))


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year, month, day, hour, minute))


def working_deadline(
    start: dt.datetime, minutes: float, periods: tuple[tuple[dt.time, dt.time], ...] = WORK_PERIODS
) -> dt.datetime:
    """``minutes`` working minutes after ``start``, walked period by period (no statutory holiday in the weeks
    these tests use); ``periods`` are the working hours of each weekday."""
    moment = timezone.localtime(start)
    left = dt.timedelta(minutes=minutes)
    day = moment.date()
    while True:
        if day.weekday() < 5:
            for opens, closes in periods:
                begin = max(moment, timezone.make_aware(dt.datetime.combine(day, opens)))
                end = timezone.make_aware(dt.datetime.combine(day, closes))
                if begin >= end:
                    continue
                if begin + left <= end:
                    return begin + left
                left -= end - begin
        day += dt.timedelta(days=1)


def run_to_checking(desk):
    case = run_to_dispatched(desk)
    return services.case_report_result(desk.origin("department_handler"), case, "已处理")  # checked by rule


# --- Transitions -----------------------------------------------------------------------------------------------
def test_rule_close_is_refused_while_the_case_is_being_checked(desk):
    case = run_to_checking(desk)
    assert case.status == CaseStatus.CHECKING
    with pytest.raises(Conflict) as refused:
        services.case_close(desk.origin("shift_leader"), case)
    assert refused.value.code == "invalid_transition"
    case.refresh_from_db()
    assert case.status == CaseStatus.CHECKING and case.closed_at is None


def test_rule_close_is_allowed_once_the_check_passed(desk):
    case = run_to_checking(desk)
    case = services.case_check(desk.origin("grid_worker_a"), case, passed=True, note="已核查")
    case = services.case_close(desk.origin("shift_leader"), case)
    assert case.status == CaseStatus.CLOSED and case.closed_at is not None


def test_rule_merge_is_refused_from_a_closed_case(desk):
    closed = case_run_to_closed(desk.world, desk.report())
    main = desk.report()
    assert closed.status == CaseStatus.CLOSED
    with pytest.raises(Conflict) as refused:
        services.case_merge(desk.origin("intake_clerk"), closed, main, reason="同一问题")
    assert refused.value.code == "invalid_transition"
    closed.refresh_from_db()
    assert closed.status == CaseStatus.CLOSED and closed.merged_into is None
    assert main.reports.count() == 1


def _merged(desk):
    case = desk.report()
    return services.case_merge(desk.origin("intake_clerk"), case, desk.report(), reason="重复")


def _void(desk):
    case = desk.report()
    request = services.case_request_open(desk.origin("intake_clerk"), case, RequestKind.VOID, "重复上报")
    return services.case_request_decide(desk.origin("shift_leader"), request, approve=True)


def _rejected(desk):
    return services.case_reject(desk.origin("intake_clerk"), desk.report(), "不属于受理范围")


@pytest.mark.parametrize(("make_target", "status"), [(_merged, "merged"), (_void, "void"), (_rejected, "rejected")])
def test_rule_merge_into_a_merged_void_or_rejected_case_is_refused(desk, make_target, status):
    target = make_target(desk)
    assert target.status == status
    duplicate = desk.report()
    with pytest.raises(Conflict) as refused:
        services.case_merge(desk.origin("intake_clerk"), duplicate, target, reason="同一问题")
    assert refused.value.code == "merge_target_closed"
    duplicate.refresh_from_db()
    assert duplicate.status == CaseStatus.REPORTED and duplicate.merged_into is None
    assert duplicate.reports.count() == 1


# --- Lights ----------------------------------------------------------------------------------------------------
def urgent_case(desk):
    """An urgent case runs in natural time with a 10-minute intake step, so shares of the limit are plain times."""
    case = desk.report(priority="urgent", priority_reason="路面塌陷")
    assert (case.natural_time, case.step_limit_minutes, case.light) == (True, 10, Light.GREEN)
    return case


def test_rule_yellow_light_at_exactly_80_percent_of_the_limit(desk):
    case = urgent_case(desk)
    start = case.step_started_at
    assert case.yellow_at == start + dt.timedelta(minutes=8)
    assert case.due_at == start + dt.timedelta(minutes=10)

    assert deadlines_sweep(start + dt.timedelta(minutes=7.99)).changed == 0  # 79.9 %: green
    case.refresh_from_db()
    assert case.light == Light.GREEN

    result = deadlines_sweep(start + dt.timedelta(minutes=8))  # 80 %: yellow
    assert (result.yellow, result.red) == (1, 0)
    case.refresh_from_db()
    assert case.light == Light.YELLOW

    assert deadlines_sweep(start + dt.timedelta(minutes=9.99)).changed == 0  # 99.9 %: still yellow
    case.refresh_from_db()
    assert case.light == Light.YELLOW


def test_rule_red_light_when_the_whole_limit_is_used(desk):
    case = urgent_case(desk)
    start = case.step_started_at
    result = deadlines_sweep(start + dt.timedelta(minutes=10))  # 100 %: red, counted once
    assert (result.yellow, result.red) == (0, 1)
    case.refresh_from_db()
    assert (case.light, case.overdue_count) == (Light.RED, 1)
    assert deadlines_sweep(start + dt.timedelta(minutes=15)).changed == 0  # past 100 %: stays red, no recount
    case.refresh_from_db()
    assert (case.light, case.overdue_count) == (Light.RED, 1)


def test_rule_a_step_started_past_80_percent_of_its_banked_limit_is_yellow_at_once(desk):
    """Resuming with 95 of 100 minutes used: the light is yellow immediately, not at the next run of the job."""
    case = urgent_case(desk)
    start = case.step_started_at
    case.clock_offset_minutes = 9.0  # 90 % used before a pause
    case.step_started_at = None
    fields = services.clock.clock_resume(case, start)
    assert fields["light"] == Light.YELLOW and fields["due_at"] == start + dt.timedelta(minutes=1)
    case.clock_offset_minutes = 7.9  # 79 %: green
    fields = services.clock.clock_resume(case, start)
    assert fields["light"] == Light.GREEN and fields["yellow_at"] == start + dt.timedelta(minutes=0.1)


# --- Suspension ------------------------------------------------------------------------------------------------
def test_rule_resume_keeps_the_minutes_banked_before_the_suspension(desk):
    dispatched_at = local(2026, 11, 18, 9, 0)  # a Wednesday, inside working hours
    with acting_at(dispatched_at):
        case = run_to_dispatched(desk)
    limit = case.step_limit_minutes
    assert case.step_started_at == dispatched_at and not case.natural_time and limit > 95
    with acting_at(local(2026, 11, 18, 10, 35)):  # 95 working minutes later
        request = services.case_request_open(desk.origin("department_handler"), case, RequestKind.SUSPEND, "等待")
        case = services.case_request_decide(desk.origin("dispatcher"), request, approve=True)
    assert case.status == CaseStatus.SUSPENDED and case.clock_offset_minutes == 95
    resumed_at = local(2026, 11, 23, 8, 30)  # the next Monday, as work starts
    with acting_at(resumed_at):
        case = services.case_resume(desk.origin("dispatcher"), case, reason="条件具备")
    assert case.status == CaseStatus.DISPATCHED and case.step_started_at == resumed_at
    assert case.due_at == working_deadline(resumed_at, limit - 95)
    assert case.handle_due_at == case.due_at
    assert case.yellow_at == working_deadline(resumed_at, 0.8 * limit - 95)
    assert_replays(case)


def _handling(*, natural: bool, started: dt.datetime, limit: int, light: str = Light.GREEN) -> Case:
    """A case in its handling step, as the clock sees it (no row needed: the clock reads only these fields)."""
    return Case(
        step=Step.HANDLE,
        natural_time=natural,
        step_started_at=started,
        step_limit_minutes=limit,
        clock_offset_minutes=0.0,
        light=light,
    )


@pytest.mark.django_db
def test_rule_an_extension_keeps_the_minutes_used_and_adds_its_own_in_working_time():
    started, approved = local(2026, 11, 18, 9, 0), local(2026, 11, 18, 10, 0)  # a Wednesday: 60 minutes used
    fields = clock_extend(_handling(natural=False, started=started, limit=240), approved, 120)
    assert fields["clock_offset_minutes"] == 60 and fields["step_limit_minutes"] == 360
    assert fields["step_started_at"] == approved
    assert fields["due_at"] == working_deadline(approved, 360 - 60)  # Wednesday 16:30
    assert fields["due_at"] == local(2026, 11, 18, 16, 30)
    assert fields["yellow_at"] == working_deadline(approved, 0.8 * 360 - 60)
    assert fields["escalate_at"] is not None  # handling escalates; the step is kept across the extension
    assert fields["light"] == Light.GREEN


@pytest.mark.django_db
def test_rule_an_extension_of_an_urgent_case_runs_in_natural_time():
    started, approved = local(2026, 11, 21, 22, 0), local(2026, 11, 21, 22, 5)  # a Saturday night
    fields = clock_extend(_handling(natural=True, started=started, limit=10), approved, 30)
    assert fields["clock_offset_minutes"] == 5 and fields["step_limit_minutes"] == 40
    assert fields["due_at"] == approved + dt.timedelta(minutes=35)


@pytest.mark.django_db
def test_rule_an_extension_turns_a_red_case_back_to_its_light_when_the_new_deadline_is_ahead():
    started, approved = local(2026, 11, 18, 9, 0), local(2026, 11, 18, 10, 0)
    fields = clock_extend(_handling(natural=False, started=started, limit=30, light=Light.RED), approved, 240)
    assert fields["due_at"] > approved and fields["light"] == Light.GREEN
