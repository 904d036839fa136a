"""The step clock's rules (cases.clock): the limit of each step, which cases run in natural time, the instants a
step starts with, what a pause banks and a resume restarts, all in the working hours of the department holding the
case. Expected instants are walked here from the working hours (``working_deadline``), not by the clock."""

import datetime as dt

import pytest

from cases import services
from cases.choices import CaseStatus, Light, LimitUnit, Priority, RequestKind, Step
from cases.clock import clock_extend, clock_pause, clock_resume, clock_start, runs_in_natural_time, step_limit
from cases.models import Case, Category, WorkingHours
from cases.tests.test_lifecycle import assert_replays, run_to_dispatched
from cases.tests.test_rules_pinned import local, working_deadline
from cases.worktime import calendar_forget
from gridgov.timesource import acting_at

# The sanitation department's own working hours in these tests: 07:00–19:00 without a lunch break (720 minutes).
LONG_DAY = ((dt.time(7, 0), dt.time(12, 0)), (dt.time(12, 0), dt.time(19, 0)))
WEDNESDAY = (2026, 11, 18)  # a working day; no statutory holiday in that week


def long_day_hours(department) -> WorkingHours:
    hours = WorkingHours.objects.create(
        department=department,
        morning_start=LONG_DAY[0][0],
        morning_end=LONG_DAY[0][1],
        afternoon_start=LONG_DAY[1][0],
        afternoon_end=LONG_DAY[1][1],
    )
    calendar_forget()
    return hours


def category(**fields) -> Category:
    """A category as the clock reads it (no row needed)."""
    return Category(kind="event", code="9901", name="测试", **fields)


def running(step: str, *, natural: bool = True, limit: int | None = 10, used: float = 0.0, light: str = Light.GREEN):
    """A case whose clock the clock functions read (no row needed)."""
    return Case(
        step=step,
        natural_time=natural,
        step_started_at=None,
        step_limit_minutes=limit,
        clock_offset_minutes=used,
        light=light,
    )


# --- Limits ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("step", "minutes"),
    [
        (Step.INTAKE, 30),
        (Step.VERIFY, 60),
        (Step.DISPATCH, 30),
        (Step.CHECK, 120),
        (Step.CLOSE, 30),
        (Step.HANDLE, 960),
    ],
)
def test_rule_without_a_category_each_step_has_its_default_limit(step, minutes):
    assert step_limit(step, None, Priority.NORMAL) == minutes  # handling: two days of eight hours


def test_rule_a_category_sets_each_step_limit_and_closing_takes_the_intake_limit():
    limits = category(intake_minutes=11, verify_minutes=22, dispatch_minutes=33, check_minutes=44)
    assert [step_limit(step, limits, Priority.NORMAL) for step in (Step.INTAKE, Step.VERIFY)] == [11, 22]
    assert [step_limit(step, limits, Priority.NORMAL) for step in (Step.DISPATCH, Step.CHECK)] == [33, 44]
    assert step_limit(Step.CLOSE, limits, Priority.NORMAL) == 11


def test_rule_urgent_steps_have_ten_minutes_but_handling_keeps_its_own_limit():
    assert step_limit(Step.INTAKE, None, Priority.URGENT) == 10
    assert step_limit(Step.CHECK, category(urgent=True, check_minutes=44), Priority.NORMAL) == 10
    assert step_limit(Step.CHECK, category(check_minutes=44), Priority.URGENT) == 10
    urgent_handling = category(urgent=True, handle_limit=2, limit_unit=LimitUnit.HOURS)
    assert step_limit(Step.HANDLE, urgent_handling, Priority.URGENT) == 120


def test_rule_the_handling_limit_counts_hours_or_whole_working_days_of_the_department(desk):
    def handling(department_id=None, **fields):
        return step_limit(Step.HANDLE, category(**fields), Priority.NORMAL, department_id)

    assert handling(handle_limit=None, limit_unit=LimitUnit.HOURS) == 960  # no limit of its own: the default
    assert handling(handle_limit=0, limit_unit=LimitUnit.HOURS) == 960
    assert handling(handle_limit=3, limit_unit=LimitUnit.HOURS) == 180
    assert handling(handle_limit=3, limit_unit=LimitUnit.WORKING_HOURS) == 180
    assert handling(handle_limit=2, limit_unit=LimitUnit.WORKING_DAYS) == 2 * (210 + 240)  # 08:30–12:00, 13:30–17:30
    long_day_hours(desk.sanitation)
    assert handling(desk.sanitation.pk, handle_limit=2, limit_unit=LimitUnit.WORKING_DAYS) == 2 * 720
    assert handling(desk.enforcement.pk, handle_limit=2, limit_unit=LimitUnit.WORKING_DAYS) == 2 * 450


