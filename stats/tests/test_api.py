"""/api/v1/stats/…: each endpoint's numbers on the hand-made November (stats/tests/conftest.py), within the caller's
scope, bad filters refused with their codes, and a bounded number of queries whatever the data."""

from __future__ import annotations

import numpy as np
import pytest

from gridgov import timesource
from stats.tests.conftest import END, NOVEMBER

API = "/api/v1/stats"


def _get(history, persona: str, endpoint: str, **params):
    with timesource.acting_at(END):
        response = history.world.client(persona).get(f"{API}/{endpoint}", {"period": NOVEMBER, **params})
    assert response.status_code == 200, response.content
    return response.json()


def _indicators(data):
    return {row["code"]: row for row in data["indicators"]}


# --- Indicators -----------------------------------------------------------------------------------------------------
def test_indicators_keep_numerator_denominator_and_the_previous_period(history):
    rows = _indicators(_get(history, "administrator", "indicators"))
    assert rows["reports"]["value"] == 10 and rows["filed"]["value"] == 4 and rows["closed"]["value"] == 3
    close = rows["close_rate"]  # of 4 filed + 1 resolved on the spot, 3 closed
    assert (close["numerator"], close["denominator"], close["percent"], close["score"]) == (3, 5, 60.0, 60.0)
    on_time = rows["close_on_time_rate"]
    assert (on_time["numerator"], on_time["denominator"], on_time["percent"]) == (2, 5, 40.0)
    rework = rows["rework_rate"]  # a bad rate scores (1 − rate) × 100
    assert (rework["numerator"], rework["percent"], rework["score"]) == (2, 40.0, 60.0)
    assert close["previous"]["denominator"] == 0 and close["previous"]["percent"] is None
    assert rows["reports"]["previous"]["value"] == 0


def test_a_street_leader_counts_the_street_and_a_handler_the_department(history):
    street = _indicators(_get(history, "street_leader", "indicators"))
    assert (street["reports"]["value"], street["filed"]["value"], street["closed"]["value"]) == (9, 3, 3)
    handler = _indicators(_get(history, "department_handler", "indicators"))
    assert handler["reports"]["value"] == 0  # a report is no department's
    assert handler["department_received"]["value"] == 3 and handler["handled"]["value"] == 5
    assert handler["closed"]["value"] == 3


def test_a_date_range_compares_with_as_many_days_before(history):
    data = _get(history, "administrator", "indicators", period="", start="2026-11-19", end="2026-11-21")
    rows = _indicators(data)
    assert rows["reports"]["value"] == 7  # 4 on the 19th, 3 on the 21st
    assert data["previous"]["start"] == "2026-11-16" and data["previous"]["end"] == "2026-11-18"
    assert rows["reports"]["previous"]["value"] == 3


# --- Trend ----------------------------------------------------------------------------------------------------------
def test_the_trend_counts_each_day_and_the_close_rate_of_each_days_filing(history):
    data = _get(history, "administrator", "trend")
    assert data["by"] == "day" and len(data["buckets"]) == 30
    days = {bucket["start"]: bucket for bucket in data["buckets"]}
    assert (days["2026-11-16"]["report"], days["2026-11-16"]["filed"], days["2026-11-16"]["closed"]) == (3, 3, 1)
    assert days["2026-11-16"]["close_rate"] == {"numerator": 3, "denominator": 3, "percent": 100.0}
    assert (days["2026-11-19"]["report"], days["2026-11-19"]["filed"], days["2026-11-19"]["closed"]) == (4, 1, 1)
    assert days["2026-11-19"]["close_rate"]["percent"] == 0.0  # the voided case and the one resolved on the spot
    assert days["2026-11-20"]["closed"] == 1 and days["2026-11-21"]["report"] == 3
    assert days["2026-11-01"]["close_rate"]["percent"] is None
    assert sum(bucket["report"] for bucket in data["buckets"]) == 10


def test_the_trend_by_week_clips_the_weeks_to_the_window(history):
    data = _get(history, "administrator", "trend", by="week")
    assert [bucket["key"] for bucket in data["buckets"]][:2] == ["2026-W44", "2026-W45"]
    assert data["buckets"][0]["start"] == "2026-11-01" and data["buckets"][-1]["end"] == "2026-11-30"
    week = next(bucket for bucket in data["buckets"] if bucket["key"] == "2026-W47")
    assert (week["report"], week["filed"], week["closed"]) == (10, 4, 3)


