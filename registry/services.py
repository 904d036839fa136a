"""State changes of the registry. Every interface (pages, API, import, demo) saves through these functions.

Each ``*_save`` takes the already-parsed values (model instances for references), enforces the rules that span
records — grid placed by ``grid_locate`` from the location, a house in its building's grid, a person in their
house's grid, everything inside the actor's scope, ID numbers valid and unique — and writes one audit row with
the old and new values. Sensitive values (ID numbers, phones) enter the history masked, never in clear.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any, TypeVar

from django.core.files.base import ContentFile
from django.db import models, transaction
from django.db.models import QuerySet
from pypinyin import Style, lazy_pinyin

from accounts.access import user_scope
from areas.choices import AreaLevel, Datum
from areas.locate import grid_locate
from areas.models import Area
from audit.models import AuditAction
from audit.services import Origin, audit_entry, audit_list_read, audit_record, exact_search_allow
from cases.photos import CheckedPhoto, copies_of
from gridgov import crypto
from gridgov.errors import PermissionDenied, Problems, RecordInvalid, ValidationFailed
from gridgov.phones import is_phone
from registry.choices import ETHNICITIES, SENSITIVE_TAGS, DocumentType, ResidencyType
from registry.idnumber import birth_date_of, id_number_problem, sex_of
from registry.models import (
    Building,
    Component,
    ComponentPhoto,
    FloatingRegistration,
    House,
    Household,
    Person,
    PersonTag,
    Place,
    Residence,
    Tenancy,
)
from registry.selectors import PersonQuery, person_search, query_is_exact

Record = TypeVar("Record", bound=models.Model)

# Values given through these keys are stored encrypted; the history keeps their masked form.
SECRET_KEYS = {"id_number": crypto.mask_id_number, "phone": crypto.mask_phone, "responsible_phone": crypto.mask_phone}


def name_initials(name: str) -> str:
    """Pinyin initials of a Chinese name (张三丰 → zsf), for search by initials."""
    return "".join(lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore")).lower()[:64]


def _require_in_scope(origin: Origin, grid: Area, problems: Problems, field: str = "grid") -> None:
    if origin.actor is not None and not user_scope(origin.actor).covers(grid.code):
        problems.add(field, f"网格 {grid.code} 不在您的管辖范围内")


def _located_grid(
    lon: Any, lat: Any, datum: str, given_grid: Area | None, problems: Problems
) -> tuple[Area | None, float, float]:
    """The grid a location falls in (``grid_locate``); a given grid must agree with it."""
    if lon is None or lat is None:
        problems.add("lon", "缺少经纬度")
        return None, 0.0, 0.0
    result = grid_locate(float(lon), float(lat), datum)
    if result.grid is None:
        nearest = f"，最近的网格是 {result.nearest.code}（{result.distance_m:.0f} 米）" if result.nearest else ""
        problems.add("lon", f"位置（{lon}, {lat}）不在任何网格内{nearest}")
        return None, result.lon, result.lat
    if given_grid is not None and given_grid.pk != result.grid.pk:
        problems.add("grid", f"网格 {given_grid.code} 与位置所在网格 {result.grid.code} 不一致")
    return result.grid, result.lon, result.lat


def _shown(key: str, value: Any) -> Any:
    if value is None:
        return None
    if key in SECRET_KEYS:
        return SECRET_KEYS[key](value) if value else ""
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _assign(instance: models.Model, values: Mapping[str, Any], old: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Set attributes and return ``{field: [old, new]}`` for what changed, in display-safe form."""
    changes: dict[str, list[Any]] = {}
    for key, value in values.items():
        before = old.get(key, getattr(instance, key, None) if instance.pk else None)
        if key not in SECRET_KEYS:
            setattr(instance, key, value)
        if before != value and not (before in (None, "") and value in (None, "")):
            changes[key] = [_shown(key, before), _shown(key, value)]
    return changes


def _finish(origin: Origin, instance: Record, changes: dict[str, list[Any]], creating: bool, area_code: str) -> Record:
    """Model-level validation, save, and the history row."""
    try:
        instance.full_clean(validate_unique=False, validate_constraints=False)
    except Exception as error:  # django.core.exceptions.ValidationError
        problems = Problems()
        for field, messages in getattr(error, "message_dict", {"__all__": [str(error)]}).items():
            for message in messages:
                problems.add(field, str(message))
        problems.raise_if_any()
    if not creating and not changes:
        return instance
    instance.save()
    action = AuditAction.CREATE if creating else AuditAction.UPDATE
    audit_record(origin, action, instance, area_code=area_code, changes=changes)
    return instance


