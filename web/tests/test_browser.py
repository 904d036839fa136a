"""End-to-end through a real browser: Debian's Chromium driven by Playwright against the live server."""

import os
import shutil
from pathlib import Path

import pytest

from gridgov.testing import world_build

CHROMIUM = os.environ.get("GRIDGOV_CHROMIUM", "/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)),
        reason=f"no Chromium at {CHROMIUM} (install Debian's 'chromium' or set GRIDGOV_CHROMIUM)",
    ),
]
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]  # fmt: skip


@pytest.fixture
def browser_page(live_server, transactional_db, monkeypatch, tmp_path):
    playwright_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # the ORM runs beside Playwright's event loop
    world = world_build()
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        requested: list[str] = []
        page.on("request", lambda request: requested.append(request.url))
        yield world, page, requested
        browser.close()


def test_area_browser_draws_grids_and_shows_a_clicked_grid(browser_page, live_server):
    _world, page, requested = browser_page
    page.goto(f"{live_server.url}/areas/110101001001/")
    assert "/accounts/login/" in page.url
    page.fill("#id_username", "community")
    page.fill("#id_password", "test-password-1")
    page.click("button[type=submit]")
    page.wait_for_selector("#area-map.map-ready", timeout=15_000)
    polygons = page.locator("#area-map path.leaflet-interactive")
    assert polygons.count() == 2
    page.wait_for_selector("#area-card [data-area-code='110101001001']")
    polygons.nth(1).click()  # grid B, the eastern half
    page.wait_for_selector("#area-card [data-area-code='110101001001002']", timeout=10_000)
    assert "网格B" in page.inner_text("#area-card")
    page.screenshot(path=str(Path(os.environ.get("GRIDGOV_SCREENSHOTS", "var")) / "area-browser.png"))
    outside = [url for url in requested if not url.startswith(live_server.url)]
    assert outside == []  # nothing is loaded from the internet


def test_other_community_is_not_found_in_the_browser(browser_page, live_server):
    _world, page, _requested = browser_page
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "worker_a")
    page.fill("#id_password", "test-password-1")
    page.click("button[type=submit]")
    response = page.goto(f"{live_server.url}/areas/110101001001002/")
    assert response.status == 404 and "不存在" in page.inner_text("main")


def test_search_a_resident_and_reveal_the_id_number(browser_page, live_server):
    world, page, requested = browser_page
    from registry.tests.factories import HouseholdFactory, PersonFactory

    household = HouseholdFactory(house__building__grid=world.grid_a)
    person = PersonFactory(name="欧阳娜娜", grid=world.grid_a, house=household.house, household=household)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "community")
    page.fill("#id_password", "test-password-1")
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/registry/persons/")
    page.fill("input[name=text]", "oy")
    page.click("form[role=search] button")
    page.click("table[data-table=persons] a:has-text('欧阳娜娜')")
    assert person.id_number_masked in page.inner_text("#id-number")
    page.click("[data-reveal=id_number]")
    page.wait_for_selector("[data-revealed]")
    assert page.inner_text("[data-revealed]") == person.id_number
    from audit.models import AuditEntry

    assert AuditEntry.objects.filter(action="reveal", object_id=str(person.pk)).count() == 1
    assert [url for url in requested if not url.startswith(live_server.url)] == []