# --- Composition ----------------------------------------------------------------------------------------------------
def test_the_composition_by_category_class_and_source(history):
    data = _get(history, "administrator", "composition")
    assert data["total"] == 10
    assert [(row["label"], row["count"]) for row in data["categories"]] == [
        ("市容环境/暴露垃圾", 9),
        ("街面秩序/机动车乱停放", 1),
    ]
    assert data["categories"][0]["query"] == {"category": str(history.garbage.pk)}
    assert [(row["label"], row["count"]) for row in data["classes"]] == [("市容环境", 9), ("街面秩序", 1)]
    assert {row["id"]: row["count"] for row in data["sources"]} == {"grid_worker": 7, "hotline": 3}
    closed = _get(history, "administrator", "composition", measure="closed")
    assert closed["total"] == 3
    assert {row["id"]: row["count"] for row in closed["sources"]} == {"grid_worker": 1, "hotline": 2}


# --- Areas ----------------------------------------------------------------------------------------------------------
def _values(data):
    return {feature["properties"]["code"]: feature["properties"] for feature in data["features"]["features"]}


def test_the_area_map_colours_the_children_with_counts_and_rates(history):
    district = _get(history, "administrator", "areas")
    assert district["level"] == "street" and district["base"]["code"] == "110101"
    values = _values(district)
    assert values["110101001"]["value"] == 9 and values["110101002"]["value"] == 1
    assert district["features"]["features"][0]["geometry"]["type"] == "Polygon"
    assert values["110101002"]["query"]["area"] == "110101002" and values["110101002"]["query"]["measure"] == "report"
    rates = _values(_get(history, "administrator", "areas", metric="close_rate"))
    street = rates["110101001"]
    assert (street["numerator"], street["denominator"], street["value"]) == (3, 4, 75.0)
    assert rates["110101002"]["value"] == 0.0  # the voided case: filed, never closed
    grids = _values(_get(history, "street_leader", "areas", level="grid"))
    assert set(grids) == {history.world.grid_a.code, history.world.grid_b.code}
    assert grids[history.world.grid_a.code]["value"] == 7 and grids[history.world.grid_b.code]["value"] == 2


def test_a_street_leader_maps_the_street_only(history):
    data = _get(history, "street_leader", "areas")
    assert data["base"]["code"] == "110101001" and list(_values(data)) == ["110101001001"]
    assert _values(data)["110101001001"]["value"] == 9
    handler = _get(history, "department_handler", "areas")
    assert handler["base"] is None and handler["features"]["features"] == []


# --- H3, hotspots, durations ------------------------------------------------------------------------------------------
def test_the_heat_map_sums_the_cases_into_cells(history):
    data = _get(history, "administrator", "h3", resolution="9")
    assert data["total"] == 10 and data["resolution"] == 9
    assert max(cell["count"] for cell in data["cells"]) == 3  # the three of the hotspot share a cell
    coarse = _get(history, "street_leader", "h3", resolution="6")
    assert coarse["total"] == 9 and len(coarse["cells"]) <= 2
    assert len(coarse["cells"][0]["polygon"]) == 7  # a closed hexagon


def test_the_hotspot_is_the_three_cases_within_fifty_metres(history):
    data = _get(history, "administrator", "hotspots")
    assert (data["min_cases"], data["radius_m"], data["days"]) == (3, 50, 30)
    assert data["end"] == "2026-11-30" and data["start"] == "2026-11-01"
    [spot] = data["hotspots"]
    assert spot["count"] == 3 and spot["category"]["id"] == history.garbage.pk
    assert spot["radius_m"] < 20 and spot["grids"] == ["网格A"]
    assert {case["number"] for case in spot["cases"]} == {history.cases[f"hot_a{i}"].number for i in (1, 2, 3)}
    assert _get(history, "administrator", "hotspots", category=str(history.parking.pk))["hotspots"] == []


def test_hotspots_follow_the_settings(history, settings):
    settings.STATS_HOTSPOT_MIN_CASES = 4
    assert _get(history, "administrator", "hotspots")["hotspots"] == []
    settings.STATS_HOTSPOT_MIN_CASES = 2
    settings.STATS_HOTSPOT_RADIUS_M = 200  # the cases 166 m apart pair up too
    assert len(_get(history, "administrator", "hotspots")["hotspots"]) > 1


def test_durations_from_the_facts_minutes_and_the_cases(history):
    data = _get(history, "administrator", "durations")
    steps = {step["measure"]: step for step in data["steps"]}
    assert steps["handled"]["count"] == 5 and steps["closed"]["count"] == 3
    # Closed 60 min, 3 days − 1 h and 4 days + 1 h after their reports.
    assert steps["closed"]["minutes"] == round((60 + 4260 + 5820) / 3, 1)
    overall = data["received_to_closed"]
    assert overall["cases"] == 8 and overall["open"] == 5  # rejected and voided left out
    assert overall["median"] is not None and overall["p90"] >= overall["median"]