# ── Buildings, houses, households ───────────────────────────────────────────────────────────────────────────


def building_prepare(
    origin: Origin, values: Mapping[str, Any], building: Building | None = None
) -> tuple[Building, dict]:
    problems = Problems()
    building = building or Building()
    values = dict(values)
    datum = values.pop("datum", Datum.WGS84)
    grid, lon, lat = _located_grid(values.get("lon"), values.get("lat"), datum, values.pop("grid", None), problems)
    if grid is not None:
        _require_in_scope(origin, grid, problems)
    values.update(lon=lon, lat=lat, grid=grid)
    values["address"] = Building.address_of(
        values.get("road", building.road),
        values.get("door_number", building.door_number),
        values.get("estate", building.estate),
        values.get("number", building.number),
    )
    problems.raise_if_any()
    changes = _assign(building, values, {})
    return building, changes


@transaction.atomic
def building_save(origin: Origin, values: Mapping[str, Any], building: Building | None = None) -> Building:
    creating = building is None
    building, changes = building_prepare(origin, values, building)
    duplicate = Building.objects.filter(address=building.address).exclude(pk=building.pk).first()
    if duplicate is not None:
        raise RecordInvalid([{"field": "address", "message": f"地址“{building.address}”的楼栋已存在"}])
    saved = _finish(origin, building, changes, creating, building.grid.code)
    if not creating and "grid" in changes:
        # A building that moves grid takes its houses, households and residents with it.
        House.objects.filter(building=saved).update(grid=saved.grid)
        Household.objects.filter(house__building=saved).update(grid=saved.grid)
        Person.objects.filter(house__building=saved).update(grid=saved.grid)
    return saved


def house_prepare(origin: Origin, values: Mapping[str, Any], house: House | None = None) -> tuple[House, dict]:
    problems = Problems()
    house = house or House()
    values = dict(values)
    building: Building = values.get("building") or house.building
    given_grid = values.pop("grid", None)
    if given_grid is not None and given_grid.pk != building.grid_id:
        problems.add("grid", f"房屋所填网格 {given_grid.code} 与所在楼栋的网格 {building.grid.code} 不一致")
    _require_in_scope(origin, building.grid, problems, "building")
    unit = values.get("unit", house.unit)
    floor = values.get("floor", house.floor)
    if unit is not None and unit > building.units:
        problems.add("unit", f"单元 {unit} 超出楼栋的单元数 {building.units}")
    if floor is not None and (floor == 0 or floor > building.floors):
        problems.add("floor", f"楼层 {floor} 不在楼栋的楼层范围内（1–{building.floors}，地下为负数）")
    problems.raise_if_any()
    values.update(grid=building.grid, address=House.address_of(building, unit, values.get("room", house.room)))
    return house, _assign(house, values, {})


@transaction.atomic
def house_save(origin: Origin, values: Mapping[str, Any], house: House | None = None) -> House:
    creating = house is None
    house, changes = house_prepare(origin, values, house)
    clash = House.objects.filter(building=house.building, unit=house.unit, room=house.room).exclude(pk=house.pk)
    if clash.exists():
        raise RecordInvalid([{"field": "room", "message": f"房屋“{house.address}”已存在"}])
    return _finish(origin, house, changes, creating, house.grid.code)


@transaction.atomic
def household_save(origin: Origin, values: Mapping[str, Any], household: Household | None = None) -> Household:
    creating = household is None
    household = household or Household()
    values = dict(values)
    house: House = values.get("house") or household.house
    problems = Problems()
    _require_in_scope(origin, house.grid, problems, "house")
    head: Person | None = values.get("head")
    if head is not None and head.house_id != house.pk:
        problems.add("head", f"户主 {head.name} 不住在该房屋")
    problems.raise_if_any()
    values["grid"] = house.grid
    changes = _assign(household, values, {})
    return _finish(origin, household, changes, creating, house.grid.code)


# ── People ──────────────────────────────────────────────────────────────────────────────────────────────────


