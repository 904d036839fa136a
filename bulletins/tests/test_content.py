"""A bulletin's figures against facts and field rows made by hand: the headline's 上期/环比/同比 arithmetic, periods
without data, the top 5 事件 and 部件, the ranking of areas and departments (top and bottom 3, units without cases
not ranked), the worker annex and the day's patrol summary; and figures of real cases, the same after the facts are
rebuilt from the event log."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Department, DepartmentKind
from areas.models import Area
from audit.services import Origin
from bulletins.content import bulletin_content
from bulletins.tests.factories import category
from cases.models import Category
from cases.services import ReportData, report_submit
from fieldwork.models import CheckIn, DailyMetric, Patrol
from gridgov import timesource
from gridgov.testing import IN_A, case_run_to_closed
from stats.facts import Measure as M
from stats.facts import facts_rebuild
from stats.periods import period_parse
from visits.models import MustReport, VisitCompliance, VisitPlan

NOVEMBER, OCTOBER, LAST_NOVEMBER = dt.date(2026, 11, 10), dt.date(2026, 10, 10), dt.date(2025, 11, 10)


def content(kind: str, key: str, area: Area) -> dict:
    return bulletin_content(kind, period_parse(key), area)


def table(document: dict, key: str) -> dict:
    return next(table for table in document["tables"] if table["key"] == key)


def row(document: dict, table_key: str, row_key: str) -> dict:
    return next(row["cells"] for row in table(document, table_key)["rows"] if row["key"] == row_key)


def district(world) -> Area:
    return world.areas["110101"]


def street_1(world) -> Area:
    return world.areas["110101001"]


def test_the_headline_compares_with_the_period_before_and_the_year_before(facts, world):
    facts.cases(NOVEMBER, 12, closed=9, closed_on_time=6, reworks=3)
    facts.cases(OCTOBER, 10, closed=8, closed_on_time=8)
    facts.cases(LAST_NOVEMBER, 8, closed=8, closed_on_time=4, reworks=2)
    document = content("month", "2026-11", district(world))

    assert row(document, "main", "reports") == {
        "name": "上报问题",
        "value": 12,
        "previous": 10,
        "month_on_month": 20.0,
        "year_ago": 8,
        "year_on_year": 50.0,
    }
    assert row(document, "main", "closed")["month_on_month"] == 12.5
    close = row(document, "main", "close_rate")
    assert (close["value"], close["previous"], close["month_on_month"]) == (75.0, 80.0, -5.0)
    assert (close["year_ago"], close["year_on_year"]) == (100.0, -25.0)
    on_time = row(document, "main", "close_on_time_rate")
    assert (on_time["value"], on_time["month_on_month"], on_time["year_on_year"]) == (50.0, -30.0, 0.0)
    assert row(document, "main", "rework_rate")["month_on_month"] == 25.0

    headline = document["headline"]
    assert headline.startswith("2026年11月，测试区共上报问题12件")
    assert "上报问题12件，上期10件，环比增长20.00%，去年同期8件，同比增长50.00%" in headline
    assert "结案率75.00%，上期80.00%，环比下降5.00个百分点，去年同期100.00%，同比下降25.00个百分点" in headline
    assert "按期结案率50.00%，上期80.00%，环比下降30.00个百分点，去年同期50.00%，同比持平" in headline
    assert "返工率25.00%，上期0.00%，环比上升25.00个百分点" in headline


def test_periods_without_data_say_so_and_rates_keep_two_decimals(facts, world):
    facts.cases(NOVEMBER, 3, closed=2, closed_on_time=1)
    document = content("month", "2026-11", district(world))
    close = row(document, "main", "close_rate")
    assert close == {
        "name": "结案率",
        "value": 66.67,
        "previous": None,
        "month_on_month": None,
        "year_ago": None,
        "year_on_year": None,
    }
    assert "结案率66.67%，上期无数据，无同期数据" in document["headline"]
    assert document["previous"]["has_data"] is False and document["year_ago"]["has_data"] is False
    basic = row(document, "basic", "closed/close_rate")
    assert (basic["count"], basic["count_previous"], basic["rate"], basic["rate_previous"]) == (2, None, 66.67, None)


def test_a_period_before_with_data_but_no_cases_of_a_kind_has_no_change_to_give(facts, world):
    facts.cases(NOVEMBER, 4, closed=4, closed_on_time=4)
    facts.add(OCTOBER, M.URGED)  # something happened in October, but nothing was reported
    document = content("month", "2026-11", district(world))
    reports = row(document, "main", "reports")
    assert (reports["previous"], reports["month_on_month"]) == (0, None)
    assert "上报问题4件，上期0件，环比无可比数据" in document["headline"]
    assert "结案率100.00%，上期无，环比无可比数据" in document["headline"]


def test_an_empty_period_is_a_bulletin_of_zeros(facts, world):
    document = content("week", "2026-W47", street_1(world))
    assert row(document, "main", "reports")["value"] == 0
    assert row(document, "main", "close_rate")["value"] is None
    assert "结案率无（本期无应结案件）" in document["headline"]
    assert table(document, "top_event")["rows"] == []


def test_the_top_five_events_and_components_rank_by_filed_then_reported_then_code(facts, world):
    events = list(Category.objects.filter(kind="event", parent__isnull=False).order_by("code")[:7])
    figures = [(5, 5), (9, 9), (5, 7), (1, 1), (3, 3), (3, 3), (0, 2)]  # (filed, reported) of each
    for leaf, (filed, reported) in zip(events, figures, strict=True):
        facts.cases(NOVEMBER, filed, reports=reported, category=leaf)
    facts.cases(OCTOBER, 6, category=events[1])
    manhole, lamp = category("component", "0101"), category("component", "0102")
    facts.cases(NOVEMBER, 2, category=manhole)
    facts.cases(NOVEMBER, 4, category=lamp)
    document = content("month", "2026-11", district(world))

    top = table(document, "top_event")["rows"]
    assert [r["key"] for r in top] == [f"category:{events[i].pk}" for i in (1, 2, 0, 4, 5)]
    assert [r["cells"]["rank"] for r in top] == [1, 2, 3, 4, 4]
    first = top[0]["cells"]
    assert first["name"] == f"{events[1].code} {events[1].name}"
    assert first["major"] == f"{events[1].parent.code} {events[1].parent.name}"
    assert (first["filed"], first["filed_previous"], first["month_on_month"]) == (9, 6, 50.0)
    assert first["share"] == 34.62  # 9 of the 26 events filed
    components = table(document, "top_component")["rows"]
    assert [r["cells"]["name"] for r in components] == [f"{lamp.code} {lamp.name}", f"{manhole.code} {manhole.name}"]

    majors = {r["cells"]["name"]: r["cells"] for r in table(document, "by_category")["rows"]}
    major = events[0].parent
    assert majors[f"{major.code} {major.name}"]["filed"] == sum(
        filed for leaf, (filed, _r) in zip(events, figures, strict=True) if leaf.parent_id == major.pk
    )
    sources = {r["key"]: r["cells"] for r in table(document, "by_source")["rows"]}
    assert sources["source:grid_worker"]["filed"] == sources["total"]["filed"] == 32


def _street(world, number: int) -> Area:
    """Another street of the test district, with a community and a grid."""
    code = f"110101{number:03d}"
    street = Area.objects.create(code=code, name=f"{number}街道", level="street", parent=district(world))
    community = Area.objects.create(code=f"{code}001", name=f"{number}社区", level="community", parent=street)
    Area.objects.create(code=f"{code}001001", name=f"{number}网格", level="grid", parent=community)
    return street


def test_areas_rank_by_on_time_then_close_rate_naming_the_top_and_the_bottom_three(facts, world):
    streets = [street_1(world), world.areas["110101002"], *(_street(world, number) for number in range(3, 9))]
    grids = [
        world.grid_a,
        world.grid_c,
        *(Area.objects.get(code__startswith=s.code, level="grid") for s in streets[2:]),
    ]
    figures = [(10, 10), (10, 9), (9, 9), (8, 8), (10, 7), (6, 6), (5, 5)]  # (closed, on time) of 10 filed
    for grid, (closed, on_time) in zip(grids, figures, strict=False):
        facts.cases(NOVEMBER, 10, closed=closed, closed_on_time=on_time, grid=grid)
    document = content("month", "2026-11", district(world))

    rows = {r["cells"]["name"]: r["cells"] for r in table(document, "by_area")["rows"]}
    assert [rows[street.name]["rank"] for street in streets] == [1, 2, 3, 4, 5, 6, 7, None]
    assert rows["8街道"]["note"] == "本期无应结案件，不参与排名"
    assert (rows["二街道"]["on_time_rate"], rows["二街道"]["close_rate"]) == (90.0, 100.0)
    ranking = document["ranking"]["areas"]
    assert [entry["name"] for entry in ranking["top"]] == ["一街道", "二街道", "3街道"]
    assert [entry["name"] for entry in ranking["bottom"]] == ["7街道", "6街道", "5街道"]
    assert ranking["bottom"][0]["rank"] == 7
    assert ranking["bottom"][0]["figures"][0] == {"label": "按期结案率", "value": "50.00%"}
    assert ranking["unranked"] == ["8街道"]
    text = " ".join(document["paragraphs"])
    assert "排名靠后的是：7街道（按期结案率50.00%，结案率50.00%，应结案数10）" in text
    assert "本期无案件、不参与排名的有：8街道" in text


def test_departments_in_two_levels_ranked_by_on_time_handling(facts, world):
    sanitation = world.department
    second = Department.objects.create(code="HW2", name="环卫二所", kind=DepartmentKind.SANITATION)
    enforcement = Department.objects.create(code="ZF", name="城管执法队", kind=DepartmentKind.ENFORCEMENT)
    Department.objects.create(code="SZ", name="市政所", kind=DepartmentKind.MUNICIPAL)
    for department, dispatched, on_time, closed in ((sanitation, 10, 9, 8), (second, 5, 5, 5), (enforcement, 4, 2, 4)):
        facts.add(NOVEMBER, M.DISPATCHED, dispatched, on_time=dispatched, department=department)
        facts.add(NOVEMBER, M.HANDLED, dispatched, on_time=on_time, department=department)
        facts.add(NOVEMBER, M.CLOSED, closed, on_time=closed, department=department)
    facts.add(NOVEMBER, M.REWORK, 1, department=sanitation)
    document = content("month", "2026-11", district(world))

    rows = table(document, "by_department")["rows"]
    assert [(r["level"], r["cells"]["name"]) for r in rows] == [
        (1, "环卫"),
        (2, "环卫所"),
        (2, "环卫二所"),
        (1, "城管执法"),
        (2, "城管执法队"),
        (1, "市政"),
        (2, "市政所"),
    ]
    group = rows[0]["cells"]
    assert (group["received"], group["handled"], group["handle_on_time_rate"]) == (15, 15, 93.33)
    cells = {r["cells"]["name"]: r["cells"] for r in rows}
    assert [cells[name]["rank"] for name in ("环卫二所", "环卫所", "城管执法队", "市政所")] == [1, 2, 3, None]
    assert (cells["环卫所"]["close_rate"], cells["环卫所"]["rework_rate"]) == (80.0, 10.0)
    assert cells["市政所"]["note"] == "本期无派遣案件，不参与排名"
    ranking = document["ranking"]["departments"]
    assert [e["name"] for e in ranking["top"]] == ["环卫二所", "环卫所"]
    assert [e["name"] for e in ranking["bottom"]] == ["城管执法队"]
    assert ranking["unranked"] == ["市政所"]
    assert document["department_ids"] == sorted([sanitation.pk, second.pk, enforcement.pk])


def _plan(world) -> VisitPlan:
    return VisitPlan.objects.create(name="独居老人", tag_category="elderly_alone", interval=7, area=world.grid_a.parent)


def test_the_annex_gives_each_field_worker_s_figures(facts, world):
    worker = world.user("grid_worker_a")
    facts.add(NOVEMBER, M.REPORT, 4, person=worker)
    facts.add(NOVEMBER, M.VALID_REPORT, 3, person=worker)
    facts.add(OCTOBER, M.REPORT, 2, person=worker)
    facts.add(OCTOBER, M.VALID_REPORT, 2, person=worker)
    now = timezone.now()
    for day, distance, on_duty in ((NOVEMBER, 1500, 3600), (NOVEMBER + dt.timedelta(days=1), 2500, 7200)):
        DailyMetric.objects.create(
            worker=worker,
            day=day,
            grid=world.grid_a,
            distance_m=distance,
            on_duty_s=on_duty,
            scheduled_s=7200,
            computed_at=now,
        )
    VisitCompliance.objects.create(
        month=dt.date(2026, 11, 1), worker=worker, grid=world.grid_a, plan=_plan(world), due=4, on_time=3, late=1
    )
    for day in (3, 4):
        MustReport.objects.create(
            item="fire", worker=worker, grid=world.grid_a, reported_at=dt.datetime(2026, 11, day, 10, tzinfo=dt.UTC)
        )
    MustReport.objects.create(
        item="fire", worker=worker, grid=world.grid_a, reported_at=dt.datetime(2026, 12, 1, 10, tzinfo=dt.UTC)
    )
    other = world.user("grid_worker_b")
    DailyMetric.objects.create(worker=other, day=NOVEMBER, grid=world.grid_b, distance_m=1000, computed_at=now)
    VisitCompliance.objects.create(
        month=dt.date(2026, 11, 1), worker=other, grid=world.grid_b, plan=_plan(world), due=2, on_time=2
    )
    document = content("month", "2026-11", street_1(world))

    annex = table(document, "workers")
    assert annex["personal"] is True
    assert [r["cells"]["name"] for r in annex["rows"]] == ["grid_leader", "worker_a", "worker_b"]
    mine = row(document, "workers", f"person:{worker.pk}")
    assert mine == {
        "name": "worker_a",
        "grid": "网格A",
        "reports": 4,
        "valid_rate": 75.0,
        "valid_rate_previous": 100.0,
        "km": 4.0,
        "on_duty_rate": 75.0,
        "on_duty_rate_previous": None,
        "visit_rate": 75.0,
        "visit_rate_previous": None,
        "must_reports": 2,
    }
    theirs = row(document, "workers", f"person:{other.pk}")
    assert (theirs["km"], theirs["on_duty_rate"], theirs["visit_rate"], theirs["reports"]) == (1.0, None, 100.0, 0)


def test_a_day_bulletin_is_the_day_s_patrol_summary(facts, world):
    day = dt.date(2026, 11, 20)
    at = dt.datetime(2026, 11, 20, 2, tzinfo=dt.UTC)  # 10:00 in Beijing
    worker_a, worker_b = world.user("grid_worker_a"), world.user("grid_worker_b")
    now = timezone.now()
    DailyMetric.objects.create(
        worker=worker_a,
        day=day,
        grid=world.grid_a,
        distance_m=3200,
        on_duty_s=14400,
        scheduled_s=28800,
        computed_at=now,
    )
    DailyMetric.objects.create(worker=worker_b, day=day, grid=world.grid_b, scheduled_s=28800, computed_at=now)
    Patrol.objects.create(worker=worker_a, grid=world.grid_a, started_at=at)
    for minutes in (0, 30):
        CheckIn.objects.create(
            worker=worker_a,
            kind="point",
            grid=world.grid_a,
            lon=IN_A[0],
            lat=IN_A[1],
            accuracy=5,
            device_time=at + dt.timedelta(minutes=minutes),
            server_time=at,
        )
    facts.add(day, M.REPORT, 2, person=worker_a)
    document = content("day", "2026-11-20", street_1(world))

    assert [t["key"] for t in document["tables"]] == ["main", "basic", "patrol", "absences"]
    assert document["paragraphs"] == ["当日网格员3人，有排班2人，在岗1人，缺勤1人；巡查里程共3.20公里，签到2次。"]
    patrol = {r["cells"]["name"]: r["cells"] for r in table(document, "patrol")["rows"]}
    assert patrol["worker_a"] == {
        "name": "worker_a",
        "grid": "网格A",
        "status": "在岗",
        "patrols": 1,
        "km": 3.2,
        "on_duty_hours": 4.0,
        "on_duty_rate": 50.0,
        "reports": 2,
        "checkins": 2,
    }
    assert (patrol["worker_b"]["status"], patrol["grid_leader"]["status"]) == ("缺勤", "未排班")
    assert [r["cells"] for r in table(document, "absences")["rows"]] == [
        {"name": "worker_b", "grid": "网格B", "scheduled_hours": 8.0}
    ]
    assert document["headline"].startswith("2026年11月20日，一街道共上报问题2件")


@pytest.mark.django_db
def test_figures_of_real_cases_are_reproduced_by_a_rebuild_of_the_facts(facts, world):
    with timesource.acting_at(dt.datetime(2026, 10, 12, 2, tzinfo=dt.UTC)):
        case = report_submit(
            Origin(world.users["grid_worker_a"], "api"),
            ReportData(
                source="grid_worker",
                description="路边有暴露垃圾",
                longitude=IN_A[0],
                latitude=IN_A[1],
                category_id=category("event", "0102").pk,
            ),
        ).case
        case_run_to_closed(world, case)
        report_submit(
            Origin(world.users["grid_worker_a"], "api"),
            ReportData(source="grid_worker", description="井盖缺失", longitude=IN_A[0], latitude=IN_A[1]),
        )
    before = content("month", "2026-10", district(world))
    assert row(before, "main", "reports")["value"] == 2
    assert (row(before, "main", "filed")["value"], row(before, "main", "closed")["value"]) == (1, 1)
    assert row(before, "main", "close_rate")["value"] == 100.0
    worker = world.user("grid_worker_a")
    assert row(before, "workers", f"person:{worker.pk}")["reports"] == 2
    assert row(before, "by_department", f"department:{world.department.pk}")["received"] == 1
    facts_rebuild()
    after = content("month", "2026-10", district(world))
    assert after["tables"] == before["tables"] and after["headline"] == before["headline"]
