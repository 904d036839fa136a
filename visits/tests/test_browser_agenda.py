"""The worker's agenda on a phone (390 × 844) in a real browser: numbered markers on the map, the list in walking
order, "去走访" opening the visit form of the due visit. Screenshots go to GRIDGOV_SCREENSHOTS (or var/)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from cases.seed import categories_ensure
from gridgov.testing import world_build
from registry.models import Building
from visits.models import DueVisit, VisitPlan
from visits.plans import due_visits_generate
from visits.tests.conftest import plan_make, tagged_person
from web.tests.test_browser import chromium_launched, pytestmark  # noqa: F401  (the browser marks and skip)

SHOTS = Path(os.environ.get("GRIDGOV_SCREENSHOTS", "var"))


@pytest.fixture
def agenda_phone(live_server, transactional_db, monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # the ORM runs beside Playwright's event loop
    categories_ensure()
    world = world_build()
    VisitPlan.objects.all().delete()
    plan_make("elderly_alone", interval=7)
    people = []
    for offset in (0.004, 0.001, 0.0025):  # given out of walking order
        person = tagged_person(world.grid_a, since=dt.date(2026, 9, 24))
        Building.objects.filter(pk=person.house.building_id).update(lon=116.401 + offset, lat=39.91)
        people.append(person)
    due_visits_generate(dt.date(2026, 10, 8))
    DueVisit.objects.update(worker=world.user("grid_worker_a"))
    SHOTS.mkdir(parents=True, exist_ok=True)
    with chromium_launched() as browser:
        page = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", "worker_a")
        page.fill("#id_password", "test-password-1")
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/**")
        yield world, page, people


def test_the_agenda_shows_numbered_markers_and_the_list_in_walking_order(agenda_phone, live_server):
    _world, page, people = agenda_phone
    page.goto(f"{live_server.url}/visits/agenda/?date=2026-10-08")
    element = page.locator("#agenda-map.map-ready")
    expect(element).to_be_visible(timeout=15_000)
    expect(element).to_have_attribute("data-markers", "3")
    expect(page.locator(".agenda-marker")).to_have_count(3)
    # from the grid's centre (116.405, 39.91) westwards along one parallel: 116.405, 116.4035, 116.402
    order = [people[0], people[2], people[1]]
    dues = {due.person_id: due.pk for due in DueVisit.objects.all()}
    items = page.locator("#agenda-list li")
    expect(items).to_have_count(3)
    assert [int(item.get_attribute("data-due")) for item in items.all()] == [dues[person.pk] for person in order]
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # nothing wider than the phone
    page.screenshot(path=str(SHOTS / "worker-agenda-390.png"), full_page=True)
    go = items.first.locator("a[href^='/visits/new/']")  # 去走访 (the name beside it links to the person)
    assert go.get_attribute("href") == f"/visits/new/?due={dues[order[0].pk]}"


def test_people_of_one_building_get_markers_side_by_side(agenda_phone, live_server):
    _world, page, people = agenda_phone
    shared = people[0].house.building_id
    for person in people[1:]:  # all three live in the first one's building
        house = person.house
        house.building_id = shared
        house.save(update_fields=["building"])
    page.goto(f"{live_server.url}/visits/agenda/?date=2026-10-08")
    expect(page.locator("#agenda-map.map-ready")).to_be_visible(timeout=15_000)
    # Leaflet sets each icon's anchor as its margins: the three share one point, so their margins must set them apart
    # (read from the style, not the screen, which moves while the map zooms to fit).
    shifts = page.locator(".agenda-marker").evaluate_all(
        "(markers) => markers.map((m) => [parseFloat(m.style.marginLeft), parseFloat(m.style.marginTop)])"
    )
    assert len(shifts) == 3
    for index, first in enumerate(shifts):
        for second in shifts[index + 1 :]:  # no two numbers cover each other
            assert abs(first[0] - second[0]) >= 12 or abs(first[1] - second[1]) >= 12, shifts
