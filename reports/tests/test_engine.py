"""Known answers of the report engine on hand-made facts (``conftest.facts``) and on a case run through the real
services: cells and totals add up to the facts, a rate keeps its numerator and denominator, on time / late splits
a count, days roll up to weeks, months and quarters, grids to streets and communities, subclasses to classes; a
user sees only their own areas; a report takes a fixed number of queries whatever its size."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from accounts.roles import Role
from audit.services import Origin
from cases.models import Category
from cases.seed import categories_ensure
from cases.services import ReportData, report_submit
from gridgov import timesource
from gridgov.errors import NotFound, ValidationFailed
from gridgov.testing import IN_A, case_run_to_closed, make_user
from reports.engine import MAX_ROWS, report_run
from reports.spec import spec_parse
from reports.tests.conftest import fact, spec_of
from stats.indicators import facts_in, facts_visible, sums_total


def run(world, spec, persona="administrator"):
    return report_run(spec_parse(spec), world.user(persona))


def grid(table):
    """{row labels: {column labels: [values per measure]}} plus the totals column as "合计"."""
    found = {}
    for row in table.rows:
        key = " / ".join(member.label for member in row.members)
        found[key] = {
            " / ".join(member.label for member in column): [cell.value for cell in cells]
            for column, cells in zip(table.columns, row.cells, strict=True)
            if table.spec.columns
        }
        found[key]["合计"] = [cell.value for cell in row.total]
    return found


def test_street_by_month_counts_add_up_to_the_facts(facts):
    world = facts.world
    table = run(world, spec_of(["area:street"], ["count:report"], ["period:month"]))
    assert grid(table) == {
        "一街道": {"2026年1月": [6], "2026年2月": [0], "2026年3月": [1], "合计": [7]},
        "二街道": {"2026年1月": [0], "2026年2月": [5], "2026年3月": [0], "合计": [5]},
    }
    assert [cells[0].value for cells in table.totals.cells] == [6, 5, 1]
    facts_total = sums_total(facts_in(start=dt.date(2026, 1, 1), end=dt.date(2026, 3, 31)))["report"].count
    assert table.totals.total[0].value == facts_total == 12


def test_a_rate_cell_keeps_its_numerator_and_denominator(facts):
    table = run(facts.world, spec_of(["area:street"], ["rate:close_rate", "rate:close_on_time_rate"]))
    first, second = table.rows
    close, on_time = first.total
    # Street 1: 4 of the 5 cases filed in Q1 are closed, 3 of them on time.
    assert (close.numerator, close.denominator, close.value) == (4, 5, pytest.approx(0.8))
    assert (on_time.numerator, on_time.denominator, on_time.value) == (3, 5, pytest.approx(0.6))
    # Street 2: one filed, one resolved on the spot (应结案 2), none closed through the loop.
    assert (second.total[0].numerator, second.total[0].denominator, second.total[0].value) == (0, 2, 0)
    grand = table.totals.total[0]
    assert (grand.numerator, grand.denominator, grand.value) == (4, 7, pytest.approx(4 / 7))


def test_a_rate_without_denominator_is_none_not_zero(facts):
    table = run(facts.world, spec_of(["area:street"], ["rate:close_rate"], ["period:month"]))
    street_one = grid(table)["一街道"]
    assert street_one["2026年3月"] == [None]  # no case filed in March: no rate, not 0 %
    assert street_one["2026年1月"] == [pytest.approx(0.8)]


def test_on_time_splits_a_count(facts):
    spec = spec_of(["department"], ["count:handled"], ["on_time"], period="2026-04")
    assert grid(run(facts.world, spec)) == {
        "环卫所": {"按时": [1], "超时": [2], "合计": [3]},
        "道路养护": {"按时": [1], "超时": [0], "合计": [1]},
    }


def test_mean_minutes_keep_minutes_and_count(facts):
    table = run(facts.world, spec_of(["department"], ["minutes:handled"], period="2026-04"))
    sanitation = next(row for row in table.rows if row.members[0].label == "环卫所")
    cell = sanitation.total[0]
    assert (cell.value, cell.numerator, cell.denominator) == (30, 90, 3)
    assert table.totals.total[0].value == pytest.approx(110 / 4)


@pytest.mark.parametrize(
    ("grain", "expected"),
    [
        ("week", {"2026-W02": 4, "2026-W04": 2, "2026-W06": 5, "2026-W14": 1}),
        ("month", {"2026-01": 6, "2026-02": 5, "2026-03": 1}),
        ("quarter", {"2026-Q1": 12}),
        ("year", {"2026": 12}),
    ],
)
def test_days_roll_up_to_the_period(facts, grain, expected):
    table = run(facts.world, spec_of([f"period:{grain}"], ["count:report"], hide_empty=True))
    assert {row.members[0].key: row.total[0].value for row in table.rows} == expected


def test_every_period_of_the_range_is_a_row_unless_empty_ones_are_hidden(facts):
    weeks = run(facts.world, spec_of(["period:week"], ["count:report"]))
    assert weeks.rows[0].members[0].key == "2026-W01" and weeks.rows[-1].members[0].key == "2026-W14"
    assert len(weeks.rows) == 14
    assert sum(row.total[0].value for row in weeks.rows) == 12


def test_grids_roll_up_to_communities_and_categories_to_classes(facts):
    table = run(facts.world, spec_of(["area:community", "category:class"], ["count:report"], hide_empty=True))
    assert grid(table) == {
        "一社区 / 测试大类": {"合计": [6]},
        "一社区 / 另一大类": {"合计": [1]},
        "二社区 / 测试大类": {"合计": [5]},
    }
    subclasses = run(facts.world, spec_of(["category:sub"], ["count:report"], ["source"], hide_empty=True))
    assert grid(subclasses) == {
        "暴露垃圾": {"网格员巡查上报": [4], "12345热线": [5], "合计": [9]},
        "道路不洁": {"网格员巡查上报": [0], "12345热线": [2], "合计": [2]},
        "另一大类": {"网格员巡查上报": [1], "12345热线": [0], "合计": [1]},
    }


def test_state_counts_each_step_reached(facts):
    spec = spec_of(["state"], ["count", "on_time_rate"], period="2026", states=["report", "filed", "handled"])
    table = run(facts.world, spec)
    assert grid(table) == {
        "上报": {"合计": [12, 0]},
        "立案": {"合计": [6, pytest.approx(4 / 6)]},
        "处置反馈": {"合计": [4, 0.5]},
    }
    assert [cell.value for cell in table.totals.total] == [None, None]  # steps are not added to one another
    across = run(facts.world, spec_of(["area:street"], ["count"], ["state"], period="2026", states=["report", "filed"]))
    assert grid(across) == {
        "一街道": {"上报": [7], "立案": [5], "合计": [None]},
        "二街道": {"上报": [5], "立案": [1], "合计": [None]},
    }
    assert [cells[0].value for cells in across.totals.cells] == [12, 6]


def test_filters_narrow_the_facts(facts):
    world = facts.world
    by_class = run(world, spec_of(["area:grid"], ["count:report"], category=facts.litter.pk, hide_empty=True))
    assert grid(by_class) == {"网格A": {"合计": [4]}, "网格B": {"合计": [2]}, "网格C": {"合计": [5]}}
    by_source = run(world, spec_of(["area:grid"], ["count:report"], source="hotline", area="110101001"))
    assert grid(by_source) == {"网格A": {"合计": [0]}, "网格B": {"合计": [2]}}
    by_department = run(world, spec_of(["source"], ["count:handled"], department=facts.sanitation.pk, period="2026"))
    assert grid(by_department) == {"网格员巡查上报": {"合计": [3]}}
    dated = run(world, spec_of(["area:street"], ["count:report"], start="2026-01-06", end="2026-02-28"))
    assert grid(dated) == {"一街道": {"合计": [2]}, "二街道": {"合计": [5]}}


def test_a_user_sees_only_their_own_areas(facts):
    world = facts.world
    table = run(world, spec_of(["area:grid"], ["count:report"], ["source"]), persona="community_staff")
    assert [row.members[0].label for row in table.rows] == ["网格A", "网格B"]
    assert table.totals.total[0].value == 7
    streets = run(world, spec_of(["area:street"], ["count:report"]), persona="community_staff")
    assert grid(streets) == {"一街道": {"合计": [7]}}
    other = make_user("community_c", Role.COMMUNITY_STAFF, [world.areas["110101002001"]])
    theirs = report_run(spec_parse(spec_of(["area:street"], ["count:report"])), other)
    assert grid(theirs) == {"二街道": {"合计": [5]}}
    assert (
        theirs.totals.total[0].value
        == sums_total(facts_in(base=facts_visible(other), start=dt.date(2026, 1, 1)))["report"].count
    )


def test_an_area_outside_ones_scope_is_not_found(facts):
    with pytest.raises(NotFound) as refused:
        run(facts.world, spec_of(["area:grid"], ["count:report"], area="110101002"), persona="community_staff")
    assert refused.value.code == "area_not_found"
    with pytest.raises(NotFound):
        run(facts.world, spec_of(["area:grid"], ["count:report"], area="110101009"))


def test_an_unknown_category_or_department_is_refused(facts):
    for name in ("category", "department"):
        with pytest.raises(ValidationFailed) as refused:
            run(facts.world, spec_of(["source"], ["count:report"], **{name: 999_999}))
        assert refused.value.code == "report_spec_invalid"
        assert refused.value.details == [{"field": f"filters.{name}", "message": refused.value.message}]


def test_a_table_too_large_is_refused(facts, monkeypatch):
    monkeypatch.setattr("reports.engine.MAX_ROWS", 10)
    with pytest.raises(ValidationFailed) as refused:
        run(facts.world, spec_of(["period:day"], ["count:report"]))
    assert refused.value.code == "report_too_large"
    assert MAX_ROWS == 100_000


def test_a_report_takes_the_same_few_queries_whatever_its_size(facts, django_assert_max_num_queries):
    world = facts.world
    spec = spec_of(["area:grid", "category:sub"], ["count:report", "rate:close_rate"], ["period:day"])
    with django_assert_max_num_queries(8):
        small = run(world, spec)
    for day in range(1, 29):
        for area in (world.grid_a, world.grid_b, world.grid_c):
            fact(dt.date(2026, 2, day), area, "report", 2, category_id=facts.dirt.pk, person_id=day)
    with django_assert_max_num_queries(8):
        large = run(world, spec)
    assert large.totals.total[0].value == small.totals.total[0].value + 28 * 3 * 2


def test_a_case_through_the_services_is_counted(world):
    categories_ensure()
    category = Category.objects.get(kind="event", code="0102")
    with timesource.acting_at(dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)):
        case = report_submit(
            Origin(world.user("grid_worker_a"), "api"),
            ReportData(
                source="grid_worker",
                description="路边有暴露垃圾",
                longitude=IN_A[0],
                latitude=IN_A[1],
                category_id=category.pk,
            ),
        ).case
        case_run_to_closed(world, case)
    spec = spec_of(["area:street", "category:class"], ["count:report", "rate:close_rate", "count:closed"])
    table = run(world, {**spec, "filters": {"period": "2026-03"}, "hide_empty": True})
    (row,) = table.rows
    assert [member.label for member in row.members] == ["一街道", "市容环境"]
    report, close_rate, closed = row.total
    assert report.value == 1 and closed.value == 1
    assert (close_rate.numerator, close_rate.denominator, close_rate.value) == (1, 1, 1)


@pytest.mark.parametrize(
    "spec",
    [
        spec_of(["area:street"], ["rate:close_rate", "count:report"], ["period:month"]),
        spec_of(["area:community", "category:class"], ["count:report"], ["source"]),
        spec_of(["category:class"], ["minutes:filed"], ["period:week"]),
    ],
)
def test_summing_first_by_plain_columns_or_over_the_joined_facts_gives_the_same_table(facts, monkeypatch, spec):
    """The query sums by grid, category and period first where that leaves few rows for the joins; either way the
    table is the same."""
    from reports import engine

    def table(many):
        original = engine._grouping

        def grouping(parsed):
            found = original(parsed)
            return engine._Grouping(tuple(dataclasses.replace(key, many=many(key)) for key in found.keys))

        monkeypatch.setattr(engine, "_grouping", grouping)
        return grid(run(facts.world, spec))

    assert table(lambda key: False) == table(lambda key: True)
