"""网格助手 in a real browser (Debian's Chromium through Playwright, 390 × 844, against the live server): the app
signs in with its own token, works with the network cut (the shell from the service worker's cache, changes kept
in the IndexedDB outbox) and sends what waited once the network is back — each change once, whatever the replays."""

from __future__ import annotations

import os
from pathlib import Path

from playwright.sync_api import expect

from cases.models import Case, CasePhoto
from fieldwork.models import CheckIn, CheckPoint, Patrol, TrackPoint
from gridgov.testing import IN_A, jpeg_bytes
from web.tests import test_browser_surface as surface
from web.tests.test_browser import pytestmark  # noqa: F401 - the same skip when no Chromium
from web.tests.test_browser_surface import Visitor

browser = surface.browser  # the fixture: the live world and Chromium
PHONE = (390, 844)
SHOTS = Path(os.environ.get("GRIDGOV_APP_SCREENSHOTS", "/tmp/app-shots"))
WAIT_MS = 15_000


class Phone(Visitor):
    """A grid worker's phone: the app at 390 × 844 with a GPS fix inside grid A."""

    def __init__(self, chromium, base: str, located: bool = True, **options) -> None:
        """``located=False``: the person refused the app the position."""
        here = {"longitude": IN_A[0], "latitude": IN_A[1], "accuracy": 12}
        granted = ["geolocation"] if located else []
        super().__init__(chromium, base, viewport=PHONE, geolocation=here, permissions=granted, **options)

    def open_app(self) -> None:
        self.page.goto(self.base + "/m/")
        self.page.wait_for_selector("body[data-ready='1']", timeout=WAIT_MS)

    def sign_in(self, username: str = "worker_a") -> None:
        self.open_app()
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", "test-password-1")
        self.page.fill("input[name=device_name]", "测试手机")
        self.page.click("form.m-signin button[type=submit]")
        self.offline_ready()
        self.check("signed in")

    def offline_ready(self) -> None:
        """The service worker controls the page (the shell is kept) and the work screen's data has been read."""
        self.page.wait_for_selector("body[data-offline-ready='1'] main[data-screen='work']", timeout=WAIT_MS)
        self.page.wait_for_load_state("networkidle")

    def screen(self, name: str) -> None:
        self.page.evaluate("(name) => { location.hash = name; }", name)
        self.page.wait_for_selector(f"main[data-screen='{name.split('/')[0]}']", timeout=WAIT_MS)

    def shot(self, name: str) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)

    def report(self, description: str) -> None:
        self.screen("report")
        page = self.page
        expect(page.locator("#m-gps")).to_have_attribute("data-accuracy", "12", timeout=WAIT_MS)
        page.set_input_files("input[name=photo]", [photo("现场.jpg")])
        page.fill("textarea[name=description]", description)
        page.click("#m-report-form button[type=submit]")
        page.wait_for_selector("main[data-screen='outbox']", timeout=WAIT_MS)

    def item_state(self, state_label: str):
        return self.page.locator("#m-outbox li[data-item] [data-state-label]").first


def photo(name: str) -> dict:
    return {"name": name, "mimeType": "image/jpeg", "buffer": jpeg_bytes()}


def test_a_report_made_offline_is_sent_once_when_the_network_returns(browser, live_server):
    _world, chromium = browser
    phone = Phone(chromium, live_server.url)
    phone.sign_in()
    page = phone.page
    phone.context.set_offline(True)
    phone.report("路灯不亮（离线上报）")
    item = page.locator("#m-outbox li[data-item]")
    expect(item).to_have_count(1)
    expect(item.locator("[data-state-label]")).to_have_text("待发送")
    page.reload()  # still offline: the shell comes from the service worker, the item from IndexedDB
    page.wait_for_selector("body[data-ready='1']", timeout=WAIT_MS)
    phone.screen("outbox")
    expect(page.locator("#m-outbox li[data-item] [data-state-label]")).to_have_text("待发送")
    phone.shot("outbox-offline")
    assert not Case.objects.exists()
    phone.context.set_offline(False)
    expect(page.locator("#m-outbox li[data-item] [data-state-label]")).to_have_text("已发送", timeout=WAIT_MS)
    case = Case.objects.get()
    assert case.description == "路灯不亮（离线上报）"
    assert CasePhoto.objects.filter(case=case).count() == 1
    # the same item replayed twice more (a lost answer, a second tab): nothing new
    for _ in range(2):
        page.evaluate(REPLAY)
        expect(page.locator("#m-outbox li[data-item] [data-state-label]")).to_have_text("已发送", timeout=WAIT_MS)
    assert Case.objects.count() == 1 and CasePhoto.objects.count() == 1
    phone.check("the outbox")


#: Put the sent item back to "waiting", photos not yet uploaded, and send the outbox again.
REPLAY = """async () => {
  const outbox = await import("/static/fieldapp/outbox.js");
  const database = await outbox.db();
  const [item] = await database.getAll("outbox");
  item.state = outbox.WAITING;
  await database.put("outbox", item);
  await outbox.outboxFlush({ force: true });
}"""


