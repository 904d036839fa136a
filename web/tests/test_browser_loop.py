"""The command-centre loop in a real browser (Chromium at 1440 × 900 against the live server): one case from 待受理
to 结案 with the department in between — 受理 (intake clerk) → 立案 (shift leader) → 派遣 (dispatcher, with a
co-handler picked in the searchable picker) → 签收 and 处置反馈 with a photo (department handler) → 核查 by the grid
worker the system gave the check to → 结案 (shift leader). Each person logs in once in their own browser context
and opens the case page when the case reaches them; every action then swaps the case panel in place. The loop
takes at most 20 clicks and not one full page load per action, under the strict Content-Security-Policy.
Screenshots go to GRIDGOV_SCREENSHOTS (default /tmp/shots/loop)."""

import os
from pathlib import Path

from accounts.models import Department, DepartmentKind
from audit.services import Origin
from cases.models import Case, Category
from cases.services import ReportData, report_submit
from gridgov.testing import IN_A, jpeg_bytes
from web.tests import test_browser_surface as surface
from web.tests.test_browser import pytestmark  # noqa: F401 - the same skip when no Chromium
from web.tests.test_browser_surface import Visitor

browser = surface.browser  # the fixture: the live world and Chromium
MAX_CLICKS = 20
SHOTS = Path(os.environ.get("GRIDGOV_SCREENSHOTS", "/tmp/shots/loop"))


class Desk:
    """One person at the case page: counts the clicks of the loop and the main frame's page loads once the case
    page is open."""

    clicks = 0  # of the whole loop, over every person

    def __init__(self, chromium, base: str, username: str, number: str) -> None:
        self.visitor = Visitor(chromium, base, viewport=(1440, 900))
        self.visitor.login(username)
        self.page = self.visitor.page
        self.number = number
        self.loads: list[str] = []
        self.counting = False
        self.page.on("load", lambda page: self.count(page.url))
        self.page.on("framenavigated", lambda frame: self.count(frame.url, frame == self.page.main_frame))

    def count(self, url: str, main_frame: bool = True) -> None:
        if self.counting and main_frame:
            self.loads.append(url)

    def open_case(self) -> None:
        """Arrive at the case page (from a message or a list): not an action of the loop."""
        self.counting = False
        self.visitor.visit(f"/cases/{self.number}/", "#case-panel")
        self.loads.clear()
        self.counting = True

    def click(self, selector: str) -> None:
        Desk.clicks += 1
        self.page.click(selector)

    def submit(self, panel: str, status: str, done: str) -> None:
        """Submit the open panel's form and wait for the swapped panel: the new state and the message."""
        self.click(f'#act-{panel}.show form[data-form="{panel}"] button[type=submit]')
        self.page.wait_for_selector(f'#case-panel [data-status="{status}"]', timeout=15_000)
        assert self.page.locator('#case-panel [role="status"]').inner_text() == done
        assert self.loads == [], f"a full page load for {panel}: {self.loads}"
        self.visitor.check(panel)

    def shot(self, name: str) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)

    def first_panel(self) -> str:
        return self.page.get_attribute("#actions .accordion-collapse.show form", "data-form") or ""


def photo(name: str) -> dict:
    return {"name": name, "mimeType": "image/jpeg", "buffer": jpeg_bytes()}


