"""The statistics page in a real browser (Chromium through Playwright against the live server) at 1440 × 900: the
charts and the map are drawn, an empty month says so, choosing another window redraws them, and clicking a bar opens
the cases behind it. No console error, no CSP violation; on a 390-wide phone nothing scrolls sideways."""

from playwright.sync_api import expect

from stats.tests.conftest import history_build
from web.tests import test_browser_surface as surface
from web.tests.test_browser import pytestmark  # noqa: F401 - the same skip when no Chromium
from web.tests.test_browser_surface import SIDEWAYS, Visitor

browser = surface.browser  # the fixture: the live world and Chromium

OFFICE = (1440, 900)
PHONE = (390, 844)
CHARTS = ("trend", "sources", "categories", "durations")
#: The middle of the longest bar of the categories chart (the top one), in page coordinates.
TOP_BAR = """() => {
  const element = document.getElementById("chart-categories");
  element.scrollIntoView({ block: "center", behavior: "instant" });
  const chart = window.echarts.getInstanceByDom(element);
  const data = chart.getOption().series[0].data;
  const index = data.length - 1;
  const [x, y] = chart.convertToPixel({ seriesIndex: 0 }, [data[index].value / 2, index]);
  const box = element.getBoundingClientRect();
  return [box.left + x, box.top + y];
}"""


def _console_errors(visitor: Visitor) -> list[str]:
    errors: list[str] = []
    visitor.page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    return errors


def _drawn(page) -> None:
    for key in CHARTS:
        page.wait_for_selector(f"#chart-{key}[data-ready='1']", state="attached", timeout=15_000)
    page.wait_for_selector("#stats-map[data-ready='1']", state="attached", timeout=15_000)
    page.wait_for_selector("[data-card=hotspots][data-ready='1']", state="attached", timeout=15_000)


def test_a_leader_reads_the_charts_changes_the_window_and_opens_the_cases_of_a_bar(browser, live_server):
    world, chromium = browser
    history = history_build(world)
    leader = Visitor(chromium, live_server.url, viewport=OFFICE)
    errors = _console_errors(leader)
    leader.login("street")
    page = leader.page

    leader.visit("/stats/?period=2026-10")
    _drawn(page)
    expect(page.locator("[data-empty=trend]")).to_have_text("该条件下暂无数据")
    expect(page.locator("#chart-trend")).to_be_hidden()

    page.select_option("#filter-kind", "range")
    page.fill("#filter-start", "2026-11-01")  # the end is still October's: nothing is sent yet
    page.fill("#filter-end", "2026-11-30")  # both dates chosen: the page reloads with them
    page.wait_for_url("**/stats/?kind=range&start=2026-11-01&end=2026-11-30*")
    assert "start=2026-11-01" in page.url and "end=2026-11-30" in page.url and "period=" not in page.url
    _drawn(page)
    for key in CHARTS:
        expect(page.locator(f"#chart-{key} canvas").first).to_be_visible()
    expect(page.locator("#stats-map path.leaflet-interactive").first).to_be_attached()
    expect(page.locator("#hotspot-list li")).to_have_count(1)
    expect(page.locator("#hotspot-list li")).to_contain_text("暴露垃圾")
    expect(page.locator("#durations-note")).to_contain_text("中位数")
    expect(page.locator("[data-as-of=trend]")).to_contain_text("数据截至 20")
    leader.check("charts drawn")

    x, y = page.evaluate(TOP_BAR)
    with page.expect_navigation():
        page.mouse.click(x, y)
    assert "/stats/cases/" in page.url and "measure=report" in page.url
    assert f"category={history.garbage.pk}" in page.url
    expect(page.locator("[data-count]")).to_have_text("8")
    expect(page.locator("#behind-table tbody tr")).to_have_count(8)
    page.click(f"#behind-table a:has-text('{history.cases['closed_a'].number}')")
    page.wait_for_url(f"**/cases/{history.cases['closed_a'].number}/")
    leader.check("case opened")
    assert errors == []

    phone = Visitor(chromium, live_server.url, viewport=PHONE)
    phone.login("street")
    phone.visit("/stats/?start=2026-11-01&end=2026-11-30&kind=range")
    _drawn(phone.page)
    assert phone.page.evaluate(SIDEWAYS) == []
    phone.check("phone")
