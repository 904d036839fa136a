import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook
from pytest_django.asserts import assertRedirects

from audit.models import AuditAction, AuditEntry
from cases.models import Category
from gridgov.testing import PERSONAS
from registry.models import Building, Component, House, Person
from registry.tests.factories import HouseholdFactory, PersonFactory

# Who may open a record of grid A: its own grid worker, the community, the street, the administrator (district).
SEES_GRID_A = {"grid_worker_a", "community_staff", "street_leader", "administrator"}
NO_REGISTRY_ROLE = {"dispatcher", "department_handler"}


def _statuses(world, url, method="get", **data):
    return {persona: getattr(world.client(persona), method)(url, **data).status_code for persona in PERSONAS}


@pytest.mark.parametrize(
    "path",
    [
        "/registry/persons/{a}/",
        "/registry/persons/{a}/edit/",
        "/registry/houses/{house}/",
        "/registry/buildings/{building}/",
        "/registry/households/{household}/",
    ],
)
def test_every_record_page_of_grid_a_is_scoped(world, residents, path):
    url = path.format(
        a=residents.a.pk,
        house=residents.a.house_id,
        building=residents.a.house.building_id,
        household=residents.a.household_id,
    )
    statuses = _statuses(world, url)
    for persona, status in statuses.items():
        if persona in SEES_GRID_A:
            expected = 403 if "edit" in url and persona == "street_leader" else 200  # leaders read, do not edit
        elif persona == "anonymous":
            expected = 302
        elif persona in NO_REGISTRY_ROLE:
            expected = 403
        else:
            expected = 404  # grid worker B: "not yours" looks like "does not exist"
        assert status == expected, (persona, url, status)
    assertRedirects(world.client("anonymous").get(url), f"/accounts/login/?next={url}")


@pytest.mark.parametrize("path", ["/api/v1/persons/{a}", "/api/v1/persons/{a}/history", "/api/v1/houses/{house}"])
def test_the_api_answers_404_outside_the_scope(world, residents, path):
    url = path.format(a=residents.a.pk, house=residents.a.house_id)
    statuses = _statuses(world, url)
    assert statuses["grid_worker_b"] == 404 and statuses["grid_worker_a"] == 200 and statuses["anonymous"] == 401
    assert statuses["dispatcher"] == 403


def test_a_grid_worker_cannot_find_a_resident_of_another_grid(world, residents):
    client = world.client("grid_worker_a")
    for text in (residents.b.name, residents.b.id_number, residents.b.phone, residents.b.name_initials):
        page = client.get("/registry/persons/", {"text": text})
        assert f">{residents.b.name}</a>" not in page.content.decode() and page.context["page"].paginator.count == 0
        answer = client.get("/api/v1/persons", {"text": text}).json()
        assert answer["count"] == 0
    own = client.get("/api/v1/persons", {"text": residents.a.id_number}).json()
    assert [row["id"] for row in own["results"]] == [residents.a.pk]
    assert own["results"][0]["id_number"] == residents.a.id_number_masked  # masked, even when searched by it
    assert AuditEntry.objects.filter(action=AuditAction.SEARCH, actor=world.users["grid_worker_a"]).count() == 9


def test_searches_by_name_initials_address_and_tag(world, residents):
    client = world.client("street_leader")  # street 001: grids A and B
    assert _names(client, text="张") == ["张三"]
    assert _names(client, text="ls") == ["李四"]
    assert _names(client, address=residents.b.house.building.door_number) == ["李四"]
    assert _names(client, tag="disabled") == ["张三"]
    assert _names(client, text="王") == []  # grid C is another street
    assert _names(world.client("grid_worker_a"), tag="community_correction") == []  # sensitive: no permission
    assert _names(client, tag="community_correction") == ["张三"]


def _names(client, **query):
    return [row["name"] for row in client.get("/api/v1/persons", query).json()["results"]]


def test_sensitive_tags_are_hidden_from_lists_pages_and_exports_without_permission(world, residents):
    worker = world.client("grid_worker_a")
    assert "社区矫正" not in worker.get(f"/registry/persons/{residents.a.pk}/").content.decode()
    assert "残疾人" in worker.get(f"/registry/persons/{residents.a.pk}/").content.decode()
    assert worker.get(f"/api/v1/persons/{residents.a.pk}").json()["tags"] == ["disabled"]
    leader = world.client("street_leader")
    assert "社区矫正" in leader.get("/registry/persons/").content.decode()
    rows = _export_rows(leader)
    assert {row["姓名"] for row in rows} == {"张三", "李四"}  # grid C is outside the street
    assert rows[0]["证件号码"] == residents.a.id_number_masked and "社区矫正" in rows[0]["标签"]
    assert worker.get("/registry/export/persons.xlsx").status_code == 403  # grid workers do not export
    assert AuditEntry.objects.filter(action=AuditAction.EXPORT, detail__count=2).exists()


