"""The demo's month as its statistics read it: the facts kept as each event was written equal a rebuild from the
event log, the month has the shape of a real district's bulletin (结案率, 按期结案率, 事件 and 部件), and its rankings
have something to say (people, departments and streets that differ)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from accounts.models import Department, User
from cases.models import Category
from demo.build import district_build
from demo.cases import cases_populate
from stats.facts import Measure as M
from stats.facts import facts_equal, facts_from_log, facts_table
from stats.indicators import facts_in, indicators_of, sums_by, sums_by_area, sums_total

#: The end of the simulated month: a Friday evening, so that the build does not depend on the day it runs.
NOW = dt.datetime(2026, 11, 27, 18, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def _silent(label: str, total: int) -> Callable[[int], None]:
    return lambda done: None


@pytest.fixture
def demo_month(db: Any) -> Any:
    """A small demo district and its month of cases (400 filed); the facts of that month."""
    district_build(1.0, 2026, _silent, households=(20, 30))
    cases_populate(2026, 400, now=NOW)
    return facts_in(start=(NOW - dt.timedelta(days=30)).date(), end=NOW.date())


def _percent(sums: Any, code: str) -> float:
    value = indicators_of(sums, [code])[code]
    assert value.percent is not None, code
    return value.percent


def _spread(rates: dict[Any, float]) -> float:
    return max(rates.values()) - min(rates.values())


@pytest.mark.slow
def test_the_demo_month_reads_true(demo_month: Any) -> None:
    # The facts kept by the services as they wrote each event are the event log's, replayed.
    assert facts_equal(facts_table(), facts_from_log()) == []

    # The bulletin's headline: most filed cases closed, three in four on time, nearly all of them events.
    district = sums_total(demo_month)
    assert 90 <= _percent(district, "close_rate") <= 97
    assert 70 <= _percent(district, "close_on_time_rate") <= 82
    kinds = dict(Category.objects.values_list("pk", "kind"))
    filed = {
        category: sums[M.FILED].count
        for category, sums in sums_by(demo_month, "category_id").items()
        if M.FILED in sums
    }
    filed = {category: count for category, count in filed.items() if count}
    components = sum(count for category, count in filed.items() if kinds[category] == "component")
    assert components and 1 - components / sum(filed.values()) >= 0.95

    # Rankings worth reading: the departments, the dispatchers, the grid workers and the streets differ.
    code_of = dict(Department.objects.values_list("pk", "code"))
    departments = {code_of[pk]: sums for pk, sums in sums_by(demo_month, "department_id").items() if pk}
    assert _percent(departments["DC-HW"], "department_handle_on_time_rate") >= 85
    assert _percent(departments["DC-ZJ"], "department_handle_on_time_rate") <= 75
    assert _percent(departments["DC-ZJ"], "department_rework_rate") > _percent(
        departments["DC-HW"], "department_rework_rate"
    )
    name_of = dict(User.objects.values_list("pk", "username"))
    people = {name_of.get(pk): sums for pk, sums in sums_by(demo_month, "person_id").items() if pk}
    dispatchers = {name: sums for name, sums in people.items() if name and name.startswith("dispatcher")}
    assert len(dispatchers) == 4
    on_time = {name: _percent(sums, "dispatch_on_time_rate") for name, sums in dispatchers.items()}
    assert on_time["dispatcher2"] - on_time["dispatcher4"] >= 10
    workers = {
        name: sums
        for name, sums in people.items()
        if name and name.startswith(("gw", "gridworker")) and sums.get(M.REPORT) and sums[M.REPORT].count >= 4
    }
    assert _spread({name: _percent(sums, "valid_report_rate") for name, sums in workers.items()}) >= 20
    streets = sums_by_area(demo_month, "street")
    assert len(streets) == 17
    assert _spread({area.code: _percent(sums, "close_on_time_rate") for area, sums in streets.items()}) >= 15
    assert _spread({area.code: _percent(sums, "missed_report_rate") for area, sums in streets.items()}) >= 10