def person_prepare(origin: Origin, values: Mapping[str, Any], person: Person | None = None) -> tuple[Person, dict]:
    """An unsaved person with derived fields set; raises :class:`RecordInvalid` listing every problem."""
    problems = Problems()
    person = person or Person()
    values = {key: value.strip() if isinstance(value, str) else value for key, value in values.items()}
    document_type = values.get("document_type") or person.document_type or DocumentType.ID_CARD
    values["document_type"] = document_type
    id_number = values.get("id_number")
    if id_number is not None:
        id_number = id_number.upper()
        values["id_number"] = id_number
        if document_type == DocumentType.ID_CARD:
            problem = id_number_problem(id_number) if id_number else "缺少身份证号码"
            if problem:
                problems.add("id_number", problem)
            else:
                values["birth_date"] = birth_date_of(id_number)
                values["sex"] = sex_of(id_number)
        elif not id_number:
            problems.add("id_number", "缺少证件号码")
    phone = values.get("phone")
    if phone and not is_phone(phone):
        problems.add("phone", f"联系电话“{phone}”应为 7–15 位数字")
    ethnicity = values.get("ethnicity")
    if ethnicity and ethnicity not in ETHNICITIES:
        problems.add("ethnicity", f"民族“{ethnicity}”不在 GB/T 3304 民族名称中")
    if "name" in values:
        if not values["name"]:
            problems.add("name", "缺少姓名")
        values["name_initials"] = name_initials(values["name"])
    house: House | None = values.get("house", person.house if person.pk else None)
    household: Household | None = values.get("household", person.household if person.pk else None)
    given_grid: Area | None = values.pop("grid", None)
    grid: Area | None
    if house is not None:
        if given_grid is not None and given_grid.pk != house.grid_id:
            problems.add("grid", f"网格 {given_grid.code} 与房屋“{house.address}”所在网格不一致")
        grid = house.grid
    else:
        grid = given_grid or (person.grid if person.pk else None)
    if grid is None:
        problems.add("grid", "请填写现住房屋或所属网格")
    else:
        if grid.level != AreaLevel.GRID:
            problems.add("grid", f"{grid.code} 不是网格")
        _require_in_scope(origin, grid, problems)
        values["grid"] = grid
    if household is not None and (house is None or household.house_id != house.pk):
        problems.add("household", "所属户应在现住房屋内")
    if values.get("residency_type") == ResidencyType.FOREIGN and document_type == DocumentType.ID_CARD:
        problems.add("document_type", "境外人员应填写护照或永久居留证等证件")
    problems.raise_if_any()
    old = {"id_number": person.id_number, "phone": person.phone} if person.pk else {}
    changes = _assign(person, values, old)
    if "id_number" in changes:
        person.set_id_number(id_number or "")
    if "phone" in changes:
        person.set_phone(phone or "")
    return person, changes


ID_NUMBER_TAKEN = "该证件号码已登记，请勿重复登记"
# Said when the number belongs to someone outside the user's scope: it must not confirm that the number exists.
ID_NUMBER_ELSEWHERE = "该证件号码无法在本辖区登记，请核对号码或联系管理员办理迁入"


def id_number_clash_check(origin: Origin, person: Person) -> None:
    """Refuse an ID number another person holds. Each check is an exact lookup of a number, so it counts against
    the user's exact-search limit; a holder outside the user's scope is not confirmed (neutral message)."""
    if not person.id_number_hash:
        return
    if origin.actor is not None:
        exact_search_allow(origin, "registry.person", person.id_number_masked)
    holder = (
        Person.objects.filter(id_number_hash=person.id_number_hash).exclude(pk=person.pk).select_related("grid").first()
    )
    if holder is None:
        return
    if origin.actor is None or user_scope(origin.actor).covers(holder.grid.code):
        raise RecordInvalid([{"field": "id_number", "message": ID_NUMBER_TAKEN}])
    raise RecordInvalid([{"field": "id_number", "message": ID_NUMBER_ELSEWHERE}])


def person_save(origin: Origin, values: Mapping[str, Any], person: Person | None = None) -> Person:
    creating = person is None
    previous_house_id = person.house_id if person is not None else None
    person, changes = person_prepare(origin, values, person)
    if "id_number" in changes:
        # Before the transaction: a refusal for too many lookups is recorded even though nothing is saved.
        id_number_clash_check(origin, person)
    with transaction.atomic():
        saved = _finish(origin, person, changes, creating, person.grid.code)
        if saved.house_id != previous_house_id:
            person_moved(saved, previous_house_id)
    return saved


def person_moved(person: Person, previous_house_id: int | None, day: dt.date | None = None) -> None:
    """Close the stay in the previous house and open one in the new house (the house history)."""
    day = day or dt.date.today()
    if previous_house_id:
        Residence.objects.filter(person=person, house_id=previous_house_id, moved_out__isnull=True).update(
            moved_out=day
        )
    if person.house_id:
        Residence.objects.create(person=person, house_id=person.house_id, moved_in=day)


def person_view(origin: Origin, person: Person) -> None:
    """Record that ``origin`` read the person's record (masked)."""
    audit_record(origin, AuditAction.VIEW, person, area_code=person.grid.code)


