"""预测预警 in a real browser (Chromium through Playwright against the live server) at 1440 × 900: a street leader
sees the 预警 card on the workbench, opens the list, where each alert's sparkline is drawn under the strict CSP,
and marks an alert handled with a note; it moves to the handled tab."""

import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from alerts.models import WarningAlert
from alerts.tests.conftest import STEADY, WarningAlertFactory, weeks_before
from cases.models import Category
from stats.facts import Measure
from stats.models import StatFact
from web.tests import test_browser_surface as surface
from web.tests.test_browser import pytestmark  # noqa: F401 - the same skip when no Chromium
from web.tests.test_browser_surface import SIDEWAYS, Visitor

browser = surface.browser  # the fixture: the live world and Chromium

OFFICE = (1440, 900)


def test_a_leader_reads_an_alert_and_marks_it_handled(browser, live_server):
    world, chromium = browser
    garbage = Category.objects.get(kind="event", code="0102")
    today = timezone.localdate()
    for day, count in {**weeks_before(today, STEADY), today: 9}.items():
        StatFact.objects.create(day=day, grid_id=world.grid_a.pk, category_id=garbage.pk, source="grid_worker",
                                measure=Measure.REPORT, count=count)  # fmt: skip
    alert = WarningAlertFactory.create(
        grid=world.grid_a, category=garbage, day=today, expected=2.0, threshold=9, probability=0.000237,
        baseline=STEADY, created_at=timezone.now(),
    )  # fmt: skip
    WarningAlertFactory.create(grid=world.grid_b, category=garbage, day=today - dt.timedelta(days=1))

    leader = Visitor(chromium, live_server.url, viewport=OFFICE)
    leader.login("street")
    page = leader.page
    card = page.locator('[data-queue="alerts"]')
    expect(card.locator('[data-stat="alerts"]')).to_have_text("2")
    expect(card).to_contain_text("网格A · 暴露垃圾")

    leader.visit("/alerts/", ready="[data-sparkline][data-drawn] canvas")
    expect(page.locator("[data-sparkline][data-drawn]")).to_have_count(2)
    row = page.locator(f'article[data-alert="{alert.pk}"]')
    expect(row).to_contain_text("（今日截至目前）")
    expect(row.locator("[data-words]")).to_contain_text("基线下出现概率约 1/4200")
    box = row.locator("[data-sparkline] canvas").bounding_box()
    assert box is not None and box["width"] > 150 and box["height"] >= 60
    assert page.evaluate(SIDEWAYS) == []

    row.locator("textarea").fill("系早市摊贩集中，已协调环卫所加密清运")
    with page.expect_navigation():  # back to the list it was handled on
        row.locator("button:has-text('已处理')").click()
    assert page.url == live_server.url + "/alerts/"
    expect(page.locator("main .alert-success")).to_contain_text("预警已标记为已处理")
    expect(page.locator(f'article[data-alert="{alert.pk}"]')).to_have_count(0)
    leader.check("handled")
    handled = WarningAlert.objects.get(pk=alert.pk)
    assert handled.note == "系早市摊贩集中，已协调环卫所加密清运"
    assert handled.acknowledged_by == world.user("street_leader")

    page.click("[data-tab='handled']")
    page.wait_for_url("**/alerts/?tab=handled")
    expect(page.locator(f'article[data-alert="{alert.pk}"] [data-handled]')).to_be_visible()
    expect(page.locator(f'article[data-alert="{alert.pk}"]')).to_contain_text("已协调环卫所加密清运")
    leader.check("handled tab")
