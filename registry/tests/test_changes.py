"""Registry changes from the field: proposed with their base values, confirmed through the registry's services,
refused with both versions when a newer change conflicts, secrets never in clear."""

import datetime as dt
import json

import pytest

from audit.models import AuditEntry
from audit.services import Origin
from gridgov.errors import Conflict, NotFound, RecordInvalid
from registry import services
from registry.changes import access_change, change_confirm, change_fields, change_propose, change_reject
from registry.choices import ChangeKind, ChangeSource, ChangeStatus, ResidencyType
from registry.models import FloatingRegistration, Person, RegistryChange, Residence, Tenancy
from registry.tests.factories import HouseFactory, HouseholdFactory, PersonFactory, id_number_new


def origin(world, persona="grid_worker_a"):
    return Origin(world.user(persona), "api")


@pytest.fixture
def resident(world):
    household = HouseholdFactory(house__building__grid=world.grid_a)
    return PersonFactory.create(name="张三", grid=world.grid_a, house=household.house, household=household)


def test_a_person_update_without_conflict_is_applied_through_the_service(world, resident):
    change = change_propose(
        origin(world), ChangeKind.PERSON_UPDATE, ChangeSource.VISIT, world.grid_a, {"work_place": "新单位"},
        person=resident,
    )  # fmt: skip
    assert change.base == {"work_place": {"value": "", "shown": ""}}
    assert [row.as_dict() for row in change_fields(change)] == [
        {"name": "work_place", "label": "工作单位", "base": "", "current": "", "proposed": "新单位", "conflict": False}
    ]
    change_confirm(origin(world, "community_staff"), change, {}, None, "核实")
    resident.refresh_from_db()
    assert resident.work_place == "新单位"
    change.refresh_from_db()
    assert change.status == ChangeStatus.APPLIED and change.decided_by == world.user("community_staff")
    assert AuditEntry.objects.filter(object_id=str(resident.pk), changes__work_place__isnull=False).exists()


def test_a_newer_change_conflicts_and_is_shown_with_both_versions_until_a_choice_is_made(world, resident):
    change = change_propose(
        origin(world), ChangeKind.PERSON_UPDATE, ChangeSource.MUST_REPORT, world.grid_a,
        {"work_place": "甲公司", "hukou_place": "河北"}, person=resident,
    )  # fmt: skip
    # Someone else changes the record in between.
    services.person_save(origin(world, "community_staff"), {"work_place": "乙公司"}, resident)
    with pytest.raises(Conflict) as refused:
        change_confirm(origin(world), change, {}, None, "")
    assert refused.value.code == "change_conflict" and refused.value.status == 409
    assert [item["field"] for item in refused.value.details] == ["work_place"]
    assert "乙公司" in refused.value.details[0]["message"] and "甲公司" in refused.value.details[0]["message"]
    resident.refresh_from_db()
    assert resident.work_place == "乙公司" and resident.hukou_place == ""  # nothing written
    assert RegistryChange.objects.get(pk=change.pk).status == ChangeStatus.PENDING
    # Keep the newer value, take the rest.
    change_confirm(origin(world), change, {"work_place": "current"}, None, "")
    resident.refresh_from_db()
    assert resident.work_place == "乙公司" and resident.hukou_place == "河北"


def test_choosing_the_proposed_version_overwrites_the_newer_one(world, resident):
    change = change_propose(
        origin(world), ChangeKind.PERSON_UPDATE, ChangeSource.VISIT, world.grid_a, {"work_place": "甲公司"},
        person=resident,
    )  # fmt: skip
    services.person_save(origin(world), {"work_place": "乙公司"}, resident)
    change_confirm(origin(world), change, {"work_place": "proposed"}, None, "")
    resident.refresh_from_db()
    assert resident.work_place == "甲公司"


def test_a_newer_change_to_the_same_value_is_no_conflict(world, resident):
    change = change_propose(
        origin(world), ChangeKind.PERSON_UPDATE, ChangeSource.VISIT, world.grid_a, {"work_place": "甲公司"},
        person=resident,
    )  # fmt: skip
    services.person_save(origin(world), {"work_place": "甲公司"}, resident)
    assert not any(row.conflict for row in change_fields(change))
    change_confirm(origin(world), change)


def test_a_phone_change_conflicts_on_the_number_not_its_mask(world, resident):
    change = change_propose(
        origin(world), ChangeKind.PERSON_UPDATE, ChangeSource.VISIT, world.grid_a, {"phone": "13900001111"},
        person=resident,
    )  # fmt: skip
    old_mask = resident.phone_masked
    services.person_save(origin(world), {"phone": old_mask[:3] + "123456" + old_mask[-2:]}, resident)
    resident.refresh_from_db()
    assert resident.phone_masked == old_mask  # same mask, another number
    rows = {row.name: row for row in change_fields(change)}
    assert rows["phone"].conflict


