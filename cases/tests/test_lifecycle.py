"""The closed loop through the services, the side flows, and every refusal leaving the case unchanged."""

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import Department
from accounts.roles import Role
from audit.services import Origin
from cases import services
from cases.choices import CaseLevel, CaseStatus, Light, RequestKind, Step, Supervision
from cases.models import Case, CaseEvent, CaseRequest, Category, Report
from cases.seed import categories_ensure
from cases.selectors import duplicates_of
from cases.services import ReportData, report_submit
from cases.tests.conftest import Desk, photo
from cases.workflow import case_replay, case_state
from cases.worktime import minutes_between
from gridgov.errors import Conflict, DomainError, PermissionDenied, Unprocessable, ValidationFailed
from gridgov.testing import IN_C, make_user
from notifications.models import Notification


def assert_replays(case):
    case.refresh_from_db()
    assert case_replay(case.events.order_by("at", "id")) == case_state(case)


def run_to_dispatched(desk):
    case = desk.report()
    services.case_file(desk.origin("shift_leader"), case)
    return services.case_dispatch(desk.origin("dispatcher"), case, desk.sanitation)


def test_the_closed_loop_from_report_to_evaluation(desk):
    case = desk.report()
    assert case.number.startswith(timezone.localtime().strftime("%Y%m%d")) and len(case.number) == 13
    assert (case.status, case.step, case.light, case.grid, case.source) == (
        "reported",
        "intake",
        "green",
        desk.world.grid_a,
        "grid_worker",
    )
    case = services.case_file(desk.origin("shift_leader"), case, reason="符合立案条件")
    assert (case.status, case.step) == ("filed", "dispatch")
    case = services.case_dispatch(desk.origin("dispatcher"), case, desk.sanitation, assists=[desk.enforcement])
    assert (case.status, case.step, case.main_department) == ("dispatched", "handle", desk.sanitation)
    assert case.handle_due_at == case.due_at and case.due_at > case.dispatched_at
    assert sorted(case.assignments.values_list("role", flat=True)) == ["assist", "main"]
    handler = desk.origin("department_handler")
    case = services.case_accept_task(handler, case)
    case = services.case_report_result(handler, case, "已清运", photos=[photo()])
    assert (case.status, case.step, case.assignee) == ("checking", "check", desk.world.users["grid_worker_a"])
    assert case.events.get(action="check_request").actor is None  # the system gave the check by rule
    case = services.case_check(desk.origin("grid_worker_a"), case, passed=True, note="现场已清理", photos=[photo()])
    assert (case.status, case.step) == ("checked", "close")
    case = services.case_close(desk.origin("shift_leader"), case)
    assert (case.status, case.light, case.due_at) == ("closed", "none", None)
    case = services.case_evaluate(desk.origin("grid_worker_a"), case, "satisfied", comment="很快")
    assert (case.status, case.rating) == ("evaluated", "satisfied")
    actions = list(case.events.values_list("action", flat=True))
    assert actions == [
        "report",
        "file",
        "dispatch",
        "accept_task",
        "report_result",
        "check_request",
        "check_pass",
        "close",
        "evaluate",
    ]
    assert case.photos.filter(stage="after").count() == 1 and case.photos.filter(stage="check").count() == 1
    assert_replays(case)


