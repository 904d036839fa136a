import datetime as dt

import pytest

from audit.models import AuditAction, AuditEntry
from audit.services import Origin
from cases.models import Category
from gridgov.errors import PermissionDenied, RecordInvalid
from registry import services
from registry.choices import TagCategory
from registry.models import Component, Residence
from registry.tests.factories import HouseFactory, id_number_new


def _fields(error: RecordInvalid) -> dict[str, str]:
    return {item["field"]: item["message"] for item in error.details or []}


def test_a_person_takes_sex_birth_date_and_grid_from_id_number_and_house(world):
    house = HouseFactory(building__grid=world.grid_a)
    origin = Origin(world.users["grid_worker_a"])
    person = services.person_save(
        origin, {"name": "欧阳娜娜", "id_number": "11010519491231002x", "phone": "13812345678", "house": house}
    )
    assert (person.sex, person.birth_date, person.grid) == ("female", dt.date(1949, 12, 31), world.grid_a)
    assert person.name_initials == "oynn" and person.id_number == "11010519491231002X"
    assert Residence.objects.filter(person=person, house=house, moved_out__isnull=True).exists()
    created = AuditEntry.objects.get(action=AuditAction.CREATE, object_id=str(person.pk))
    assert created.changes["id_number"] == [None, "110105***********X"]  # history keeps the masked form only
    assert "13812345678" not in str(created.changes)


@pytest.mark.parametrize(
    ("id_number", "message"),
    [("110105194912310021", "校验位"), ("110105194902300028", "出生日期"), ("1101", "18 位"), ("", "缺少")],
)
def test_invalid_id_numbers_are_refused_with_the_reason(world, id_number, message):
    with pytest.raises(RecordInvalid) as caught:
        services.person_save(Origin(None), {"name": "甲", "id_number": id_number, "grid": world.grid_a})
    assert message in _fields(caught.value)["id_number"]


def test_grid_and_house_cannot_disagree_and_scope_is_enforced(world):
    house_b = HouseFactory(building__grid=world.grid_b)
    with pytest.raises(RecordInvalid) as caught:
        services.person_save(
            Origin(None), {"name": "甲", "id_number": id_number_new(), "house": house_b, "grid": world.grid_a}
        )
    assert "不一致" in _fields(caught.value)["grid"]
    with pytest.raises(RecordInvalid) as caught:
        services.person_save(
            Origin(world.users["grid_worker_a"]), {"name": "乙", "id_number": id_number_new(), "house": house_b}
        )
    assert "管辖范围" in _fields(caught.value)["grid"]


def test_duplicate_id_number_is_refused(world):
    number = id_number_new()
    services.person_save(Origin(None), {"name": "甲", "id_number": number, "grid": world.grid_a})
    with pytest.raises(RecordInvalid, match="已登记"):
        services.person_save(Origin(None), {"name": "乙", "id_number": number.lower(), "grid": world.grid_b})


def test_moving_house_keeps_the_history_with_old_and_new_values(world):
    first, second = HouseFactory(building__grid=world.grid_a), HouseFactory(building__grid=world.grid_b)
    actor = world.users["community_staff"]
    person = services.person_save(Origin(actor), {"name": "甲", "id_number": id_number_new(), "house": first})
    services.person_save(Origin(actor), {"house": second, "phone": "13900001111"}, person)
    person.refresh_from_db()
    assert person.grid == world.grid_b
    stays = list(Residence.objects.filter(person=person).order_by("pk").values_list("house_id", "moved_out"))
    assert stays[0][0] == first.pk and stays[0][1] is not None and stays[1] == (second.pk, None)
    update = AuditEntry.objects.get(action=AuditAction.UPDATE, object_id=str(person.pk))
    assert update.actor == actor and update.changes["house"] == [first.address, second.address]
    assert update.changes["phone"] == ["", "139******11"]


def test_buildings_are_placed_by_location_and_a_given_grid_must_agree(world):
    origin = Origin(world.users["administrator"])
    values = {"road": "东四北大街", "door_number": "1号", "floors": 6, "lon": 116.405, "lat": 39.91}
    building = services.building_save(origin, values)
    assert building.grid == world.grid_a
    with pytest.raises(RecordInvalid) as caught:
        services.building_save(origin, {**values, "door_number": "2号", "grid": world.grid_c})
    assert "不一致" in _fields(caught.value)["grid"]
    with pytest.raises(RecordInvalid) as caught:
        services.building_save(origin, {**values, "door_number": "3号", "lon": 117.5})
    assert "不在任何网格内" in _fields(caught.value)["lon"]
    with pytest.raises(RecordInvalid, match="已存在"):
        services.building_save(origin, values)


def test_houses_stay_inside_their_building(world):
    house = HouseFactory(building__grid=world.grid_a)
    with pytest.raises(RecordInvalid) as caught:
        services.house_save(Origin(None), {"building": house.building, "unit": 9, "floor": 40, "room": "x"})
    assert set(_fields(caught.value)) == {"unit", "floor"}


def test_components_are_numbered_per_county_and_subclass(world):
    manhole = Category.objects.get(kind="component", code="0101")
    origin = Origin(world.users["administrator"])
    first = services.component_save(origin, {"category": manhole, "lon": 116.405, "lat": 39.91})
    second = services.component_save(origin, {"category": manhole, "lon": 116.435, "lat": 39.91})
    assert (first.code, second.code) == ("1101010101000001", "1101010101000002")
    assert second.grid == world.grid_c
    with pytest.raises(RecordInvalid, match="区县代码"):
        services.component_save(origin, {"category": manhole, "lon": 116.405, "lat": 39.91, "code": "3205080101000009"})
    assert Component.objects.count() == 2


def test_sensitive_tags_need_their_permission(world, residents):
    with pytest.raises(RecordInvalid, match="重点人员"):
        services.person_tag_add(
            Origin(world.users["grid_worker_a"]),
            residents.a,
            {"category": TagCategory.DRUG_USER, "since": dt.date(2026, 1, 1)},
        )
    tag = services.person_tag_add(
        Origin(world.users["community_staff"]),
        residents.a,
        {"category": TagCategory.DRUG_USER, "since": dt.date(2026, 1, 1)},
    )
    assert tag.is_sensitive


def test_reveal_needs_the_permission_and_is_audited(world, residents):
    with pytest.raises(PermissionDenied):
        services.person_reveal(Origin(world.users["grid_worker_a"]), residents.a)
    assert not AuditEntry.objects.filter(action=AuditAction.REVEAL).exists()
    shown = services.person_reveal(Origin(world.users["community_staff"]), residents.a, ("id_number",))
    assert shown == {"id_number": residents.a.id_number}
    entry = AuditEntry.objects.get(action=AuditAction.REVEAL)
    assert entry.fields == ["id_number"] and entry.actor == world.users["community_staff"]
