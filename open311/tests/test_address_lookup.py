"""An Open311 request without lat/long is placed at a registered building: by its id (``address_id``), or by its
address (``address_string``: the building with exactly this address, else the first whose address starts with it).
"""

import pytest
from django.test import Client

from cases.models import Case
from gridgov.testing import IN_A, IN_B
from open311.services import client_issue
from registry.tests.factories import BuildingFactory


@pytest.fixture
def key(world) -> str:
    return client_issue("随手拍 App", requests_per_minute=100)[1]


@pytest.fixture
def buildings(world):
    """东四北大街8号 in grid A and 东四北大街88号 in grid B (it sorts first: "8" before "号")."""
    eight = BuildingFactory(grid=world.grid_a, door_number="8号", lon=IN_A[0], lat=IN_A[1])
    eighty_eight = BuildingFactory(grid=world.grid_b, door_number="88号", lon=IN_B[0], lat=IN_B[1])
    return eight, eighty_eight


def submit(key: str, **fields: str):
    data = {"api_key": key, "service_code": "E0102", "description": "垃圾没人清", **fields}
    return Client().post("/open311/v2/requests.json", data)


def placed() -> tuple[float | None, float | None, str, str]:
    case = Case.objects.get()
    return case.longitude, case.latitude, case.address, case.grid.code


def test_a_request_is_placed_at_the_building_of_its_address_id(world, key, buildings):
    eight, _eighty_eight = buildings
    assert submit(key, address_id=str(eight.pk)).status_code == 201
    assert placed() == (IN_A[0], IN_A[1], "东四北大街8号测试小区1号楼", world.grid_a.code)


def test_an_address_id_with_an_address_string_keeps_the_string(world, key, buildings):
    _eight, eighty_eight = buildings
    assert submit(key, address_id=str(eighty_eight.pk), address_string="88号门口").status_code == 201
    assert placed() == (IN_B[0], IN_B[1], "88号门口", world.grid_b.code)


def test_an_address_string_finds_its_building_exactly_or_by_its_start(world, key, buildings):
    assert submit(key, address_string="东四北大街8号测试小区1号楼").status_code == 201
    assert placed() == (IN_A[0], IN_A[1], "东四北大街8号测试小区1号楼", world.grid_a.code)
    Case.objects.all().delete()
    assert submit(key, address_string="东四北大街8").status_code == 201  # 88号 comes first by address
    assert placed() == (IN_B[0], IN_B[1], "东四北大街8", world.grid_b.code)


@pytest.mark.parametrize(
    ("fields", "description"),
    [
        ({"address_id": "999999"}, "address_id '999999' not found"),
        ({"address_id": "8号"}, "address_id '8号' not found"),
        ({"address_string": "西四北大街"}, "address_string could not be located; send lat and long"),
        ({}, "a location is required: lat and long, address_string or address_id"),
    ],
)
def test_an_address_that_names_no_building_is_refused(world, key, buildings, fields, description):
    response = submit(key, **fields)
    assert response.status_code == 400
    assert response.json() == [{"code": 400, "description": description}]
    assert not Case.objects.exists()
