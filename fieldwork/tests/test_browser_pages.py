"""The watching pages in a real browser (Debian's Chromium through Playwright) at an office's 1440×900: a worker's
day played back (the slider and the play button move the marker along the track), the live positions with a stale
worker in grey, and the statistics. Screenshots go to GRIDGOV_SCREENSHOTS (or var/)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.seed import categories_ensure
from fieldwork.metrics import day_metrics_compute
from fieldwork.models import CheckIn, Patrol, TrackPoint
from gridgov.testing import IN_A, IN_B, world_build
from maps.basemap import basemap_write
from web.tests.test_browser import chromium_launched, pytestmark  # noqa: F401  (the browser marks and skip)

SHOTS = Path(os.environ.get("GRIDGOV_SCREENSHOTS", "var"))


def walk(worker, start: dt.datetime, minutes: int, at: tuple[float, float], north: bool = True) -> None:
    """A walk of ``minutes`` at 1 m/s along a square of 300 m, a fix every 20 s, with one wild fix."""
    rows = []
    for k in range(minutes * 3):
        metres = (k * 20) % 1200
        side, along = divmod(metres, 300)
        x, y = [(along, 0), (300, along), (300 - along, 300), (0, 300 - along)][side]
        time = start + dt.timedelta(seconds=k * 20)
        rows.append(
            TrackPoint(
                worker=worker,
                device_time=time,
                server_time=time + dt.timedelta(seconds=2),
                lon=at[0] - 0.002 + x / 85_400,
                lat=at[1] - 0.002 + (y if north else -y) / 110_540,
                accuracy=120 if k == 7 else 8,
                battery=90 - k * 0.1,
            )
        )
    TrackPoint.objects.bulk_create(rows)


@pytest.fixture
def office(live_server, transactional_db, monkeypatch, settings, tmp_path):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # the ORM runs beside Playwright's event loop
    categories_ensure()
    world = world_build()
    settings.MAP_BASEMAP_PMTILES = tmp_path / "basemap.pmtiles"
    basemap_write(settings.MAP_BASEMAP_PMTILES)
    worker_a, worker_b = world.user("grid_worker_a"), world.user("grid_worker_b")
    now = timezone.now().replace(microsecond=0)
    yesterday = timezone.localdate(now) - dt.timedelta(days=1)
    morning = timezone.make_aware(dt.datetime.combine(yesterday, dt.time(9)))
    Patrol.objects.create(
        worker=worker_a, grid=world.grid_a, started_at=morning, ended_at=morning + dt.timedelta(hours=1)
    )
    walk(worker_a, morning, 60, IN_A)
    CheckIn.objects.create(
        worker=worker_a, kind="shift_start", grid=world.grid_a, lon=IN_A[0] - 0.002, lat=IN_A[1] - 0.002,
        accuracy=8, device_time=morning, server_time=morning,
    )  # fmt: skip
    day_metrics_compute(yesterday)
    walk(worker_a, now - dt.timedelta(minutes=20), 18, IN_A)  # online
    walk(worker_b, now - dt.timedelta(minutes=40), 15, IN_B)  # last fix 25 minutes ago: stale
    SHOTS.mkdir(parents=True, exist_ok=True)
    with chromium_launched() as browser:
        page = browser.new_page(viewport={"width": 1440, "height": 900}, locale="zh-CN")
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", "street")
        page.fill("#id_password", "test-password-1")
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        yield world, page, yesterday


def test_the_slider_and_the_play_button_move_the_marker_along_the_day(office, live_server):
    world, page, yesterday = office
    worker = world.user("grid_worker_a")
    page.goto(f"{live_server.url}/fieldwork/workers/{worker.pk}/track/?date={yesterday}")
    element = page.locator("#playback-map.map-ready")
    expect(element).to_be_visible(timeout=15_000)
    start = element.get_attribute("data-marker")
    expect(page.locator("#playback-clock")).to_have_text("09:00:00")
    slider = page.locator("#playback-slider")
    slider.focus()
    for _step in range(90):  # the arrow key steps a second: a minute and a half later the walker is 90 m on
        page.keyboard.press("ArrowRight")
    expect(page.locator("#playback-clock")).to_have_text("09:01:30")
    moved = element.get_attribute("data-marker")
    assert moved != start
    lat0, lon0 = (float(part) for part in start.split(","))
    lat1, lon1 = (float(part) for part in moved.split(","))
    assert 80 < (lon1 - lon0) * 85_400 < 100 and abs(lat1 - lat0) < 1e-5  # east along the square's first side
    page.click("#playback-play")
    expect(element).to_have_attribute("data-playing", "1")
    page.wait_for_timeout(1500)
    page.click("#playback-play")
    expect(element).to_have_attribute("data-playing", "0")
    assert int(element.get_attribute("data-time")) > int(slider.get_attribute("min")) + 90_000
    page.check("#playback-rejected")
    expect(element).to_have_attribute("data-rejected-shown", "1")
    expect(page.locator('#playback-events [data-kind="checkin"]')).to_have_count(1)
    page.screenshot(path=str(SHOTS / "leader-playback-1440.png"))


def test_the_live_map_greys_a_stale_worker_and_the_statistics_link_the_day(office, live_server):
    world, page, yesterday = office
    page.goto(f"{live_server.url}/fieldwork/live/")
    element = page.locator("#live-map.map-ready")
    expect(element).to_be_visible(timeout=15_000)
    expect(element).to_have_attribute("data-markers", "2")
    expect(element).to_have_attribute("data-stale", "1")
    expect(page.locator('#live-counts [data-count="online"]')).to_have_text("1")
    expect(page.locator(f'#live-list [data-worker="{world.user("grid_worker_b").pk}"] .badge')).to_have_text("离线")
    page.screenshot(path=str(SHOTS / "leader-live-1440.png"))
    page.goto(f"{live_server.url}/fieldwork/stats/?date={yesterday}")
    expect(page.locator("#stats-table [data-playback]")).to_have_count(3)  # every field worker of the street
    link = page.locator(f'#stats-table [data-worker="{world.user("grid_worker_a").pk}"] [data-playback]')
    page.screenshot(path=str(SHOTS / "leader-stats-1440.png"))
    link.click()
    expect(page.locator("#playback-map.map-ready")).to_be_visible(timeout=15_000)
