"""The rankings in a real browser (Chromium through Playwright against the live server): a street leader at
1440 × 900 opens the rankings, switches to 专业部门 and clicks a count to reach the cases behind it; on a 390-wide
phone the ranking is one card per line with nothing scrolling sideways; a worker's scorecard draws its trend. No
CSP violation anywhere."""

from urllib.parse import parse_qs, urlsplit

from django.urls import NoReverseMatch, reverse
from playwright.sync_api import expect

from web.tests import test_browser_surface as surface
from web.tests.test_browser import pytestmark  # noqa: F401 - the same skip when no Chromium
from web.tests.test_browser_surface import SIDEWAYS, Visitor

from .conftest import MONTH, office_build

browser = surface.browser  # the fixture: the live world and Chromium

OFFICE = (1440, 900)
PHONE = (390, 844)


def _cases_page_exists() -> bool:
    try:
        reverse("stats:cases")
    except NoReverseMatch:
        return False
    return True


def test_a_leader_ranks_departments_and_opens_the_cases_behind_a_count(browser, live_server):
    world, chromium = browser
    office = office_build(world)
    leader = Visitor(chromium, live_server.url, viewport=OFFICE)
    leader.login("street")
    page = leader.page
    leader.visit(f"/evaluation/?period={MONTH}", "#ranking")
    expect(page.locator("#ranking-by")).to_have_value("field_worker")
    expect(page.locator("#ranking tbody tr").first).to_contain_text("worker_b")
    assert page.evaluate(SIDEWAYS) == [], "the table fits 1440 px"
    page.select_option("#ranking-by", "department")
    page.wait_for_url("**by=department**")
    page.wait_for_load_state("networkidle")
    leader.check("departments")
    rows = page.locator("#ranking tbody tr")
    expect(rows.nth(0)).to_contain_text("城管执法大队")
    expect(rows.nth(1)).to_contain_text("执法一中队")
    assert page.evaluate(SIDEWAYS) == []
    squad = page.locator(f'tr[data-key="department:{office.squad_1.pk}"]')
    count = squad.locator('[data-indicator="department_close_rate"] a[data-count]').first
    expect(count).to_have_text("8")
    count.click()
    page.wait_for_url("**/stats/cases/**")
    query = parse_qs(urlsplit(page.url).query)
    assert query == {"measure": ["closed"], "period": [MONTH], "department": [str(office.squad_1.pk)]}
    if _cases_page_exists():
        expect(page.locator("main")).to_contain_text("8")
        leader.check("the cases behind the count")


def test_on_a_phone_each_line_is_a_card_and_a_scorecard_draws_its_trend(browser, live_server):
    world, chromium = browser
    office_build(world)
    leader = Visitor(chromium, live_server.url, viewport=PHONE)
    leader.login("street")
    page = leader.page
    leader.visit(f"/evaluation/?by=field_worker&period={MONTH}", "#ranking")
    assert page.evaluate(SIDEWAYS) == []
    expect(page.locator("#ranking thead")).to_be_hidden()
    first = page.locator("#ranking tbody tr").first
    expect(first.locator("[data-composite]")).to_contain_text("100.00")
    page.click("#ranking a:has-text('worker_a')")
    page.wait_for_url("**/evaluation/people/**")
    page.wait_for_selector("[data-trend][data-ready]", timeout=15_000)
    page.wait_for_load_state("networkidle")
    leader.check("scorecard")
    expect(page.locator("[data-composite]")).to_have_text("81.25")
    assert page.evaluate(SIDEWAYS) == []