def test_department_and_worker_are_notified_after_commit(desk, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as pending:
        case = run_to_dispatched(desk)
    handler = desk.world.users["department_handler"]
    assert not Notification.objects.exists()  # nothing is sent before the commit
    with django_capture_on_commit_callbacks(execute=True):  # the task, then the outbox after the task commits
        for callback in pending:
            callback()
    assert Notification.objects.filter(user=handler, title__contains=case.number).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        for callback in pending:  # a retried delivery tells nobody twice
            callback()
    assert Notification.objects.filter(user=handler).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.case_report_result(desk.origin("department_handler"), case, "已处理")  # the check by rule
    assert Notification.objects.filter(user=desk.world.users["grid_worker_a"]).count() == 1


@pytest.mark.parametrize(
    ("persona", "action", "code"),
    [
        ("grid_worker_a", "file", "not_permitted"),  # wrong role
        ("department_handler", "file", "not_permitted"),
        ("dispatcher", "close", "not_permitted"),
        ("shift_leader", "close", "invalid_transition"),  # right role, wrong state
        ("shift_leader", "accept_task", "not_permitted"),
    ],
)
def test_illegal_transitions_are_refused_and_change_nothing(desk, persona, action, code):
    case = desk.report()
    before = (case_state(Case.objects.get(pk=case.pk)), CaseEvent.objects.count())
    call = {
        "file": lambda: services.case_file(desk.origin(persona), case),
        "close": lambda: services.case_close(desk.origin(persona), case),
        "accept_task": lambda: services.case_accept_task(desk.origin(persona), case),
    }[action]
    with pytest.raises(DomainError) as refused:
        call()
    assert refused.value.code == code
    assert (case_state(Case.objects.get(pk=case.pk)), CaseEvent.objects.count()) == before


def test_other_departments_and_other_areas_are_refused(desk):
    case = run_to_dispatched(desk)
    desk.world.users["department_handler"].department = desk.enforcement
    desk.world.users["department_handler"].save()
    with pytest.raises(PermissionDenied) as refused:
        services.case_accept_task(desk.origin("department_handler"), case)
    assert refused.value.code == "not_permitted"
    other = desk.report("grid_worker_a")
    services.case_file(desk.origin("shift_leader"), other)
    services.case_dispatch(desk.origin("dispatcher"), other, desk.sanitation)
    services.case_report_result(Origin(_handler(desk), "api"), other, "done")  # checked by grid A's worker
    with pytest.raises(PermissionDenied):  # grid worker B does not cover grid A
        services.case_check(desk.origin("grid_worker_b"), Case.objects.get(pk=other.pk), passed=True, note="x")


def _handler(desk):
    desk.world.users["department_handler"].department = desk.sanitation
    desk.world.users["department_handler"].save()
    return desk.world.users["department_handler"]


def test_a_stale_version_is_refused(desk):
    case = desk.report()
    services.case_accept(desk.origin("intake_clerk"), case, version=case.version)
    with pytest.raises(Conflict) as refused:
        services.case_reject(desk.origin("intake_clerk"), case, "重复", version=case.version)
    assert refused.value.code == "case_changed"


@pytest.mark.django_db(transaction=True)
def test_two_people_acting_at_once_cannot_both_succeed(world):
    categories_ensure()  # an earlier transactional test may have flushed the seeded categories
    desk = Desk(
        world,
        Category.objects.get(kind="event", code="0102"),
        world.department,
        Department.objects.create(code="CG", name="执法", kind="enforcement"),
    )
    case = desk.report()
    services.case_file(desk.origin("shift_leader"), case)
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def dispatch(department):
        try:
            barrier.wait()
            services.case_dispatch(desk.origin("dispatcher"), case, department)
            outcomes.append("ok")
        except DomainError as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=dispatch, args=(d,)) for d in (desk.sanitation, desk.enforcement)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["invalid_transition", "ok"]
    assert case.events.filter(action="dispatch").count() == 1
    assert case.assignments.filter(role="main").count() == 1


def test_a_retried_report_returns_the_first_result(desk):
    first = desk.report(idempotency_key="app-123")
    again = desk.report(idempotency_key="app-123")
    assert again.pk == first.pk
    assert Report.objects.filter(idempotency_key="app-123").count() == 1
    assert Case.objects.count() == 1
    with pytest.raises(Unprocessable) as changed:  # the same key with another submission
        desk.report(idempotency_key="app-123", description="另一个描述")
    assert changed.value.code == "idempotency_key_reused" and Case.objects.count() == 1
    with pytest.raises(Conflict) as refused:  # someone else's key
        desk.report("grid_leader", idempotency_key="app-123")
    assert refused.value.code == "idempotency_key_reused"


def test_bad_reports_list_every_problem_and_write_nothing(desk):
    data = ReportData(
        source="grid_worker", description=" ", longitude=120.0, latitude=30.0, category_id=999999, reporter_phone="abc"
    )
    with pytest.raises(ValidationFailed) as refused:
        report_submit(desk.origin("grid_worker_a"), data)
    fields = {problem["field"] for problem in refused.value.details}
    assert fields == {"description", "location", "category", "reporter_phone"}
    assert (Case.objects.count(), Report.objects.count(), CaseEvent.objects.count()) == (0, 0, 0)
    with pytest.raises(ValidationFailed) as refused:  # grid worker A reporting in grid C
        desk.report(point=IN_C)
    assert refused.value.details[0]["field"] == "location"
    with pytest.raises(ValidationFailed):  # a grid worker cannot claim the hotline as source
        desk.report(source="hotline")


def test_self_resolved_is_checked_and_closed_without_dispatch(desk):
    with pytest.raises(ValidationFailed):
        desk.report(self_resolved=True)  # photos missing
    case = desk.report(self_resolved=True, before_photos=[photo()], after_photos=[photo()])
    assert (case.status, case.step, case.level) == ("self_resolved", "check", "grid")
    case = services.case_check_request(desk.origin("dispatcher"), case, desk.world.users["grid_leader"])
    case = services.case_check(desk.origin("grid_leader"), case, passed=True, note="属实")
    case = services.case_close(desk.origin("shift_leader"), case)
    assert case.status == "closed" and case.main_department is None
    assert set(case.photos.values_list("stage", flat=True)) == {"before", "after"}
    assert_replays(case)


