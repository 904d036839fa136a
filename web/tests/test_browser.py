"""End-to-end through a real browser: Debian's Chromium driven by Playwright against the live server."""

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connections
from playwright.sync_api import Browser, expect, sync_playwright

from audit.models import AuditEntry
from cases.models import Case
from cases.seed import categories_ensure
from gridgov.testing import jpeg_bytes, world_build
from hotline.models import Ticket
from registry.tests.factories import BuildingFactory, HouseholdFactory, PersonFactory

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


@contextlib.contextmanager
def chromium_launched() -> Iterator[Browser]:
    """Chromium under Playwright, for a test that also uses the ORM (with ``DJANGO_ALLOW_ASYNC_UNSAFE`` set).

    While Playwright's event loop runs in this thread, Django keeps the test's database connections apart from the
    thread's usual ones (asgiref's storage for async code), and the test database's teardown closes only the usual
    ones. They are closed here, before the loop stops: a connection left open keeps PostgreSQL from dropping the
    test database at the end of the run ("is being accessed by other users")."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()
            connections.close_all()


@pytest.fixture
def browser_page(live_server, transactional_db, monkeypatch, tmp_path):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # the ORM runs beside Playwright's event loop
    categories_ensure()
    world = world_build()
    with chromium_launched() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        requested: list[str] = []
        page.on("request", lambda request: requested.append(request.url))
        yield world, page, requested


def test_connections_used_beside_playwright_are_closed_with_the_browser(transactional_db, monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with chromium_launched():
        assert not Case.objects.exists()  # a query while Playwright's event loop runs
        used = connections["default"]
        assert used.connection is not None
    assert used.connection is None


def value_set(page, selector: str, timeout: float = 5_000) -> None:
    """Wait until a field has a value (Playwright's own polling: wait_for_function would need eval, which the
    pages' Content-Security-Policy forbids)."""
    expect(page.locator(selector)).not_to_have_value("", timeout=timeout)


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
    assert AuditEntry.objects.filter(action="reveal", object_id=str(person.pk)).count() == 1
    assert [url for url in requested if not url.startswith(live_server.url)] == []


def test_a_hotline_seat_takes_a_call_without_the_mouse(browser_page, live_server):
    world, page, requested = browser_page
    building = BuildingFactory(grid=world.grid_a, road="东四北大街", door_number="88号")
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "intake")
    page.fill("#id_password", "test-password-1")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/hotline/")
    keyboard = page.keyboard
    assert page.evaluate("document.activeElement.id") == "id_caller_phone"
    keyboard.type("13800001111")
    keyboard.press("Tab")
    keyboard.type("张先生")
    keyboard.press("Tab")  # into the request types, on 求助
    keyboard.press("ArrowRight")  # 投诉
    keyboard.press("Tab")  # 紧急
    keyboard.press("Tab")
    keyboard.type("路边有暴露垃圾，好几天没人清运")
    value_set(page, "#id_category", timeout=10_000)
    keyboard.press("Alt+a")
    keyboard.type("东四北大街88")
    page.wait_for_selector("[data-address-hit]", timeout=10_000)
    keyboard.press("ArrowDown")
    keyboard.press("Enter")
    value_set(page, "#id_longitude")
    keyboard.press("Control+Enter")
    page.wait_for_selector(".alert-success", timeout=10_000)
    ticket = Ticket.objects.get()
    case = Case.objects.get()
    assert ticket.number in page.inner_text("main") and case.number in page.inner_text("main")
    assert (ticket.request_type, ticket.caller_name, case.source) == ("complaint", "张先生", "hotline")
    assert case.category.name == "暴露垃圾"
    assert (case.longitude, case.latitude) == (pytest.approx(building.lon), pytest.approx(building.lat))
    page.fill("#id_caller_phone", "13800001111")
    page.wait_for_selector("[data-caller-tickets]", timeout=10_000)
    assert ticket.number in page.inner_text("#caller-panel")
    assert [url for url in requested if not url.startswith(live_server.url)] == []


def test_a_resident_reports_on_the_portal_with_a_pin_and_a_photo(browser_page, live_server, tmp_path):
    _world, page, requested = browser_page
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(jpeg_bytes(gps=True))
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    page.goto(f"{live_server.url}/portal/report/")
    page.wait_for_selector("#report-map.map-ready", timeout=15_000)
    page.click("[data-group='1']")
    page.click("[data-subgroup='1'] >> text=暴露垃圾")
    map_box = page.locator("#report-map").bounding_box()
    page.locator("#report-map").click(position={"x": map_box["width"] * 0.3, "y": map_box["height"] / 2})
    value_set(page, "#id_longitude")
    page.set_input_files("#id_photos", str(photo))
    page.click("#public-report button.btn-lg")  # no description yet: refused, and nothing chosen is lost
    page.wait_for_selector("[data-errors-for=description] .text-danger", timeout=10_000)
    assert page.locator("#id_photos").evaluate("(input) => input.files.length") == 1
    assert page.input_value("#id_longitude") and page.input_value("#id_category") and not Case.objects.exists()
    page.fill("#id_description", "小区门口暴露垃圾")
    page.click("#public-report button.btn-lg")
    page.wait_for_selector("[data-new-case]", timeout=10_000)
    case = Case.objects.get()
    assert case.number == page.inner_text("[data-case-number]") and case.source == "public_web"
    assert case.category.name == "暴露垃圾" and case.photos.count() == 1
    follow = page.input_value("[data-follow-url]")
    assert "/portal/follow/" in follow
    assert [url for url in requested if not url.startswith(live_server.url)] == []


def test_a_grid_worker_whose_report_is_refused_keeps_the_photo_and_the_point(browser_page, live_server, tmp_path):
    _world, page, requested = browser_page
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(jpeg_bytes(gps=True))
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "worker_a")
    page.fill("#id_password", "test-password-1")
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/cases/report/")
    page.wait_for_selector("#report-map.map-ready", timeout=15_000)
    map_box = page.locator("#report-map").bounding_box()
    page.locator("#report-map").click(position={"x": map_box["width"] * 0.3, "y": map_box["height"] / 2})
    value_set(page, "#id_longitude")
    page.set_input_files("#id_photos", str(photo))
    page.click("#case-report button[accesskey=s]")  # no description yet: refused, and nothing chosen is lost
    page.wait_for_selector("[data-errors-for=description] .text-danger", timeout=10_000)
    assert page.locator("#id_photos").evaluate("(input) => input.files.length") == 1
    assert page.input_value("#id_longitude") and not Case.objects.exists()
    page.fill("#id_description", "井盖缺失")
    page.click("#case-report button[accesskey=s]")
    page.wait_for_url("**/cases/2*/", timeout=10_000)
    case = Case.objects.get()
    assert case.photos.count() == 1 and case.description == "井盖缺失"
    assert case.number in page.inner_text("main") and "已上报" in page.inner_text("main")  # the message survives
    assert [url for url in requested if not url.startswith(live_server.url)] == []
