"""The web surface in a real browser (Debian's Chromium through Playwright against the live server): the main
pages run under the strict Content-Security-Policy without a single violation, and names that look like HTML are
shown as text on the maps and pages."""

import re

import pytest

from areas.models import Area
from audit.services import Origin
from cases.services import ReportData, report_submit
from gridgov.testing import IN_A
from web.tests.test_browser import chromium_launched, pytestmark  # noqa: F401 - the same skip when no Chromium

XSS = "<img src=x onerror=\"window.__xss='run'\">网格A"
#: Records every CSP violation the page reports (an init script runs outside the page's policy).
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(event.violatedDirective + " " + (event.blockedURI || "inline") + " "
    + (event.sourceFile || "") + ":" + event.lineNumber);
});
"""


@pytest.fixture
def browser(live_server, live_world, monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # the ORM runs beside Playwright's event loop
    with chromium_launched() as chromium:
        yield live_world, chromium


class Visitor:
    """One browser context (one person), recording CSP violations, console errors and outside requests."""

    def __init__(self, chromium, base: str, viewport: tuple[int, int] = (1280, 900), **options) -> None:
        self.base = base
        size = {"width": viewport[0], "height": viewport[1]}
        self.context = chromium.new_context(viewport=size, locale="zh-CN", **options)  # options: geolocation…
        self.context.add_init_script(RECORD_VIOLATIONS)
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        self.page.on("request", self._request)

    def _console(self, message) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self.problems.append(f"console: {message.text}")

    def _request(self, request) -> None:
        if not request.url.startswith(self.base) and not request.url.startswith(("data:", "blob:")):
            self.problems.append(f"outside request: {request.url}")

    def login(self, username: str) -> None:
        self.visit("/accounts/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", "test-password-1")
        self.page.click("button[type=submit]")
        self.page.wait_for_url(f"{self.base}/")
        self.check()

    def visit(self, path: str, ready: str | None = None) -> None:
        response = self.page.goto(self.base + path)
        assert response.status == 200, (path, response.status)
        if ready:
            self.page.wait_for_selector(ready, timeout=15_000)
        self.page.wait_for_load_state("networkidle")
        self.check(path)

    def check(self, where: str = "") -> None:
        violations = self.page.evaluate("window.__violations || []")
        assert violations == [] and self.problems == [], (where, violations, self.problems)


def a_case(world):
    return report_submit(
        Origin(world.users["grid_worker_a"], "web"),
        ReportData(source="grid_worker", description=XSS, longitude=IN_A[0], latitude=IN_A[1]),
    ).case


def test_main_pages_run_under_the_policy_without_violations(browser, live_server):
    world, chromium = browser
    case = a_case(world)
    staff = Visitor(chromium, live_server.url)
    staff.login("community")
    staff.visit("/", None)
    staff.visit("/areas/110101001001/", "#area-map.map-ready")
    staff.visit("/registry/persons/")
    staff.visit("/cases/")
    staff.visit(f"/cases/{case.number}/")
    staff.visit("/cases/report/", "#report-map.map-ready")
    seat = Visitor(chromium, live_server.url)
    seat.login("intake")
    seat.visit("/hotline/", "#report-map.map-ready")
    admin = Visitor(chromium, live_server.url)
    admin.login("administrator")
    admin.visit("/admin/")
    admin.visit("/admin/cases/case/")
    admin.visit("/api/v1/docs", "#swagger-ui .information-container")
    resident = Visitor(chromium, live_server.url)
    resident.visit("/portal/")
    resident.visit("/portal/report/", "#report-map.map-ready")


def test_names_that_look_like_html_are_shown_as_text(browser, live_server):
    world, chromium = browser
    Area.objects.filter(pk=world.grid_a.pk).update(name=XSS)
    case = a_case(world)
    staff = Visitor(chromium, live_server.url)
    staff.login("community")
    staff.visit("/areas/110101001001/", "#area-map.map-ready")
    page = staff.page
    page.locator("#area-map path.leaflet-interactive").first.hover()
    tooltip = page.wait_for_selector(".leaflet-tooltip", timeout=10_000)
    assert tooltip.inner_text() == XSS and tooltip.query_selector("img") is None
    staff.visit(f"/cases/{case.number}/")
    assert XSS in page.inner_text("main") and page.query_selector("main img[src=x]") is None
    assert page.evaluate("window.__xss") is None


#: What scrolls sideways on the page: the document itself, or any element that scrolls and overflows.
SIDEWAYS = """() => {
  const found = document.documentElement.scrollWidth > window.innerWidth ? ["document"] : [];
  for (const element of document.querySelectorAll("body *")) {
    const overflow = getComputedStyle(element).overflowX;
    if ((overflow === "auto" || overflow === "scroll") && element.scrollWidth > element.clientWidth + 1) {
      found.push(element.tagName + "." + element.className);
    }
  }
  return found;
}"""
HREFS = "links => links.map((link) => link.getAttribute('href'))"
#: Pages that are not the field role's own (files, the API, sign-out) are not walked.
NOT_WALKED = ("/admin", "/i18n", "/accounts/logout", "/files", "/api", "/static", "/portal")
#: A file to save (a list's export, the diary's month), not a page.
DOWNLOAD = re.compile(r"\.(xlsx|csv|pdf|docx|zip)(\?|$)|[?&]format=(xlsx|csv|pdf|docx)")


def test_a_grid_worker_on_a_phone_never_scrolls_sideways(browser, live_server):
    """Every page a grid worker reaches from the interface, at 390 × 844: nothing scrolls sideways, the top bar
    is compact, and the bottom tab bar offers the day's places with touch targets of at least 44 px."""
    world, chromium = browser
    a_case(world)
    worker = Visitor(chromium, live_server.url, viewport=(390, 844))
    worker.login("worker_a")
    page = worker.page
    assert page.locator("nav.navbar").bounding_box()["height"] <= 64
    tabs = page.locator("nav.tabbar a")
    assert tabs.count() == 5 and all(tabs.nth(i).bounding_box()["height"] >= 44 for i in range(5))
    seen: set[str] = set()
    walked: list[str] = []
    queue = ["/"]
    while queue and len(walked) < 30:
        path = queue.pop(0)
        shape = re.sub(r"\d+", "N", path)  # one page of each kind (one person, one house…)
        if shape in seen:
            continue
        seen.add(shape)
        worker.visit(path)
        walked.append(path)
        assert page.evaluate(SIDEWAYS) == [], path
        links = page.eval_on_selector_all("main a[href^='/'], nav a[href^='/']", HREFS)
        for link in links:
            target = link.split("#")[0]
            if (
                not target.startswith(NOT_WALKED)
                and not DOWNLOAD.search(target)
                and re.sub(r"\d+", "N", target) not in seen
            ):
                queue.append(target)
    assert len(walked) >= 12, walked  # the walk reached the worker's pages, not just the workbench