def test_secret_facts_are_never_stored_in_clear(world):
    house = HouseFactory(building__grid=world.grid_a)
    number = id_number_new()
    change = change_propose(
        origin(world), ChangeKind.FLOATING_ARRIVAL, ChangeSource.MUST_REPORT, world.grid_a,
        {"name": "赵六", "id_number": number, "phone": "13712345678", "arrival_date": "2026-03-01",
         "origin_place": "河南"}, house=house,
    )  # fmt: skip
    row = RegistryChange.objects.filter(pk=change.pk).values()[0]
    dumped = json.dumps(row, default=str)
    assert number not in dumped and "13712345678" not in dumped
    assert change.facts["id_number"].startswith(number[:6]) and "*" in change.facts["id_number"]
    audit = json.dumps(list(AuditEntry.objects.values("changes", "detail", "fields")), default=str, ensure_ascii=False)
    assert number not in audit and "13712345678" not in audit
    change_confirm(origin(world, "community_staff"), change)
    person = Person.objects.get(name="赵六")
    assert person.id_number == number and person.residency_type == ResidencyType.FLOATING
    assert person.house == house
    assert FloatingRegistration.objects.get(person=person).origin_place == "河南"
    audit = json.dumps(list(AuditEntry.objects.values("changes", "detail", "fields")), default=str, ensure_ascii=False)
    assert number not in audit and "13712345678" not in audit


def test_a_floating_arrival_with_a_bad_id_number_writes_nothing(world):
    house = HouseFactory(building__grid=world.grid_a)
    change = change_propose(
        origin(world), ChangeKind.FLOATING_ARRIVAL, ChangeSource.MUST_REPORT, world.grid_a,
        {"name": "赵六", "id_number": "110101198001011234"}, house=house,
    )  # fmt: skip
    persons = Person.objects.count()
    with pytest.raises(RecordInvalid):
        change_confirm(origin(world), change)
    assert Person.objects.count() == persons and not FloatingRegistration.objects.exists()
    assert RegistryChange.objects.get(pk=change.pk).status == ChangeStatus.PENDING


def test_a_worker_of_another_grid_neither_sees_nor_confirms(world, resident):
    change = change_propose(
        origin(world), ChangeKind.DIED, ChangeSource.BUILDING_REPORT, world.grid_a, {"day": "2026-02-01"},
        person=resident,
    )  # fmt: skip
    with pytest.raises(NotFound):
        access_change(world.user("grid_worker_b"), change.pk)
    assert access_change(world.user("grid_worker_a"), change.pk) == change


def test_died_moved_in_moved_out_born_rented_out(world, resident):
    house = HouseFactory(building__grid=world.grid_a)
    moved = change_propose(
        origin(world), ChangeKind.MOVED_IN, ChangeSource.BUILDING_REPORT, world.grid_a, {"name": resident.name},
        person=resident, house=house,
    )  # fmt: skip
    change_confirm(origin(world), moved)
    resident.refresh_from_db()
    assert resident.house == house and Residence.objects.filter(person=resident, house=house).exists()
    born = change_propose(
        origin(world), ChangeKind.BORN, ChangeSource.BUILDING_REPORT, world.grid_a,
        {"name": "小明", "sex": "male", "birth_date": "2026-01-20"}, house=house,
    )  # fmt: skip
    change_confirm(origin(world), born)
    assert Person.objects.get(name="小明").house == house
    rented = change_propose(
        origin(world), ChangeKind.RENTED_OUT, ChangeSource.MUST_REPORT, world.grid_a,
        {"name": "租客", "id_number": id_number_new(), "contract_start": "2026-02-01", "contract_end": "2027-01-31"},
        house=house,
    )  # fmt: skip
    change_confirm(origin(world), rented)
    assert Tenancy.objects.get(house=house).tenant.name == "租客"
    out = change_propose(origin(world), ChangeKind.MOVED_OUT, ChangeSource.BUILDING_REPORT, world.grid_a, {},
                         person=resident)  # fmt: skip
    change_confirm(origin(world), out)
    resident.refresh_from_db()
    assert resident.house is None
    died = change_propose(origin(world), ChangeKind.DIED, ChangeSource.BUILDING_REPORT, world.grid_a,
                          {"day": "2026-02-01"}, person=resident)  # fmt: skip
    change_confirm(origin(world), died)
    resident.refresh_from_db()
    assert resident.deceased_on == dt.date(2026, 2, 1)


def test_a_decided_change_is_not_decided_again_and_rejection_needs_a_reason(world, resident):
    change = change_propose(
        origin(world), ChangeKind.HOSPITALIZED, ChangeSource.MUST_REPORT, world.grid_a, {"note": "住院"},
        person=resident,
    )  # fmt: skip
    with pytest.raises(Exception) as missing:
        change_reject(origin(world), change, " ")
    assert missing.value.code == "reason_required"
    change_reject(origin(world), change, "不属实")
    with pytest.raises(Conflict):
        change_confirm(origin(world), change)
    assert RegistryChange.objects.get(pk=change.pk).status == ChangeStatus.REJECTED
