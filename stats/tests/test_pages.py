"""The statistics page (its filter bar, headline and indicator table) and each chart's data as .xlsx."""

from __future__ import annotations

import io

import openpyxl
import pytest

from audit.models import AuditEntry
from gridgov import timesource
from stats.tests.conftest import END, NOVEMBER


def _page(history, persona: str = "street_leader", **params) -> str:
    with timesource.acting_at(END):
        response = history.world.client(persona).get("/stats/", {"period": NOVEMBER, **params})
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_shows_the_indicators_with_links_to_their_cases(history, django_assert_max_num_queries):
    client = history.world.client("street_leader")
    with django_assert_max_num_queries(30):
        response = client.get("/stats/", {"period": NOVEMBER})
    page = response.content.decode()
    assert response.status_code == 200
    assert "2026年11月" in page and "环比：2026年10月" in page
    assert 'data-headline="reports"' in page and 'data-indicator="close_rate"' in page
    link = f'href="/stats/cases/?period={NOVEMBER}&amp;measure=c_closed"'
    assert link in page  # 结案率's numerator opens the cases filed and closed
    assert 'data-url-trend="/api/v1/stats/trend"' in page and 'data-query="period=2026-11"' in page


def test_the_filter_bar_offers_only_the_viewers_areas(history):
    page = _page(history)
    assert 'value="110101001"' in page and 'value="110101001001001"' in page
    assert 'value="110101002"' not in page and "二街道" not in page


def test_a_date_range_is_chosen_with_kind_range(history):
    page = _page(history, kind="range", period="2026-11", start="2026-11-16", end="2026-11-20")
    assert "2026-11-16 — 2026-11-20" in page
    assert 'data-query="start=2026-11-16&amp;end=2026-11-20"' in page


def test_a_kind_without_a_period_opens_the_current_one(history):
    page = _page(history, kind="week", period="")
    assert 'id="filter-kind"' in page and '<option value="week" selected>' in page


@pytest.mark.parametrize(
    ("persona", "params", "status"),
    [
        ("grid_worker_a", {}, 403),
        ("street_leader", {"area": "110101002"}, 404),
        ("street_leader", {"period": "2026-W60"}, 400),
        ("department_handler", {"area": "110101001"}, 404),
        ("department_handler", {}, 200),
    ],
)
def test_the_page_refuses_what_is_not_the_viewers(world, persona, params, status):
    assert world.client(persona).get("/stats/", params).status_code == status


# --- Exports --------------------------------------------------------------------------------------------------------
def _sheet(history, chart: str, persona: str = "street_leader", **params):
    with timesource.acting_at(END):
        response = history.world.client(persona).get(
            "/stats/export.xlsx", {"chart": chart, "period": NOVEMBER, **params}
        )
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return list(workbook.active.iter_rows(values_only=True))


def _api(history, endpoint: str, persona: str = "street_leader", **params):
    with timesource.acting_at(END):
        return history.world.client(persona).get(f"/api/v1/stats/{endpoint}", {"period": NOVEMBER, **params}).json()


def test_the_trend_export_holds_the_charts_data(history):
    rows = _sheet(history, "trend")
    buckets = _api(history, "trend")["buckets"]
    assert rows[0][:6] == ("时段", "开始", "结束", "上报数", "立案数", "结案数")
    table = [row for row in rows[1:] if row and row[0]]
    data = table[: len(buckets)]
    assert [(row[0], row[3], row[4], row[5]) for row in data] == [
        (bucket["key"], bucket["report"], bucket["filed"], bucket["closed"]) for bucket in buckets
    ]
    assert ("统计区间", "2026年11月") in [row[:2] for row in rows]


@pytest.mark.parametrize(
    ("chart", "params", "expected"),
    [
        ("categories", {}, [("市容环境/暴露垃圾", 8), ("街面秩序/机动车乱停放", 1)]),
        ("sources", {}, [("网格员巡查上报", 7), ("12345热线", 2)]),
        (
            "areas",
            {"level": "grid"},
            [("110101001001001", "网格A", 7, 7), ("110101001001002", "网格B", 2, 2)],
        ),
        ("h3", {"resolution": "5"}, None),
        ("hotspots", {}, None),
        ("durations", {}, None),
        ("indicators", {}, None),
        ("classes", {}, [("市容环境", 8), ("街面秩序", 1)]),
    ],
)
def test_each_charts_export_opens_and_holds_its_rows(history, chart, params, expected):
    before = AuditEntry.objects.filter(action="export").count()
    rows = _sheet(history, chart, **params)
    table = [row for row in rows[1:] if row and row[0] and row[0] not in ("统计区间", "数据截至")]
    assert table, chart
    if expected is not None:
        assert [tuple(row[: len(expected[0])]) for row in table] == expected
    if chart == "hotspots":
        assert table[0][0] == "市容环境/暴露垃圾" and table[0][1] == 3
    if chart == "h3":
        assert sum(row[1] for row in table) == 9
    entry = AuditEntry.objects.filter(action="export").latest("pk")
    assert AuditEntry.objects.filter(action="export").count() == before + 1
    assert entry.detail["query"]["chart"] == chart and entry.object_type == "stats.statfact"


def test_an_unknown_chart_is_refused(world):
    response = world.client("street_leader").get("/stats/export.xlsx", {"chart": "pie"})
    assert response.status_code == 400


def test_the_areas_links_open_the_cases_of_the_area(history):
    feature = _api(history, "areas", persona="administrator")["features"]["features"][1]
    query = feature["properties"]["query"]
    response = history.world.client("administrator").get("/stats/cases/", query)
    assert response.status_code == 200
    assert query["area"] == "110101002"
    page = response.content.decode()
    assert history.cases["voided_c"].number in page and history.cases["closed_a"].number not in page
