"""The map endpoints: open cases within the user's scope, filtered, as points or counted per H3 cell; a case's
neighbourhood; the report map's grids and buildings; their query counts with several rows present."""

import datetime as dt
import json
from collections import Counter

import h3
import pytest
from django.utils import timezone

from audit.services import Origin
from cases.choices import Light
from cases.models import Case, Category
from cases.seed import categories_ensure
from cases.services import ReportData, report_submit
from gridgov.testing import IN_A, IN_B, IN_C, World, case_run_to_closed
from maps import selectors
from registry.tests.factories import BuildingFactory

DATA = "/maps/cases.json"
# Four points in grid A (two within a few metres of each other), two in grid B, two in grid C.
POINTS_A = [IN_A, (IN_A[0] + 0.00005, IN_A[1]), (116.402, 39.903), (116.408, 39.918)]
POINTS_B = [IN_B, (116.418, 39.915)]
POINTS_C = [IN_C, (116.435, 39.905)]


@pytest.fixture
def scene(world: World):
    categories_ensure()
    category = Category.objects.get(kind="event", code="0102")
    dispatcher = Origin(world.user("dispatcher"), "api")

    def report(point, source="hotline"):
        data = ReportData(source=source, description="路边有暴露垃圾", longitude=point[0], latitude=point[1],
                          category_id=category.pk)  # fmt: skip
        return report_submit(dispatcher, data).case

    cases = {"a": [report(p) for p in POINTS_A], "b": [report(p) for p in POINTS_B], "c": [report(p) for p in POINTS_C]}
    return world, category, cases


def numbers(response) -> set[str]:
    body = response.json()
    assert response.status_code == 200 and body["mode"] == "points", body
    return {point["number"] for point in body["points"]}


def test_each_user_sees_the_open_cases_of_their_scope(scene):
    world, _category, cases = scene
    a = {case.number for case in cases["a"]}
    b = {case.number for case in cases["b"]}
    c = {case.number for case in cases["c"]}
    assert numbers(world.client("grid_worker_a").get(DATA)) == a
    assert numbers(world.client("grid_worker_b").get(DATA)) == b
    assert numbers(world.client("street_leader").get(DATA)) == a | b
    assert numbers(world.client("dispatcher").get(DATA)) == a | b | c
    assert world.client("department_handler").get(DATA).json() == {"mode": "points", "total": 0, "points": []}
    response = world.client("anonymous").get(DATA)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_point_carries_what_its_popup_shows(scene):
    world, category, cases = scene
    first = cases["a"][0]
    points = {p["number"]: p for p in world.client("grid_worker_a").get(DATA).json()["points"]}
    assert points[first.number] == {
        "number": first.number, "lon": IN_A[0], "lat": IN_A[1], "light": "green", "status": "reported",
        "status_label": "待受理", "category": category.name,
    }  # fmt: skip


def test_closed_cases_are_not_on_the_map(scene):
    world, _category, cases = scene
    closed = case_run_to_closed(world, cases["a"][0])
    assert closed.status == "closed"
    assert closed.number not in numbers(world.client("dispatcher").get(DATA))


def test_filters_by_state_light_category_source_period_and_view(scene):
    world, category, cases = scene
    client = world.client("dispatcher")
    everything = numbers(client.get(DATA))
    red = cases["a"][1]
    Case.objects.filter(pk=red.pk).update(light=Light.RED)
    old = cases["b"][0]
    Case.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=10))
    worker = report_submit(
        Origin(world.user("grid_worker_a"), "api"),
        ReportData(source="grid_worker", description="井盖缺失", longitude=116.403, latitude=39.915,
                   category_id=Category.objects.get(kind="component", code="0101").pk),
    ).case  # fmt: skip
    assert numbers(client.get(DATA, {"light": "red"})) == {red.number}
    assert numbers(client.get(DATA, {"source": "grid_worker"})) == {worker.number}
    assert numbers(client.get(DATA, {"category": category.parent_id})) == everything  # a class covers its subclasses
    assert numbers(client.get(DATA, {"category": category.pk})) == everything
    assert numbers(client.get(DATA, {"period": "7"})) == (everything | {worker.number}) - {old.number}
    assert numbers(client.get(DATA, {"state": "reported"})) == everything | {worker.number}
    assert numbers(client.get(DATA, {"state": "filed"})) == set()
    west_half = numbers(client.get(DATA, {"bbox": "116.40,39.90,116.42,39.92", "zoom": "15"}))
    assert west_half == {case.number for case in cases["a"] + cases["b"]} | {worker.number}


