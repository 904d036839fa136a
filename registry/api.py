"""Registry endpoints under /api/v1/: the same services, scope, masking and audit as the pages."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest
from ninja import Field, File, Query, Router, Schema
from ninja.files import UploadedFile

from areas.models import Area
from audit.models import Channel
from audit.selectors import history_of
from audit.services import Origin
from gridgov.apikit import ERRORS, BodyIn, PathId, RecordId, Window, absent
from gridgov.errors import PermissionDenied, ValidationFailed
from registry import services
from registry.choices import DocumentType, HouseholdStatus, Relation, ResidencyType
from registry.imports import registry_import
from registry.models import Building, Component, Person, PersonTag, Place
from registry.selectors import (
    PersonQuery,
    access_building,
    access_component,
    access_house,
    access_household,
    access_person,
    access_place,
    history_shown,
)

router = Router(tags=["registry"])


def _origin(request: HttpRequest) -> Origin:
    return Origin.of_request(request, Channel.API)


def _require(request: HttpRequest, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied("没有权限执行此操作", code="forbidden")


class PersonOut(Schema):
    id: int
    name: str
    sex: str
    birth_year: int = Field(description="The birth date's year; the full date only through reveal=birth_date")
    birth_date: dt.date | None = Field(None, description="Only when revealed (reveal=birth_date), which is audited")
    document_type: str
    id_number: str = Field(description="Masked unless revealed (reveal=id_number), which is audited")
    phone: str
    ethnicity: str
    hukou_place: str
    residency_type: str
    household_status: str
    relation_to_head: str
    work_place: str
    grid_code: str
    house_id: int | None
    house_address: str | None
    household_id: int | None
    tags: list[str]

    @staticmethod
    def of(person: Person, revealed: dict[str, Any] | None = None) -> dict[str, Any]:
        revealed = revealed or {}
        return {
            "id": person.pk,
            "name": person.name,
            "sex": person.sex,
            "birth_year": person.birth_year,
            "birth_date": revealed.get("birth_date"),
            "document_type": person.document_type,
            "id_number": revealed.get("id_number", person.id_number_masked),
            "phone": revealed.get("phone", person.phone_masked),
            "ethnicity": person.ethnicity,
            "hukou_place": person.hukou_place,
            "residency_type": person.residency_type,
            "household_status": person.household_status,
            "relation_to_head": person.relation_to_head,
            "work_place": person.work_place,
            "grid_code": person.grid.code,
            "house_id": person.house_id,
            "house_address": person.house.address if person.house else None,
            "household_id": person.household_id,
            "tags": [tag.category for tag in person.tags.all()],
        }


class PersonPage(Schema):
    count: int
    results: list[PersonOut]


class PersonFilter(Schema):
    text: str = Field("", max_length=100, description="name prefix, pinyin initials, phone or ID number")
    address: str = Field("", max_length=100)
    tag: str = ""
    residency_type: str = ""
    grid: str = Field("", max_length=15, description="area code prefix")


class PersonIn(BodyIn):
    """Every field may be left out (a change names only what changes); only ``house_id`` may be null (moves the
    person out of any house)."""

    name: str = absent(max_length=64)
    document_type: DocumentType = absent()
    id_number: str = absent(max_length=32)
    sex: str = absent(max_length=8)
    birth_date: dt.date = absent()
    phone: str = absent(max_length=15)
    ethnicity: str = absent(max_length=16)
    hukou_place: str = absent(max_length=200)
    residency_type: ResidencyType = absent()
    household_status: HouseholdStatus = absent()
    relation_to_head: Relation = absent()
    work_place: str = absent(max_length=200)
    house_id: RecordId | None = None
    grid_code: str = absent(max_length=15)


def _person_values(request: HttpRequest, payload: PersonIn) -> dict[str, Any]:
    values = payload.dict(exclude_unset=True)
    if "house_id" in values:
        house_id = values.pop("house_id")
        values["house"] = access_house(request.user, house_id) if house_id else None
    if "grid_code" in values:
        code = values.pop("grid_code")
        grid = Area.objects.visible_to(request.user).current().filter(code=code, level="grid").first()
        if grid is None:
            raise ValidationFailed(f"网格 {code} 不存在或不在您的管辖范围内", code="grid_not_found")
        values["grid"] = grid
    return values


def _tags_prefetch(request: HttpRequest) -> Prefetch:
    return Prefetch("tags", queryset=PersonTag.objects.visible_categories(request.user))


@router.get(
    "/persons",
    response={200: PersonPage, **ERRORS},
    summary="Search people in scope (name prefix, initials, phone, ID)",
)
def person_list(request: HttpRequest, filters: Query[PersonFilter], window: Query[Window]) -> dict[str, Any]:
    _require(request, "registry.view_person")
    query = PersonQuery(**filters.dict())
    people = services.person_find(_origin(request), query)
    count = people.count()
    rows = window.of(people.select_related("grid", "house").prefetch_related(_tags_prefetch(request)))
    services.person_search_audit(_origin(request), query.as_dict(), count)
    return {"count": count, "results": [PersonOut.of(person) for person in rows]}


@router.get(
    "/persons/{person_id}",
    response={200: PersonOut, **ERRORS},
    summary="One person; reveal=id_number,phone,birth_date is audited",
)
def person_detail(request: HttpRequest, person_id: PathId, reveal: str = "") -> dict[str, Any]:
    _require(request, "registry.view_person")
    person = access_person(request.user, person_id)
    origin = _origin(request)
    revealed = {}
    if reveal:
        revealed = services.person_reveal(origin, person, tuple(part for part in reveal.split(",") if part))
    else:
        services.person_view(origin, person)
    person = Person.objects.prefetch_related(_tags_prefetch(request)).select_related("grid", "house").get(pk=person.pk)
    return PersonOut.of(person, revealed)


@router.post("/persons", response={201: PersonOut, **ERRORS}, summary="Register a person")
def person_create(request: HttpRequest, payload: PersonIn) -> tuple[int, dict[str, Any]]:
    _require(request, "registry.add_person")
    person = services.person_save(_origin(request), _person_values(request, payload))
    return 201, PersonOut.of(Person.objects.select_related("grid", "house").get(pk=person.pk))


@router.patch("/persons/{person_id}", response={200: PersonOut, **ERRORS}, summary="Change a person's record")
def person_update(request: HttpRequest, person_id: PathId, payload: PersonIn) -> dict[str, Any]:
    _require(request, "registry.change_person")
    person = access_person(request.user, person_id)
    services.person_save(_origin(request), _person_values(request, payload), person)
    return PersonOut.of(Person.objects.select_related("grid", "house").get(pk=person.pk))


class ChangeOut(Schema):
    at: dt.datetime
    actor: str | None
    action: str
    channel: str
    changes: dict[str, Any]


def _history(instance: Any, user: Any) -> list[dict[str, Any]]:
    return [
        {
            "at": e.at,
            "actor": str(e.actor) if e.actor else None,
            "action": e.action,
            "channel": e.channel,
            "changes": e.changes,
        }
        for e in history_shown(history_of(instance)[:200], user)
    ]


@router.get(
    "/persons/{person_id}/history", response={200: list[ChangeOut], **ERRORS}, summary="A person's change history"
)
def person_history(request: HttpRequest, person_id: PathId) -> list[dict[str, Any]]:
    _require(request, "registry.view_person")
    return _history(access_person(request.user, person_id), request.user)


class BuildingOut(Schema):
    id: int
    address: str
    road: str
    door_number: str
    estate: str
    number: str
    kind: str
    units: int
    floors: int
    lon: float
    lat: float
    grid_code: str = Field(alias="grid.code")


class BuildingIn(BodyIn):
    road: str = Field(max_length=64)
    door_number: str = Field(max_length=32)
    estate: str = Field("", max_length=64)
    number: str = Field("", max_length=32)
    kind: str = "residential"
    units: int = Field(1, ge=1, le=99)
    floors: int = Field(1, ge=1, le=200)
    lon: float
    lat: float
    datum: str = "wgs84"


class HouseOut(Schema):
    id: int
    building_id: int
    address: str
    unit: int
    floor: int
    room: str
    use: str
    ownership: str
    is_rental: bool
    grid_code: str = Field(alias="grid.code")


class HouseholdOut(Schema):
    id: int
    house_id: int
    household_type: str
    head_id: int | None
    member_ids: list[int]


class ListWindow(Window):
    limit: int = Field(100, ge=1, le=1000)


@router.get(
    "/buildings", response={200: list[BuildingOut], **ERRORS}, summary="Buildings in scope, optionally of one area"
)
def building_list(request: HttpRequest, window: Query[ListWindow], area: str = Query("", max_length=15)) -> Any:
    _require(request, "registry.view_building")
    buildings = Building.objects.visible_to(request.user).select_related("grid").order_by("pk")
    if area:
        buildings = buildings.filter(grid__code__startswith=area)
    return window.of(buildings)


@router.post(
    "/buildings", response={201: BuildingOut, **ERRORS}, summary="Register a building (grid found from location)"
)
def building_create(request: HttpRequest, payload: BuildingIn) -> tuple[int, Building]:
    _require(request, "registry.add_building")
    return 201, services.building_save(_origin(request), payload.dict())


@router.get("/buildings/{building_id}", response={200: BuildingOut, **ERRORS})
def building_detail(request: HttpRequest, building_id: PathId) -> Building:
    _require(request, "registry.view_building")
    return access_building(request.user, building_id)


@router.get("/buildings/{building_id}/houses", response={200: list[HouseOut], **ERRORS})
def building_houses(request: HttpRequest, building_id: PathId) -> Any:
    _require(request, "registry.view_house")
    return access_building(request.user, building_id).houses.select_related("grid")


@router.get("/houses/{house_id}", response={200: HouseOut, **ERRORS})
def house_detail(request: HttpRequest, house_id: PathId) -> Any:
    _require(request, "registry.view_house")
    return access_house(request.user, house_id)


@router.get("/households/{household_id}", response={200: HouseholdOut, **ERRORS})
def household_detail(request: HttpRequest, household_id: PathId) -> dict[str, Any]:
    _require(request, "registry.view_household")
    household = access_household(request.user, household_id)
    return {
        "id": household.pk,
        "house_id": household.house_id,
        "household_type": household.household_type,
        "head_id": household.head_id,
        "member_ids": list(household.members.order_by("pk").values_list("pk", flat=True)),
    }


class PlaceOut(Schema):
    id: int
    kind: str
    name: str
    address: str
    lon: float
    lat: float
    credit_code: str
    responsible_name: str
    responsible_phone: str = Field(alias="responsible_phone_masked")
    risk_level: str
    grid_code: str = Field(alias="grid.code")


@router.get("/places", response={200: list[PlaceOut], **ERRORS})
def place_list(request: HttpRequest, window: Query[ListWindow], kind: str = "") -> Any:
    _require(request, "registry.view_place")
    places = Place.objects.visible_to(request.user).select_related("grid").order_by("pk")
    return window.of(places.filter(kind=kind) if kind else places)


@router.get("/places/{place_id}", response={200: PlaceOut, **ERRORS})
def place_detail(request: HttpRequest, place_id: PathId) -> Any:
    _require(request, "registry.view_place")
    return access_place(request.user, place_id)


class ComponentOut(Schema):
    id: int
    code: str
    category_code: str = Field(alias="category.code")
    category_name: str = Field(alias="category.name")
    lon: float
    lat: float
    state: str
    in_use: bool
    grid_code: str = Field(alias="grid.code")


@router.get("/components", response={200: list[ComponentOut], **ERRORS})
def component_list(request: HttpRequest, window: Query[ListWindow], state: str = "") -> Any:
    _require(request, "registry.view_component")
    components = Component.objects.visible_to(request.user).select_related("grid", "category").order_by("code")
    return window.of(components.filter(state=state) if state else components)


@router.get("/components/{component_id}", response={200: ComponentOut, **ERRORS})
def component_detail(request: HttpRequest, component_id: PathId) -> Any:
    _require(request, "registry.view_component")
    return access_component(request.user, component_id)


class ImportProblemOut(Schema):
    row: int
    column: str
    message: str


class ImportReportOut(Schema):
    kind: str
    dry_run: bool
    rows: int
    valid: int
    created: int
    problems: list[ImportProblemOut]


@router.post(
    "/registry/import",
    response={200: ImportReportOut, **ERRORS},
    summary="Check (dry_run) or import an .xlsx/.csv file",
)
def registry_import_api(
    request: HttpRequest, kind: str, file: File[UploadedFile], dry_run: bool = True
) -> dict[str, Any]:
    _require(request, "registry.import_registry")
    suffix = Path(file.name or "").suffix.lower()
    with tempfile.NamedTemporaryFile(suffix=suffix) as handle:
        for chunk in file.chunks():
            handle.write(chunk)
        handle.flush()
        report = registry_import(_origin(request), kind, Path(handle.name), file.name, dry_run=dry_run)
    return report.as_dict()
