"""The state machine's rules (cases.workflow): how a transition is declared, who is refused and with which code,
message and details, whom the "department" and "area" reaches let act, which actions a person is offered on a case,
and how the instants of the event record are written."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.models import User
from accounts.roles import Role
from cases import services
from cases.choices import CaseAction, CaseStatus
from cases.tests.test_lifecycle import assert_replays, run_to_dispatched
from cases.tests.test_rules_pinned import local, run_to_checking
from cases.workflow import Input, Transition, _t, actions_for, actor_roles, as_json, transition_check, transition_label
from gridgov.errors import Conflict, PermissionDenied
from gridgov.testing import IN_C, make_user
from gridgov.timesource import acting_at

A, S = CaseAction, CaseStatus


def refusal(error) -> tuple[str, str, list | None]:
    return error.value.code, str(error.value.message), error.value.details


# --- Declaring a transition ------------------------------------------------------------------------------------
def test_rule_a_declared_transition_takes_its_actions_label_and_holds_sources_and_roles_as_sets():
    declared = _t(A.URGE, [S.FILED, S.HANDLING, S.FILED], None, [Role.DISPATCHER, Role.DISPATCHER])
    assert declared == Transition(
        action=A.URGE,
        label=A.URGE.label,
        sources=frozenset({"filed", "handling"}),
        target=None,
        roles=frozenset({Role.DISPATCHER}),
        reach="area",
        input=Input(),
        told="",
        public_note=None,
        tell_reporter=False,
        quiet=False,
    )
    handled = _t(A.REPORT_RESULT, [S.DISPATCHED], S.HANDLED, [Role.DEPARTMENT_HANDLER], "department", told="holder")
    assert (handled.target, handled.reach, handled.told) == ("handled", "department", "holder")


def test_rule_an_action_is_shown_by_its_label_and_an_unknown_one_by_its_name():
    assert transition_label("accept_task") == "签收"
    assert transition_label("retired_action") == "retired_action"


# --- Refusals --------------------------------------------------------------------------------------------------
def test_rule_a_role_not_in_the_table_is_refused_naming_the_action(desk):
    case = desk.report()
    with pytest.raises(PermissionDenied) as refused:
        services.case_file(desk.origin("grid_worker_a"), case)
    assert refusal(refused) == ("not_permitted", "您的角色不能执行“立案”", [{"field": "action", "message": "file"}])
    case.refresh_from_db()
    assert case.status == S.REPORTED


def test_rule_a_wrong_state_is_refused_naming_the_state_and_the_action(desk):
    case = run_to_checking(desk)
    with pytest.raises(Conflict) as refused:
        services.case_close(desk.origin("shift_leader"), case)
    assert refusal(refused) == (
        "invalid_transition",
        "案卷当前状态为“核查中”，不能执行“结案”",
        [{"field": "status", "message": "checking"}, {"field": "action", "message": "close"}],
    )


def test_rule_a_department_acts_only_on_the_cases_it_holds(desk):
    case = run_to_dispatched(desk)
    other = make_user("enforcer", Role.DEPARTMENT_HANDLER, [], department=desk.enforcement)
    with pytest.raises(PermissionDenied) as refused:
        transition_check(other, case, A.ACCEPT_TASK)
    assert refusal(refused) == (
        "not_permitted",
        "该案卷不在您的职责范围内，不能执行“签收”",
        [{"field": "action", "message": "accept_task"}],
    )
    without_department = make_user("loose", Role.DEPARTMENT_HANDLER, [])
    with pytest.raises(PermissionDenied):
        transition_check(without_department, case, A.ACCEPT_TASK)
    assert transition_check(desk.world.user("department_handler"), case, A.ACCEPT_TASK).action == A.ACCEPT_TASK


def test_rule_a_system_action_is_refused_to_every_user_and_checked_for_state_when_the_system_acts(desk):
    case = desk.report()
    root = User.objects.create_superuser("root", password="test-password-1")
    with pytest.raises(PermissionDenied) as refused:
        transition_check(root, case, A.OVERDUE)
    assert refusal(refused) == ("not_permitted", "该操作只能由系统执行", None)
    assert transition_check(None, case, A.SUPPORT, system=True).action == A.SUPPORT
    with pytest.raises(Conflict) as refused:
        transition_check(None, case, A.REOPEN, system=True)  # only an evaluated case is reopened
    assert refusal(refused)[2] == [{"field": "status", "message": "reported"}, {"field": "action", "message": "reopen"}]


@pytest.mark.parametrize("nobody", [None, AnonymousUser()])
def test_rule_without_a_signed_in_user_nothing_is_allowed(desk, nobody):
    case = desk.report()
    with pytest.raises(PermissionDenied) as refused:
        transition_check(nobody, case, A.ACCEPT)
    assert refusal(refused)[:2] == ("not_permitted", "您的角色不能执行“受理”")
    assert actor_roles(nobody) == set()


def test_rule_a_superuser_may_act_on_any_case_in_any_area(desk):
    case = run_to_dispatched(desk)
    root = User.objects.create_superuser("root", password="test-password-1")
    assert transition_check(root, case, A.ACCEPT_TASK).action == A.ACCEPT_TASK  # held by a department
    assert transition_check(root, case, A.URGE).action == A.URGE  # no area of its own


def test_rule_a_users_roles_are_read_once_per_user_object(desk, django_assert_num_queries):
    user = User.objects.get(username="dispatcher")
    with django_assert_num_queries(1):
        assert actor_roles(user) == {Role.DISPATCHER}
    with django_assert_num_queries(0):
        assert actor_roles(user) == {Role.DISPATCHER}


# --- Offered actions -------------------------------------------------------------------------------------------
def test_rule_a_dispatcher_is_offered_the_actions_of_a_filed_case_in_its_area(desk):
    case = services.case_file(desk.origin("shift_leader"), desk.report())
    dispatcher = User.objects.get(username="dispatcher")
    assert actions_for(dispatcher, case) == [
        "absorb",
        "dispatch",
        "request_void",
        "request_refuse",
        "void",
        "escalate",
        "urge",
        "expedite",
        "photo_add",
    ]


def test_rule_a_superuser_is_offered_every_action_of_the_state_but_the_system_and_summoned_ones(desk):
    case = services.case_file(desk.origin("shift_leader"), desk.report())
    root = User.objects.create_superuser("root", password="test-password-1")
    assert actions_for(root, case) == [
        "absorb",
        "dispatch",
        "request_void",
        "request_refuse",
        "void",
        "escalate",
        "summon",
        "urge",
        "supervise",
        "expedite",
        "photo_add",
    ]


def test_rule_a_department_is_offered_its_own_actions_only_on_the_cases_it_holds(desk):
    case = run_to_dispatched(desk)
    services.case_summon(desk.origin("street_leader"), case, [desk.sanitation], "联合执法")
    holder = User.objects.get(username="handler")
    assert actions_for(holder, case) == ["accept_task", "report_result", "request_open", "photo_add"]
    other = make_user("enforcer", Role.DEPARTMENT_HANDLER, [], department=desk.enforcement)
    assert actions_for(other, case) == ["photo_add"]


def test_rule_an_area_action_is_offered_only_inside_the_persons_area(desk):
    inside, outside = desk.report(), desk.report(persona="intake_clerk", point=IN_C, source="hotline")
    community = User.objects.get(username="community")
    assert actions_for(community, inside) == ["escalate"]
    assert actions_for(community, outside) == []


# --- The event record ------------------------------------------------------------------------------------------
def test_rule_instants_in_the_event_record_are_written_in_utc(desk):
    assert as_json(local(2026, 11, 18, 14, 30)) == "2026-11-18T06:30:00+00:00"
    with acting_at(local(2026, 11, 18, 9, 0)):
        case = run_to_dispatched(desk)
    dispatch = case.events.get(action="dispatch")
    assert dispatch.payload["set"]["due_at"] == "2026-11-18T06:30:00+00:00"  # 14:30 in Beijing
    assert case.due_at == dt.datetime(2026, 11, 18, 6, 30, tzinfo=dt.UTC)
    assert_replays(case)
