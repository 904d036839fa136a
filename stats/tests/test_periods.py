"""Reporting periods: keys and labels of each kind, the period before (环比) and a year before (同比) across year
ends, ISO week 53, 29 February, and keys that name no period."""

from __future__ import annotations

import datetime as dt

import pytest

from gridgov.errors import ValidationFailed
from stats.periods import PeriodKind, period_current, period_of, period_parse, periods_between

D = dt.date


@pytest.mark.parametrize(
    ("key", "kind", "start", "end", "label"),
    [
        ("2026-11-28", PeriodKind.DAY, D(2026, 11, 28), D(2026, 11, 28), "2026年11月28日"),
        ("2028-02-29", PeriodKind.DAY, D(2028, 2, 29), D(2028, 2, 29), "2028年2月29日"),
        ("2026-W48", PeriodKind.WEEK, D(2026, 11, 23), D(2026, 11, 29), "2026年第48周（11.23—11.29）"),
        # ISO weeks: week 1 of 2026 starts in 2025; 2026 has a week 53, which ends in 2027.
        ("2026-W01", PeriodKind.WEEK, D(2025, 12, 29), D(2026, 1, 4), "2026年第1周（12.29—01.04）"),
        ("2026-W53", PeriodKind.WEEK, D(2026, 12, 28), D(2027, 1, 3), "2026年第53周（12.28—01.03）"),
        ("2026-11", PeriodKind.MONTH, D(2026, 11, 1), D(2026, 11, 30), "2026年11月"),
        ("2026-12", PeriodKind.MONTH, D(2026, 12, 1), D(2026, 12, 31), "2026年12月"),
        ("2028-02", PeriodKind.MONTH, D(2028, 2, 1), D(2028, 2, 29), "2028年2月"),
        ("2027-02", PeriodKind.MONTH, D(2027, 2, 1), D(2027, 2, 28), "2027年2月"),
        ("2026-Q1", PeriodKind.QUARTER, D(2026, 1, 1), D(2026, 3, 31), "2026年第1季度"),
        ("2026-Q2", PeriodKind.QUARTER, D(2026, 4, 1), D(2026, 6, 30), "2026年第2季度"),
        ("2026-Q3", PeriodKind.QUARTER, D(2026, 7, 1), D(2026, 9, 30), "2026年第3季度"),
        ("2026-Q4", PeriodKind.QUARTER, D(2026, 10, 1), D(2026, 12, 31), "2026年第4季度"),
        ("2026", PeriodKind.YEAR, D(2026, 1, 1), D(2026, 12, 31), "2026年"),
    ],
)
def test_a_key_names_one_period_and_every_day_of_it_gives_it_back(key, kind, start, end, label):
    period = period_parse(key)
    assert (period.kind, period.start, period.end, period.key, period.label) == (kind, start, end, key, label)
    assert period.days == (end - start).days + 1
    for day in (start, start + (end - start) / 2, end):
        assert period_of(kind, day) == period
        assert day in period
    assert start - dt.timedelta(days=1) not in period
    assert end + dt.timedelta(days=1) not in period


@pytest.mark.parametrize(
    ("key", "days"), [("2028-02", 29), ("2027-02", 28), ("2026-W53", 7), ("2026-Q4", 92), ("2028", 366), ("2026", 365)]
)
def test_a_period_knows_its_number_of_days(key, days):
    assert period_parse(key).days == days


@pytest.mark.parametrize(
    ("key", "previous", "following"),
    [
        ("2026-01-01", "2025-12-31", "2026-01-02"),
        ("2028-03-01", "2028-02-29", "2028-03-02"),
        ("2026-W01", "2025-W52", "2026-W02"),
        ("2026-W53", "2026-W52", "2027-W01"),
        ("2027-W01", "2026-W53", "2027-W02"),
        ("2026-01", "2025-12", "2026-02"),
        ("2026-12", "2026-11", "2027-01"),
        ("2026-Q1", "2025-Q4", "2026-Q2"),
        ("2026-Q4", "2026-Q3", "2027-Q1"),
        ("2026", "2025", "2027"),
    ],
)
def test_the_period_before_and_after_cross_year_ends(key, previous, following):
    period = period_parse(key)
    assert period.previous().key == previous
    assert period.next().key == following
    assert period.previous().end + dt.timedelta(days=1) == period.start


