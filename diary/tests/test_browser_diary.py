"""The 民情日志 in a real browser (Chromium through Playwright against the live server): a grid worker writes an
entry on a 390 × 844 phone, linking a resident through the search picker; a street leader finds it in the grid's
diary at 1440 × 900 and comments (点评); the worker sees the comment marked new, opens it, and the leader sees it
read. No CSP violation, nothing scrolls sideways on the phone."""

from playwright.sync_api import expect

from diary.models import DiaryComment, DiaryEntry
from registry.tests.factories import PersonFactory
from web.tests import test_browser_surface as surface
from web.tests.test_browser import pytestmark  # noqa: F401 - the same skip when no Chromium
from web.tests.test_browser_surface import SIDEWAYS, Visitor

browser = surface.browser  # the fixture: the live world and Chromium

PHONE = (390, 844)
OFFICE = (1440, 900)


def test_a_worker_writes_a_leader_comments_and_the_worker_sees_it(browser, live_server):
    world, chromium = browser
    PersonFactory.create(name="周九", grid=world.grid_a)

    worker = Visitor(chromium, live_server.url, viewport=PHONE)
    worker.login("worker_a")
    page = worker.page
    worker.visit("/diary/")
    expect(page.locator("main")).to_contain_text("还没有日志")
    page.click("main a.btn-primary:has-text('写日志')")
    page.wait_for_url("**/diary/new/")
    page.wait_for_load_state("networkidle")
    assert page.evaluate(SIDEWAYS) == []
    page.select_option("#id_kind", "visit")
    page.fill("#id_title", "走访独居老人周九")
    page.fill("#id_content", "老人身体尚可，需要助餐")
    page.fill("#id_summary", "联系助餐点")
    picker = page.locator("#id_person_ids-ts-control")
    picker.click()
    picker.fill("周")
    option = page.locator(".ts-dropdown .option:has-text('周九')")
    expect(option).to_be_visible(timeout=10_000)
    option.click()
    page.keyboard.press("Escape")
    page.click("main button:has-text('保存')")
    page.wait_for_url(lambda url: "/new/" not in url)
    worker.check("entry saved")
    entry = DiaryEntry.objects.get(title="走访独居老人周九")
    assert [person.name for person in entry.persons.all()] == ["周九"]
    expect(page.locator("main")).to_contain_text("暂无点评")

    leader = Visitor(chromium, live_server.url, viewport=OFFICE)
    leader.login("street")
    desk = leader.page
    leader.visit("/diary/grid/?q=周九")
    desk.click("main a:has-text('走访独居老人周九')")
    desk.wait_for_url(f"**/diary/{entry.pk}/")
    desk.fill("#id_text", "做得好，请落实助餐")
    desk.click("main button:has-text('发送点评')")
    desk.wait_for_url(f"**/diary/{entry.pk}/")
    expect(desk.locator("[data-comment]")).to_contain_text("记录人未读")
    leader.check("commented")

    worker.visit("/diary/")
    expect(page.locator("[data-unread-comments]")).to_be_visible()
    assert page.evaluate(SIDEWAYS) == []
    page.click("main a:has-text('走访独居老人周九')")
    page.wait_for_url(f"**/diary/{entry.pk}/")
    expect(page.locator("[data-comment]")).to_contain_text("做得好，请落实助餐")
    assert DiaryComment.objects.get().read_at is not None
    leader.visit(f"/diary/{entry.pk}/")
    expect(desk.locator("[data-comment]")).to_contain_text("记录人已读")
