"""Accessibility of the main pages, checked by axe-core (from npm, read from node_modules) in a real browser at each
role's viewport: no serious or critical violation. axe is injected into the page, which the strict
Content-Security-Policy would refuse, so these contexts bypass the policy (test_browser_surface checks the policy)."""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from web.tests import test_browser_surface as surface
from web.tests.test_browser import pytestmark  # noqa: F401 - the same skip when no Chromium
from web.tests.test_browser_surface import a_case
from web.tests.test_workbench import scene_build

browser = surface.browser  # the fixture: the live world and Chromium

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
PHONE = (390, 844)
OFFICE = (1440, 900)
#: The violations that fail a page (axe's impacts: minor, moderate, serious, critical).
FAILING = ("serious", "critical")
RUN_AXE = """async () => {
  const result = await axe.run(document, { resultTypes: ["violations"] });
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 8).map((n) => n.target.join(" ") + " :: " + n.failureSummary.split("\\n")[1]),
  }));
}"""


@dataclass(frozen=True)
class Page:
    name: str
    username: str | None  # None: not signed in
    viewport: tuple[int, int]
    path: str  # "{case}" stands for the number of a case in grid A
    ready: str | None = None  # a selector that shows the page has drawn what it loads


PAGES = [
    Page("workbench-worker", "worker_a", PHONE, "/", "#workbench-map.map-ready"),
    Page("workbench-intake", "intake", OFFICE, "/"),
    Page("workbench-shift", "shift", OFFICE, "/"),
    Page("workbench-dispatcher", "dispatcher", OFFICE, "/"),
    Page("workbench-handler", "handler", OFFICE, "/"),
    Page("workbench-community", "community", OFFICE, "/"),
    Page("workbench-street", "street", OFFICE, "/"),
    Page("workbench-administrator", "administrator", OFFICE, "/"),
    Page("case-list-office", "dispatcher", OFFICE, "/cases/"),
    Page("case-list-phone", "worker_a", PHONE, "/cases/"),
    Page("case-page-office", "dispatcher", OFFICE, "/cases/{case}/"),
    Page("case-page-phone", "worker_a", PHONE, "/cases/{case}/"),
    Page("report-form", "worker_a", PHONE, "/cases/report/", "#report-map.map-ready"),
    Page("messages", "worker_a", PHONE, "/messages/"),
    Page("devices", "worker_a", PHONE, "/accounts/devices/"),
    Page("person-list", "community", OFFICE, "/registry/persons/"),
    Page("area-browser", "community", OFFICE, "/areas/110101001001/", "#area-map.map-ready"),
    Page("portal-home", None, PHONE, "/portal/"),
    Page("portal-report", None, PHONE, "/portal/report/", "#report-map.map-ready"),
    Page("hotline-desk", "intake", OFFICE, "/hotline/", "#report-map.map-ready"),
    Page("login", None, PHONE, "/accounts/login/"),
]


def violations_on(chromium: Any, base: str, page: Page, case_number: str) -> list[dict[str, Any]]:
    width, height = page.viewport
    context = chromium.new_context(viewport={"width": width, "height": height}, locale="zh-CN", bypass_csp=True)
    tab = context.new_page()
    if page.username:
        tab.goto(base + "/accounts/login/")
        tab.fill("#id_username", page.username)
        tab.fill("#id_password", "test-password-1")
        tab.click("button[type=submit]")
        tab.wait_for_url(base + "/")
    response = tab.goto(base + page.path.format(case=case_number))
    assert response is not None and response.status == 200, (page.path, response and response.status)
    if page.ready:
        tab.wait_for_selector(page.ready, timeout=15_000)
    tab.wait_for_load_state("networkidle")
    tab.add_script_tag(path=str(AXE))
    found: list[dict[str, Any]] = tab.evaluate(RUN_AXE)
    context.close()
    return found


@pytest.mark.parametrize("page", PAGES, ids=[page.name for page in PAGES])
def test_a_main_page_has_no_serious_or_critical_accessibility_violation(browser, live_server, page):
    world, chromium = browser
    scene_build(world)
    case = a_case(world)
    found = violations_on(chromium, live_server.url, page, case.number)
    failing = [violation for violation in found if violation["impact"] in FAILING]
    assert failing == [], "\n".join(f"{v['id']} ({v['impact']}): {node}" for v in failing for node in v["nodes"])


def test_the_check_finds_a_violation_where_there_is_one(browser, live_server):
    """The check itself is live: a field without a label, added to the login page, is reported as critical."""
    _world, chromium = browser
    context = chromium.new_context(viewport={"width": 1440, "height": 900}, bypass_csp=True)
    tab = context.new_page()
    tab.goto(live_server.url + "/accounts/login/")
    tab.evaluate("document.querySelector('main').append(document.createElement('input'))")
    tab.add_script_tag(path=str(AXE))
    found = tab.evaluate(RUN_AXE)
    context.close()
    assert any(v["id"] == "label" and v["impact"] == "critical" for v in found), found
