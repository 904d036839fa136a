"""The bulletin pages: the list (scoped, by kind and period, unread marked, in a fixed number of queries), one
bulletin (its document with links to the cases behind each count, its versions and differences, who has read it),
and the 发布/更正 form with its errors."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from bulletins.models import Bulletin, BulletinRead
from bulletins.selectors import unread_count
from bulletins.services import bulletin_publish
from stats.facts import Measure as M

OCTOBER = dt.date(2026, 10, 14)


@pytest.fixture
def streets(facts, world):
    facts.cases(OCTOBER, 6, closed=5, closed_on_time=5)
    facts.cases(OCTOBER, 3, closed=1, closed_on_time=1, grid=world.grid_c)
    one = bulletin_publish("month", "2026-10", "110101001").bulletin
    two = bulletin_publish("month", "2026-10", "110101002").bulletin
    return one, two


def test_a_street_leader_sees_their_street_s_bulletin_and_not_another_street_s(world, streets):
    one, two = streets
    client = world.client("street_leader")
    page = client.get("/bulletins/").content.decode()
    assert f'data-bulletin="{one.pk}"' in page and f'data-bulletin="{two.pk}"' not in page
    for url in (
        f"/bulletins/{two.pk}/",
        f"/bulletins/{two.pk}/pdf",
        f"/bulletins/{two.pk}/xlsx",
        f"/bulletins/{two.pk}/csv?table=main",
        f"/api/v1/bulletins/{two.pk}",
    ):
        assert client.get(url).status_code == 404, url
    assert not BulletinRead.objects.filter(bulletin=two, read_at__isnull=False).exists()


def test_unread_bulletins_are_marked_until_opened(world, streets):
    one, _two = streets
    client = world.client("street_leader")
    assert re.search(rf'data-bulletin="{one.pk}" data-unread', client.get("/bulletins/").content.decode())
    assert unread_count(world.user("street_leader")) == 1
    assert client.get(f"/bulletins/{one.pk}/").status_code == 200
    assert unread_count(world.user("street_leader")) == 0
    assert f'data-bulletin="{one.pk}" data-unread' not in client.get("/bulletins/").content.decode()
    assert BulletinRead.objects.get(bulletin=one, user=world.user("street_leader")).read_at is not None


def test_the_list_filters_by_kind_and_period_and_refuses_a_bad_period(world, streets):
    client = world.client("administrator")
    assert client.get("/bulletins/?kind=week").content.decode().count("data-bulletin=") == 0
    assert client.get("/bulletins/?kind=month&period=2026-10").content.decode().count("data-bulletin=") == 2
    bad = client.get("/bulletins/?period=2026-13")
    assert bad.status_code == 400 and "统计周期格式不正确" in bad.content.decode()


def test_the_list_takes_a_fixed_number_of_queries(world, streets, django_assert_max_num_queries):
    client = world.client("administrator")
    client.get("/bulletins/")
    for month in range(1, 9):
        bulletin_publish("month", f"2026-{month:02d}", "110101001")
    with django_assert_max_num_queries(16):
        response = client.get("/bulletins/")
    assert response.content.decode().count("data-bulletin=") == 10


def test_a_bulletin_links_each_count_to_the_cases_behind_it(world, streets):
    one, _two = streets
    page = world.client("street_leader").get(f"/bulletins/{one.pk}/").content.decode()
    assert "/stats/cases/?measure=report&amp;period=2026-10&amp;area=110101001" in page
    assert "/stats/cases/?measure=filed&amp;period=2026-10&amp;area=110101001&amp;source=grid_worker" in page
    assert "/stats/cases/?measure=report&amp;period=2026-10&amp;area=110101001001" in page  # the community's row


def test_a_correction_shows_its_versions_and_what_changed(facts, world, streets):
    one, _two = streets
    facts.cases(OCTOBER, 2, grid=world.grid_b)
    client = world.client("shift_leader")
    response = client.post("/bulletins/publish/", {"kind": "month", "period": "2026-10", "area": "110101001"})
    corrected = Bulletin.objects.get(area=one.area, version=2)
    assert response.status_code == 302 and response["Location"] == f"/bulletins/{corrected.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "已发布更正（第2版" in page
    assert "第2版更正了" in page and "data-changes" in page
    assert f'href="/bulletins/{one.pk}/"' in page  # the first version, listed
    old = client.get(f"/bulletins/{one.pk}/").content.decode()
    assert "data-superseded" in old and f'href="/bulletins/{corrected.pk}/"' in old
    again = client.post("/bulletins/publish/", {"kind": "month", "period": "2026-10", "area": "110101001"})
    assert again["Location"] == f"/bulletins/{corrected.pk}/"
    assert "数据无变化，未发布新版本" in client.get(again["Location"]).content.decode()


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        ({"kind": "month", "period": "2026-13", "area": "110101"}, 400, "统计周期格式不正确"),
        ({"kind": "month", "period": "2026-W40", "area": "110101"}, 400, "不是月"),
        ({"kind": "month", "period": "2099-01", "area": "110101"}, 400, "尚未结束"),
        ({"kind": "month", "period": "2026-10", "area": "999"}, 400, "选择一个有效的选项"),
        ({"kind": "", "period": "2026-10", "area": "110101"}, 400, "这个字段是必填项"),
    ],
)
def test_the_publish_form_shows_what_is_wrong(world, data, status, message):
    response = world.client("administrator").post("/bulletins/publish/", data)
    assert response.status_code == status
    assert message in response.content.decode()
    assert not Bulletin.objects.exists()


def test_only_publishers_see_the_form_and_the_read_receipts(world, streets):
    one, _two = streets
    world.client("street_leader").get(f"/bulletins/{one.pk}/")
    leader = world.client("street_leader")
    assert 'data-form="publish"' not in leader.get("/bulletins/").content.decode()
    assert "data-readers" not in leader.get(f"/bulletins/{one.pk}/").content.decode()
    assert (
        leader.post("/bulletins/publish/", {"kind": "month", "period": "2026-10", "area": "110101001"}).status_code
        == 403
    )
    publisher = world.client("shift_leader")
    assert 'data-form="publish"' in publisher.get("/bulletins/").content.decode()
    page = publisher.get(f"/bulletins/{one.pk}/").content.decode()
    readers = page[page.index("data-readers") :]
    assert "已读 2 / 3" in readers  # the street leader and now the shift leader; the dispatcher not yet
    read, unread = readers.split("data-unread-list")
    assert "street" in read and "dispatcher" in unread
    assert world.client("grid_worker_a").get("/bulletins/").status_code == 403


def test_a_department_s_handlers_read_the_bulletins_that_give_its_figures(facts, world):
    facts.add(OCTOBER, M.DISPATCHED, 2, on_time=2, department=world.department)
    named = bulletin_publish("month", "2026-10", "110101001").bulletin
    other = bulletin_publish("month", "2026-10", "110101002").bulletin
    handler = world.client("department_handler")
    page = handler.get("/bulletins/").content.decode()
    assert f'data-bulletin="{named.pk}"' in page and f'data-bulletin="{other.pk}"' not in page
    detail = handler.get(f"/bulletins/{named.pk}/").content.decode()
    assert "环卫所" in detail and "网格员工作情况" not in detail  # no per-person figures for a department
    assert handler.get(f"/bulletins/{other.pk}/").status_code == 404
