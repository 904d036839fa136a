"""Each screen of 网格助手 at 390 × 844: no serious or critical axe-core violation, nothing scrolls sideways, and a
screenshot of it in GRIDGOV_APP_SCREENSHOTS (default /tmp/app-shots). axe is injected into the page, which the
strict Content-Security-Policy would refuse, so this context bypasses the policy (the other browser tests of the
app run under it)."""

from __future__ import annotations

from typing import Any

from audit.services import Origin
from cases import services
from cases.services import ReportData, report_submit
from fieldapp.tests.test_browser_app import WAIT_MS, Phone
from gridgov.testing import IN_A
from registry.tests.factories import HouseholdFactory, PersonFactory
from web.tests import test_browser_surface as surface
from web.tests.test_accessibility import AXE, FAILING, RUN_AXE
from web.tests.test_browser import pytestmark  # noqa: F401 - the same skip when no Chromium
from web.tests.test_browser_surface import SIDEWAYS

browser = surface.browser  # the fixture: the live world and Chromium
SCREENS = ("work", "report", "checkin", "patrol", "lookup", "outbox", "me")
#: The screens of 走访, 八必报 and 民情日志, with their forms.
VISIT_SCREENS = (
    *("visits", "visit/new", "must", "must/floating_arrival", "must/rented_out", "must/hospitalized"),
    *("diary", "diary/new"),
)


def _scene(world) -> str:
    """A 核实 task and a report of grid worker A, and a household living in grid A."""
    dispatcher = Origin(world.users["dispatcher"], "api")
    task = report_submit(
        dispatcher,
        ReportData(source="hotline", description="居民反映楼道堆放杂物", longitude=IN_A[0], latitude=IN_A[1]),
    ).case
    services.case_verify_request(dispatcher, task, world.users["grid_worker_a"].pk)
    report_submit(
        Origin(world.users["grid_worker_a"], "api"),
        ReportData(source="grid_worker", description="路灯不亮", longitude=IN_A[0], latitude=IN_A[1]),
    )
    household = HouseholdFactory.create(house__building__grid=world.grid_a)
    PersonFactory.create(name="张三", grid=world.grid_a, house=household.house, household=household)
    return task.number


def _violations(phone: Phone, where: str) -> list[str]:
    page = phone.page
    page.add_script_tag(path=str(AXE))
    found: list[dict[str, Any]] = page.evaluate(RUN_AXE)
    assert page.evaluate(SIDEWAYS) == [], where
    return [
        f"{where}: {v['id']} ({v['impact']}): {node}" for v in found if v["impact"] in FAILING for node in v["nodes"]
    ]


def test_every_screen_is_accessible_at_phone_size(browser, live_server):
    world, chromium = browser
    number = _scene(world)
    phone = Phone(chromium, live_server.url, bypass_csp=True)
    phone.open_app()
    phone.shot("signin")
    failing = _violations(phone, "signin")
    phone.sign_in()
    page = phone.page
    for name in SCREENS + VISIT_SCREENS:
        phone.screen(name)
        page.wait_for_load_state("networkidle")
        page.wait_for_selector("main:not(:has([aria-busy='true']))", timeout=WAIT_MS)
        phone.shot(name.replace("/", "-"))
        failing += _violations(phone, name)
    phone.screen(f"task/{number}")
    page.wait_for_selector("#m-task-form", timeout=WAIT_MS)
    phone.shot("task-verify")
    failing += _violations(phone, "task")
    phone.screen("lookup")
    page.locator("#m-buildings details summary").first.click()
    page.wait_for_selector("#m-buildings .m-person", timeout=WAIT_MS)
    phone.shot("lookup-building")
    assert "*" in page.inner_text("#m-buildings .m-person")  # the ID number masked, as on the web
    failing += _violations(phone, "lookup, a building open")
    assert failing == [], "\n".join(failing)