def person_find(origin: Origin, query: PersonQuery) -> QuerySet[Person]:
    """People in scope matching ``query`` (see ``person_search``); a search by exact phone or ID number counts
    against the user's exact-search limit, since each answer confirms or refutes a guessed number."""
    if query_is_exact(query):
        exact_search_allow(origin, "registry.person", query.text.strip())
    return person_search(origin.actor, query)


def person_search_audit(origin: Origin, query: Mapping[str, Any], count: int) -> None:
    """Searching residents is reading their records: who searched for what, and how many matched."""
    audit_list_read(origin, AuditAction.SEARCH, Person, count=count, query=query)


def person_reveal(origin: Origin, person: Person, fields: tuple[str, ...] = ("id_number", "phone")) -> dict[str, Any]:
    """The clear ID number, phone and/or birth date, for a user whose role may see them; every call is audited."""
    if not origin.actor.has_perm("registry.view_person_full_identity"):
        raise PermissionDenied("您的角色不能查看完整的证件号码和手机号", code="reveal_not_permitted")
    unknown = set(fields) - {"id_number", "phone", "birth_date"}
    if unknown:
        raise ValidationFailed(f"不能显示字段：{', '.join(sorted(unknown))}", code="unknown_field")
    audit_record(origin, AuditAction.REVEAL, person, area_code=person.grid.code, fields=fields)
    return {field: getattr(person, field) for field in fields}


@transaction.atomic
def person_tag_add(origin: Origin, person: Person, values: Mapping[str, Any]) -> PersonTag:
    problems = Problems()
    category = values.get("category")
    if category in SENSITIVE_TAGS and not origin.actor.has_perm("registry.view_sensitive_tags"):
        problems.add("category", "您的角色不能登记重点人员标签")
    until, since = values.get("until"), values.get("since")
    if until and since and until < since:
        problems.add("until", "截止日期不能早于起始日期")
    problems.raise_if_any()
    tag = PersonTag(person=person)
    changes = _assign(tag, values, {})
    _finish(origin, tag, changes, True, person.grid.code)
    audit_record(origin, AuditAction.UPDATE, person, area_code=person.grid.code, changes={"tags": [None, str(tag)]})
    return tag


@transaction.atomic
def floating_register(origin: Origin, person: Person, values: Mapping[str, Any]) -> FloatingRegistration:
    """流动人口登记: the person becomes floating population living in ``house``."""
    problems = Problems()
    house: House = values["house"]
    _require_in_scope(origin, house.grid, problems, "house")
    expected = values.get("expected_until")
    if expected and expected < values["arrival_date"]:
        problems.add("expected_until", "预计居住日期不能早于来本地日期")
    problems.raise_if_any()
    registration = FloatingRegistration(person=person)
    changes = _assign(registration, values, {})
    _finish(origin, registration, changes, True, house.grid.code)
    moved: dict[str, Any] = {"house": house, "residency_type": ResidencyType.FLOATING}
    if person.household_id and person.house_id != house.pk:
        moved["household"] = None  # a household stays in its house
    person_save(origin, moved, person)
    return registration


@transaction.atomic
def tenancy_add(origin: Origin, house: House, values: Mapping[str, Any]) -> Tenancy:
    """出租房屋: a tenant moves into a rental house under a contract."""
    problems = Problems()
    _require_in_scope(origin, house.grid, problems, "house")
    if values["contract_end"] < values["contract_start"]:
        problems.add("contract_end", "合同结束日期不能早于开始日期")
    problems.raise_if_any()
    tenancy = Tenancy(house=house)
    changes = _assign(tenancy, values, {})
    _finish(origin, tenancy, changes, True, house.grid.code)
    if not house.is_rental:
        house_save(origin, {"is_rental": True}, house)
    tenant: Person = values["tenant"]
    if tenant.house_id != house.pk:
        person_save(origin, {"house": house, "household": None}, tenant)
    return tenancy


# ── Places and components ───────────────────────────────────────────────────────────────────────────────────