def _export_rows(client):
    response = client.get("/registry/export/persons.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    headers, *rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    return [dict(zip(headers, row, strict=True)) for row in rows]


def test_reading_a_record_and_revealing_its_id_number_are_audited(world, residents):
    client = world.client("community_staff")
    page = client.get(f"/registry/persons/{residents.a.pk}/").content.decode()
    assert residents.a.id_number not in page and residents.a.id_number_masked in page
    view = AuditEntry.objects.get(action=AuditAction.VIEW)
    assert (view.object_id, view.channel, view.actor) == (str(residents.a.pk), "page", world.users["community_staff"])
    shown = client.post(f"/registry/persons/{residents.a.pk}/reveal/", {"field": "id_number"})
    assert residents.a.id_number in shown.content.decode()
    api = client.get(f"/api/v1/persons/{residents.a.pk}", {"reveal": "phone"}).json()
    assert api["phone"] == residents.a.phone and api["id_number"] == residents.a.id_number_masked
    reveals = AuditEntry.objects.filter(action=AuditAction.REVEAL).order_by("pk")
    assert [(entry.channel, entry.fields) for entry in reveals] == [("page", ["id_number"]), ("api", ["phone"])]
    worker = world.client("grid_worker_a")
    assert worker.post(f"/registry/persons/{residents.a.pk}/reveal/", {"field": "id_number"}).status_code == 403
    assert worker.get(f"/api/v1/persons/{residents.a.pk}", {"reveal": "id_number"}).json()["code"] == (
        "reveal_not_permitted"
    )
    assert reveals.count() == 2
    assert (
        world.client("grid_worker_b")
        .post(f"/registry/persons/{residents.a.pk}/reveal/", {"field": "id_number"})
        .status_code
        == 404
    )


def test_editing_a_person_through_the_page_keeps_history_and_refuses_bad_input(world, residents):
    client = world.client("grid_worker_a")
    url = f"/registry/persons/{residents.a.pk}/edit/"
    form = {
        "name": "张三丰",
        "document_type": "id_card",
        "id_number": "",
        "residency_type": "resident",
        "household_status": "together",
        "house": residents.a.house.address,
    }
    assertRedirects(client.post(url, form), f"/registry/persons/{residents.a.pk}/")
    history = client.get(f"/api/v1/persons/{residents.a.pk}/history").json()
    assert history[0]["changes"]["name"] == ["张三", "张三丰"] and history[0]["channel"] == "page"
    bad = client.post(url, {**form, "id_number": "110105194912310021"})
    assert bad.status_code == 200 and "校验位" in bad.content.decode()
    other = client.post(url, {**form, "house": residents.b.house.address})
    assert "找不到" in other.content.decode()
    residents.a.refresh_from_db()
    assert residents.a.name == "张三丰" and residents.a.grid == world.grid_a


def test_the_api_registers_people_and_explains_refusals(world, residents):
    client = world.client("grid_worker_a")
    payload = {
        "name": "新人",
        "id_number": "11010519491231002X",
        "residency_type": "floating",
        "house_id": residents.a.house_id,
    }
    created = client.post("/api/v1/persons", payload, content_type="application/json")
    assert created.status_code == 201 and created.json()["grid_code"] == world.grid_a.code
    again = client.post("/api/v1/persons", payload, content_type="application/json")
    assert again.status_code == 400 and again.json()["code"] == "record_invalid"
    assert again.json()["details"][0]["field"] == "id_number"
    foreign = client.post(
        "/api/v1/persons", {**payload, "house_id": residents.b.house_id}, content_type="application/json"
    )
    assert foreign.status_code == 404 and foreign.json()["code"] == "house_not_found"
    assert Person.objects.filter(name="新人").count() == 1


def test_person_list_queries_do_not_grow_with_the_page(world):
    def count_queries():
        client = world.client("street_leader")
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/registry/persons/").status_code == 200
        return len(captured)

    household = HouseholdFactory(house__building__grid=world.grid_a)
    PersonFactory.create_batch(5, grid=world.grid_a, house=household.house, household=household)
    few = count_queries()
    PersonFactory.create_batch(40, grid=world.grid_b)
    assert count_queries() == few


def test_buildings_houses_and_components_are_registered_through_their_pages(world):
    client = world.client("grid_worker_a")
    form = {
        "road": "东四北大街",
        "door_number": "8号",
        "kind": "residential",
        "units": 2,
        "floors": 6,
        "lon": 116.405,
        "lat": 39.91,
        "datum": "wgs84",
    }
    outside = client.post("/registry/buildings/new/", {**form, "lon": 116.435})
    assert outside.status_code == 200 and "管辖范围" in outside.content.decode() and not Building.objects.exists()
    created = client.post("/registry/buildings/new/", form)
    building = Building.objects.get()
    assert created["Location"] == f"/registry/buildings/{building.pk}/" and building.grid == world.grid_a
    house = client.post(
        f"/registry/buildings/{building.pk}/houses/new/",
        {"unit": 1, "floor": 2, "room": "201", "use": "residential", "ownership": "private"},
    )
    assert house["Location"] == f"/registry/houses/{House.objects.get().pk}/"
    edited = client.post(f"/registry/buildings/{building.pk}/edit/", {**form, "floors": 7})
    assertRedirects(edited, f"/registry/buildings/{building.pk}/")
    assert Building.objects.get().floors == 7
    category = Category.objects.get(kind="component", code="0118")
    made = client.post(
        "/registry/components/new/",
        {"category": category.pk, "lon": 116.405, "lat": 39.91, "datum": "wgs84", "state": "intact", "in_use": "on"},
    )
    component = Component.objects.get()
    assertRedirects(made, f"/registry/components/{component.pk}/")
    assert component.code == "1101010118000001"
