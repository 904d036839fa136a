"""The grid worker's day on a 390 × 844 phone in a real browser (Chromium through Playwright against the live
server): sign in, report a problem with a photo through the two-step category picker on the grid preselected for
them, and find it under 我上报的 on the workbench; the picker works with the keyboard alone; a GPS fix moves the
preselected point; touch targets are at least 44 px and nothing scrolls sideways. Screenshots go to
GRIDGOV_SCREENSHOTS (default /tmp/shots/phone)."""

import os
from pathlib import Path

from playwright.sync_api import expect

from areas.models import AreaBoundary
from cases.models import Case, Category
from gridgov.testing import IN_A, jpeg_bytes
from web.tests import test_browser_surface as surface
from web.tests.test_browser import pytestmark  # noqa: F401 - the same skip when no Chromium
from web.tests.test_browser_surface import SIDEWAYS, Visitor

browser = surface.browser  # the fixture: the live world and Chromium

SHOTS = Path(os.environ.get("GRIDGOV_SCREENSHOTS", "/tmp/shots/phone"))
PHONE = (390, 844)
#: Visible controls in the page's main part lower than 44 px (a check box counts by its label's row; the map's
#: zoom buttons are in, its attribution links are not).
SMALL_TARGETS = """() => Array.from(document.querySelectorAll(
    "main button, main input:not([type=hidden]):not([type=checkbox]), main select, main textarea, main summary, "
    + "main .form-check-label, main .leaflet-bar a, nav.tabbar a"))
  .filter((element) => element.offsetParent !== null)
  .map((element) => [element.id || element.name || element.textContent.trim().slice(0, 20),
                     Math.round(element.getBoundingClientRect().height)])
  .filter(([, height]) => height < 44)"""


