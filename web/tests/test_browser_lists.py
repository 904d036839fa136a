"""The case list in a real browser (Chromium through Playwright against the live server): tabs, sorting, the area
picker and bulk 受理 swap the list without a full page load and keep the URL (back and forward work), under the
strict Content-Security-Policy; on a 390 px phone the list is cards without horizontal scrolling."""

from playwright.sync_api import expect

from audit.services import Origin
from cases import services
from cases.models import Case, Category
from cases.seed import categories_ensure
from cases.services import ReportData, report_submit
from gridgov.testing import IN_A, IN_C
from web.tests import test_browser_surface as surface
from web.tests.test_browser import pytestmark  # noqa: F401 - the same skip when no Chromium
from web.tests.test_browser_surface import Visitor

browser = surface.browser  # the fixture: the live world and Chromium
PHONE = {"width": 390, "height": 844}


def _cases(world) -> dict[str, Case]:
    categories_ensure()
    origin = Origin(world.users["dispatcher"], "web")
    category = Category.objects.get(kind="event", code="0102")

    def report(point, text: str) -> Case:
        data = ReportData(
            source="hotline", description=text, longitude=point[0], latitude=point[1], category_id=category.pk
        )
        return report_submit(origin, data).case

    made = {f"a{n}": report(IN_A, f"井盖缺失{n}") for n in range(3)}
    made["c"] = report(IN_C, "二街道的井盖")
    made["filed"] = report(IN_A, "已立案的")
    services.case_file(Origin(world.users["shift_leader"], "web"), made["filed"])
    return made


def _rows(page) -> list[str]:
    return page.locator("#case-results tbody tr[data-number]").evaluate_all("rows => rows.map(r => r.dataset.number)")


def test_the_command_centre_works_the_list_without_page_loads(browser, live_server):
    world, chromium = browser
    made = _cases(world)
    visitor = Visitor(chromium, live_server.url)
    visitor.login("dispatcher")
    visitor.visit("/cases/", "#case-results")
    page = visitor.page
    page.evaluate("window.__samePage = true")  # gone after any full page load
    page.click("[data-queue='intake']")
    page.wait_for_url("**/cases/?queue=intake")
    expect(page.locator("[data-queue='intake']")).to_have_attribute("aria-current", "page")
    assert sorted(_rows(page)) == sorted(made[key].number for key in ("a0", "a1", "a2", "c"))
    assert page.locator("[data-queue='intake'] [data-count]").inner_text() == "4"
    page.click("th a[data-sort='number']")
    page.wait_for_url("**/cases/?queue=intake&sort=number")
    expect(page.locator("th[aria-sort='ascending'] a[data-sort='number']")).to_be_visible()
    assert _rows(page) == sorted(_rows(page))
    page.go_back()
    page.wait_for_url("**/cases/?queue=intake")
    expect(page.locator("th[aria-sort]")).to_have_count(1)
    expect(page.locator("th[aria-sort='descending'] a[data-sort='created']")).to_be_visible()  # newest first
    page.go_forward()
    page.wait_for_url("**/cases/?queue=intake&sort=number")
    expect(page.locator("th[aria-sort='ascending'] a[data-sort='number']")).to_be_visible()
    # the area tree picker: search by name, pick a grid
    page.click("#filter-area + .ts-wrapper .ts-control")
    page.keyboard.type("网格A")
    page.locator(".ts-dropdown .option[data-value='110101001001001']").click()
    page.wait_for_url("**/cases/?queue=intake&area=110101001001001&sort=number")
    expect(page.locator("#case-results tbody tr[data-number]")).to_have_count(3)
    assert page.evaluate("window.__samePage") is True
    # bulk 受理 of the three
    page.check("[data-bulk-all]")
    expect(page.locator("[data-bulk-count]")).to_have_text("3")
    page.select_option("#bulk-form select[name=action]", "accept")
    page.click("[data-bulk-submit]")
    expect(page.locator("#case-results .alert-success")).to_contain_text("已受理 3 件")
    expect(page.locator("[data-queue='intake'] [data-count]")).to_have_text("0")
    assert page.url.endswith("/cases/?queue=intake&area=110101001001001&sort=number")
    assert set(Case.objects.filter(status="accepted").values_list("number", flat=True)) == {
        made[key].number for key in ("a0", "a1", "a2")
    }
    assert page.evaluate("window.__samePage") is True
    visitor.check("/cases/ after the bulk action")


def test_the_list_fits_a_phone(browser, live_server):
    world, chromium = browser
    _cases(world)
    visitor = Visitor(chromium, live_server.url)
    visitor.page.set_viewport_size(PHONE)
    visitor.login("dispatcher")
    visitor.visit("/cases/", "#case-results")
    page = visitor.page
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.click("[data-bs-target='#case-filters']")
    expect(page.locator("#case-filters")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    cell = page.locator("#case-results tbody tr[data-number] td[data-label]").first
    assert cell.evaluate("td => getComputedStyle(td).display") == "flex"  # a card, each cell labelled
    visitor.check("/cases/ on a phone")
