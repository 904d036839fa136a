"""Rankings from hand-made figures (``conftest.office``): known composites, ties, people without a composite listed
last, the period before and rank changes, departments in two levels, patrol figures in the field worker's score,
scope (a street leader sees no street-2 rows, a department handler their department alone), the page's query count
not growing with its rows, the .xlsx and its audit row, and refusals with their codes."""

from __future__ import annotations

import io
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from accounts.roles import Role
from areas.models import Area
from audit.models import AuditAction, AuditEntry
from evaluation.models import Position, ScoringScheme
from evaluation.rankings import ranking_build
from gridgov.testing import make_user
from stats.facts import Measure
from stats.filters import stat_filter
from stats.periods import period_parse

from .conftest import MONTH, NOVEMBER, compliance, fact, metric, must_report

pytestmark = pytest.mark.django_db
PERIOD = period_parse(MONTH)


def _lines(ranking):
    return {line.subject.name: line for line in ranking.rows()}


def _name(world, persona):
    user = world.user(persona)
    return user.full_name or user.username


def test_field_workers_ranked_by_known_composites_ties_sharing_a_rank(office):
    world = office.world
    ranking = ranking_build(world.user("shift_leader"), "field_worker", PERIOD)
    order = [(line.subject.name, line.rank, line.now.composite, line.now.grade) for line in ranking.lines]
    assert order == [
        ("worker_b", 1, 100.0, "A"),
        ("丁网格员", 1, 100.0, "A"),
        ("grid_leader", 3, 90.0, "A"),
        ("worker_a", 4, 81.25, "B"),
        ("丙网格员", None, None, None),  # nothing in grid C: no composite, listed after the ranked ones
    ]
    worker_a = _lines(ranking)["worker_a"]
    cells = {cell.column.code: cell for cell in worker_a.cells}
    assert (cells["valid_report_rate"].now.value.numerator, cells["valid_report_rate"].now.value.denominator) == (8, 10)
    assert cells["valid_report_rate"].shown == 80.0
    assert cells["grid_missed_report_rate"].now.score == 90.0
    assert cells["check_on_time_rate"].now.score is None, "no check: left out, the weights renormalised"
    # The period before: 有效上报率 50 → 80, a composite of 50 and rank 1 of 1 → rank 4.
    assert cells["valid_report_rate"].shown_before == 50.0
    assert cells["valid_report_rate"].change == 30.0 and cells["valid_report_rate"].better is True
    assert worker_a.before.composite == 50.0 and worker_a.before.grade == "D"
    assert (worker_a.rank_before, worker_a.rank_change) == (1, -3)


def test_every_count_links_to_the_cases_behind_it(office):
    world = office.world
    ranking = ranking_build(world.user("shift_leader"), "field_worker", PERIOD)
    cells = {cell.column.code: cell for cell in _lines(ranking)["worker_a"].cells}
    query = parse_qs(urlsplit(cells["valid_report_rate"].numerator_url).query)
    assert urlsplit(cells["valid_report_rate"].numerator_url).path == "/stats/cases/"
    worker_a = str(world.user("grid_worker_a").pk)
    assert query == {"measure": ["valid_report"], "period": ["2026-11"], "person": [worker_a]}
    missed = parse_qs(urlsplit(cells["grid_missed_report_rate"].denominator_url).query)
    assert missed == {"measure": ["filed"], "period": ["2026-11"], "area": [world.grid_a.code]}
    assert cells["patrol_coverage_rate"].numerator_url == "", "field figures are not cases"


def test_dispatchers_share_the_returns_of_the_departments_they_dispatched_to(office):
    world = office.world
    lines = _lines(ranking_build(world.user("shift_leader"), "dispatcher", PERIOD))
    first = lines["dispatcher"]
    accuracy = next(cell for cell in first.cells if cell.column.code == "dispatcher_accuracy_rate")
    assert accuracy.now.value.numerator == pytest.approx(4.0)  # 5 dispatched − 1 of the 4 returns
    assert (first.now.composite, first.now.grade, first.rank) == (74.0, "C", 2)
    second = lines["第二派遣员"]
    assert (second.now.composite, second.now.grade, second.rank) == (92.0, "A", 1)
    dispatched = next(cell for cell in second.cells if cell.column.code == "dispatched")
    assert (dispatched.now.value.numerator, dispatched.now.quota, dispatched.now.score) == (15, 10, 100.0)


