"""My devices in a real browser: reached from the top bar, a device revoked after its confirmation, the pairing
instructions shown, all under the strict Content-Security-Policy."""

from accounts.models import ApiToken, TokenKind
from web.tests.test_browser import pytestmark  # noqa: F401 - the same skip when no Chromium
from web.tests.test_browser_surface import Visitor, browser  # noqa: F401 - the live server and Chromium


def test_a_device_is_revoked_from_the_page_after_confirming(browser, live_server):  # noqa: F811
    world, chromium = browser
    phone, _key = ApiToken.issue(world.user("grid_worker_a"), "华为 Mate 60", TokenKind.DEVICE)
    spare, _key = ApiToken.issue(world.user("grid_worker_a"), "备用机", TokenKind.DEVICE)
    visitor = Visitor(chromium, live_server.url)
    visitor.login("worker_a")
    visitor.page.get_by_role("link", name="我的设备").click()
    visitor.page.wait_for_url(f"{live_server.url}/accounts/devices/")
    visitor.check("/accounts/devices/")
    page = visitor.page
    assert page.locator("[data-tracker-url]").inner_text() == f"{live_server.url}/api/v1/tracks/osmand"
    row = page.locator(f"[data-device='{phone.pk}']")
    assert row.locator("[data-tracker-id]").inner_text() == phone.tracker_id
    confirm = row.get_by_role("button", name="确认吊销")
    assert not confirm.is_visible()  # nothing is revoked by one stray tap
    row.get_by_text("吊销", exact=True).click()
    confirm.click()
    page.wait_for_url(f"{live_server.url}/accounts/devices/")
    page.wait_for_load_state("networkidle")
    visitor.check("after revoking")
    assert "已吊销“华为 Mate 60”" in page.locator("main").inner_text()
    assert page.locator("[data-device]").count() == 1
    phone.refresh_from_db()
    spare.refresh_from_db()
    assert phone.revoked_at is not None and spare.revoked_at is None
