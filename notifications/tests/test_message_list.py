"""The messages page: unread first, newest first, paged, each message opened through its own address (marked read,
then its case; a grouped one lists its cases); "全部已读" and opening touch only the reader's own messages; the
list's queries do not grow with its rows."""

import datetime as dt
import re
from collections.abc import Sequence

import pytest
from django.utils import timezone

from audit.services import Origin
from cases.models import Case, Category
from cases.seed import categories_ensure
from cases.services import ReportData, report_submit
from gridgov.testing import IN_A
from notifications.models import Notification, NotificationItem

START = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def cases(world) -> list[Case]:
    categories_ensure()
    garbage = Category.objects.get(kind="event", code="0102")
    origin = Origin(world.user("dispatcher"), "api")
    data = ReportData(
        source="hotline", description="路边有暴露垃圾", longitude=IN_A[0], latitude=IN_A[1], category_id=garbage.pk
    )
    return [report_submit(origin, data).case for _ in range(3)]


def message(user, number: int, *, read: bool = False, about: Sequence[Case] = ()) -> Notification:
    row = Notification.objects.create(
        user=user,
        title=f"消息 {number:02d}",
        link=f"/cases/{about[0].number}/" if len(about) == 1 else "",
        cause=f"test:{number}",
        created_at=START + dt.timedelta(minutes=number),
        read_at=timezone.now() if read else None,
    )
    NotificationItem.objects.bulk_create(
        [
            NotificationItem(notification=row, case=case, waits_while=case.status, title=f"{case.number} 待受理")
            for case in about
        ]
    )
    return row


def titles(page: str) -> list[str]:
    return re.findall(r'href="/messages/\d+/">(消息 \d\d)</a>', page)


def test_unread_come_first_then_newest_first_and_the_list_pages(world, cases):
    reader = world.user("dispatcher")
    for number in range(40):  # the even ones read
        message(reader, number, read=number % 2 == 0, about=[cases[number % 3]])
    client = world.client("dispatcher")

    first = client.get("/messages/").content.decode()
    second = client.get("/messages/?page=2").content.decode()

    unread = [f"消息 {number:02d}" for number in range(39, 0, -2)]
    read = [f"消息 {number:02d}" for number in range(38, -1, -2)]
    assert titles(first) + titles(second) == unread + read
    assert len(titles(first)) == 30 and "第 1 / 2 页" in first
    assert "未读 20 条，其中 20 条仍待你处理" in first


def test_opening_a_message_marks_it_read_and_leads_to_its_case(world, cases):
    reader = world.user("dispatcher")
    row = message(reader, 1, about=[cases[0]])
    client = world.client("dispatcher")
    assert f'href="/messages/{row.pk}/"' in client.get("/messages/").content.decode()

    answer = client.get(f"/messages/{row.pk}/")

    assert answer.status_code == 302 and answer["Location"] == f"/cases/{cases[0].number}/"
    row.refresh_from_db()
    assert row.read_at is not None


def test_a_grouped_message_lists_its_cases(world, cases):
    reader = world.user("street_leader")
    row = message(reader, 1, about=cases)
    client = world.client("street_leader")
    listed = client.get("/messages/").content.decode()
    assert "查看 3 个案件" in listed and all(f'href="/cases/{case.number}/"' in listed for case in cases)

    page = client.get(f"/messages/{row.pk}/")

    assert page.status_code == 200
    assert re.findall(r'href="/cases/(\d+)/"', page.content.decode()) == [case.number for case in cases]
    row.refresh_from_db()
    assert row.read_at is not None


def test_another_persons_message_is_not_found_and_stays_unread(world, cases):
    theirs = message(world.user("department_handler"), 1, about=[cases[0]])

    answer = world.client("dispatcher").get(f"/messages/{theirs.pk}/")

    assert answer.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert "消息 01" not in world.client("dispatcher").get("/messages/").content.decode()


def test_marking_all_read_is_a_post_scoped_to_the_reader(world, cases):
    mine = [message(world.user("dispatcher"), number, about=[cases[0]]) for number in range(3)]
    theirs = message(world.user("department_handler"), 9)
    client = world.client("dispatcher")
    assert client.get("/messages/").content.decode().count("data-unread-row") == 3

    answer = client.post("/messages/")

    assert answer.status_code == 302 and answer["Location"] == "/messages/"
    assert not Notification.objects.filter(pk__in=[row.pk for row in mine], read_at=None).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None
    page = client.get("/messages/").content.decode()
    assert "data-unread-row" not in page and "data-unread>" not in page


def test_the_list_and_the_badge_keep_their_query_count_with_many_rows(world, cases, django_assert_max_num_queries):
    reader = world.user("dispatcher")
    client = world.client("dispatcher")
    message(reader, 0, about=cases[:2])
    client.get("/messages/")  # the session, once
    with django_assert_max_num_queries(12) as few:
        client.get("/messages/")
    for number in range(1, 31):
        message(reader, number, read=number % 3 == 0, about=cases if number % 4 == 0 else [cases[number % 3]])
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get("/messages/").content.decode()
    assert len(titles(page)) == 30 and "查看 3 个案件" in page