def test_departments_in_two_levels(office):
    world = office.world
    ranking = ranking_build(world.user("administrator"), "department", PERIOD)
    heads = [(line.subject.name, line.rank, line.now.composite) for line in ranking.lines]
    assert heads == [("城管执法大队", 1, 88.0), ("环卫所", 2, 10.0)], "the command centre is not ranked"
    brigade = ranking.lines[0]
    assert [(unit.subject.name, unit.rank, unit.now.composite, unit.now.grade) for unit in brigade.units] == [
        ("执法二中队", 1, 92.0, "A"),
        ("执法一中队", 2, 80.0, "B"),
    ]
    assert [line.subject.name for line in ranking.rows()] == ["城管执法大队", "执法二中队", "执法一中队", "环卫所"]
    close = next(cell for cell in brigade.cells if cell.column.code == "department_close_rate")
    assert (close.now.value.numerator, close.now.value.denominator) == (18, 20)
    departments = parse_qs(urlsplit(close.numerator_url).query)["department"]
    assert departments == [str(office.brigade.pk)]  # the cases page reads a 大队 with its 中队
    selection = stat_filter(world.user("administrator"), {"period": PERIOD.key, "department": departments[0]})
    assert set(selection.department_ids or ()) == {office.brigade.pk, office.squad_1.pk, office.squad_2.pk}


def test_a_street_leader_ranks_what_is_in_the_street(office):
    world = office.world
    leader = world.user("street_leader")
    people = _lines(ranking_build(leader, "field_worker", PERIOD))
    assert set(people) == {"worker_a", "worker_b", "丁网格员", "grid_leader"}, "no worker of street 2"
    grids = ranking_build(leader, "grid", PERIOD)
    assert [line.subject.name for line in grids.rows()] == ["网格A", "网格B"]
    streets = ranking_build(leader, "street", PERIOD)
    assert [line.subject.name for line in streets.rows()] == ["一街道"]
    squads = _lines(ranking_build(leader, "department", PERIOD))
    assert squads["执法一中队"].now.composite == 80.0
    assert squads["执法二中队"].now.composite is None, "its cases are in street 2"
    assert squads["城管执法大队"].now.composite == 80.0


def test_a_department_handler_sees_their_department_alone(office):
    world = office.world
    handler = world.user("department_handler")
    ranking = ranking_build(handler, "department", PERIOD)
    assert [line.subject.name for line in ranking.rows()] == ["环卫所"]
    received = ranking.lines[0].cells[0]
    assert received.now.value.numerator == 20, "everything dispatched to it, in every street"
    client = world.client("department_handler")
    assert client.get("/evaluation/?by=field_worker").status_code == 403
    assert client.get("/evaluation/?by=grid").status_code == 403
    page = client.get("/evaluation/")
    assert page.status_code == 200 and page.context["ranking"].kind == "department"


def test_areas_ranked_with_patrol_coverage(office):
    world = office.world
    fact(Measure.C_CLOSED, 8, 6, grid=world.grid_a)
    fact(Measure.C_REWORK, 1, grid=world.grid_a)
    metric(world.user("grid_worker_a"), world.grid_a, coverage_households_num=50, coverage_households_den=100)
    metric(world.user("grid_worker_a"), world.grid_a, NOVEMBER.replace(day=11), coverage_households_den=100)
    lines = _lines(ranking_build(world.user("administrator"), "grid", PERIOD))
    # (25 × 80 + 30 × 60 + 15 × 90 + 15 × 90 + 15 × 25) / 100
    assert lines["网格A"].now.composite == 68.75
    coverage = next(cell for cell in lines["网格A"].cells if cell.column.code == "patrol_coverage_rate")
    assert (coverage.now.value.numerator, coverage.now.value.denominator) == (50, 200)
    assert lines["网格C"].now.composite is None
    streets = _lines(ranking_build(world.user("administrator"), "street", PERIOD))
    assert streets["一街道"].now.composite == 68.75 and streets["二街道"].now.composite is None


