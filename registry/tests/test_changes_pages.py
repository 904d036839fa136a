"""Pages of registry changes, 八必报, 10+X, floating registration, tenancy and households."""

import pytest
from django.test import Client

from accounts.roles import Role
from audit.services import Origin
from cases.models import Case
from cases.seed import categories_ensure
from gridgov.testing import IN_A, make_user
from registry import services
from registry.changes import building_facts_ensure, change_propose
from registry.models import BuildingReport, FloatingRegistration, Household, RegistryChange, Tenancy
from registry.tests.factories import HouseFactory, HouseholdFactory, PersonFactory
from visits.models import MustReport


@pytest.fixture
def resident(world):
    household = HouseholdFactory(house__building__grid=world.grid_a)
    return PersonFactory.create(name="张三", grid=world.grid_a, house=household.house, household=household)


def test_the_confirm_page_shows_a_conflict_with_both_versions_and_applies_the_choice(
    world, resident, django_assert_max_num_queries
):
    change = change_propose(
        Origin(world.user("grid_worker_a"), "page"), "person_update", "visit", world.grid_a, {"work_place": "甲公司"},
        person=resident,
    )  # fmt: skip
    services.person_save(Origin(world.user("community_staff"), "page"), {"work_place": "乙公司"}, resident)
    client = world.client("grid_worker_a")
    page = client.get(f"/registry/changes/{change.pk}/").content.decode()
    assert "data-conflict" in page and "甲公司" in page and "乙公司" in page
    refused = client.post(f"/registry/changes/{change.pk}/", {"action": "confirm"})
    assert refused.status_code == 409 and "乙公司" in refused.content.decode()
    done = client.post(f"/registry/changes/{change.pk}/", {"action": "confirm", "choice_work_place": "current"})
    assert done.status_code == 302
    assert RegistryChange.objects.get(pk=change.pk).status == "applied"
    for _ in range(5):
        change_propose(Origin(world.user("grid_worker_a"), "page"), "died", "other", world.grid_a, {}, person=resident)
    with django_assert_max_num_queries(12):
        assert client.get("/registry/changes/").status_code == 200
    assert "张三" not in world.client("grid_worker_b").get("/registry/changes/").content.decode()


def test_a_must_report_event_from_the_page_becomes_a_case(world):
    categories_ensure()
    client = world.client("grid_worker_a")
    assert client.get("/registry/must-report/").status_code == 200
    blank = client.get("/registry/must-report/?item=alley_unclean").content.decode()
    assert f'<option value="{world.grid_a.pk}" selected>' in blank  # the worker's one grid
    assert 'class="form-control"' in blank and 'class="form-select"' in blank and "data-locate-button" in blank
    answer = client.post(
        "/registry/must-report/?item=alley_unclean", {"description": "小巷脏", "lon": IN_A[0], "lat": IN_A[1]}
    )
    assert answer.status_code == 302
    report = MustReport.objects.get()
    assert report.case is not None and report.case.category.code == "0104"
    refused = client.post("/registry/must-report/?item=alley_unclean", {"description": ""})
    assert refused.status_code == 200 and MustReport.objects.count() == 1 and Case.objects.count() == 1


def test_a_building_head_reports_only_on_their_buildings(world, resident):
    building_facts_ensure()
    head = make_user("head", Role.BUILDING_HEAD, [world.grid_a])
    building = resident.house.building
    building.head = head
    building.save()
    other = HouseFactory(building__grid=world.grid_a).building
    client = Client()
    client.force_login(head)
    assert building.address in client.get("/registry/my-buildings/").content.decode()
    assert client.get(f"/registry/buildings/{other.pk}/report/").status_code == 404
    answer = client.post(
        f"/registry/buildings/{building.pk}/report/",
        {"fact_households": "3", "x_0_kind": "hazard", "x_0_text": "楼道堆物", "c_0_kind": "died", "c_0_name": "张三"},
    )
    assert answer.status_code == 302
    report = BuildingReport.objects.get()
    assert report.facts == {"households": 3} and report.registry_counts["households"] == 1
    assert report.changes.get().person == resident
    categories_ensure()
    worker = world.client("grid_worker_a")
    review = worker.get(f"/registry/building-reports/{report.pk}/").content.decode()
    assert 'data-differs="households"' in review
    assert (
        worker.post(f"/registry/building-reports/{report.pk}/", {"action": "hazard", "index": "0"}).status_code == 302
    )
    report.refresh_from_db()
    assert Case.objects.filter(number=report.x_items[0]["case_number"]).exists()
    assert world.client("grid_worker_b").get(f"/registry/building-reports/{report.pk}/").status_code == 404


def test_floating_tenancy_and_household_pages_refuse_bad_input_and_save_good(world, resident):
    client = world.client("grid_worker_a")
    house = HouseFactory(building__grid=world.grid_a)
    url = f"/registry/persons/{resident.pk}/floating/new/"
    bad = {"house": house.address, "arrival_date": "2026-03-01", "expected_until": "2026-01-01", "reason": "work"}
    assert client.post(url, bad).status_code == 200 and not FloatingRegistration.objects.exists()
    assert client.post(url, {**bad, "expected_until": ""}).status_code == 302
    url = f"/registry/houses/{house.pk}/tenancies/new/"
    resident.refresh_from_db()
    bad = {"tenant": resident.pk, "contract_start": "2026-03-01", "contract_end": "2026-01-01"}
    assert client.post(url, bad).status_code == 200 and not Tenancy.objects.exists()
    assert client.post(url, {**bad, "contract_end": "2027-01-01"}).status_code == 302
    url = f"/registry/houses/{house.pk}/households/new/"
    assert client.post(url, {"household_type": "nonsense"}).status_code == 200
    assert client.post(url, {"household_type": "family", "head": resident.pk}).status_code == 302
    assert Household.objects.filter(house=house, head=resident).exists()
    assert "流动人口登记" in client.get(f"/registry/persons/{resident.pk}/").content.decode()
