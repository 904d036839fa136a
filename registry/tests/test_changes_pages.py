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


def test_the_confirm_page_labels_every_fact_and_shows_choices_dates_and_masks(world, resident):
    house = HouseFactory(building__grid=world.grid_a)
    facts = {
        "name": "韩晓东",
        "sex": "male",
        "birth_date": "1994-05-17",
        "id_number": "410102199405171238",
        "phone": "13912345678",
        "origin_place": "河南省郑州市",
        "arrival_date": "2026-11-26",
        "reason": "work",
    }
    origin = Origin(world.user("grid_worker_a"), "page")
    change = change_propose(origin, "floating_arrival", "must_report", world.grid_a, facts, house=house)
    client = world.client("grid_worker_a")
    page = client.get(f"/registry/changes/{change.pk}/").content.decode()
    for label in ("姓名", "性别", "出生日期", "证件号码", "联系电话", "来源地", "来本地日期", "来本地事由"):
        assert f'<dt class="col-4">{label}</dt>' in page
    for key in ("name", "sex", "birth_date", "id_number", "phone", "origin_place", "arrival_date", "reason"):
        assert f'<dt class="col-4">{key}</dt>' not in page
    assert '<dd class="col-8" data-fact="sex">男</dd>' in page
    assert '<dd class="col-8" data-fact="reason">务工</dd>' in page
    assert '<dd class="col-8" data-fact="birth_date">1994-05-17</dd>' in page
    assert "410102199405171238" not in page and "13912345678" not in page
    assert "410102***********8" in page and "139******78" in page
    died = change_propose(
        origin, "died", "building_report", world.grid_a, {"name": "张三", "day": "2026-11-29", "note": "家属告知"},
        person=resident, note="家属告知",
    )  # fmt: skip
    page = client.get(f"/registry/changes/{died.pk}/").content.decode()
    assert page.count("家属告知") == 1 and '<dt class="col-4">死亡日期</dt>' in page
    assert 'data-table="fields"' in page and "table-cards" in page
    assert '<td data-label="保留">' in page and "text-nowrap" in page


def test_the_person_page_links_a_pending_change_about_the_person(world, resident):
    origin = Origin(world.user("grid_worker_a"), "page")
    change = change_propose(origin, "died", "building_report", world.grid_a, {"day": "2026-11-29"}, person=resident)
    page = world.client("grid_worker_a").get(f"/registry/persons/{resident.pk}/").content.decode()
    assert "data-pending-changes" in page and f'href="/registry/changes/{change.pk}/"' in page
    change.status = "rejected"
    change.save()
    page = world.client("grid_worker_a").get(f"/registry/persons/{resident.pk}/").content.decode()
    assert "data-pending-changes" not in page


def test_the_10x_form_is_prefilled_styled_and_its_review_names_the_x_items(world, resident):
    building_facts_ensure()
    head = make_user("head", Role.BUILDING_HEAD, [world.grid_a])
    building = resident.house.building
    building.head = head
    building.save()
    client = Client()
    client.force_login(head)
    form = client.get(f"/registry/buildings/{building.pk}/report/").content.decode()
    assert 'name="fact_residents" id="id_fact_residents" value="1"' in form
    assert 'name="fact_households" id="id_fact_households" value="1"' in form
    assert '<select name="x_0_kind" class="form-select"' in form
    assert (
        '<select name="c_0_kind" class="form-select"' in form and '<select name="c_0_house" class="form-select"' in form
    )
    assert "由网格员或社区工作人员核实确认" in form
    answer = client.post(
        f"/registry/buildings/{building.pk}/report/",
        {"fact_households": "1", "x_0_kind": "hazard", "x_0_text": "楼道堆物", "c_0_kind": "died", "c_0_name": "张三"},
        follow=True,
    )
    shown = answer.content.decode()
    assert "X项 1 项" in shown and "人口变动 1 项" in shown
    report = BuildingReport.objects.get()
    review = world.client("grid_worker_a").get(f"/registry/building-reports/{report.pk}/").content.decode()
    assert 'data-x-kind="hazard">安全隐患</span>' in review
