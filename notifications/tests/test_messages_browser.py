"""The messages page in a real browser, at a phone's size (390 × 844) and an office screen's (1440 × 900): no
horizontal scrolling, a grouped message opens to its cases, "全部已读" clears the badge. Screenshots go to
``GRIDGOV_SCREENSHOTS`` (default ``var``)."""

import datetime as dt
import os
from pathlib import Path

import pytest

from accounts.models import User
from audit.services import Origin
from cases.models import Category
from cases.services import ReportData, report_submit
from gridgov.testing import IN_A
from notifications.models import Notification, NotificationItem
from web.tests.test_browser import browser_page, pytestmark  # noqa: F401 - the shared browser fixture and marks

SHOTS = Path(os.environ.get("GRIDGOV_SCREENSHOTS", "var"))
START = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)


def messages_of(reader: User, dispatcher: User) -> None:
    """A working day's messages: a grouped one over four cases, cases dispatched, one read, a notice."""
    garbage = Category.objects.get(kind="event", code="0102")
    data = ReportData(
        source="hotline", description="路边有暴露垃圾", longitude=IN_A[0], latitude=IN_A[1], category_id=garbage.pk
    )
    cases = [report_submit(Origin(dispatcher, "api"), data).case for _ in range(4)]
    grouped = Notification.objects.create(
        user=reader, title="4 个案件进入红灯", body="、".join(case.number for case in cases), cause="t:group",
        kind="alert", created_at=START + dt.timedelta(hours=3),
    )  # fmt: skip
    NotificationItem.objects.bulk_create(
        NotificationItem(notification=grouped, case=case, waits_while="reported", title=f"{case.number} 超时（红灯）")
        for case in cases
    )
    for number, case in enumerate(cases[:3]):
        single = Notification.objects.create(
            user=reader, title=f"案卷 {case.number}：派遣", link=f"/cases/{case.number}/", cause=f"t:{number}",
            kind="task", created_at=START + dt.timedelta(hours=number), read_at=START if number == 0 else None,
        )  # fmt: skip
        NotificationItem.objects.create(notification=single, case=case, waits_while="reported", title=case.number)
    Notification.objects.create(
        user=reader, title="系统将于今晚 22:00 维护，届时暂停使用 30 分钟", cause="t:notice", created_at=START
    )


def sign_in(page, url: str, username: str) -> None:
    page.goto(f"{url}/accounts/login/?next=/messages/")
    page.fill("#id_username", username)
    page.fill("#id_password", "test-password-1")
    page.click("button[type=submit]")
    page.wait_for_selector("[data-list=notifications]")


@pytest.mark.parametrize(("width", "height", "name"), [(390, 844, "phone"), (1440, 900, "office")])
def test_the_messages_page_at_the_roles_viewport(browser_page, live_server, width, height, name):  # noqa: F811
    world, page, requested = browser_page
    messages_of(world.user("street_leader"), world.user("dispatcher"))
    page.set_viewport_size({"width": width, "height": height})
    sign_in(page, live_server.url, "street")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"messages-{name}.png"), full_page=True)

    assert page.evaluate("document.documentElement.scrollWidth") <= width  # no horizontal scrolling
    assert page.inner_text("[data-unread]") == "4"  # three unread about waiting cases and the notice
    rows = page.locator("[data-list=notifications] > li")
    assert rows.count() == 5 and "4 个案件进入红灯" in rows.nth(0).inner_text()
    assert rows.nth(4).get_attribute("data-unread-row") is None and "派遣" in rows.nth(4).inner_text()  # read: last

    page.click("text=4 个案件进入红灯")
    page.wait_for_selector("[data-list=notification-cases]")
    assert page.locator("[data-list=notification-cases] a").count() == 4
    page.screenshot(path=str(SHOTS / f"messages-group-{name}.png"), full_page=True)
    assert page.inner_text("[data-unread]") == "3"

    page.goto(f"{live_server.url}/messages/settings/")
    page.screenshot(path=str(SHOTS / f"messages-settings-{name}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    page.goto(f"{live_server.url}/messages/")
    page.click("text=全部已读")
    page.wait_for_selector(".alert-success")
    assert page.locator("[data-unread]").count() == 0 and page.locator("[data-unread-row]").count() == 0
    assert [url for url in requested if not url.startswith(live_server.url)] == []