def test_patrol_figures_feed_the_field_workers_score(world):
    """The default scheme: DESIGN §7's rates scaled to 70 %, patrol figures 30 %."""
    worker = world.user("grid_worker_a")
    fact(Measure.REPORT, 10, grid=world.grid_a, person=worker)
    fact(Measure.VALID_REPORT, 8, grid=world.grid_a, person=worker)
    for day, covered in ((NOVEMBER, 50), (NOVEMBER.replace(day=11), 70)):
        metric(worker, world.grid_a, day, coverage_households_num=covered, coverage_households_den=100,
               on_duty_s=6 * 3600, scheduled_s=8 * 3600, distance_m=15_000)  # fmt: skip
    compliance(worker, world.grid_a, due=10, pending=2, on_time=5, late=1, missed=2)
    must_report(worker, world.grid_a)
    must_report(worker, world.grid_a)
    line = _lines(ranking_build(world.user("street_leader"), "field_worker", PERIOD))["worker_a"]
    scores = {cell.column.code: cell.now.score for cell in line.cells}
    assert scores == {
        "valid_report_rate": 80.0,
        "grid_missed_report_rate": None,
        "verify_on_time_rate": None,
        "check_on_time_rate": None,
        "patrol_coverage_rate": 60.0,
        "on_duty_rate": 75.0,
        "patrol_km": 30.0,  # 30 km of a monthly quota of 100
        "visit_completion_rate": 75.0,  # (5 + 1) / (10 − 2 still within their window)
        "must_reports": 50.0,  # 2 of 4
    }
    # (28 × 80 + 8 × 60 + 8 × 75 + 4 × 30 + 6 × 75 + 4 × 50) / 58
    assert line.now.composite == 70.52 and line.now.grade == "C"
    week = _lines(ranking_build(world.user("street_leader"), "field_worker", period_parse("2026-W46")))["worker_a"]
    visits = next(cell for cell in week.cells if cell.column.code == "visit_completion_rate")
    assert visits.now.score is None, "visit compliance is monthly: a week leaves it out"


def test_without_field_metrics_the_mileage_is_left_out(world):
    worker = world.user("grid_worker_a")
    fact(Measure.REPORT, 10, grid=world.grid_a, person=worker)
    fact(Measure.VALID_REPORT, 8, grid=world.grid_a, person=worker)
    line = _lines(ranking_build(world.user("street_leader"), "field_worker", PERIOD))["worker_a"]
    scores = {cell.column.code: cell.now.score for cell in line.cells}
    assert scores["patrol_km"] is None and scores["must_reports"] == 0.0
    assert line.now.composite == round(28 * 80 / 32, 2)


def test_shift_leaders_are_scored_on_their_own_filings_and_closings(world):
    leader = world.user("shift_leader")
    other = make_user("shift_2", Role.SHIFT_LEADER, [world.areas["110101"]])
    fact(Measure.FILED, 8, 6, grid=world.grid_a, person=leader)
    fact(Measure.FILED, 2, 2, grid=world.grid_a, person=other)
    fact(Measure.C_VOIDED, 1, grid=world.grid_a, department=world.department)  # shared 8 : 2
    fact(Measure.CLOSED, 4, 3, grid=world.grid_a, person=leader, department=world.department)
    line = _lines(ranking_build(world.user("administrator"), "shift_leader", PERIOD))["shift"]
    cells = {cell.column.code: cell for cell in line.cells}
    assert cells["file_on_time_rate"].now.score == 75.0
    assert cells["leader_file_accuracy_rate"].now.value.numerator == pytest.approx(7.2)
    assert cells["leader_file_accuracy_rate"].now.score == 90.0
    assert cells["leader_close_on_time_rate"].now.score == 75.0
    assert line.now.composite == round((25 * 75 + 40 * 90 + 35 * 75) / 100, 2)


def _page_queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response


@pytest.mark.parametrize("by", ["field_worker", "department", "grid", "dispatcher"])
def test_the_pages_query_count_does_not_grow_with_its_rows(office, by, django_assert_max_num_queries):
    world = office.world
    client = world.client("administrator")
    url = f"/evaluation/?by={by}&period={MONTH}"
    few, _response = _page_queries(client, url)
    for number in range(12):
        worker = make_user(f"more_{number}", Role.GRID_WORKER, [world.grid_b])
        make_user(f"disp_{number}", Role.DISPATCHER, [world.areas["110101"]])
        fact(Measure.REPORT, 3, grid=world.grid_b, person=worker)
        squad = type(office.squad_1).objects.create(
            code=f"ZF{number + 10}", name=f"中队{number}", kind="enforcement", parent=office.brigade
        )
        fact(Measure.DISPATCHED, 2, 1, grid=world.grid_a, department=squad)
        grid = Area.objects.create(
            code=f"110101001001{number + 3:03d}", name=f"网格{number}", level="grid", parent=world.areas["110101001001"]
        )
        fact(Measure.FILED, 2, 1, grid=grid)
    many, response = _page_queries(client, url)
    assert len(response.context["rows"]) > 10
    assert many <= few, f"{few} queries for a few rows, {many} for many"
    with django_assert_max_num_queries(40):
        client.get(url)


