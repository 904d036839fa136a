"""The periodic job publishes what is due — yesterday's patrol summary after 06:00, last week's on Monday, last
month's on the 1st, the last quarter and year likewise — for each district and street, once; the command
publishes by hand."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from bulletins.models import Bulletin
from bulletins.services import bulletins_publish_for_demo
from bulletins.tasks import bulletins_sweep, due_periods

BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")
#: Tuesday 1 December 2026, 07:00 in Beijing.
MORNING = dt.datetime(2026, 12, 1, 7, 0, tzinfo=BEIJING)


def test_the_job_is_registered():
    assert "bulletins.tasks.bulletins_sweep" in settings.PERIODIC_JOBS


def test_the_periods_due_follow_the_calendar_and_the_hour():
    assert [period.key for period in due_periods(MORNING)] == ["2026-11-30", "2026-W48", "2026-11", "2026-Q3", "2025"]
    early = MORNING.replace(hour=5)
    assert [period.key for period in due_periods(early)] == ["2026-11-29", "2026-W48", "2026-10", "2026-Q3", "2025"]
    new_year = dt.datetime(2027, 1, 1, 6, 0, tzinfo=BEIJING)
    assert [period.key for period in due_periods(new_year)] == ["2026-12-31", "2026-W52", "2026-12", "2026-Q4", "2026"]


def test_the_job_publishes_each_due_bulletin_once(facts, world):
    counts = bulletins_sweep(MORNING)
    assert counts == {"published": 15, "skipped": 0}  # 5 kinds × (the district and its 2 streets)
    assert set(Bulletin.objects.values_list("kind", "period_key")) == {
        ("day", "2026-11-30"),
        ("week", "2026-W48"),
        ("month", "2026-11"),
        ("quarter", "2026-Q3"),
        ("year", "2025"),
    }
    assert set(Bulletin.objects.values_list("area__code", flat=True)) == {"110101", "110101001", "110101002"}
    assert all(bulletin.published_by is None and bulletin.version == 1 for bulletin in Bulletin.objects.all())
    facts.cases(dt.date(2026, 11, 20), 3)  # later data: the job does not correct what it published
    assert bulletins_sweep(MORNING + dt.timedelta(minutes=1)) == {"published": 0, "skipped": 15}
    assert Bulletin.objects.count() == 15


def test_the_command_publishes_a_period_by_hand(facts, world, capsys):
    call_command("bulletins_publish", kind="month", period="2026-10", area="110101001")
    assert Bulletin.objects.get().area.code == "110101001"
    call_command("bulletins_publish", kind="month", period="2026-10")
    output = capsys.readouterr().out
    assert "110101001 unchanged" in output and "110101002 published" in output
    assert Bulletin.objects.count() == 3
    with pytest.raises(CommandError, match="period_invalid"):
        call_command("bulletins_publish", kind="month", period="2026-W40")
    with pytest.raises(CommandError, match="area_not_found"):
        call_command("bulletins_publish", kind="month", period="2026-10", area="999")


def test_the_demo_publishes_last_week_s_and_yesterday_s_bulletins(world):
    publications = bulletins_publish_for_demo(dt.date(2026, 11, 28))
    assert {(p.bulletin.kind, p.bulletin.period_key) for p in publications} == {
        ("week", "2026-W47"),
        ("day", "2026-11-27"),
    }
    assert len(publications) == 6