def test_failed_check_is_rework_to_the_same_department(desk):
    case = run_to_dispatched(desk)
    case = services.case_report_result(desk.origin("department_handler"), case, "已处理")
    case = services.case_check(desk.origin("grid_worker_a"), case, passed=False, note="仍有垃圾")
    assert (case.status, case.rework_count, case.main_department, case.step) == (
        "dispatched",
        1,
        desk.sanitation,
        "handle",
    )
    assert_replays(case)


def test_unsatisfied_rating_reopens_by_rule(desk):
    case = run_to_dispatched(desk)
    case = services.case_report_result(desk.origin("department_handler"), case, "已处理")
    case = services.case_check(desk.origin("grid_worker_a"), case, passed=True, note="ok")
    case = services.case_close(desk.origin("shift_leader"), case)
    case = services.case_evaluate(
        desk.origin("intake_clerk"), case, "unsatisfied", comment="没处理干净", channel="callback"
    )
    assert (case.status, case.rating, case.rework_count) == ("dispatched", "unsatisfied", 1)
    assert list(case.events.values_list("action", flat=True))[-2:] == ["evaluate", "reopen"]
    assert_replays(case)


def test_extension_return_void_need_approval(desk):
    case = run_to_dispatched(desk)
    due = case.due_at
    handler = desk.origin("department_handler")
    request = services.case_request_open(handler, case, RequestKind.EXTEND, "需要购买配件", extra_minutes=450)
    with pytest.raises(Conflict) as refused:
        services.case_request_open(handler, case, RequestKind.RETURN, "不归我们管")
    assert refused.value.code == "request_pending"
    with pytest.raises(PermissionDenied):
        services.case_request_decide(handler, request, approve=True)
    case = services.case_request_decide(desk.origin("dispatcher"), request, approve=True)
    assert case.extension_count == 1 and case.due_at > due and case.handle_due_at == case.due_at
    with pytest.raises(Conflict) as refused:
        services.case_request_decide(
            desk.origin("dispatcher"), CaseRequest.objects.get(pk=request.pk), approve=False, note="x"
        )
    assert refused.value.code == "request_decided"

    request = services.case_request_open(handler, case, RequestKind.RETURN, "属于执法队职责")
    refused_case = services.case_request_decide(desk.origin("shift_leader"), request, approve=False, note="请继续处置")
    assert refused_case.status == "dispatched"
    request = services.case_request_open(handler, case, RequestKind.RETURN, "属于执法队职责")
    case = services.case_request_decide(desk.origin("shift_leader"), request, approve=True)
    assert (case.status, case.main_department, case.step) == ("returned", None, "dispatch")
    case = services.case_dispatch(desk.origin("dispatcher"), case, desk.enforcement)
    assert case.assignments.filter(is_active=True).get().department == desk.enforcement

    request = services.case_request_open(desk.origin("intake_clerk"), case, RequestKind.VOID, "重复上报")
    case = services.case_request_decide(desk.origin("shift_leader"), request, approve=True)
    assert (case.status, case.light) == ("void", "none")
    assert_replays(case)


def test_suspension_stops_the_clock(desk):
    case = run_to_dispatched(desk)
    limit = case.step_limit_minutes
    start = case.step_started_at
    request = services.case_request_open(desk.origin("department_handler"), case, RequestKind.SUSPEND, "等待审批")
    case = services.case_request_decide(desk.origin("dispatcher"), request, approve=True)
    assert (case.status, case.due_at, case.light, case.resume_status) == ("suspended", None, "none", "dispatched")
    assert case.clock_offset_minutes < 1  # a few working seconds at most (zero outside working hours)
    later = timezone.now() + dt.timedelta(days=30)
    case = services.transition_apply(
        desk.origin("dispatcher"),
        case,
        "resume",
        lambda locked, now: {
            "status": locked.resume_status,
            "resume_status": "",
            **services.clock.clock_resume(locked, later),
        },
        at=later,
    ).case
    assert case.status == "dispatched"
    # Thirty days suspended cost nothing: the remaining limit starts again at resume time.
    expected = services.clock.deadline_after(later, limit - case.clock_offset_minutes, natural=case.natural_time)
    assert case.due_at == expected and case.due_at > start + dt.timedelta(days=30)


def test_resume_service(desk):
    case = run_to_dispatched(desk)
    request = services.case_request_open(desk.origin("department_handler"), case, RequestKind.SUSPEND, "等待")
    case = services.case_request_decide(desk.origin("dispatcher"), request, approve=True)
    case = services.case_resume(desk.origin("dispatcher"), case, reason="条件具备")
    assert (case.status, case.light) == ("dispatched", "green") and case.due_at is not None
    assert_replays(case)


