"""Every case page says what happens next and who does it; the person who can act sees that step's panel first;
the timeline speaks in labels, never in state codes."""

import re

from audit.services import Origin
from cases import services
from cases.models import CasePhoto, Category
from cases.services import ReportData, report_submit
from gridgov.testing import IN_A, CheckedPhoto, jpeg_bytes


def garbage() -> Category:
    return Category.objects.get(kind="event", code="0102")


def page_of(world, persona, case) -> str:
    response = world.client(persona).get(f"/cases/{case.number}/")
    assert response.status_code == 200
    return response.content.decode()


def next_step_of(html: str) -> str:
    found = re.search(r'data-next-step="[^"]+">\s*<strong>([^<]+)</strong>', html)
    return found.group(1) if found else ""


def first_panel(html: str) -> str:
    found = re.search(r'data-bs-target="#act-([a-z_]+)"', html)
    return found.group(1) if found else ""


def test_each_step_of_the_loop_names_who_acts_next_and_shows_them_their_action_first(world):
    origin = lambda persona: Origin(world.users[persona], "web")  # noqa: E731
    case = report_submit(origin("grid_worker_a"), ReportData(source="grid_worker", description="垃圾",
                         longitude=IN_A[0], latitude=IN_A[1], category_id=garbage().pk)).case  # fmt: skip
    html = page_of(world, "intake_clerk", case)
    assert next_step_of(html) == "下一步：受理员受理" and "由您办理" in html and first_panel(html) == "accept"
    assert "由您办理" not in page_of(world, "grid_worker_a", case)  # the reporter sees the step, not an action

    case = services.case_accept(origin("intake_clerk"), case)
    html = page_of(world, "shift_leader", case)
    assert next_step_of(html) == "下一步：值班长立案" and first_panel(html) == "file"
    assert next_step_of(page_of(world, "intake_clerk", case)) == "下一步：值班长立案"

    case = services.case_file(origin("shift_leader"), case)
    html = page_of(world, "dispatcher", case)
    assert next_step_of(html) == "下一步：派遣员派遣" and first_panel(html) == "dispatch"

    case = services.case_dispatch(origin("dispatcher"), case, world.department)
    html = page_of(world, "department_handler", case)
    assert next_step_of(html) == f"下一步：{world.department.name}签收" and first_panel(html) == "accept_task"

    case = services.case_accept_task(origin("department_handler"), case)
    assert next_step_of(page_of(world, "dispatcher", case)) == f"下一步：{world.department.name}处置反馈"

    after = CheckedPhoto(jpeg_bytes(), "jpg", None, None, None)
    case = services.case_report_result(origin("department_handler"), case, "已清理", photos=[after])
    assert case.status == "checking"  # the check went to the grid's worker by rule
    html = page_of(world, "grid_worker_a", case)
    worker = world.user("grid_worker_a")
    assert next_step_of(html) == f"下一步：网格员{worker}核查" and "由您办理" in html

    case = services.case_check(origin("grid_worker_a"), case, passed=True, note="已核查", photos=[after])
    html = page_of(world, "shift_leader", case)
    assert next_step_of(html) == "下一步：值班长结案" and first_panel(html) == "close"

    case = services.case_close(origin("shift_leader"), case)
    assert next_step_of(page_of(world, "intake_clerk", case)) == "下一步：受理员评价"
    assert CasePhoto.objects.filter(case=case).exists()


def test_the_timeline_shows_labels_not_state_codes(world):
    origin = Origin(world.users["grid_worker_a"], "web")
    data = ReportData(source="grid_worker", description="井盖缺失", longitude=IN_A[0], latitude=IN_A[1],
                      category_id=garbage().pk)  # fmt: skip
    case = report_submit(origin, data).case
    case = services.case_file(Origin(world.users["shift_leader"], "web"), case)
    html = page_of(world, "shift_leader", case)
    timeline = html[html.index("data-timeline") :]
    timeline = timeline[: timeline.index("</ol>")]
    assert "→ 待受理" in timeline and "→ 已立案" in timeline
    assert ">reported<" not in timeline and ">filed<" not in timeline and "→ filed" not in timeline