@pytest.mark.parametrize(
    ("priority", "limits", "natural"),
    [
        (Priority.URGENT, None, True),
        (Priority.NORMAL, None, False),
        (Priority.NORMAL, category(urgent=True), True),
        (Priority.NORMAL, category(limit_unit=LimitUnit.HOURS), True),
        (Priority.NORMAL, category(limit_unit=LimitUnit.WORKING_HOURS), False),
        (Priority.NORMAL, category(limit_unit=LimitUnit.WORKING_DAYS), False),
        (Priority.URGENT, category(limit_unit=LimitUnit.WORKING_DAYS), True),
    ],
)
def test_rule_urgent_cases_and_limits_in_natural_hours_run_in_natural_time(priority, limits, natural):
    assert runs_in_natural_time(limits, priority) is natural


# --- Starting a step -------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_rule_a_handling_step_escalates_at_its_configured_multiple_of_the_limit(settings):
    settings.CASE_ESCALATE_TENTHS = 20  # escalate when twice the limit is used
    start = local(*WEDNESDAY, 9, 0)
    fields = clock_start(Case(priority=Priority.NORMAL), Step.HANDLE, start, limit=240)
    assert fields == {
        "step": Step.HANDLE,
        "step_started_at": start,
        "step_limit_minutes": 240,
        "natural_time": False,
        "clock_offset_minutes": 0.0,
        "yellow_at": working_deadline(start, 192),
        "due_at": working_deadline(start, 240),
        "escalate_at": working_deadline(start, 480),
        "light": Light.GREEN,
    }
    assert fields["escalate_at"] == local(2026, 11, 19, 9, 30)  # 420 minutes on Wednesday from 09:00, 60 on Thursday


@pytest.mark.django_db
def test_rule_only_the_handling_step_escalates():
    start = local(*WEDNESDAY, 9, 0)
    fields = clock_start(Case(priority=Priority.NORMAL), Step.CHECK, start)
    assert fields["step_limit_minutes"] == 120 and fields["escalate_at"] is None
    assert fields["due_at"] == local(*WEDNESDAY, 11, 0)


def test_rule_an_urgent_step_starts_in_natural_time():
    start = local(2026, 11, 21, 23, 0)  # Saturday night
    fields = clock_start(Case(priority=Priority.URGENT), Step.INTAKE, start)
    assert fields["natural_time"] is True and fields["step_limit_minutes"] == 10
    assert (fields["yellow_at"], fields["due_at"]) == (
        start + dt.timedelta(minutes=8),
        start + dt.timedelta(minutes=10),
    )


# --- Pause and resume ------------------------------------------------------------------------------------------
def test_rule_a_pause_banks_the_minutes_used_to_the_thousandth():
    started = local(2026, 11, 21, 22, 0)  # Saturday night: only natural time passes
    case = running(Step.HANDLE, used=2.0)
    case.step_started_at = started
    assert clock_pause(case, started + dt.timedelta(seconds=10)) == {
        "step_started_at": None,
        "clock_offset_minutes": 2.167,  # 2 banked before + 10 seconds
        "yellow_at": None,
        "due_at": None,
        "escalate_at": None,
        "light": Light.NONE,
    }


def test_rule_pausing_a_stopped_clock_keeps_its_banked_minutes():
    assert clock_pause(running(Step.HANDLE, used=5.5), local(*WEDNESDAY, 9, 0))["clock_offset_minutes"] == 5.5


def test_rule_a_resumed_step_is_due_when_its_banked_minutes_reach_the_limit(settings):
    settings.CASE_ESCALATE_TENTHS = 15
    now = local(2026, 11, 21, 22, 0)
    fields = clock_resume(running(Step.HANDLE, limit=10, used=4.0), now)
    assert (fields["step_started_at"], fields["step_limit_minutes"], fields["clock_offset_minutes"]) == (now, 10, 4.0)
    assert fields["yellow_at"] == now + dt.timedelta(minutes=4)
    assert fields["due_at"] == now + dt.timedelta(minutes=6)
    assert fields["escalate_at"] == now + dt.timedelta(minutes=15 - 4)  # 1.5 × the limit
    assert fields["light"] == Light.GREEN
    assert clock_resume(running(Step.CHECK, limit=10, used=4.0), now)["escalate_at"] is None  # not handling


def test_rule_a_resume_with_a_new_limit_counts_the_banked_minutes_against_it():
    now = local(2026, 11, 21, 22, 0)
    fields = clock_resume(running(Step.HANDLE, limit=10, used=4.0), now, limit=30)
    assert fields["step_limit_minutes"] == 30 and fields["due_at"] == now + dt.timedelta(minutes=26)


