"""The API of registry changes, 八必报, 10+X, floating registration, tenancy and households."""

import json

import pytest

from accounts.roles import Role
from cases.models import Case, Category
from cases.seed import categories_ensure
from gridgov.testing import IN_A, make_user
from registry.changes import building_facts_ensure
from registry.choices import ChangeStatus
from registry.models import BuildingReport, FloatingRegistration, Household, Person, RegistryChange, Tenancy
from registry.tests.factories import HouseFactory, HouseholdFactory, PersonFactory, PlaceFactory, id_number_new
from visits.models import MustReport


def post(client, url, body, method="post"):
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


@pytest.fixture
def resident(world):
    household = HouseholdFactory(house__building__grid=world.grid_a)
    return PersonFactory.create(name="张三", grid=world.grid_a, house=household.house, household=household)


def test_confirm_answers_409_with_both_versions_then_applies_the_choice(world, resident):
    worker = world.client("grid_worker_a")
    report = post(
        worker, "/api/v1/must-reports", {"item": "hospitalized", "person_id": resident.pk, "description": "住院"}
    )
    assert report.status_code == 201, report.content
    change_id = report.json()["change_id"]
    assert report.json()["case_id"] is None
    listed = worker.get("/api/v1/registry/changes?status=pending").json()
    assert [row["id"] for row in listed] == [change_id]
    # A person update proposed, then a newer change of the same field.
    from audit.services import Origin
    from registry import services
    from registry.changes import change_propose

    change = change_propose(
        Origin(world.user("grid_worker_a"), "api"), "person_update", "visit", world.grid_a,
        {"work_place": "甲公司"}, person=resident,
    )  # fmt: skip
    services.person_save(Origin(world.user("community_staff"), "api"), {"work_place": "乙公司"}, resident)
    detail = worker.get(f"/api/v1/registry/changes/{change.pk}").json()
    assert detail["fields"] == [
        {
            "name": "work_place",
            "label": "工作单位",
            "base": "",
            "current": "乙公司",
            "proposed": "甲公司",
            "conflict": True,
        }
    ]
    refused = post(worker, f"/api/v1/registry/changes/{change.pk}/confirm", {"note": ""})
    assert refused.status_code == 409 and refused.json()["code"] == "change_conflict"
    assert refused.json()["details"][0]["field"] == "work_place"
    bad = post(worker, f"/api/v1/registry/changes/{change.pk}/confirm", {"choices": {"work_place": "mine"}})
    assert bad.status_code in (400, 422)
    done = post(worker, f"/api/v1/registry/changes/{change.pk}/confirm", {"choices": {"work_place": "proposed"}})
    assert done.status_code == 200 and done.json()["status"] == ChangeStatus.APPLIED
    resident.refresh_from_db()
    assert resident.work_place == "甲公司"
    # Grid B's worker neither sees nor confirms it.
    other = world.client("grid_worker_b")
    assert other.get(f"/api/v1/registry/changes/{change_id}").status_code == 404
    assert post(other, f"/api/v1/registry/changes/{change_id}/confirm", {}).status_code == 404
    assert post(other, f"/api/v1/registry/changes/{change_id}/reject", {"reason": "x"}).status_code == 404
    assert other.get("/api/v1/registry/changes").json() == []


def test_an_event_item_becomes_a_case_with_the_mapped_category(world):
    categories_ensure()
    worker = world.client("grid_worker_a")
    answer = post(
        worker,
        "/api/v1/must-reports",
        {"item": "alley_unclean", "description": "小巷垃圾", "lon": IN_A[0], "lat": IN_A[1]},
    )
    assert answer.status_code == 201, answer.content
    case = Case.objects.get(pk=answer.json()["case_id"])
    assert case.category == Category.objects.get(kind="event", code="0104")
    assert answer.json()["case_number"] == case.number and answer.json()["change_id"] is None
    hazard = Category.objects.get(kind="governance", code="G302")
    given = post(
        worker,
        "/api/v1/must-reports",
        {"item": "safety_hazard", "description": "燃气味", "lon": IN_A[0], "lat": IN_A[1], "category_id": hazard.pk},
    )
    assert Case.objects.get(pk=given.json()["case_id"]).category == hazard
    mine = worker.get("/api/v1/must-reports").json()
    assert {row["item"] for row in mine} == {"alley_unclean", "safety_hazard"}
    assert world.client("grid_worker_b").get("/api/v1/must-reports?mine=false").json() == []


