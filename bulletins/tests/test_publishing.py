"""Publishing: a bulletin is frozen (later data never changes it, on its page or in its PDF); publishing again with
other figures makes a correction listing each figure that changed, with the same figures nothing new; publishing
is audited, the receivers are told and get read receipts; refusals change nothing."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import translation
from pypdf import PdfReader

from accounts.roles import Role
from audit.models import AuditEntry
from bulletins.models import Bulletin, BulletinRead
from bulletins.services import CORRECTED, PUBLISHED, UNCHANGED, bulletin_open, bulletin_publish
from gridgov.errors import DomainError
from gridgov.testing import make_user
from notifications.models import Delivery
from stats.facts import Measure as M

OCTOBER = dt.date(2026, 10, 14)


def test_a_published_bulletin_is_frozen_on_its_page_and_in_its_pdf(facts, world):
    facts.cases(OCTOBER, 37, closed=30, closed_on_time=30)
    bulletin = bulletin_publish("month", "2026-10", "110101").bulletin
    frozen = bulletin.content
    facts.cases(OCTOBER, 5, closed=5, closed_on_time=5, grid=world.grid_c)

    bulletin.refresh_from_db()
    assert bulletin.content == frozen
    client = world.client("administrator")
    page = client.get(f"/bulletins/{bulletin.pk}/").content.decode()
    assert "测试区共上报问题37件" in page and "上报问题42件" not in page
    pdf = client.get(f"/bulletins/{bulletin.pk}/pdf")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.getvalue())).pages)
    assert "共上报问题37件" in text.replace("\n", "") and "42件" not in text


def test_publishing_again_corrects_only_what_changed(facts, world):
    facts.cases(OCTOBER, 10, closed=8, closed_on_time=8)
    first = bulletin_publish("month", "2026-10", "110101")
    assert (first.outcome, first.bulletin.version, first.bulletin.changes) == (PUBLISHED, 1, [])
    assert bulletin_publish("month", "2026-10", "110101").outcome == UNCHANGED
    assert Bulletin.objects.count() == 1

    facts.cases(OCTOBER, 2, closed=2, closed_on_time=2, grid=world.grid_c)
    second = bulletin_publish("month", "2026-10", "110101")
    assert second.outcome == CORRECTED
    corrected = second.bulletin
    assert (corrected.version, corrected.supersedes_id) == (2, first.bulletin.pk)
    changes = {(c["table_key"], c["row_key"], c["column_key"]): c for c in corrected.changes}
    assert changes[("main", "reports", "value")] == {
        "table_key": "main",
        "row_key": "reports",
        "column_key": "value",
        "table": "主要指标",
        "row": "上报问题",
        "column": "本期",
        "old": 10,
        "new": 12,
        "personal": False,
        "unit": "figure",
        "row_unit": "count",
    }
    assert (changes[("main", "close_rate", "value")]["old"], changes[("main", "close_rate", "value")]["new"]) == (
        80.0,
        83.33,
    )
    assert changes[("by_area", "area:110101002", "close_rate")]["row"] == "二街道"
    rate = changes[("basic", "closed/close_rate", "rate")]  # a row of two indicators: the rate is named by its own
    assert (rate["row"], rate["column"], rate["old"], rate["new"]) == ("结案率", "值", 80.0, 83.33)
    assert changes[("basic", "closed/close_rate", "count")]["row"] == "结案数"
    assert ("main", "previous") not in {(c["table_key"], c["row_key"]) for c in corrected.changes}
    first.bulletin.refresh_from_db()
    assert first.bulletin.content["tables"] != corrected.content["tables"]  # the first version is kept as it was

    again = bulletin_publish("month", "2026-10", "110101")
    assert (again.outcome, again.bulletin.pk) == (UNCHANGED, corrected.pk)
    assert again.message.startswith("数据无变化")
    assert Bulletin.objects.count() == 2


def test_publishing_is_audited_and_tells_the_receivers(facts, world):
    facts.add(OCTOBER, M.DISPATCHED, 3, on_time=3, department=world.department)
    shift = world.user("shift_leader")
    published = bulletin_publish("month", "2026-10", "110101001", shift)
    bulletin = published.bulletin
    assert bulletin.published_by == shift
    entry = AuditEntry.objects.get(object_type="bulletins.bulletin", object_id=str(bulletin.pk))
    assert (entry.actor, entry.action, entry.area_code) == (shift, "create", "110101001")
    assert entry.detail["version"] == 1 and entry.detail["period"] == "2026-10"

    told = {world.user(name).pk for name in ("street_leader", "dispatcher", "department_handler")}
    assert set(BulletinRead.objects.filter(bulletin=bulletin, recipient=True).values_list("user_id", flat=True)) == told
    assert (
        set(Delivery.objects.filter(cause=f"bulletin:{bulletin.pk}", channel="inapp").values_list("user_id", flat=True))
        == told
    )
    delivery = Delivery.objects.filter(cause=f"bulletin:{bulletin.pk}").first()
    assert delivery.title.startswith("新通报：一街道2026年10月") and delivery.link == f"/bulletins/{bulletin.pk}/"
    assert list(bulletin.departments.all()) == [world.department]
    assert published.told == 3


def test_a_correction_is_told_as_one(facts, world):
    bulletin_publish("month", "2026-10", "110101001")
    facts.cases(OCTOBER, 1)
    corrected = bulletin_publish("month", "2026-10", "110101001").bulletin
    delivery = Delivery.objects.filter(cause=f"bulletin:{corrected.pk}").first()
    assert delivery.title.startswith("通报更正（第2版）")


def test_read_receipts_are_kept_once_per_person(facts, world):
    bulletin = bulletin_publish("month", "2026-10", "110101001").bulletin
    leader, administrator = world.user("street_leader"), world.user("administrator")
    assert bulletin_open(leader, bulletin) is True
    first = BulletinRead.objects.get(bulletin=bulletin, user=leader)
    assert first.recipient and first.read_at is not None
    assert bulletin_open(leader, bulletin) is False
    assert BulletinRead.objects.get(bulletin=bulletin, user=leader).read_at == first.read_at
    assert bulletin_open(administrator, bulletin) is True  # not a receiver: a row when they open it
    assert BulletinRead.objects.get(bulletin=bulletin, user=administrator).recipient is False


@pytest.mark.parametrize(
    ("kind", "period", "area", "code"),
    [
        ("month", "2026-13", "110101", "period_invalid"),
        ("month", "2026-W40", "110101", "period_invalid"),
        ("week", "2026-10", "110101", "period_invalid"),
        ("fortnight", "2026-10", "110101", "kind_invalid"),
        ("year", "2026", "110101", "period_not_ended"),
        ("day", "2099-01-01", "110101", "period_not_ended"),
        ("month", "2026-10", "999999", "area_not_found"),
    ],
)
def test_bad_requests_are_refused_and_publish_nothing(world, kind, period, area, code):
    with pytest.raises(DomainError) as refused:
        bulletin_publish(kind, period, area, world.user("administrator"))
    assert refused.value.code == code
    assert not Bulletin.objects.exists() and not AuditEntry.objects.filter(object_type="bulletins.bulletin").exists()


def test_a_publisher_publishes_only_in_their_areas_and_only_with_the_permission(world):
    leader = make_user("district_1", Role.DISTRICT_LEADER, [world.areas["110101001"]])
    with pytest.raises(DomainError) as outside:
        bulletin_publish("month", "2026-10", "110101002", leader)
    assert (outside.value.code, outside.value.status) == ("area_not_found", 404)
    with pytest.raises(DomainError) as forbidden:
        bulletin_publish("month", "2026-10", "110101001", world.user("street_leader"))
    assert (forbidden.value.code, forbidden.value.status) == ("publish_not_permitted", 403)
    assert bulletin_publish("month", "2026-10", "110101001", leader).outcome == PUBLISHED


def test_a_bulletin_is_written_in_the_site_s_language_whoever_publishes_it(facts, world):
    with translation.override("en"):
        bulletin = bulletin_publish("month", "2026-10", "110101", world.user("administrator")).bulletin
    assert bulletin.title == "测试区2026年10月网格化管理工作月评比通报"
    assert bulletin.content["headline"].startswith("2026年10月，测试区共上报问题")
    assert bulletin.content["tables"][0]["title"] == "主要指标"
