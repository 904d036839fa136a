import json

import pytest

from areas.models import Area, BoundaryVersion
from gridgov.testing import MIDDLE, SOUTH, WEST, check_access

GRID_A = "110101001001001"
ALL_OF_A = {"grid_worker_a", "community_staff", "street_leader", "dispatcher", "administrator"}
ALL_OF_DISTRICT = {"dispatcher", "administrator"}


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        (f"/areas/{GRID_A}/", ALL_OF_A),
        (f"/areas/{GRID_A}/card/", ALL_OF_A),
        ("/areas/110101001001/", {"community_staff", "street_leader", "dispatcher", "administrator"}),
        ("/areas/110101/", ALL_OF_DISTRICT),
        ("/areas/110101002001001/", ALL_OF_DISTRICT),
        (f"/api/v1/areas/{GRID_A}", ALL_OF_A),
        (f"/api/v1/areas/{GRID_A}/geojson", ALL_OF_A),
        ("/api/v1/areas/110101001/geojson?children=true", {"street_leader", "dispatcher", "administrator"}),
        (f"/api/v1/locate?lon={WEST + 0.001}&lat={SOUTH + 0.01}", ALL_OF_A),
    ],
)
def test_area_pages_and_api_answer_404_outside_scope(world, url, allowed):
    check_access(world, url, allowed)


def test_unknown_area_is_404_like_an_invisible_one(world):
    response = world.client("administrator").get("/api/v1/areas/110101999")
    assert response.status_code == 404 and response.json()["code"] == "area_not_found"


def test_partition_page_needs_the_permission_and_the_scope(world):
    # street leaders and administrators have the permission; a dispatcher does not (403); others: not in scope
    assert world.client("street_leader").get("/areas/110101001/partition/").status_code == 200
    assert world.client("dispatcher").get("/areas/110101001/partition/").status_code == 403
    assert world.client("administrator").get("/areas/110101002/partition/").status_code == 200
    assert world.client("street_leader").get("/areas/110101002/partition/").status_code == 404
    api = world.client("street_leader").get("/api/v1/areas/110101001001/partition")
    assert api.status_code == 200 and api.json()["ok"] is True and len(api.json()["balance"]) == 2


def test_area_card_shows_the_grid_facts(world):
    response = world.client("community_staff").get(f"/areas/{GRID_A}/card/")
    html = response.content.decode()
    assert GRID_A in html and "网格A" in html and "综合网格" in html and "worker_a" in html


def test_tree_and_list_are_scoped(world):
    tree = world.client("street_leader").get("/api/v1/areas/tree").json()
    assert [node["code"] for node in tree] == ["110101001"]
    assert [grid["code"] for grid in tree[0]["children"][0]["children"]] == [GRID_A, "110101001001002"]
    listed = world.client("grid_worker_b").get("/api/v1/areas?level=grid").json()
    assert [area["code"] for area in listed] == ["110101001001002"]


def test_locate_api_and_batch(world):
    client = world.client("dispatcher")
    inside = client.get(f"/api/v1/locate?lon={MIDDLE + 0.001}&lat={SOUTH + 0.001}").json()
    assert inside["inside"] and inside["grid"]["code"] == "110101002001001"
    assert [area["code"] for area in inside["ancestors"]] == ["110101", "110101002", "110101002001"]
    outside = client.get(f"/api/v1/locate?lon={WEST - 0.01}&lat={SOUTH + 0.01}").json()
    assert not outside["inside"] and outside["nearest"]["code"] == GRID_A and outside["distance_m"] > 800
    bad = client.get("/api/v1/locate?lon=116.4&lat=39.9&datum=mars")
    assert bad.status_code == 400 and bad.json()["code"] == "unknown_datum"
    bad = client.get("/api/v1/locate?lon=190&lat=39.9")
    assert bad.status_code == 400 and bad.json()["code"] == "lon_out_of_range"
    missing = client.get("/api/v1/locate?lat=39.9")
    assert missing.status_code == 422 and missing.json()["code"] == "validation_failed"
    points = [[WEST + 0.001, SOUTH + 0.01], [MIDDLE + 0.001, SOUTH + 0.01], [0, 0]]
    batch = world.client("street_leader").post(
        "/api/v1/locate/batch", json.dumps({"points": points, "nearest": True}), content_type="application/json"
    )
    assert batch.status_code == 200
    assert batch.json()["codes"] == [GRID_A, None, None]  # grid C exists but is outside the street's scope


def test_import_api_needs_permission_and_reports_problems(world):
    body = json.dumps(
        {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, "geometry": None}]}
    )
    versions = BoundaryVersion.objects.count()
    denied = world.client("street_leader").post("/api/v1/areas/import", body, content_type="application/json")
    assert denied.status_code == 403 and denied.json()["code"] == "forbidden"
    rejected = world.client("administrator").post("/api/v1/areas/import", body, content_type="application/json")
    assert rejected.status_code == 400 and rejected.json()["code"] == "import_invalid"
    first = rejected.json()["details"][0]
    assert first["field"] == "level" and "第 1 个要素" in first["message"]
    garbage = world.client("administrator").post("/api/v1/areas/import", "{", content_type="application/json")
    assert garbage.status_code == 400 and garbage.json()["code"] == "invalid_json"
    assert BoundaryVersion.objects.count() == versions
    exported = world.client("administrator").get("/api/v1/areas/export").json()
    assert len(exported["features"]) == 8
    reimported = world.client("administrator").post(
        "/api/v1/areas/import", json.dumps(exported), content_type="application/json"
    )
    assert (
        reimported.status_code == 200 and reimported.json()["unchanged"] == 8 and reimported.json()["version"] is None
    )
    assert Area.objects.count() == 8


def test_openapi_schema_lists_the_endpoints(client):
    schema = client.get("/api/v1/openapi.json").json()
    for path in ("/api/v1/locate", "/api/v1/locate/batch", "/api/v1/areas/{code}/partition", "/api/v1/areas/import"):
        assert path in schema["paths"]