def test_escalation_summons_and_marks(desk):
    case = run_to_dispatched(desk)
    case = services.case_escalate(desk.origin("community_staff"), case, "社区无法协调")
    assert case.level == CaseLevel.STREET
    case = services.case_escalate(desk.origin("street_leader"), case, "需区级协调")
    assert case.level == CaseLevel.DISTRICT
    with pytest.raises(Conflict):
        services.case_escalate(desk.origin("shift_leader"), case, "再升")
    summonses = services.case_summon(desk.origin("street_leader"), case, [desk.enforcement], "联合执法")
    assert summonses[0].due_at == summonses[0].summoned_at + dt.timedelta(minutes=30)
    with pytest.raises(Conflict):
        services.case_summon(desk.origin("street_leader"), case, [desk.enforcement], "再吹")
    member = desk.world.users["dispatcher"]
    with pytest.raises(PermissionDenied):  # the command centre was not summoned
        services.case_summons_confirm(Origin(member, "api"), case)
    enforcement_handler = _make_handler(desk.enforcement)
    summons = services.case_summons_confirm(Origin(enforcement_handler, "api"), case)
    assert summons.confirmed_at and summons.light == "green"
    # The summoned department now sees the case.
    assert Case.objects.visible_to(enforcement_handler).filter(pk=case.pk).exists()
    services.case_urge(desk.origin("dispatcher"), case, "请尽快")
    services.case_supervise(desk.origin("street_leader"), case, Supervision.YELLOW, "超期")
    with pytest.raises(Conflict):
        services.case_supervise(desk.origin("street_leader"), case, Supervision.NORMAL, "降级")
    case = services.case_expedite(desk.origin("dispatcher"), case, "媒体关注")
    assert (case.urge_count, case.supervision, case.expedited, case.priority) == (1, 2, True, "urgent")
    assert_replays(case)


def _make_handler(department):
    return make_user(f"h{department.pk}", Role.DEPARTMENT_HANDLER, [], department=department)


def test_verification_by_the_grid_worker(desk):
    case = desk.report("intake_clerk", source="hotline")
    with pytest.raises(ValidationFailed):  # worker B does not cover grid A
        services.case_verify_request(desk.origin("intake_clerk"), case, desk.world.users["grid_worker_b"])
    case = services.case_verify_request(desk.origin("intake_clerk"), case, desk.world.users["grid_worker_a"])
    assert (case.status, case.step) == ("verifying", "verify")
    case = services.case_verify(desk.origin("grid_worker_a"), case, confirmed=True, note="属实", photos=[photo()])
    assert (case.status, case.step) == ("accepted", "intake")
    other = desk.report("intake_clerk", source="hotline")
    services.case_verify_request(desk.origin("intake_clerk"), other, desk.world.users["grid_worker_a"])
    other = services.case_verify(desk.origin("grid_worker_a"), other, confirmed=False, note="现场无此问题")
    assert other.status == CaseStatus.REJECTED
    assert_replays(other)


def test_merge_moves_the_report_to_the_main_case(desk):
    main = desk.report()
    duplicate = desk.report("intake_clerk", source="hotline", reporter_phone="13800000000")
    proposals = services_duplicates(duplicate)
    assert [case.pk for case, _distance in proposals] == [main.pk]
    duplicate = services.case_merge(desk.origin("intake_clerk"), duplicate, main, reason="同一问题")
    assert (duplicate.status, duplicate.merged_into) == ("merged", main)
    assert main.reports.count() == 2 and duplicate.reports.count() == 0
    assert main.events.filter(action="absorb").exists()
    assert Report.objects.get(reporter_phone_masked="138******00").case == main


def services_duplicates(case):
    return duplicates_of(case)


def test_handler_sees_only_cases_of_their_department(desk):
    mine = run_to_dispatched(desk)
    desk.report()  # not dispatched: not the department's
    handler = desk.world.users["department_handler"]
    assert list(Case.objects.visible_to(handler)) == [mine]
    assert Case.objects.visible_to(desk.world.users["grid_worker_b"]).count() == 0
    assert Case.objects.visible_to(desk.world.users["grid_worker_a"]).count() == 2
    assert Case.objects.visible_to(desk.world.users["anonymous"]).count() == 0


def test_summons_and_steps_use_the_light_thresholds(desk):
    case = run_to_dispatched(desk)
    assert case.step == Step.HANDLE and case.light == Light.GREEN
    assert case.yellow_at < case.due_at < case.escalate_at
    calendar = {"natural": case.natural_time, "department_id": case.main_department_id}
    used_at_yellow = minutes_between(case.step_started_at, case.yellow_at, **calendar)
    assert round(used_at_yellow, 3) == round(0.8 * case.step_limit_minutes, 3)  # yellow at 80 % of the limit
