"""The periodic deadline job: lights, overdue counts, escalation, supervision; idempotent."""

import datetime as dt

from cases import services
from cases.choices import CaseLevel, Light, Supervision
from cases.deadlines import deadlines_sweep
from cases.models import Case, CaseEvent
from cases.tests.test_lifecycle import assert_replays, run_to_dispatched
from gridgov.timesource import acting_at


def test_lights_turn_yellow_then_red_and_the_case_escalates(desk):
    case = run_to_dispatched(desk)
    assert case.light == Light.GREEN
    assert deadlines_sweep(case.yellow_at - dt.timedelta(seconds=1)).changed == 0
    result = deadlines_sweep(case.yellow_at)
    assert (result.yellow, result.red) == (1, 0)
    case.refresh_from_db()
    assert case.light == Light.YELLOW
    result = deadlines_sweep(case.due_at)
    assert result.red == 1
    case.refresh_from_db()
    assert (case.light, case.overdue_count, case.supervision, case.level) == (Light.RED, 1, 0, CaseLevel.COMMUNITY)
    result = deadlines_sweep(case.escalate_at)
    case.refresh_from_db()
    assert result.escalated == 1 and case.level == CaseLevel.STREET and case.escalate_at is None
    events = list(case.events.filter(channel="system").values_list("action", flat=True))
    assert events == ["light_yellow", "overdue", "auto_escalate"]
    assert_replays(case)


def test_a_second_run_writes_nothing(desk):
    for _ in range(3):
        run_to_dispatched(desk)
    later = max(Case.objects.values_list("escalate_at", flat=True)) + dt.timedelta(minutes=1)
    first = deadlines_sweep(later)
    assert first.red == 3 and first.escalated == 3
    events = CaseEvent.objects.count()
    states = list(Case.objects.order_by("pk").values_list("light", "level", "overdue_count", "version"))
    second = deadlines_sweep(later)
    assert second.changed == 0
    assert CaseEvent.objects.count() == events
    assert list(Case.objects.order_by("pk").values_list("light", "level", "overdue_count", "version")) == states


def test_repeated_overdue_raises_the_supervision_card(desk):
    case = run_to_dispatched(desk)
    for expected in (Supervision.NONE, Supervision.YELLOW, Supervision.RED):
        case.refresh_from_db()
        deadlines_sweep(case.due_at)
        case.refresh_from_db()
        assert case.supervision == expected
        with acting_at(case.due_at + dt.timedelta(minutes=1)):  # time goes on after the job ran
            case = services.case_report_result(desk.origin("department_handler"), case, "已处理")
            case = services.case_check(desk.origin("grid_worker_a"), case, passed=False, note="未整改")
    assert_replays(case)


def test_unconfirmed_summons_turns_red(desk):
    case = run_to_dispatched(desk)
    [summons] = services.case_summon(desk.origin("street_leader"), case, [desk.enforcement], "联合执法")
    assert deadlines_sweep(summons.due_at - dt.timedelta(seconds=1)).summons_red == 0
    assert deadlines_sweep(summons.due_at).summons_red == 1
    summons.refresh_from_db()
    assert summons.light == Light.RED
    assert case.events.filter(action="summons_overdue").count() == 1
    assert deadlines_sweep(summons.due_at).summons_red == 0


def test_suspended_cases_are_left_alone(desk):
    case = run_to_dispatched(desk)
    request = services.case_request_open(desk.origin("department_handler"), case, "suspend", "等待")
    services.case_request_decide(desk.origin("dispatcher"), request, approve=True)
    assert deadlines_sweep(case.escalate_at + dt.timedelta(days=100)).changed == 0