def test_the_command_centre_loop_takes_few_clicks_and_no_page_load_per_action(browser, live_server):
    world, chromium = browser
    enforcement = Department.objects.create(code="CG", name="城管执法队", kind=DepartmentKind.ENFORCEMENT)
    garbage = Category.objects.get(kind="event", code="0102")
    case = report_submit(
        Origin(world.user("grid_worker_a"), "web"),
        ReportData(source="grid_worker", description="路边有暴露垃圾", longitude=IN_A[0], latitude=IN_A[1],
                   category_id=garbage.pk),
    ).case  # fmt: skip
    number = case.number
    Desk.clicks = 0
    intake, shift, dispatcher, handler, worker = (
        Desk(chromium, live_server.url, username, number)
        for username in ("intake", "shift", "dispatcher", "handler", "worker_a")
    )

    intake.open_case()
    assert intake.first_panel() == "accept"
    intake.submit("accept", "accepted", "已受理")
    assert "下一步：值班长立案" in intake.page.inner_text("[data-next-step]")

    shift.open_case()
    assert shift.first_panel() == "file"
    assert shift.page.input_value("#file-priority") == "normal"  # the category's default, preselected
    shift.submit("file", "filed", "已立案")

    dispatcher.open_case()
    page = dispatcher.page
    assert dispatcher.first_panel() == "dispatch"
    if page.input_value("#dispatch-department") != str(world.department.pk):
        Desk.clicks += 1
        page.select_option("#dispatch-department", str(world.department.pk))
    dispatcher.click('form[data-form="dispatch"] .ts-control')  # the searchable picker of co-handlers
    page.keyboard.type("城管")
    dispatcher.click(f'.ts-dropdown .option[data-value="{enforcement.pk}"]')
    assert page.eval_on_selector("#dispatch-assists", "s => [...s.selectedOptions].map(o => o.value)") == [
        str(enforcement.pk)
    ]
    dispatcher.shot("dispatch")
    dispatcher.submit("dispatch", "dispatched", "已派遣")
    assert sorted(Case.objects.get(number=number).assignments.values_list("role", flat=True)) == ["assist", "main"]

    handler.open_case()
    page = handler.page
    assert handler.first_panel() == "accept_task"
    handler.submit("accept_task", "handling", "已签收")
    assert handler.first_panel() == "report_result"  # the next step's panel opens in the swapped panel
    page.fill("#report_result-note", "已清运完毕")
    Desk.clicks += 1  # choosing the photo
    page.set_input_files("#report_result-photos", [photo("after.jpg")])
    handler.submit("report_result", "checking", "已处置反馈")  # handled, and the check went out by rule at once
    handler.shot("after_report_result")
    timeline = page.inner_text('[data-timeline] [data-action="check_request"]')
    assert "派发核查" in timeline and "系统" in timeline and "worker_a" in timeline

    worker.open_case()
    page = worker.page
    assert worker.first_panel() == "check" and "由您办理" in page.inner_text("[data-next-step]")
    page.fill("#check-note", "现场已清理")
    Desk.clicks += 1
    page.set_input_files("#check-photos", [photo("check.jpg")])
    worker.submit("check", "checked", "已核查")

    shift.open_case()
    assert shift.first_panel() == "close"
    shift.submit("close", "closed", "已结案")

    closed = Case.objects.get(number=number)
    assert closed.status == "closed"
    assert list(closed.events.values_list("action", flat=True)) == [
        "report", "accept", "file", "dispatch", "accept_task", "report_result", "check_request", "check_pass", "close",
    ]  # fmt: skip
    assert Desk.clicks <= MAX_CLICKS, Desk.clicks
    for desk in (intake, shift, dispatcher, handler, worker):
        assert desk.loads == []
        desk.visitor.context.close()


def test_the_report_form_preselects_the_categorys_priority_and_asks_why_only_for_another(browser, live_server):
    _world, chromium = browser
    urgent = Category.objects.get(kind="event", code="0102")
    Category.objects.filter(pk=urgent.pk).update(default_priority="urgent")
    desk = Desk(chromium, live_server.url, "worker_a", "")
    desk.visitor.visit("/cases/report/", "[data-category-picker]")
    page = desk.page
    page.click(".report-more > summary")  # the priority is folded under 更多信息
    reason = page.locator('[data-field="priority_reason"]')
    assert page.input_value("#id_priority") == "normal" and reason.is_hidden()
    page.fill("#category-search", "bllj")  # 暴露垃圾 (0102), through the category picker
    page.locator("[data-picker-results] .picker-option").first.click()
    assert page.input_value("#id_category") == str(urgent.pk)
    assert page.input_value("#id_priority") == "urgent" and reason.is_hidden()  # the category's default
    page.select_option("#id_priority", "normal")
    assert reason.is_visible()  # another priority: say why
    page.select_option("#id_priority", "urgent")
    assert reason.is_hidden()
    desk.visitor.check("report")