def test_a_floating_arrival_item_proposes_a_registration_and_bad_input_writes_nothing(world):
    house = HouseFactory(building__grid=world.grid_a)
    worker = world.client("grid_worker_a")
    number = id_number_new()
    body = {
        "item": "floating_arrival",
        "house_id": house.pk,
        "facts": {"name": "赵六", "id_number": number, "phone": "13712345678", "origin_place": "河南"},
    }
    before = (MustReport.objects.count(), RegistryChange.objects.count())
    for bad in ({**body, "item": "nonsense"}, {**body, "house_id": None}, {**body, "house_id": 99999999}, [1]):
        answer = post(worker, "/api/v1/must-reports", bad)
        assert 400 <= answer.status_code < 500
    assert (MustReport.objects.count(), RegistryChange.objects.count()) == before
    answer = post(worker, "/api/v1/must-reports", body)
    assert answer.status_code == 201
    change = RegistryChange.objects.get(pk=answer.json()["change_id"])
    assert change.kind == "floating_arrival" and change.status == ChangeStatus.PENDING
    assert number not in json.dumps(change.facts) and "13712345678" not in json.dumps(change.facts)
    assert not Person.objects.filter(name="赵六").exists()  # never written before confirmation


def test_a_building_head_reports_only_on_their_building_and_differences_are_computed(world, resident):
    building_facts_ensure()
    building = resident.house.building
    head = make_user("head", Role.BUILDING_HEAD, [world.grid_a])
    building.head = head
    building.save()
    PlaceFactory(grid=world.grid_a, house=resident.house, kind="shop")
    other = HouseFactory(building__grid=world.grid_a).building
    from django.test import Client

    client = Client()
    client.force_login(head)
    mine = client.get("/api/v1/registry/buildings/mine").json()
    assert [row["id"] for row in mine] == [building.pk] and len(mine[0]["facts"]) == 10
    body = {
        "facts": {"households": 1, "residents": 3, "shops": 1},
        "x_items": [{"kind": "hazard", "text": "楼道堆物"}],
        "changes": [{"kind": "moved_in", "name": "新住户", "house_id": resident.house_id, "day": "2026-03-01"}],
    }
    assert post(client, f"/api/v1/registry/buildings/{other.pk}/reports", body).status_code == 404
    assert (
        post(client, f"/api/v1/registry/buildings/{building.pk}/reports", {**body, "facts": {"x": 1}}).status_code
        == 400
    )
    assert not BuildingReport.objects.exists()
    answer = post(client, f"/api/v1/registry/buildings/{building.pk}/reports", body)
    assert answer.status_code == 201, answer.content
    assert answer.json()["differences"] == [{"key": "residents", "label": "常住人口", "reported": 3, "registered": 1}]
    change = RegistryChange.objects.get(pk=answer.json()["change_ids"][0])
    assert change.source == "building_report" and change.status == ChangeStatus.PENDING
    assert not Person.objects.filter(name="新住户").exists()
    assert client.get("/api/v1/registry/changes").status_code == 403


def test_floating_tenancy_and_household_endpoints(world, resident):
    worker = world.client("grid_worker_a")
    house = HouseFactory(building__grid=world.grid_a)
    url = f"/api/v1/registry/persons/{resident.pk}/floating-registrations"
    bad = {"house_id": house.pk, "arrival_date": "2026-03-01", "expected_until": "2026-01-01", "reason": "work"}
    assert post(worker, url, bad).status_code == 400
    assert post(worker, url, {**bad, "reason": "nope"}).status_code in (400, 422)
    assert not FloatingRegistration.objects.exists()
    ok = post(worker, url, {**bad, "expected_until": "2026-12-31"})
    assert ok.status_code == 201, ok.content
    assert FloatingRegistration.objects.get().house == house
    url = f"/api/v1/registry/houses/{house.pk}/tenancies"
    body = {"tenant_id": resident.pk, "contract_start": "2026-03-01", "contract_end": "2026-02-01"}
    assert post(worker, url, body).status_code == 400 and not Tenancy.objects.exists()
    assert post(worker, url, {**body, "contract_end": "2027-02-28"}).status_code == 201
    created = post(worker, "/api/v1/registry/households", {"house_id": house.pk, "head_id": resident.pk})
    assert created.status_code == 201
    household = Household.objects.get(pk=created.json()["id"])
    assert household.head == resident
    stranger = PersonFactory.create(grid=world.grid_a)
    refused = post(worker, f"/api/v1/registry/households/{household.pk}", {"head_id": stranger.pk}, "patch")
    assert refused.status_code == 400
    assert post(worker, "/api/v1/registry/households", {}).status_code == 400
    assert post(world.client("grid_worker_b"), "/api/v1/registry/households", {"house_id": house.pk}).status_code == 404
