"""The workbench in a real browser (Chromium through Playwright against the live server), at each role's viewport:
the grid worker's on a 390 × 844 phone without horizontal scrolling, a leader's at 1440 × 900 with the map of open
cases drawn, and the offices' under the strict Content-Security-Policy. Screenshots go to GRIDGOV_SCREENSHOTS
(default /tmp/shots/workbench)."""

import os
from pathlib import Path

import pytest

from web.tests import test_browser_surface as surface
from web.tests.test_browser import ARGS, CHROMIUM, pytestmark  # noqa: F401 - the same skip when no Chromium
from web.tests.test_browser_surface import Visitor
from web.tests.test_workbench import make_red, scene_build

browser = surface.browser  # the fixture: the live world and Chromium
SHOTS = Path(os.environ.get("GRIDGOV_SCREENSHOTS", "/tmp/shots/workbench"))
PHONE = {"width": 390, "height": 844}
OFFICE = {"width": 1440, "height": 900}


def visitor_at(chromium, base: str, viewport: dict[str, int], username: str) -> Visitor:
    visitor = Visitor(chromium, base)
    visitor.page.set_viewport_size(viewport)
    visitor.login(username)
    return visitor


def shot(visitor: Visitor, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    visitor.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_the_grid_workers_workbench_fits_a_phone_and_leads_to_the_task(browser, live_server):
    world, chromium = browser
    scene = scene_build(world)
    make_red(scene.task_a)
    worker = visitor_at(chromium, live_server.url, PHONE, "worker_a")
    worker.visit("/", "#workbench-map.map-ready")
    page = worker.page
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    button = page.locator("[data-report-button]").bounding_box()
    assert button is not None and button["height"] >= 44 and button["width"] >= 300
    assert page.locator("#workbench-map .leaflet-overlay-pane path").count() == 1  # the worker's grid
    shot(worker, "grid_worker_390")
    page.click(f"[data-queue='tasks'] [data-case='{scene.task_a.number}']")
    page.wait_for_url(f"{live_server.url}/cases/{scene.task_a.number}/#act-verify")
    worker.check()


def test_a_leaders_workbench_draws_the_open_cases_of_the_street(browser, live_server):
    world, chromium = browser
    scene = scene_build(world)
    make_red(scene.held)
    leader = visitor_at(chromium, live_server.url, OFFICE, "street")
    leader.visit("/", "#workbench-map.map-ready")
    page = leader.page
    street_one = [scene.task_a, scene.task_b, scene.held, *scene.filed, scene.reported[0]]
    assert page.get_attribute("#workbench-map", "data-points") == str(len(street_one))
    assert page.locator("#workbench-map .leaflet-overlay-pane path.leaflet-interactive").count() == len(street_one)
    assert (
        page.locator("#workbench-map .leaflet-overlay-pane path:not(.leaflet-interactive)").count() == 1
    )  # the street's outline
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(leader, "street_leader_1440")


@pytest.mark.parametrize(
    ("username", "name"),
    [("dispatcher", "dispatcher"), ("shift", "shift_leader"), ("handler", "department_handler"),
     ("administrator", "administrator")],
)  # fmt: skip
def test_office_workbenches_run_under_the_policy(browser, live_server, username, name):
    world, chromium = browser
    scene = scene_build(world)
    make_red(scene.filed[0])
    visitor = visitor_at(chromium, live_server.url, OFFICE, username)
    visitor.visit("/", "[data-section]")
    assert visitor.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(visitor, f"{name}_1440")
