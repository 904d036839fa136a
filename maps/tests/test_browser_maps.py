"""The maps in a real browser (Debian's Chromium through Playwright): the base map the site writes from its own
data is drawn under the area browser and the case map at an office's 1440×900, and the grid worker's report map
shows the worker's grid and buildings at a phone's 390×844. Screenshots go to GRIDGOV_SCREENSHOTS (or var/)."""

import os
from pathlib import Path

import pytest

from audit.services import Origin
from cases.models import Category
from cases.seed import categories_ensure
from cases.services import ReportData, report_submit
from gridgov.testing import IN_A, world_build
from maps.basemap import basemap_write
from registry.tests.factories import BuildingFactory
from web.tests.test_browser import ARGS, CHROMIUM, pytestmark  # noqa: F401  (the browser marks and skip)

SHOTS = Path(os.environ.get("GRIDGOV_SCREENSHOTS", "var"))
BACKGROUND = (0xE9, 0xE6, 0xDF)  # basemap.js backgroundColor: what a tile shows where the archive has nothing
LAND, ROAD = (0xF4, 0xF1, 0xEA), (0xFF, 0xFF, 0xFF)
# Counts the colours painted on the base map's canvas tiles (the overlays are SVG above them, not counted).
TILE_COLOURS = """() => {
  const colours = {};
  for (const canvas of document.querySelectorAll('.leaflet-tile-pane canvas.leaflet-tile')) {
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    for (let i = 0; i < data.length; i += 4) {
      const key = data[i] + ',' + data[i + 1] + ',' + data[i + 2];
      colours[key] = (colours[key] || 0) + 1;
    }
  }
  return colours;
}"""


@pytest.fixture
def browser(live_server, transactional_db, monkeypatch, settings, tmp_path):
    playwright_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # the ORM runs beside Playwright's event loop
    categories_ensure()
    world = world_build()
    BuildingFactory(grid=world.grid_a, lon=116.404, lat=39.912)
    BuildingFactory(grid=world.grid_a, lon=116.406, lat=39.908)
    settings.MAP_BASEMAP_PMTILES = tmp_path / "basemap.pmtiles"
    basemap_write(settings.MAP_BASEMAP_PMTILES)
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield world, chromium
        chromium.close()


def signed_in(chromium, live_server, username: str, width: int, height: int):
    page = chromium.new_page(viewport={"width": width, "height": height}, locale="zh-CN")
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "test-password-1")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return page, requested


def painted(page, selector: str) -> dict[tuple[int, ...], int]:
    """Wait for the base map's tiles in ``selector`` and return the colours painted on them."""
    page.wait_for_selector(f"{selector}[data-basemap=pmtiles]", timeout=15_000)
    page.wait_for_selector(f"{selector} .leaflet-tile-pane canvas.leaflet-tile-loaded", timeout=15_000)
    page.wait_for_timeout(500)  # labels are placed a moment after the geometry
    colours = page.evaluate(TILE_COLOURS)
    return {tuple(int(part) for part in key.split(",")): count for key, count in colours.items()}


def test_the_area_browser_draws_the_sites_own_base_map(browser, live_server):
    _world, chromium = browser
    page, requested = signed_in(chromium, live_server, "community", 1440, 900)
    page.goto(f"{live_server.url}/areas/110101001001/")
    page.wait_for_selector("#area-map.map-ready", timeout=15_000)
    colours = painted(page, "#area-map")
    total = sum(colours.values())
    assert colours.get(LAND, 0) > total * 0.2  # the district's land
    assert colours.get(ROAD, 0) > 50  # street lines along the area boundaries
    assert colours.get(BACKGROUND, 0) < total  # not a blank background
    assert any("/maps/basemap.pmtiles" in url for url in requested)
    assert [url for url in requested if not url.startswith(live_server.url)] == []  # nothing from the internet
    page.screenshot(path=str(SHOTS / "maps-area-browser.png"))


def test_the_case_map_draws_cases_over_the_base_map(browser, live_server):
    world, chromium = browser
    category = Category.objects.get(kind="event", code="0102")
    for lon, lat in (IN_A, (116.412, 39.905), (116.43, 39.91)):
        data = ReportData(source="hotline", description="路边有暴露垃圾", longitude=lon, latitude=lat,
                          category_id=category.pk)  # fmt: skip
        report_submit(Origin(world.user("dispatcher"), "api"), data)
    page, requested = signed_in(chromium, live_server, "street", 1440, 900)
    page.goto(f"{live_server.url}/maps/cases/")
    page.wait_for_selector("#case-map.map-ready[data-total='2']", timeout=15_000)  # grid C is another street's
    drawn = page.locator("#case-map .leaflet-overlay-pane path.leaflet-interactive, #case-map .marker-cluster")
    assert drawn.count() >= 1
    colours = painted(page, "#case-map")
    assert colours.get(LAND, 0) > sum(colours.values()) * 0.2
    assert "2" in page.inner_text("#case-map-summary")
    page.select_option("#filter-light", "red")
    page.wait_for_selector("#case-map.map-ready[data-total='0']", timeout=15_000)
    assert "light=red" in page.url
    assert [url for url in requested if not url.startswith(live_server.url)] == []
    page.screenshot(path=str(SHOTS / "maps-case-map.png"))


def test_the_report_map_shows_the_workers_grid_and_buildings_on_a_phone(browser, live_server):
    _world, chromium = browser
    page, _requested = signed_in(chromium, live_server, "worker_a", 390, 844)
    page.goto(f"{live_server.url}/cases/report/")
    page.wait_for_selector("#report-map.map-ready[data-features='3']", timeout=15_000)  # grid A and two buildings
    page.locator("#report-map").scroll_into_view_if_needed()
    shapes = page.locator("#report-map .leaflet-overlay-pane path.leaflet-interactive")
    assert shapes.count() == 3
    boxes = sorted((shapes.nth(i).bounding_box() or {}).get("width", 0) for i in range(3))
    assert boxes[-1] > 150  # the grid fills the map's width; the two buildings are dots
    painted(page, "#report-map")
    page.screenshot(path=str(SHOTS / "maps-report-phone.png"), full_page=True)
