"""The 12345 desk in a real browser at an office screen (1440×900): a clerk types a real street and files a call
without touching the map; a seat reveals a caller's number on the callbacks queue and gets a tel: link."""

import os
from pathlib import Path

import pytest

from cases.models import Case, Category
from gridgov.testing import IN_A, case_run_to_closed
from hotline.gazetteer import gazetteer_rebuild
from hotline.models import AddressEntry, Ticket
from registry.tests.factories import BuildingFactory
from web.tests.test_browser import browser_page  # noqa: F401  (the shared Playwright fixture)

pytestmark = [pytest.mark.browser]
SHOTS = Path(os.environ.get("GRIDGOV_SCREENSHOTS", "/tmp/shots")) / "hotline"


def sign_in(page, url, username):
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{url}/accounts/login/?next=/hotline/")
    page.fill("#id_username", username)
    page.fill("#id_password", "test-password-1")
    page.click("button[type=submit]")


def test_a_clerk_types_a_street_and_files_a_call_without_the_map(browser_page, live_server):  # noqa: F811
    world, page, requested = browser_page
    BuildingFactory(grid=world.grid_a, road="东四十条", door_number="22号", estate="南新仓小区", number="2号楼",
                    lon=IN_A[0], lat=IN_A[1])  # fmt: skip
    gazetteer_rebuild()
    SHOTS.mkdir(parents=True, exist_ok=True)
    sign_in(page, live_server.url, "intake")
    page.wait_for_selector("#ticket-form")
    page.fill("#id_caller_phone", "13800001111")
    page.check("#id_request_type_2")  # 投诉
    page.fill("#id_content", "东四十条路口垃圾堆了三天没人清运")
    page.locator("#id_address").press_sequentially("东四十条", delay=30)
    hit = page.locator("[data-address-hit]").first
    hit.wait_for(timeout=10_000)
    assert "东四十条" in hit.inner_text()
    page.screenshot(path=str(SHOTS / "desk-address-hits.png"))
    page.locator("#id_address").press("ArrowDown")
    page.keyboard.press("Enter")  # the first hit, picked from the keyboard
    assert "东四十条" in page.inner_text("[data-point-label]")
    page.click("button.btn-primary.btn-lg")
    page.wait_for_selector(".alert-success, .alert", timeout=10_000)
    page.screenshot(path=str(SHOTS / "desk-filed.png"))
    ticket = Ticket.objects.get()
    road = AddressEntry.objects.get(kind="road", label="东四十条")
    assert (ticket.longitude, ticket.latitude) == (road.lon, road.lat) and ticket.location_approximate
    case = Case.objects.get()
    assert case.grid == world.grid_a and case.address.startswith("东四十条")
    assert ticket.number in page.inner_text("body")
    assert [url for url in requested if not url.startswith(live_server.url)] == []


def test_a_seat_reveals_a_callers_number_on_the_callbacks_queue(browser_page, live_server):  # noqa: F811
    world, page, _requested = browser_page
    gazetteer_rebuild()
    sign_in(page, live_server.url, "intake")
    page.wait_for_selector("#ticket-form")
    page.fill("#id_caller_phone", "13912345678")
    page.check("#id_request_type_2")
    page.fill("#id_content", "井盖松动")
    page.select_option("#id_category", str(Category.objects.get(kind="event", code="0102").pk))
    page.select_option("#area-pick", str(world.grid_a.pk))  # no address: the grid's centre
    page.click("button.btn-primary.btn-lg")
    page.wait_for_selector(".alert-success", timeout=10_000)
    ticket = Ticket.objects.get()
    assert ticket.location_approximate and ticket.case.grid == world.grid_a
    case_run_to_closed(world, ticket.case)
    page.goto(f"{live_server.url}/hotline/callbacks/")
    row = page.locator(f"[data-callback='{ticket.number}']")
    assert "139******78" in row.inner_text()
    row.locator("[data-reveal-phone]").click()
    tel = row.locator("[data-tel]")
    tel.wait_for(timeout=10_000)
    assert tel.get_attribute("href") == "tel:13912345678"
    assert row.locator("[data-reveal-phone]").count() == 0  # the number replaced the button
    page.screenshot(path=str(SHOTS / "callbacks-revealed.png"))
