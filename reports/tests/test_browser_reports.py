"""The report builder in a real browser (Chromium through Playwright against the live server) at 1440 × 900: a
street leader builds 街道 × 月 结案率, sees the preview follow the choices, saves, reopens it from the list and
exports it to Excel. No CSP violation, nothing scrolls sideways."""

import io

from openpyxl import load_workbook
from playwright.sync_api import expect

from reports.models import SavedReport
from reports.tests.conftest import facts_make
from web.tests import test_browser_surface as surface
from web.tests.test_browser import pytestmark  # noqa: F401 - the same skip when no Chromium
from web.tests.test_browser_surface import SIDEWAYS, Visitor

browser = surface.browser  # the fixture: the live world and Chromium

OFFICE = (1440, 900)


def test_a_leader_builds_saves_reopens_and_exports_a_report(browser, live_server):
    world, chromium = browser
    facts_make(world)
    leader = Visitor(chromium, live_server.url, viewport=OFFICE)
    leader.login("street")
    page = leader.page
    leader.visit("/reports/")
    page.click("main [data-action=report-new]")
    page.wait_for_url("**/reports/new/")
    preview = page.locator("#report-preview")
    expect(preview.locator("[data-report-table]")).to_be_visible(timeout=15_000)

    page.select_option("#id_row_1", "area:street")
    page.select_option("#id_column_1", "period:month")
    checked = page.locator("input[name=measures]:checked")
    while checked.count():
        checked.first.uncheck()
    page.check("input[name=measures][value='rate:close_rate']")
    page.select_option("#id_period", "")
    expect(page.locator("#id_start")).to_be_visible()
    page.fill("#id_start", "2026-01-01")
    page.fill("#id_end", "2026-03-31")
    page.locator("#id_end").dispatch_event("change")
    # The last preview: the street, January to March and the totals column (earlier ones had the whole year).
    expect(preview.locator("thead th")).to_have_count(5, timeout=15_000)
    expect(preview.locator("thead")).to_contain_text("2026年3月")
    row = preview.locator("tr[data-row]")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("一街道")
    expect(row.locator("td").first).to_have_text("80.00%")
    assert row.locator("td").first.get_attribute("title") == "结案数 4 / 应结案数 5"
    expect(preview.locator("tr[data-totals]")).to_contain_text("80.00%")
    assert page.evaluate(SIDEWAYS) == []
    leader.check("preview")

    page.fill("#id_name", "各街道月结案率")
    page.check("input[name=shared_roles][value=community_staff]")
    page.click("main [data-action=report-save]")
    page.wait_for_url(lambda url: "/new/" not in url)
    report = SavedReport.objects.get(name="各街道月结案率")
    assert report.spec["measures"] == ["rate:close_rate"] and report.shared_roles == ["community_staff"]
    expect(page.locator("main")).to_contain_text("报表已保存")

    leader.visit("/reports/")
    page.click(f"main [data-report='{report.pk}']")
    page.wait_for_url(f"**/reports/{report.pk}/")
    expect(page.locator("#id_column_1")).to_have_value("period:month")
    expect(page.locator("#report-preview tr[data-row]")).to_contain_text("80.00%", timeout=15_000)
    leader.check("reopened")

    with page.expect_download() as download:
        page.click("[data-export=xlsx]")
    content = download.value.path().read_bytes()
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    assert download.value.suggested_filename.startswith("各街道月结案率-")
    assert [cell.value for cell in sheet[1]][:2] == ["街道", "2026年1月"]
    assert sheet["A2"].value == "一街道" and sheet["B2"].value == 0.8