@pytest.mark.parametrize(
    ("key", "year_ago"),
    [
        ("2026-11-28", "2025-11-28"),
        ("2028-02-29", "2027-02-28"),  # no 29 February a year before: the 28th
        ("2029-02-28", "2028-02-28"),
        ("2028-02", "2027-02"),
        ("2026-W48", "2025-W48"),
        ("2026-W01", "2025-W01"),
        ("2027-W01", "2026-W01"),
        ("2026-W53", "2025-W52"),  # 2025 has no week 53: its last week
        ("2020-W53", "2019-W52"),
        ("2021-W52", "2020-W52"),  # the same week number, though 2020 had 53
        ("2026-01", "2025-01"),
        ("2026-Q1", "2025-Q1"),
        ("2026", "2025"),
    ],
)
def test_the_same_period_a_year_before(key, year_ago):
    assert period_parse(key).year_ago().key == year_ago


def test_a_period_is_whole_local_days_as_instants():
    """Periods are days in the site's time zone (Asia/Shanghai, UTC+8): December starts at 30 Nov 16:00 UTC."""
    start, end = period_parse("2026-12").instants()
    assert start == dt.datetime(2026, 11, 30, 16, 0, tzinfo=dt.UTC)
    assert end == dt.datetime(2026, 12, 31, 16, 0, tzinfo=dt.UTC)
    assert period_parse("2026-11-28").instants()[1] - period_parse("2026-11-28").instants()[0] == dt.timedelta(days=1)


@pytest.mark.parametrize(
    "key",
    [
        "",
        "   ",
        "2026-13",
        "2026-00",
        "2026-02-30",
        "2027-02-29",  # not a leap year
        "2025-W53",  # 2025 has 52 ISO weeks
        "2026-W00",
        "2026-W54",
        "2026-W5",
        "2026-Q0",
        "2026-Q5",
        "1999",
        "2101",
        "26-11",
        "2026/11",
        "2026-1",
        "2026-11-28T00:00",
        "2026-w48",
        "本月",
    ],
)
def test_a_key_of_no_period_is_refused_with_a_stable_code(key):
    with pytest.raises(ValidationFailed) as refused:
        period_parse(key)
    assert refused.value.code == "period_invalid"
    assert refused.value.details == [{"field": "period", "message": str(refused.value.message)}]
    assert "2026-W48" in str(refused.value.message)  # the message shows how a key is written


def test_a_key_may_come_with_spaces_around_it():
    assert period_parse(" 2026-11 \n").key == "2026-11"


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValidationFailed) as refused:
        period_of("fortnight", D(2026, 11, 28))
    assert refused.value.code == "period_invalid"


def test_the_periods_between_two_days_cross_year_ends():
    assert [p.key for p in periods_between(PeriodKind.WEEK, D(2026, 12, 20), D(2027, 1, 10))] == [
        "2026-W51",
        "2026-W52",
        "2026-W53",
        "2027-W01",  # 4–10 January
    ]
    assert [p.key for p in periods_between(PeriodKind.MONTH, D(2026, 11, 15), D(2027, 2, 1))] == [
        "2026-11",
        "2026-12",
        "2027-01",
        "2027-02",
    ]
    assert [p.key for p in periods_between(PeriodKind.QUARTER, D(2026, 11, 15), D(2026, 12, 1))] == ["2026-Q4"]
    assert periods_between(PeriodKind.DAY, D(2026, 11, 2), D(2026, 11, 1)) == []


def test_the_current_period_is_the_one_of_today():
    assert period_current(PeriodKind.WEEK, today=D(2027, 1, 1)).key == "2026-W53"
    assert period_current(PeriodKind.QUARTER, today=D(2027, 1, 1)).key == "2027-Q1"
