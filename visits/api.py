"""Visits (走访) under /api/v1/: record, list, read, correct, and turn a finding into a report (follow-up).
Photos are uploaded ahead (``POST /api/v1/uploads``) and named by their SHA-256."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from audit.models import Channel
from audit.services import Origin
from cases.uploads import DIGESTS_MAX, photos_of_uploads, uploads_used
from gridgov.apikit import ERRORS, BodyIn, PathId, RecordId, Window, absent
from gridgov.files import visit_photo_url
from visits import services
from visits.choices import VisitKind, VisitPurpose
from visits.models import Visit, may_see_sensitive
from visits.selectors import VisitFilter, access_visit, visits_list

router = Router(tags=["visits"])

GridCode = Annotated[str, Field(pattern=r"^[0-9]{1,15}$")]
Digest = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
Text = Annotated[str, Field(max_length=services.FINDINGS_MAX)]


def _origin(request: HttpRequest) -> Origin:
    return Origin.of_request(request, Channel.API)


class FollowUpRef(Schema):
    case_id: int
    case_number: str


class VisitOut(Schema):
    id: int
    worker_id: int
    worker_name: str
    grid_code: str
    visited_at: dt.datetime
    kind: str
    kind_label: str
    purposes: list[str]
    purpose_labels: list[str]
    person_id: int | None
    person_name: str
    household_id: int | None
    house_id: int | None
    building_id: int | None
    place_id: int | None
    subject_label: str
    lon: float | None
    lat: float | None
    accuracy: float | None
    findings: str
    answers: dict[str, dict[str, Any]]
    photos: list[str]
    follow_ups: list[FollowUpRef]
    sensitive: bool

    @staticmethod
    def of(visit: Visit, viewer: Any = None) -> dict[str, Any]:
        return {
            "id": visit.pk,
            "worker_id": visit.worker_id,
            "worker_name": visit.worker.get_full_name() or visit.worker.get_username(),
            "grid_code": visit.grid.code,
            "visited_at": visit.visited_at,
            "kind": visit.kind,
            "kind_label": str(visit.get_kind_display()),
            "purposes": list(visit.purposes),
            "purpose_labels": purpose_labels(visit.purposes),
            "person_id": visit.person_id,
            "person_name": visit.person.name if visit.person else "",
            "household_id": visit.household_id,
            "house_id": visit.house_id,
            "building_id": visit.building_id,
            "place_id": visit.place_id,
            "subject_label": subject_label(visit),
            "lon": visit.lon,
            "lat": visit.lat,
            "accuracy": visit.accuracy,
            "findings": visit.findings,
            "answers": visit.answers,
            "photos": [visit_photo_url(photo) for photo in visit.photos.all()],
            "follow_ups": [
                {"case_id": link.case_id, "case_number": link.case.number} for link in visit.follow_ups.all()
            ],
            "sensitive": visit.sensitive and may_see_sensitive(viewer),
        }


def purpose_labels(purposes: list[str]) -> list[str]:
    labels = dict(VisitPurpose.choices)
    return [str(labels.get(purpose, purpose)) for purpose in purposes]


def subject_label(visit: Visit) -> str:
    """The most specific subject: a person, a place, a household (its house), a house, a building, or the grid."""
    if visit.person is not None:
        return visit.person.name
    if visit.place is not None:
        return visit.place.name
    for record in (visit.house, visit.building):
        if record is not None:
            return str(record.address)
    return visit.grid.name


class VisitIn(BodyIn):
    visited_at: dt.datetime | None = absent()
    kind: str = Field(VisitKind.HOME, max_length=16)
    purposes: list[Annotated[str, Field(max_length=32)]] = Field(min_length=1, max_length=20)
    person_id: RecordId | None = absent()
    household_id: RecordId | None = absent()
    house_id: RecordId | None = absent()
    building_id: RecordId | None = absent()
    place_id: RecordId | None = absent()
    grid_code: GridCode | None = absent()
    lon: float | None = absent(ge=-180, le=180, allow_inf_nan=False)
    lat: float | None = absent(ge=-90, le=90, allow_inf_nan=False)
    accuracy: float | None = absent(ge=0, le=100_000, allow_inf_nan=False)
    findings: Text = ""
    answers: dict[Annotated[str, Field(max_length=32)], dict[Annotated[str, Field(max_length=32)], Any]] = {}
    photo_sha256: list[Digest] = Field([], max_length=DIGESTS_MAX)
    due_visit_id: RecordId | None = absent()
    confirmed_change_ids: list[RecordId] = Field([], max_length=50)


@router.post("/visits", response={201: VisitOut, **ERRORS}, summary="Record a visit (走访)")
def visit_create(request: HttpRequest, payload: VisitIn) -> tuple[int, dict[str, Any]]:
    origin = _origin(request)
    digests = list(dict.fromkeys(payload.photo_sha256))
    photos = photos_of_uploads(request.user, {"photo_sha256": digests})["photo_sha256"] if digests else []  # type: ignore[arg-type]
    data = services.VisitData(
        kind=payload.kind,
        purposes=list(payload.purposes),
        visited_at=payload.visited_at,
        person_id=payload.person_id,
        household_id=payload.household_id,
        house_id=payload.house_id,
        building_id=payload.building_id,
        place_id=payload.place_id,
        grid_code=payload.grid_code or "",
        lon=payload.lon,
        lat=payload.lat,
        accuracy=payload.accuracy,
        findings=payload.findings,
        answers=payload.answers,
        photos=photos,
        photo_digests=digests,
        due_visit_id=payload.due_visit_id,
        confirmed_change_ids=list(payload.confirmed_change_ids),
    )
    visit = services.visit_record(origin, data)
    if digests:
        uploads_used(request.user, digests)  # type: ignore[arg-type]
    return 201, VisitOut.of(_loaded(visit), request.user)


def _loaded(visit: Visit) -> Visit:
    """The visit just written by its worker, with what VisitOut reads (its worker sees the answer even when the
    visit turned out sensitive and is hidden from their lists)."""
    rows = Visit.objects.select_related("worker", "grid", "person", "house", "building", "place")
    return rows.prefetch_related("photos", "follow_ups__case").get(pk=visit.pk)


class VisitQuery(Schema):
    person_id: RecordId | None = None
    household_id: RecordId | None = None
    house_id: RecordId | None = None
    building_id: RecordId | None = None
    place_id: RecordId | None = None
    mine: bool = False
    date_from: dt.date | None = None
    date_to: dt.date | None = None


@router.get("/visits", response={200: list[VisitOut], **ERRORS}, summary="Visits in sight, the latest first")
def visit_list(request: HttpRequest, filters: Query[VisitQuery], window: Query[Window]) -> list[dict[str, Any]]:
    rows = visits_list(request.user, VisitFilter(**filters.dict())).prefetch_related("photos", "follow_ups__case")
    return [VisitOut.of(visit, request.user) for visit in window.of(rows)]


@router.get("/visits/{visit_id}", response={200: VisitOut, **ERRORS}, summary="One visit")
def visit_detail(request: HttpRequest, visit_id: PathId) -> dict[str, Any]:
    visit = access_visit(request.user, visit_id)
    services.visit_view(_origin(request), visit)
    return VisitOut.of(visit, request.user)


class VisitPatchIn(BodyIn):
    kind: str | None = absent(max_length=16)
    purposes: list[Annotated[str, Field(max_length=32)]] | None = absent(min_length=1, max_length=20)
    findings: Text | None = absent()
    answers: dict[Annotated[str, Field(max_length=32)], dict[Annotated[str, Field(max_length=32)], Any]] | None = (
        absent()
    )


@router.patch("/visits/{visit_id}", response={200: VisitOut, **ERRORS}, summary="Correct one's own visit")
def visit_patch(request: HttpRequest, visit_id: PathId, payload: VisitPatchIn) -> dict[str, Any]:
    visit = access_visit(request.user, visit_id)
    edit = services.VisitEdit(
        kind=payload.kind, purposes=payload.purposes, findings=payload.findings, answers=payload.answers
    )
    services.visit_update(_origin(request), visit, edit)
    return VisitOut.of(_loaded(visit), request.user)


class FollowUpIn(BodyIn):
    category_id: RecordId | None = absent()
    description: str = Field(min_length=1, max_length=2000)
    priority: str = Field("", max_length=16)
    priority_reason: str = Field("", max_length=500)
    photo_sha256: list[Digest] = Field([], max_length=DIGESTS_MAX)


class FollowUpOut(Schema):
    visit_id: int
    case_id: int
    case_number: str


@router.post(
    "/visits/{visit_id}/follow-ups",
    response={201: FollowUpOut, **ERRORS},
    summary="Turn a finding of one's own visit into a report for the case loop",
)
def visit_follow_up(request: HttpRequest, visit_id: PathId, payload: FollowUpIn) -> tuple[int, dict[str, Any]]:
    visit = access_visit(request.user, visit_id)
    digests = list(dict.fromkeys(payload.photo_sha256))
    photos = photos_of_uploads(request.user, {"photo_sha256": digests})["photo_sha256"] if digests else []  # type: ignore[arg-type]
    data = services.FollowUpData(
        category_id=payload.category_id,
        description=payload.description,
        priority=payload.priority,
        priority_reason=payload.priority_reason,
        photos=photos,
    )
    case = services.visit_follow_up(_origin(request), visit, data)
    if digests:
        uploads_used(request.user, digests)  # type: ignore[arg-type]
    return 201, {"visit_id": visit.pk, "case_id": case.pk, "case_number": case.number}