@pytest.mark.parametrize(
    ("params", "field"),
    [({"state": "closed"}, "state"), ({"light": "blue"}, "light"), ({"source": "x"}, "source"),
     ({"category": "abc"}, "category"), ({"period": "5"}, "period"), ({"bbox": "1,2,3"}, "bbox"),
     ({"bbox": "116.5,39.9,116.4,39.92"}, "bbox"), ({"zoom": "30"}, "zoom")],
)  # fmt: skip
def test_an_unknown_filter_value_is_refused_with_a_stable_code(world, params, field):
    response = world.client("dispatcher").get(DATA, params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_filter" and body["details"][0]["field"] == field


@pytest.mark.parametrize(("zoom", "resolution"), [("10", 6), ("11", 7), ("13", 8), ("15", 9)])
def test_many_cases_are_counted_per_h3_cell_of_the_zoom(scene, monkeypatch, zoom, resolution):
    world, _category, _cases = scene
    monkeypatch.setattr(selectors, "POINT_LIMIT", 3)
    body = world.client("dispatcher").get(DATA, {"zoom": zoom}).json()
    # Each case counts in the cell of this resolution that holds its stored resolution-9 cell.
    stored = [h3.latlng_to_cell(lat, lon, 9) for lon, lat in POINTS_A + POINTS_B + POINTS_C]
    expected = Counter(h3.cell_to_parent(cell, resolution) for cell in stored)
    assert body["mode"] == "cells" and body["resolution"] == resolution and body["total"] == 8
    assert {cell["cell"]: cell["count"] for cell in body["cells"]} == dict(expected)
    assert body["max"] == max(expected.values())
    for cell in body["cells"]:
        ring = cell["polygon"]
        assert ring[0] == ring[-1] and len(ring) in (7, 8)  # a hexagon (a pentagon only at 12 places on Earth)
        lat, lon = h3.cell_to_latlng(cell["cell"])
        xs, ys = [x for x, _y in ring], [y for _x, y in ring]
        assert min(xs) < lon < max(xs) and min(ys) < lat < max(ys)


def test_cells_stay_within_scope(scene, monkeypatch):
    world, _category, _cases = scene
    monkeypatch.setattr(selectors, "POINT_LIMIT", 1)
    body = world.client("grid_worker_a").get(DATA, {"zoom": "15"}).json()
    assert body["total"] == 4
    assert sum(cell["count"] for cell in body["cells"]) == 4
    assert {cell["cell"] for cell in body["cells"]} == {h3.latlng_to_cell(lat, lon, 9) for lon, lat in POINTS_A}


@pytest.mark.parametrize("limit", [400, 1])
def test_the_endpoint_asks_a_fixed_number_of_queries(scene, monkeypatch, django_assert_max_num_queries, limit):
    world, _category, _cases = scene
    monkeypatch.setattr(selectors, "POINT_LIMIT", limit)
    client = world.client("street_leader")
    client.get(DATA)  # the session is warm
    # session, user and scope (3), the count per cell (1), the points when few (1): never one per case or cell
    with django_assert_max_num_queries(5):
        body = client.get(DATA, {"light": "green", "zoom": "13"}).json()
    assert body["total"] == 6


def test_the_case_neighbourhood_has_its_grid_and_the_open_cases_near_it(scene):
    world, _category, cases = scene
    first = cases["a"][0]
    response = world.client("grid_worker_a").get(f"/maps/cases/{first.number}/nearby.json")
    body = response.json()
    assert body["case"]["number"] == first.number and (body["case"]["lon"], body["case"]["lat"]) == IN_A
    assert body["grid"]["properties"]["code"] == world.grid_a.code
    ring = body["grid"]["geometry"]["coordinates"][0]
    assert {round(x, 3) for x, _y in ring} == {116.40, 116.41} and {round(y, 2) for _x, y in ring} == {39.90, 39.92}
    nearby = [other["number"] for other in body["nearby"]]
    assert nearby == [cases["a"][1].number]  # 4 m away; the others of grid A lie over 500 m off
    assert body["nearby"][0]["distance_m"] == 4


def test_nearby_lists_only_what_the_user_may_see(scene, django_assert_max_num_queries):
    world, _category, cases = scene
    edge_b = cases["b"][0]
    near = report_submit(
        Origin(world.user("dispatcher"), "api"),
        ReportData(source="hotline", description="路边有暴露垃圾", longitude=116.4198, latitude=39.91,
                   category_id=edge_b.category_id),
    ).case  # fmt: skip
    Case.objects.filter(pk=near.pk).update(longitude=116.4203, grid=world.grid_c)  # over the street line, in grid C
    client = world.client("grid_worker_b")
    client.get("/")
    with django_assert_max_num_queries(6):
        body = client.get(f"/maps/cases/{edge_b.number}/nearby.json").json()
    assert body["nearby"] == []
    body = world.client("dispatcher").get(f"/maps/cases/{edge_b.number}/nearby.json").json()
    assert [other["number"] for other in body["nearby"]] == [near.number]
    assert world.client("grid_worker_a").get(f"/maps/cases/{edge_b.number}/nearby.json").status_code == 404


def test_the_report_map_shows_the_workers_grid_and_its_buildings(world, django_assert_max_num_queries):
    inside = [BuildingFactory(grid=world.grid_a, lon=116.401 + i * 0.001, lat=39.91) for i in range(5)]
    BuildingFactory(grid=world.grid_b)
    client = world.client("grid_worker_a")
    client.get("/")
    with django_assert_max_num_queries(7):
        body = client.get("/maps/report-layer.json").json()
    areas = [f for f in body["features"] if f["properties"]["kind"] == "area"]
    buildings = [f for f in body["features"] if f["properties"]["kind"] == "building"]
    assert [area["properties"]["code"] for area in areas] == [world.grid_a.code]
    assert areas[0]["geometry"]["type"] == "Polygon"
    assert sorted(b["properties"]["name"] for b in buildings) == sorted(b.address for b in inside)


def test_a_wider_scope_sees_the_areas_below_its_top_without_buildings(world):
    BuildingFactory(grid=world.grid_a)
    body = world.client("street_leader").get("/maps/report-layer.json").json()
    assert [(f["properties"]["kind"], f["properties"]["code"]) for f in body["features"]] == [("area", "110101001001")]
    assert world.client("department_handler").get("/maps/report-layer.json").json()["features"] == []


def test_the_case_map_page_offers_the_filters(world):
    categories_ensure()
    page = world.client("street_leader").get("/maps/cases/", {"light": "red"}).content.decode()
    for name in ("state", "light", "category", "source", "period"):
        assert f'name="{name}"' in page
    assert '<option value="red" selected>' in page
    assert json.dumps("/maps/cases.json")[1:-1] in page