def test_the_app_shell_opens_with_the_network_cut(browser, live_server):
    _world, chromium = browser
    phone = Phone(chromium, live_server.url)
    phone.sign_in()
    phone.context.set_offline(True)
    page = phone.context.new_page()  # the app opened again from the home screen, offline
    phone.page.close()
    response = page.goto(live_server.url + "/m/")
    assert response is not None and response.status == 200 and response.from_service_worker
    page.wait_for_selector("main[data-screen='work']", timeout=WAIT_MS)
    expect(page.locator("#m-net")).to_be_visible()  # 离线
    expect(page.locator("#m-tasks")).to_be_visible()  # the last copy of my tasks
    page.locator("#m-tabs a[data-tab='report']").click()
    page.wait_for_selector("#m-report-form", timeout=WAIT_MS)


def test_sign_out_is_refused_while_items_wait(browser, live_server):
    _world, chromium = browser
    phone = Phone(chromium, live_server.url)
    phone.sign_in()
    page = phone.page
    phone.context.set_offline(True)
    phone.report("井盖缺失")
    phone.screen("me")
    page.click("#m-signout")
    expect(page.locator("#m-me-problem .alert")).to_contain_text("发件箱中还有 1 项")
    assert page.evaluate(SIGNED_IN)
    phone.context.set_offline(False)
    phone.screen("outbox")
    expect(page.locator("#m-outbox [data-state-label]")).to_have_text("已发送", timeout=WAIT_MS)
    phone.screen("me")
    page.click("#m-signout")
    page.wait_for_selector("main[data-screen='signin']", timeout=WAIT_MS)
    assert not page.evaluate(SIGNED_IN)
    assert page.evaluate("caches.has('m-data')") is False  # the worker's data read for offline use is gone


def test_a_refused_item_shows_the_servers_reason_and_can_be_deleted(browser, live_server):
    _world, chromium = browser
    phone = Phone(chromium, live_server.url)
    phone.sign_in()
    page = phone.page
    phone.screen("outbox")
    page.evaluate(ADD_UNACCEPTABLE)  # an item the server will not take (422: no category 0)
    row = page.locator("#m-outbox li[data-item]")
    expect(row.locator("[data-state-label]")).to_have_text("被拒绝", timeout=WAIT_MS)
    expect(row.locator("[data-reason]")).to_contain_text("category_id")  # the server's message, as sent
    expect(page.locator("#m-outbox-count")).to_have_text("1")
    phone.shot("outbox-refused")
    page.once("dialog", lambda dialog: dialog.accept())
    row.locator("[data-delete]").click()
    expect(page.locator("#m-outbox li[data-item]")).to_have_count(0)
    expect(page.locator("#m-outbox-count")).to_be_hidden()


SIGNED_IN = """async () => {
  const outbox = await import("/static/fieldapp/outbox.js");
  return Boolean(await outbox.session());
}"""
ADD_UNACCEPTABLE = """async () => {
  const outbox = await import("/static/fieldapp/outbox.js");
  await outbox.outboxAdd("report", {source: "grid_worker", description: "x", longitude: 116.405, latitude: 39.91,
                                   category_id: 0, self_resolved: false});
  await outbox.outboxFlush({ force: true });
}"""


def test_a_patrol_and_a_checkin_go_out_through_the_outbox(browser, live_server):
    world, chromium = browser
    point = CheckPoint.objects.create(name="社区服务站", grid=world.grid_a, lon=IN_A[0], lat=IN_A[1], radius_m=50)
    phone = Phone(chromium, live_server.url)
    phone.sign_in()
    page = phone.page
    phone.screen("checkin")
    row = page.locator(f"#m-points [data-point='{point.pk}']")
    expect(row).to_contain_text("距离 0 米", timeout=WAIT_MS)
    phone.shot("checkin-points")
    row.locator("button").click()
    page.wait_for_selector("main[data-screen='outbox']", timeout=WAIT_MS)
    expect(page.locator("#m-outbox [data-kind='checkin'] [data-state-label]")).to_have_text("已发送", timeout=WAIT_MS)
    assert CheckIn.objects.get().point == point
    phone.screen("patrol")
    expect(page.locator("#m-patrol-status")).to_contain_text("未在巡查", timeout=WAIT_MS)
    assert "null" not in page.locator("#m-patrol-status").inner_text()
    page.click("#m-patrol-status button")
    expect(page.locator("#m-patrol-status")).to_contain_text("待发送 1 个点", timeout=WAIT_MS)
    phone.context.set_geolocation({"longitude": IN_A[0] + 0.0005, "latitude": IN_A[1], "accuracy": 8})
    expect(page.locator("#m-patrol-status")).to_contain_text("待发送 2 个点", timeout=WAIT_MS)
    phone.shot("patrol-on")
    page.click("#m-patrol-status button")  # 结束巡查: the points and the end go into the outbox
    phone.screen("outbox")
    for kind in ("patrol_start", "track", "patrol_end"):
        expect(page.locator(f"#m-outbox [data-kind='{kind}'] [data-state-label]")).to_have_text(
            "已发送", timeout=WAIT_MS
        )
    patrol = Patrol.objects.get()
    assert patrol.ended_at is not None and patrol.worker == world.user("grid_worker_a")
    assert TrackPoint.objects.filter(patrol=patrol).count() == 2