# --- Bad filters, scope, permission --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("endpoint", "params", "status", "code", "field"),
    [
        ("indicators", {"period": "2026-13"}, 400, "period_invalid", "period"),
        ("indicators", {"period": "2026-11", "start": "2026-11-01"}, 400, "filter_invalid", "period"),
        ("indicators", {"period": "", "start": "2026-11-01"}, 400, "filter_invalid", "end"),
        ("indicators", {"period": "", "start": "2026-11-30", "end": "2026-11-01"}, 400, "filter_invalid", "end"),
        ("indicators", {"period": "", "start": "2020-01-01", "end": "2026-01-01"}, 400, "filter_invalid", "end"),
        ("indicators", {"period": "", "start": "11/01/2026", "end": "2026-11-30"}, 400, "filter_invalid", "start"),
        ("trend", {"category": "abc"}, 400, "filter_invalid", "category"),
        ("trend", {"category": "999999"}, 400, "filter_invalid", "category"),
        ("trend", {"source": "fax"}, 400, "filter_invalid", "source"),
        ("trend", {"grid": "0"}, 400, "filter_invalid", "grid"),
        ("trend", {"area": "abc"}, 400, "filter_invalid", "area"),
        ("trend", {"by": "year"}, 400, "filter_invalid", "by"),
        ("composition", {"measure": "visits"}, 400, "filter_invalid", "measure"),
        ("areas", {"metric": "nope"}, 400, "filter_invalid", "metric"),
        ("areas", {"level": "district"}, 400, "filter_invalid", "level"),
        ("h3", {"resolution": "12"}, 400, "filter_invalid", "resolution"),
        ("h3", {"resolution": "x"}, 400, "filter_invalid", "resolution"),
        ("durations", {"area": "110101002"}, 404, "area_not_found", None),
        ("hotspots", {"grid": "{grid_c}"}, 404, "area_not_found", None),
        ("indicators", {"department": "999999"}, 404, "department_not_found", None),
        ("indicators", {"person": "{dispatcher}"}, 404, "person_not_found", None),
    ],
)
def test_bad_filters_are_refused_with_their_code(world, endpoint, params, status, code, field):
    names = {"grid_c": world.grid_c.pk, "dispatcher": world.user("dispatcher").pk}
    params = {key: value.format(**names) for key, value in params.items()}
    response = world.client("street_leader").get(f"{API}/{endpoint}", {"period": NOVEMBER, **params})
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code
    if field:
        assert body["details"][0]["field"] == field


def test_a_handler_filters_only_its_own_department(world):
    other = world.department.__class__.objects.create(code="SW", name="供水所", kind=world.department.kind)
    client = world.client("department_handler")
    assert client.get(f"{API}/indicators", {"department": other.pk}).status_code == 404
    assert client.get(f"{API}/indicators", {"department": world.department.pk}).status_code == 200
    assert client.get(f"{API}/indicators", {"area": world.grid_a.code}).status_code == 404


def test_a_person_filter_is_for_the_person_and_those_who_evaluate_them(world):
    worker = world.user("grid_worker_a")
    assert world.client("street_leader").get(f"{API}/indicators", {"person": worker.pk}).status_code == 200
    assert world.client("dispatcher").get(f"{API}/indicators", {"person": worker.pk}).status_code == 404
    own = world.client("dispatcher").get(f"{API}/indicators", {"person": world.user("dispatcher").pk})
    assert own.status_code == 200


def test_without_the_permission_the_api_answers_403(world):
    response = world.client("grid_worker_a").get(f"{API}/trend")
    assert response.status_code == 403 and response.json()["code"] == "forbidden"


@pytest.mark.parametrize("endpoint", ["indicators", "trend", "composition", "areas", "h3", "hotspots", "durations"])
def test_each_endpoint_reads_a_bounded_number_of_queries(history, endpoint, django_assert_max_num_queries):
    """Signing in and the session (up to 8 with the session's refresh), the filters (4), the figures (at most 5)."""
    client = history.world.client("street_leader")
    with timesource.acting_at(END), django_assert_max_num_queries(17):
        response = client.get(f"{API}/{endpoint}", {"period": NOVEMBER, "category": history.garbage.pk})
    assert response.status_code == 200


def test_the_durations_median_matches_the_cases(history):
    data = _get(history, "street_leader", "durations", category=str(history.garbage.pk))
    minutes = []
    for name in ("closed_a", "reworked_a", "self_a", "open_b", "hot_a1", "hot_a2", "hot_a3"):
        case = history.cases[name]
        minutes.append(((case.closed_at or END) - case.created_at).total_seconds() / 60)
    overall = data["received_to_closed"]
    assert overall["cases"] == 7
    assert overall["median"] == round(float(np.percentile(minutes, 50)), 1)
    assert overall["p90"] == round(float(np.percentile(minutes, 90)), 1)