def test_rule_a_resumed_step_without_a_limit_is_due_at_once():
    now = local(2026, 11, 21, 22, 0)
    fields = clock_resume(running(Step.HANDLE, limit=None), now)
    assert fields["step_limit_minutes"] == 0 and fields["due_at"] == now


def test_rule_an_extension_of_a_step_without_a_limit_gives_it_the_extra_minutes():
    started = local(2026, 11, 21, 22, 0)
    case = running(Step.HANDLE, limit=None)
    case.step_started_at = started
    fields = clock_extend(case, started + dt.timedelta(minutes=5), 30)
    assert (fields["clock_offset_minutes"], fields["step_limit_minutes"]) == (5, 30)
    assert fields["due_at"] == started + dt.timedelta(minutes=30)


@pytest.mark.parametrize(
    ("light", "used", "expected"),
    [
        (Light.RED, 12.0, Light.RED),  # still overdue: it stays red (the job counted it once already)
        (Light.RED, 10.0, Light.RED),  # due exactly now: still red
        (Light.RED, 9.0, Light.YELLOW),  # due ahead again: its light by the minutes used
        (Light.RED, 5.0, Light.GREEN),
        (Light.NONE, 12.0, Light.YELLOW),  # not red before: red is left to the periodic job, which counts it
    ],
)
def test_rule_a_resume_keeps_a_red_light_only_while_the_step_is_still_overdue(light, used, expected):
    now = local(2026, 11, 21, 22, 0)
    fields = clock_resume(running(Step.HANDLE, limit=10, used=used, light=light), now)
    assert fields["due_at"] == now + dt.timedelta(minutes=max(0.0, 10 - used))
    assert fields["light"] == expected


def test_rule_suspension_extension_and_resume_count_the_working_hours_of_the_department(desk, settings):
    """The department works 07:00–19:00: a step paused, resumed and extended counts its hours, not 08:30–17:30."""
    settings.CASE_ESCALATE_TENTHS = 15
    long_day_hours(desk.sanitation)
    dispatched_at = local(*WEDNESDAY, 16, 0)
    with acting_at(dispatched_at):
        case = run_to_dispatched(desk)
    assert case.step_limit_minutes == 240  # the category: 4 working hours
    assert case.due_at == working_deadline(dispatched_at, 240, LONG_DAY) == local(2026, 11, 19, 8, 0)

    with acting_at(local(*WEDNESDAY, 18, 30)):  # 150 of the department's minutes used (90 of the default's)
        request = services.case_request_open(desk.origin("department_handler"), case, RequestKind.SUSPEND, "等待")
        case = services.case_request_decide(desk.origin("dispatcher"), request, approve=True)
    assert case.status == CaseStatus.SUSPENDED and case.clock_offset_minutes == 150

    resumed_at = local(2026, 11, 19, 7, 0)  # Thursday, when the department starts (before the default hours)
    with acting_at(resumed_at):
        case = services.case_resume(desk.origin("dispatcher"), case, reason="条件具备")
    assert case.step_started_at == resumed_at
    assert case.yellow_at == working_deadline(resumed_at, 0.8 * 240 - 150, LONG_DAY) == local(2026, 11, 19, 7, 42)
    assert case.due_at == working_deadline(resumed_at, 240 - 150, LONG_DAY) == local(2026, 11, 19, 8, 30)
    assert case.escalate_at == working_deadline(resumed_at, 1.5 * 240 - 150, LONG_DAY)
    assert case.handle_due_at == case.due_at and case.light == Light.GREEN

    extended_at = local(2026, 11, 19, 7, 30)  # 30 more minutes used: 180 of 240, then 60 more granted
    with acting_at(extended_at):
        request = services.case_request_open(
            desk.origin("department_handler"), case, RequestKind.EXTEND, "需要更多时间", extra_minutes=60
        )
        case = services.case_request_decide(desk.origin("dispatcher"), request, approve=True)
    assert (case.clock_offset_minutes, case.step_limit_minutes) == (180, 300)
    assert case.due_at == working_deadline(extended_at, 300 - 180, LONG_DAY) == local(2026, 11, 19, 9, 30)
    assert case.yellow_at == working_deadline(extended_at, 0.8 * 300 - 180, LONG_DAY)
    assert_replays(case)


def test_rule_a_finished_case_has_no_running_clock(desk):
    case = desk.report(priority="urgent", priority_reason="路面塌陷")
    assert case.natural_time and case.step_started_at is not None
    case = services.case_reject(desk.origin("intake_clerk"), case, "不属于受理范围")
    case.refresh_from_db()
    assert (case.step, case.step_started_at, case.step_limit_minutes) == ("", None, None)
    assert (case.natural_time, case.clock_offset_minutes, case.light) == (False, 0.0, Light.NONE)
    assert (case.yellow_at, case.due_at, case.escalate_at) == (None, None, None)