def place_prepare(origin: Origin, values: Mapping[str, Any], place: Place | None = None) -> tuple[Place, dict]:
    problems = Problems()
    place = place or Place()
    values = dict(values)
    datum = values.pop("datum", Datum.WGS84)
    grid, lon, lat = _located_grid(
        values.get("lon", place.lon), values.get("lat", place.lat), datum, values.pop("grid", None), problems
    )
    if grid is not None:
        _require_in_scope(origin, grid, problems)
    house: House | None = values.get("house")
    if house is not None and grid is not None and house.grid_id != grid.pk:
        problems.add("house", f"所在房屋“{house.address}”与场所位置不在同一网格")
    credit_code = values.get("credit_code")
    if credit_code and (len(credit_code) != 18 or not credit_code.isalnum()):
        problems.add("credit_code", "统一社会信用代码应为 18 位字母或数字")
    phone = values.get("responsible_phone")
    if phone and not is_phone(phone):
        problems.add("responsible_phone", f"负责人电话“{phone}”应为 7–15 位数字")
    problems.raise_if_any()
    values.update(grid=grid, lon=lon, lat=lat)
    old = {"responsible_phone": crypto.decrypt(place.responsible_phone_encrypted)} if place.pk else {}
    changes = _assign(place, values, old)
    if "responsible_phone" in changes:
        place.set_responsible_phone(phone or "")
    return place, changes


@transaction.atomic
def place_save(origin: Origin, values: Mapping[str, Any], place: Place | None = None) -> Place:
    creating = place is None
    place, changes = place_prepare(origin, values, place)
    return _finish(origin, place, changes, creating, place.grid.code)


def component_prepare(
    origin: Origin, values: Mapping[str, Any], component: Component | None = None
) -> tuple[Component, dict]:
    problems = Problems()
    component = component or Component()
    values = dict(values)
    datum = values.pop("datum", Datum.WGS84)
    grid, lon, lat = _located_grid(
        values.get("lon", component.lon), values.get("lat", component.lat), datum, values.pop("grid", None), problems
    )
    if grid is not None:
        _require_in_scope(origin, grid, problems)
    category = values.get("category") or (component.category if component.pk else None)
    if category is None or category.kind != "component" or category.parent_id is None:
        problems.add("category", "请选择部件小类")
    code = values.get("code")
    if code and not (len(code) == 16 and code.isdigit()):
        problems.add("code", "部件编码应为 16 位数字")
    elif code and grid is not None and category is not None and not code.startswith(grid.code[:6] + category.code):
        problems.add("code", f"部件编码应以区县代码 {grid.code[:6]} 和小类代码 {category.code} 开头")
    problems.raise_if_any()
    values.update(grid=grid, lon=lon, lat=lat)
    return component, _assign(component, values, {})


def component_code_next(county: str, subclass: str, taken: int = 0) -> str:
    """The next free 16-digit code for a county and subclass (6 + 4 + 6-digit serial)."""
    prefix = county + subclass
    last = Component.objects.filter(code__startswith=prefix).order_by("-code").values_list("code", flat=True).first()
    serial = (int(last[10:]) if last else 0) + 1 + taken
    if serial > 999_999:
        raise ValidationFailed(f"{prefix} 的部件序号已用完", code="component_serial_exhausted")
    return f"{prefix}{serial:06d}"


@transaction.atomic
def component_save(origin: Origin, values: Mapping[str, Any], component: Component | None = None) -> Component:
    creating = component is None
    component, changes = component_prepare(origin, values, component)
    if not component.code:
        component.code = component_code_next(component.grid.code[:6], component.category.code)
        changes["code"] = [None, component.code]
    elif Component.objects.filter(code=component.code).exclude(pk=component.pk).exists():
        raise RecordInvalid([{"field": "code", "message": f"部件编码 {component.code} 已存在"}])
    return _finish(origin, component, changes, creating, component.grid.code)


def component_photo_add(origin: Origin, component: Component, checked: CheckedPhoto) -> ComponentPhoto:
    """Components are public facilities: only a re-encoded copy is kept (upright, at most 1600 px, no EXIF or
    other metadata, a random name), so nothing a file carried besides the picture (a location, an HTML tail, the
    name it was uploaded under) is stored or served."""
    _thumbnail, copy = checked.copies or copies_of(checked.content)
    photo = ComponentPhoto(component=component, uploaded_by_id=origin.actor_id)
    if checked.taken_at:
        photo.taken_at = checked.taken_at
    with transaction.atomic():
        photo.image.save(f"{uuid.uuid4().hex}.jpg", ContentFile(copy), save=True)
        audit_record(
            origin,
            AuditAction.UPDATE,
            component,
            area_code=component.grid.code,
            changes={"photos": [None, photo.image.name]},
        )
    return photo


def audit_entries_for_created(origin: Origin, instances: list[models.Model], area_codes: list[str]) -> list:
    """History rows for records created in bulk (imports)."""
    return [
        audit_entry(origin, AuditAction.CREATE, instance, area_code=code, changes={"import": [None, True]})
        for instance, code in zip(instances, area_codes, strict=True)
    ]
