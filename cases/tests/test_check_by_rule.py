"""处置反馈 hands the check (核查) at once to the grid's worker where the category says so; the dispatcher can still
give it to someone else while it runs."""

import re

import pytest

from accounts.roles import Role
from cases import seed, services
from cases.models import Case, CaseEvent, Category
from cases.tests.test_lifecycle import assert_replays, run_to_dispatched
from gridgov.errors import PermissionDenied, ValidationFailed
from gridgov.testing import IN_C, make_user
from notifications.models import Notification


def handled(desk, case: Case) -> Case:
    return services.case_report_result(desk.origin("department_handler"), case, "已清运")


def timeline_entry(html: str, action: str) -> str:
    found = re.search(rf'<li class="list-group-item" data-action="{action}">(.*?)</li>', html, re.S)
    assert found, action
    return found.group(1)


def test_the_check_goes_to_the_grids_worker_at_once_and_the_system_is_its_actor(
    desk, django_capture_on_commit_callbacks
):
    case = run_to_dispatched(desk)
    with django_capture_on_commit_callbacks(execute=True):
        case = handled(desk, case)
    worker = desk.world.user("grid_worker_a")
    assert (case.status, case.assignee, case.step) == ("checking", worker, "check")
    result, check = CaseEvent.objects.filter(case=case).order_by("-id")[:2][::-1]
    assert (result.action, result.actor, result.to_status) == ("report_result", desk.world.user("department_handler"),
                                                              "handled")  # fmt: skip
    assert (check.action, check.actor, check.channel, check.from_status, check.to_status) == (
        "check_request",
        None,
        "system",
        "handled",
        "checking",
    )
    assert check.payload == {"set": {"assignee_id": worker.pk, "status": "checking"}, "worker": worker.pk,
                             "by_rule": True}  # fmt: skip
    assert check.reason == f"按规则派给网格员{worker}"
    assert Notification.objects.filter(user=worker, title__contains=case.number).count() == 1
    entry = timeline_entry(desk.world.client("dispatcher").get(f"/cases/{case.number}/").content.decode(),
                           "check_request")  # fmt: skip
    assert "派发核查" in entry and "系统" in entry and f"按规则派给网格员{worker}" in entry
    assert_replays(case)


def test_a_category_that_leaves_the_check_to_the_dispatcher(desk):
    Category.objects.filter(pk=desk.category.pk).update(check_by_rule=False)
    case = handled(desk, run_to_dispatched(desk))
    assert (case.status, case.assignee) == ("handled", None)
    assert not case.events.filter(action="check_request").exists()
    html = desk.world.client("dispatcher").get(f"/cases/{case.number}/").content.decode()
    assert "下一步：派遣员派发核查" in html and 'data-form="check_request"' in html


def test_with_no_grid_worker_covering_the_grid_the_case_waits_for_the_dispatcher(desk):
    case = desk.report("intake_clerk", point=IN_C, source="hotline")  # grid C has no grid worker
    case = services.case_file(desk.origin("shift_leader"), case)
    case = services.case_dispatch(desk.origin("dispatcher"), case, desk.sanitation)
    case = handled(desk, case)
    assert (case.status, case.assignee) == ("handled", None)


def test_the_grid_worker_with_the_fewest_open_tasks_gets_the_check(desk):
    second = make_user("worker_a2", Role.GRID_WORKER, [desk.world.grid_a])
    make_user("worker_a0", Role.GRID_WORKER, [desk.world.grid_a], is_active=False)  # never chosen
    first = handled(desk, run_to_dispatched(desk))
    assert first.assignee == desk.world.user("grid_worker_a")  # no open task either: by user name
    second_case = handled(desk, run_to_dispatched(desk))
    assert second_case.assignee == second  # worker_a has one check open now
    services.case_verify_request(desk.origin("intake_clerk"), desk.report(), second)
    services.case_check(desk.origin("grid_worker_a"), first, passed=True, note="已核查")
    assert handled(desk, run_to_dispatched(desk)).assignee == desk.world.user("grid_worker_a")


def test_the_dispatcher_gives_a_running_check_to_someone_else(desk):
    case = handled(desk, run_to_dispatched(desk))
    due = case.due_at
    leader = desk.world.user("grid_leader")
    with pytest.raises(ValidationFailed):  # grid worker B does not cover grid A
        services.case_check_request(desk.origin("dispatcher"), case, desk.world.user("grid_worker_b"))
    with pytest.raises(PermissionDenied) as refused:  # a grid worker cannot pass the check on
        services.case_check_request(desk.origin("grid_worker_a"), case, leader)
    assert refused.value.code == "not_permitted"
    response = desk.world.client("dispatcher").post(
        f"/cases/{case.number}/act/check_request/", {"worker": leader.pk, "reason": "换人核查", "version": case.version}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.assignee, case.due_at) == ("checking", leader, due)  # the check clock runs on
    event = case.events.latest("id")
    assert (event.action, event.actor, event.reason) == ("check_request", desk.world.user("dispatcher"), "换人核查")
    case = services.case_check(desk.origin("grid_leader"), case, passed=True, note="已核查")
    assert case.status == "checked"
    assert_replays(case)


def test_the_rule_is_a_column_of_the_seed_file_and_editable_in_the_admin(world, tmp_path, monkeypatch):
    lines = seed.SEED_FILE.read_text(encoding="utf-8").splitlines()
    assert lines[0].endswith(",check_by_rule")
    own = tmp_path / "categories.csv"
    own.write_text(f"{lines[0]}\nevent,Z9,测试,Z901,不核查,4,working_hours,no,test,no\n", encoding="utf-8")
    monkeypatch.setattr(seed, "SEED_FILE", own)
    assert seed.categories_seed(Category) == 2
    assert Category.objects.get(code="Z901").check_by_rule is False
    page = world.client("administrator").get(f"/admin/cases/category/{Category.objects.get(code='Z901').pk}/change/")
    assert page.status_code == 200 and 'name="check_by_rule"' in page.content.decode()
