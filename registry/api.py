"""Registry endpoints under /api/v1/: the same services, scope, masking and audit as the pages."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Annotated, Any, Literal

from django.db.models import Prefetch
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema
from ninja.files import UploadedFile

from areas.models import Area
from audit.models import Channel
from audit.selectors import history_of
from audit.services import Origin
from cases.uploads import photos_of_uploads
from gridgov.apikit import ERRORS, BodyIn, PathId, RecordId, Window, absent
from gridgov.errors import PermissionDenied, ValidationFailed
from registry import changes, services
from registry.choices import (
    ChangeKind,
    ChangeStatus,
    DocumentType,
    FloatingReason,
    HouseholdStatus,
    HouseholdType,
    MustReportItem,
    Relation,
    ResidencyType,
    XItemKind,
)
from registry.imports import registry_import
from registry.models import (
    Building,
    BuildingReport,
    Component,
    Household,
    Person,
    PersonTag,
    Place,
    RegistryChange,
)
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
from visits.models import MustReport
from visits.must_reports import MustReportData, must_report_submit, must_reports_of

router = Router(tags=["registry"])


def _origin(request: HttpRequest) -> Origin:
    return Origin.of_request(request, Channel.API)


def _require(request: HttpRequest, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied(_("没有权限执行此操作"), code="forbidden")


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
            raise ValidationFailed(
                _("网格 %(code)s 不存在或不在您的管辖范围内") % {"code": code}, code="grid_not_found"
            )
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


# ── Registry changes from the field, 八必报, 10+X, floating registration, tenancy, households ─────────────────


class FieldOut(Schema):
    name: str
    label: str
    base: Any = None
    current: Any = None
    proposed: Any = None
    conflict: bool


class RegistryChangeOut(Schema):
    id: int
    kind: str
    kind_label: str
    source: str
    status: str
    grid_code: str
    person_id: int | None
    person_name: str | None
    house_id: int | None
    house_address: str | None
    household_id: int | None
    building_report_id: int | None
    facts: dict[str, Any]
    note: str
    proposer_name: str
    proposed_at: dt.datetime
    decided_at: dt.datetime | None
    decision_note: str
    result: dict[str, Any]
    fields: list[FieldOut] | None = None

    @staticmethod
    def of(change: RegistryChange, with_fields: bool = False) -> dict[str, Any]:
        return {
            "id": change.pk,
            "kind": change.kind,
            "kind_label": str(change.get_kind_display()),
            "source": change.source,
            "status": change.status,
            "grid_code": change.grid.code,
            "person_id": change.person_id,
            "person_name": change.person.name if change.person else None,
            "house_id": change.house_id,
            "house_address": change.house.address if change.house else None,
            "household_id": change.household_id,
            "building_report_id": change.building_report_id,
            "facts": change.facts,
            "note": change.note,
            "proposer_name": str(change.proposer),
            "proposed_at": change.proposed_at,
            "decided_at": change.decided_at,
            "decision_note": change.decision_note,
            "result": change.result,
            "fields": [row.as_dict() for row in changes.change_fields(change)] if with_fields else None,
        }


class ChangeFilter(Schema):
    status: ChangeStatus | None = None
    grid_code: str = Field("", max_length=15, pattern=r"^[0-9]*$")
    kind: ChangeKind | None = None


@router.get(
    "/registry/changes",
    response={200: list[RegistryChangeOut], **ERRORS},
    summary="Proposed registry changes in scope, pending first",
)
def registry_change_list(
    request: HttpRequest, filters: Query[ChangeFilter], window: Query[Window]
) -> list[dict[str, Any]]:
    _require(request, "registry.view_registrychange")
    rows = changes.change_list(request.user, filters.status or "", filters.grid_code, filters.kind or "")
    return [RegistryChangeOut.of(change) for change in window.of(rows.select_related("household"))]


@router.get(
    "/registry/changes/{change_id}",
    response={200: RegistryChangeOut, **ERRORS},
    summary="A change with base, current and proposed values per field",
)
def registry_change_detail(request: HttpRequest, change_id: PathId) -> dict[str, Any]:
    _require(request, "registry.view_registrychange")
    return RegistryChangeOut.of(changes.access_change(request.user, change_id), with_fields=True)


class ConfirmIn(BodyIn):
    choices: dict[str, Literal["proposed", "current"]] = Field(default_factory=dict)
    facts: dict[str, str | int | None] = Field(default_factory=dict)
    note: str = Field("", max_length=500)


@router.post(
    "/registry/changes/{change_id}/confirm",
    response={200: RegistryChangeOut, **ERRORS},
    summary="Make a change (409 change_conflict lists fields changed since)",
)
def registry_change_confirm(request: HttpRequest, change_id: PathId, payload: ConfirmIn) -> dict[str, Any]:
    _require(request, "registry.confirm_registrychange")
    change = changes.access_change(request.user, change_id)
    changes.change_confirm(_origin(request), change, payload.choices, payload.facts, payload.note)
    return RegistryChangeOut.of(changes.access_change(request.user, change_id), with_fields=True)


class RejectIn(BodyIn):
    reason: str = Field(max_length=500)


@router.post(
    "/registry/changes/{change_id}/reject",
    response={200: RegistryChangeOut, **ERRORS},
    summary="Reject a proposed change",
)
def registry_change_reject(request: HttpRequest, change_id: PathId, payload: RejectIn) -> dict[str, Any]:
    _require(request, "registry.confirm_registrychange")
    change = changes.access_change(request.user, change_id)
    changes.change_reject(_origin(request), change, payload.reason)
    return RegistryChangeOut.of(changes.access_change(request.user, change_id))


class MustReportIn(BodyIn):
    item: MustReportItem
    description: str = Field("", max_length=2000)
    lon: float | None = Field(None, ge=-180, le=180)
    lat: float | None = Field(None, ge=-90, le=90)
    grid_code: str = Field("", max_length=15, pattern=r"^[0-9]*$")
    person_id: RecordId | None = None
    house_id: RecordId | None = None
    category_id: RecordId | None = None
    facts: dict[str, str | int | None] = Field(default_factory=dict)
    photo_sha256: list[str] = Field(default_factory=list, max_length=9)


class MustReportOut(Schema):
    id: int
    item: str
    item_label: str
    reported_at: dt.datetime
    grid_code: str
    description: str
    case_id: int | None
    case_number: str | None
    change_id: int | None
    change_status: str | None

    @staticmethod
    def of(report: MustReport) -> dict[str, Any]:
        return {
            "id": report.pk,
            "item": report.item,
            "item_label": str(MustReportItem(report.item).label),
            "reported_at": report.reported_at,
            "grid_code": report.grid.code,
            "description": report.description,
            "case_id": report.case_id,
            "case_number": report.case.number if report.case else None,
            "change_id": report.change_id,
            "change_status": report.change.status if report.change else None,
        }


@router.post(
    "/must-reports",
    response={201: MustReportOut, **ERRORS},
    summary="八必报: an event enters the case loop, a registry item opens a change",
)
def must_report_create(request: HttpRequest, payload: MustReportIn) -> tuple[int, dict[str, Any]]:
    _require(request, "visits.add_mustreport")
    photos = (
        photos_of_uploads(request.user, {"photo_sha256": payload.photo_sha256})["photo_sha256"]  # type: ignore[arg-type]
        if payload.photo_sha256
        else []
    )
    data = MustReportData(
        item=payload.item,
        description=payload.description,
        lon=payload.lon,
        lat=payload.lat,
        grid_code=payload.grid_code,
        person_id=payload.person_id,
        house_id=payload.house_id,
        category_id=payload.category_id,
        facts=dict(payload.facts),
        photos=photos,
        idempotency_key=request.headers.get("Idempotency-Key", "")[:100],
    )
    report = must_report_submit(_origin(request), data)
    return 201, MustReportOut.of(MustReport.objects.select_related("grid", "case", "change").get(pk=report.pk))


@router.get("/must-reports", response={200: list[MustReportOut], **ERRORS}, summary="八必报 (mine by default)")
def must_report_list(
    request: HttpRequest,
    window: Query[Window],
    mine: bool = True,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> list[dict[str, Any]]:
    _require(request, "visits.view_mustreport")
    return [MustReportOut.of(row) for row in window.of(must_reports_of(request.user, mine, date_from, date_to))]


class FactOut(Schema):
    key: str
    label: str


class MyBuildingOut(Schema):
    id: int
    address: str
    grid_code: str
    facts: list[FactOut]
    last_report: dict[str, Any] | None


@router.get(
    "/registry/buildings/mine",
    response={200: list[MyBuildingOut], **ERRORS},
    summary="The buildings the building head heads",
)
def building_mine(request: HttpRequest) -> list[dict[str, Any]]:
    _require(request, "registry.add_buildingreport")
    facts = [{"key": fact.key, "label": fact.label} for fact in changes.building_facts()]
    buildings = list(changes.headed_buildings(request.user))
    last: dict[int, BuildingReport] = {}
    for report in BuildingReport.objects.filter(building__in=buildings).order_by("building_id", "-reported_on", "-id"):
        last.setdefault(report.building_id, report)
    return [
        {
            "id": building.pk,
            "address": building.address,
            "grid_code": building.grid.code,
            "facts": facts,
            "last_report": (
                {
                    "id": last[building.pk].pk,
                    "reported_on": last[building.pk].reported_on.isoformat(),
                    "facts": last[building.pk].facts,
                }
                if building.pk in last
                else None
            ),
        }
        for building in buildings
    ]


class XItemIn(Schema):
    kind: XItemKind
    text: str = Field(min_length=1, max_length=500)


class PopulationChangeIn(Schema):
    kind: Literal["moved_in", "moved_out", "born", "died", "rented_out"]
    name: str = Field("", max_length=64)
    house_id: RecordId | None = None
    person_id: RecordId | None = None
    day: dt.date | None = None
    note: str = Field("", max_length=200)


class BuildingReportIn(BodyIn):
    facts: dict[str, Annotated[int, Field(ge=0, le=100_000)]] = Field(default_factory=dict)
    x_items: list[XItemIn] = Field(default_factory=list, max_length=50)
    changes: list[PopulationChangeIn] = Field(default_factory=list, max_length=100)
    note: str = Field("", max_length=500)


class DifferenceOut(Schema):
    key: str
    label: str
    reported: int | None
    registered: int | None


class BuildingReportOut(Schema):
    id: int
    differences: list[DifferenceOut]
    change_ids: list[int]


@router.post(
    "/registry/buildings/{building_id}/reports",
    response={201: BuildingReportOut, **ERRORS},
    summary="10+X: the building head's report",
)
def building_report_create(
    request: HttpRequest, building_id: PathId, payload: BuildingReportIn
) -> tuple[int, dict[str, Any]]:
    _require(request, "registry.add_buildingreport")
    building = changes.access_headed_building(request.user, building_id)
    data = changes.BuildingReportData(
        facts=dict(payload.facts),
        x_items=[item.dict() for item in payload.x_items],
        changes=[changes.PopulationChange(**entry.dict()) for entry in payload.changes],
        note=payload.note,
    )
    report = changes.building_report_submit(_origin(request), building, data)
    differences = [row for row in changes.building_report_differences(report) if row["differs"]]
    return 201, {
        "id": report.pk,
        "differences": differences,
        "change_ids": list(report.changes.order_by("pk").values_list("pk", flat=True)),
    }


class FloatingIn(BodyIn):
    house_id: RecordId
    arrival_date: dt.date
    expected_until: dt.date | None = None
    reason: FloatingReason
    origin_place: str = Field("", max_length=200)
    landlord_id: RecordId | None = None


class FloatingOut(Schema):
    id: int
    person_id: int
    house_id: int
    arrival_date: dt.date
    expected_until: dt.date | None
    reason: str
    origin_place: str
    landlord_id: int | None


@router.post(
    "/registry/persons/{person_id}/floating-registrations",
    response={201: FloatingOut, **ERRORS},
    summary="流动人口登记",
)
def floating_registration_create(request: HttpRequest, person_id: PathId, payload: FloatingIn) -> tuple[int, Any]:
    _require(request, "registry.change_person")
    person = access_person(request.user, person_id)
    values = payload.dict()
    values["house"] = access_house(request.user, values.pop("house_id"))
    landlord_id = values.pop("landlord_id")
    values["landlord"] = access_person(request.user, landlord_id) if landlord_id else None
    return 201, services.floating_register(_origin(request), person, values)


class TenancyIn(BodyIn):
    tenant_id: RecordId
    landlord_id: RecordId | None = None
    contract_start: dt.date
    contract_end: dt.date


class TenancyOut(Schema):
    id: int
    house_id: int
    tenant_id: int
    landlord_id: int | None
    contract_start: dt.date
    contract_end: dt.date


@router.post("/registry/houses/{house_id}/tenancies", response={201: TenancyOut, **ERRORS}, summary="登记租住")
def tenancy_create(request: HttpRequest, house_id: PathId, payload: TenancyIn) -> tuple[int, Any]:
    _require(request, "registry.change_house")
    house = access_house(request.user, house_id)
    values = {
        "tenant": access_person(request.user, payload.tenant_id),
        "landlord": access_person(request.user, payload.landlord_id) if payload.landlord_id else None,
        "contract_start": payload.contract_start,
        "contract_end": payload.contract_end,
    }
    return 201, services.tenancy_add(_origin(request), house, values)


class HouseholdIn(BodyIn):
    house_id: RecordId = absent()
    household_type: HouseholdType = absent()
    head_id: RecordId | None = None


def _household_values(request: HttpRequest, payload: HouseholdIn) -> dict[str, Any]:
    values = payload.dict(exclude_unset=True)
    if "house_id" in values:
        values["house"] = access_house(request.user, values.pop("house_id"))
    if "head_id" in values:
        head_id = values.pop("head_id")
        values["head"] = access_person(request.user, head_id) if head_id else None
    return values


def _household_out(household: Household) -> dict[str, Any]:
    return {
        "id": household.pk,
        "house_id": household.house_id,
        "household_type": household.household_type,
        "head_id": household.head_id,
        "member_ids": list(household.members.order_by("pk").values_list("pk", flat=True)),
    }


@router.post("/registry/households", response={201: HouseholdOut, **ERRORS}, summary="Register a household in a house")
def household_create(request: HttpRequest, payload: HouseholdIn) -> tuple[int, dict[str, Any]]:
    _require(request, "registry.add_household")
    values = _household_values(request, payload)
    if "house" not in values:
        message = _("请指明房屋")
        raise ValidationFailed(message, code="record_invalid", details=[{"field": "house_id", "message": message}])
    return 201, _household_out(services.household_save(_origin(request), values))


@router.patch(
    "/registry/households/{household_id}",
    response={200: HouseholdOut, **ERRORS},
    summary="Change a household (type, head)",
)
def household_update(request: HttpRequest, household_id: PathId, payload: HouseholdIn) -> dict[str, Any]:
    _require(request, "registry.change_household")
    household = access_household(request.user, household_id)
    values = _household_values(request, payload)
    return _household_out(services.household_save(_origin(request), values, household))