def test_the_page_shows_each_rate_to_two_decimals_with_the_period_before(office):
    world = office.world
    page = world.client("community_staff").get(f"/evaluation/?by=field_worker&period={MONTH}")
    html = page.content.decode()
    assert page.status_code == 200
    assert "81.25" in html and "80.00%" in html and "上期 50.00%" in html and "↑30" in html
    assert "2026年10月" in html, "the period before is named"


def test_the_export_holds_the_lines_on_the_page_and_is_audited(office):
    world = office.world
    client = world.client("street_leader")
    response = client.get(f"/evaluation/rankings.xlsx?by=field_worker&period={MONTH}")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("排名", "名称", "单位")
    names = [row[1] for row in rows[1:]]
    assert names == ["worker_b", "丁网格员", "grid_leader", "worker_a"]
    worker_a = rows[4]
    assert worker_a[0] == 4 and worker_a[3:8] == (80, 8, 10, 80, 50)
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert entry.actor == world.user("street_leader") and entry.detail["count"] == 4
    assert entry.detail["query"] == {"what": "evaluation", "by": "field_worker", "period": MONTH}
    departments = client.get(f"/evaluation/rankings.xlsx?by=department&period={MONTH}")
    sheet = load_workbook(io.BytesIO(b"".join(departments.streaming_content))).active
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)][:3] == ["大队", "中队", "中队"]


@pytest.mark.parametrize(
    ("url", "status", "code"),
    [
        ("/evaluation/?by=nobody", 400, "ranking_unknown"),
        ("/evaluation/?period=2026-13", 400, "period_invalid"),
        ("/evaluation/?period=2026-11&kind=fortnight", 400, "period_invalid"),
        ("/evaluation/rankings.xlsx?by=nobody", 400, "ranking_unknown"),
        ("/api/v1/evaluation/rankings?by=nobody", 400, "ranking_unknown"),
        ("/api/v1/evaluation/rankings?period=2026-W60", 400, "period_invalid"),
        ("/api/v1/evaluation/rankings?period=garbage", 400, "period_invalid"),
    ],
)
def test_bad_choices_are_refused_with_their_code(world, url, status, code):
    response = world.client("street_leader").get(url)
    assert response.status_code == status
    if url.startswith("/api/"):
        assert response.json()["code"] == code
    else:
        assert f'data-error-code="{code}"' in response.content.decode()


def test_people_are_ranked_only_by_those_who_evaluate_people(office):
    world = office.world
    assert world.client("dispatcher").get("/evaluation/?by=field_worker").status_code == 403
    api = world.client("dispatcher").get("/api/v1/evaluation/rankings?by=dispatcher")
    assert api.status_code == 403 and api.json()["code"] == "ranking_forbidden"
    assert world.client("grid_worker_a").get("/evaluation/").status_code == 403
    assert world.client("dispatcher").get("/evaluation/").context["ranking"].kind == "department"


def test_the_api_gives_numerator_denominator_rate_and_score(office):
    world = office.world
    response = world.client("street_leader").get(f"/api/v1/evaluation/rankings?by=field_worker&period={MONTH}")
    body = response.json()
    assert response.status_code == 200 and body["by"] == "field_worker"
    assert body["period"]["key"] == MONTH and body["previous_period"]["key"] == "2026-10"
    row = next(row for row in body["rows"] if row["name"] == "worker_a")
    assert (row["rank"], row["composite"], row["grade"], row["previous_rank"]) == (4, 81.25, "B", 1)
    valid = next(item for item in row["indicators"] if item["code"] == "valid_report_rate")
    assert (valid["numerator"], valid["denominator"], valid["rate"], valid["score"]) == (8, 10, 0.8, 80.0)
    assert valid["previous_rate"] == 0.5 and valid["weight"] == 40


def test_a_schemes_area_class_applies_to_its_areas_people(office):
    from evaluation.models import AreaClass

    world = office.world
    ScoringScheme.objects.create(
        position=Position.FIELD_WORKER,
        area_class="核心区",
        effective_from=NOVEMBER.replace(day=1),
        weights={"valid_report_rate": 100},
    )
    AreaClass.objects.create(area=world.areas["110101001"], area_class="核心区")
    lines = _lines(ranking_build(world.user("shift_leader"), "field_worker", PERIOD))
    assert lines["worker_a"].now.composite == 80.0 and lines["worker_a"].scheme.area_class == "核心区"
    assert lines["worker_a"].before.composite == 50.0
    assert lines["丙网格员"].scheme.area_class == "", "street 2 keeps the general scheme"