def shot(visitor: Visitor, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    visitor.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def report_page(visitor: Visitor) -> None:
    visitor.page.wait_for_selector("#report-map.map-ready", timeout=15_000)
    visitor.page.wait_for_load_state("networkidle")
    visitor.check("/cases/report/")


def test_a_grid_worker_reports_with_a_photo_through_the_picker_and_finds_it_on_the_workbench(browser, live_server):
    world, chromium = browser
    worker = Visitor(chromium, live_server.url, viewport=PHONE)
    worker.login("worker_a")
    page = worker.page
    assert page.evaluate(SIDEWAYS) == []
    page.click("[data-report-button]")  # the workbench's big 上报问题 button
    page.wait_for_url("**/cases/report/")
    report_page(worker)
    assert page.evaluate(SIDEWAYS) == [] and page.evaluate(SMALL_TARGETS) == []
    shot(worker, "report-empty")

    # 1. Category: the plain select gives way to the picker; a search by pinyin initials finds 暴露垃圾.
    assert page.locator("#id_category").is_hidden() and page.locator("[data-category-picker]").is_visible()
    page.fill("#category-search", "bllj")
    found = page.locator("[data-picker-results] .picker-option")
    expect(found).to_have_count(1)
    assert "暴露垃圾" in found.inner_text()
    found.click()
    rubbish = Category.objects.get(kind="event", code="0102")
    assert page.input_value("#id_category") == str(rubbish.pk)
    chosen = page.locator("[data-picker-chosen-box]")
    expect(chosen).to_contain_text("市容环境 / 暴露垃圾")
    expect(chosen).to_contain_text("默认优先级：一般")
    # 2. Photo from the camera (a real JPEG).
    assert page.get_attribute("#id_photos", "capture") == "environment"
    page.set_input_files("#id_photos", files=[{"name": "scene.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()}])
    # 3. Location: no fix in this browser, so the worker's grid A stands, with the pin at its centre.
    centre = AreaBoundary.objects.get(area=world.grid_a, valid_to__isnull=True)
    assert float(page.input_value("#id_longitude")) == round(centre.centroid_lon, 6)
    assert "网格A" in page.inner_text("[data-point-label]")
    assert page.locator("#report-map .leaflet-marker-icon").count() == 1
    # 4. Description, then submit.
    page.fill("#id_description", "路边一堆垃圾无人清理")
    shot(worker, "report-filled")
    page.click("#case-report button[accesskey=s]")
    page.wait_for_url("**/cases/2*/", timeout=10_000)
    case = Case.objects.get()
    assert case.category == rubbish and case.grid == world.grid_a and case.photos.count() == 1
    assert page.evaluate(SIDEWAYS) == []

    # The workbench lists it under 我上报的.
    page.click("nav.tabbar a[href='/']")
    page.wait_for_url(f"{live_server.url}/")
    mine = page.locator(f"[data-queue=reports] [data-case='{case.number}']")
    expect(mine).to_be_visible()
    assert "暴露垃圾" in mine.inner_text() and page.evaluate(SIDEWAYS) == []
    shot(worker, "workbench-after-report")

    # The next report offers 暴露垃圾 first, among the recent categories.
    page.click("[data-report-button]")
    report_page(worker)
    recent = page.locator("[data-picker-recent] .picker-option")
    expect(recent).to_have_count(1)
    assert "暴露垃圾" in recent.inner_text()
    worker.check()


def test_the_category_picker_works_with_the_keyboard_alone(browser, live_server):
    _world, chromium = browser
    worker = Visitor(chromium, live_server.url, viewport=PHONE)
    worker.login("worker_a")
    page = worker.page
    page.goto(live_server.url + "/cases/report/")
    report_page(worker)
    page.focus("#category-search")
    page.keyboard.press("Tab")  # the first class: 事件 · 市容环境
    assert page.evaluate("document.activeElement.textContent") == "市容环境"
    page.keyboard.press("ArrowRight")  # the next class: 宣传广告
    assert page.evaluate("document.activeElement.textContent") == "宣传广告"
    page.keyboard.press("Enter")
    expect(page.locator("[data-picker-subs-title]")).to_have_text("事件 · 宣传广告")
    first = page.evaluate("document.activeElement.textContent")  # focus moved to the first subclass
    page.keyboard.press("ArrowDown")
    second = page.evaluate("document.activeElement.textContent")
    page.keyboard.press("Enter")
    assert first != second
    chosen = Category.objects.get(pk=int(page.input_value("#id_category")))
    assert chosen.name == second and chosen.parent and chosen.parent.name == "宣传广告"
    assert page.get_attribute(f"[data-picker-subs] [data-value='{chosen.pk}']", "aria-pressed") == "true"
    page.keyboard.press("Escape")  # back to the classes, on the class it came from
    assert page.evaluate("document.activeElement.textContent") == "宣传广告"
    # Enter in the search box takes the first match and never submits the report.
    page.focus("#category-search")
    page.keyboard.type("dlbj")  # 道路不洁
    page.keyboard.press("Enter")
    assert Category.objects.get(pk=int(page.input_value("#id_category"))).name == "道路不洁"
    assert page.url == live_server.url + "/cases/report/" and not Case.objects.exists()
    # Every control of the picker is labelled: the search box by its label, the groups by their titles.
    assert page.locator("label[for=category-search]").count() == 1
    assert page.locator("[data-category-picker] [role=group]:not([aria-labelledby])").count() == 0


def test_a_gps_fix_moves_the_preselected_point_to_where_the_worker_stands(browser, live_server):
    _world, chromium = browser
    here = {"longitude": IN_A[0] + 0.002, "latitude": IN_A[1] + 0.003}
    worker = Visitor(chromium, live_server.url, viewport=PHONE, geolocation=here, permissions=["geolocation"])
    worker.login("worker_a")
    page = worker.page
    page.goto(live_server.url + "/cases/report/")
    report_page(worker)
    expect(page.locator("#id_longitude")).to_have_value(f"{here['longitude']:.6f}")
    assert page.input_value("#id_latitude") == f"{here['latitude']:.6f}"
    assert page.get_attribute("#report-map", "data-fix") == "1"


def test_without_javascript_the_plain_select_and_the_preset_grid_still_report(browser, live_server):
    world, chromium = browser
    context = chromium.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", "worker_a")
    page.fill("#id_password", "test-password-1")
    page.click("button[type=submit]")
    page.wait_for_url(live_server.url + "/")
    page.goto(live_server.url + "/cases/report/")
    assert page.locator("#id_category").is_visible() and page.locator("[data-category-picker]").is_hidden()
    rubbish = Category.objects.get(kind="event", code="0102")
    page.select_option("#id_category", str(rubbish.pk))
    page.fill("#id_description", "无脚本上报")
    page.click("#case-report button[accesskey=s]")
    page.wait_for_url("**/cases/2*/", timeout=10_000)
    case = Case.objects.get()
    assert case.category == rubbish and case.grid == world.grid_a and case.description == "无脚本上报"
    context.close()
