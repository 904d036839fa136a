"""民情日志 endpoints under /api/v1/: entries (search, write, edit), leaders' comments (点评) and attachments."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, File, Query, Router, Schema
from ninja.files import UploadedFile

from audit.models import Channel
from audit.services import Origin
from diary import services
from diary.choices import EntryKind
from diary.models import DiaryEntry
from diary.selectors import EntryFilter, access_entry, diary_reader, entries_list, entry_as_written
from gridgov.apikit import ERRORS, BodyIn, PathId, RecordId, Window, absent
from visits.models import may_see_sensitive

router = Router(tags=["diary"])

GridCode = Annotated[str, Field(pattern=r"^[0-9]{1,15}$")]
Ids = Annotated[list[RecordId], Field(max_length=200)]


def _origin(request: HttpRequest) -> Origin:
    return Origin.of_request(request, Channel.API)


class PersonRef(Schema):
    id: int
    name: str


class CaseRef(Schema):
    id: int
    number: str


class CommentOut(Schema):
    id: int
    author_name: str
    text: str
    created_at: dt.datetime
    read: bool


class AttachmentOut(Schema):
    id: int
    name: str
    url: str


class EntryOut(Schema):
    id: int
    author_id: int
    author_name: str
    grid_code: str
    day: dt.date
    kind: str
    kind_label: str
    title: str
    content: str
    summary: str
    auto: bool
    edited: bool
    persons: list[PersonRef]
    cases: list[CaseRef]
    visit_ids: list[int]
    comments: list[CommentOut]
    attachments: list[AttachmentOut]
    sensitive: bool

    @staticmethod
    def of(entry: DiaryEntry, viewer: Any = None) -> dict[str, Any]:
        author = entry.author
        return {
            "id": entry.pk,
            "author_id": entry.author_id,
            "author_name": author.full_name or author.username,
            "grid_code": entry.grid.code,
            "day": entry.day,
            "kind": entry.kind,
            "kind_label": str(entry.get_kind_display()),
            "title": entry.title,
            "content": entry.content,
            "summary": entry.summary,
            "auto": entry.source_visit_id is not None or entry.source_patrol_id is not None,
            "edited": entry.edited,
            "persons": [{"id": person.pk, "name": person.name} for person in entry.persons.all()],
            "cases": [{"id": case.pk, "number": case.number} for case in entry.cases.all()],
            "visit_ids": [visit.pk for visit in entry.visits.all()],
            "comments": [
                {
                    "id": comment.pk,
                    "author_name": comment.author.full_name or comment.author.username,
                    "text": comment.text,
                    "created_at": comment.created_at,
                    "read": comment.read_at is not None,
                }
                for comment in entry.comments.all()
            ],
            "attachments": [
                {
                    "id": attachment.pk,
                    "name": attachment.name,
                    "url": reverse("files:diary-attachment", args=[attachment.pk]),
                }
                for attachment in entry.attachments.all()
            ],
            "sensitive": entry.sensitive and may_see_sensitive(viewer),
        }


class EntryQuery(Schema):
    q: str = Field("", max_length=100)
    person_id: RecordId | None = None
    author_id: RecordId | None = None
    grid_code: GridCode | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    kind: EntryKind | None = None
    mine: bool = False


@router.get("/diary/entries", response={200: list[EntryOut], **ERRORS}, summary="Diary entries the user may read")
def entry_list(request: HttpRequest, query: Query[EntryQuery], window: Query[Window]) -> list[dict[str, Any]]:
    diary_reader(request.user)
    filters = EntryFilter(
        q=query.q,
        person_id=query.person_id,
        author_id=query.author_id,
        grid_code=query.grid_code or "",
        date_from=query.date_from,
        date_to=query.date_to,
        kind=query.kind or "",
        mine=query.mine,
    )
    return [EntryOut.of(entry, request.user) for entry in window.of(entries_list(request.user, filters))]


class EntryIn(BodyIn):
    day: dt.date = absent()
    kind: EntryKind = EntryKind.OTHER
    title: str = Field(min_length=1, max_length=120)
    content: str = Field("", max_length=20_000)
    summary: str = Field("", max_length=500)
    person_ids: Ids = []
    household_ids: Ids = []
    place_ids: Ids = []
    case_ids: Ids = []
    visit_ids: Ids = []
    grid_code: GridCode = absent()


class EntryPatchIn(BodyIn):
    day: dt.date = absent()
    kind: EntryKind = absent()
    title: str = absent(min_length=1, max_length=120)
    content: str = absent(max_length=20_000)
    summary: str = absent(max_length=500)
    person_ids: Ids = absent()
    household_ids: Ids = absent()
    place_ids: Ids = absent()
    case_ids: Ids = absent()
    visit_ids: Ids = absent()
    grid_code: GridCode = absent()


def _data(payload: EntryIn | EntryPatchIn) -> services.EntryData:
    sent = payload.model_fields_set
    links = {name: list(getattr(payload, name) or []) for name in services.LINKS if name in sent}
    return services.EntryData(
        day=payload.day,
        kind=payload.kind,
        title=payload.title,
        content=payload.content,
        summary=payload.summary,
        grid_code=payload.grid_code,
        links=links,
    )


@router.post("/diary/entries", response={201: EntryOut, **ERRORS}, summary="Write a diary entry")
def entry_create(request: HttpRequest, payload: EntryIn) -> tuple[int, dict[str, Any]]:
    entry = services.entry_create(_origin(request), _data(payload))
    return 201, EntryOut.of(entry_as_written(entry.pk), request.user)


@router.get("/diary/entries/{entry_id}", response={200: EntryOut, **ERRORS}, summary="One diary entry")
def entry_detail(request: HttpRequest, entry_id: PathId) -> dict[str, Any]:
    entry = access_entry(request.user, entry_id)
    services.entry_open(_origin(request), entry)
    return EntryOut.of(entry, request.user)


@router.patch("/diary/entries/{entry_id}", response={200: EntryOut, **ERRORS}, summary="Edit one's own entry")
def entry_update(request: HttpRequest, entry_id: PathId, payload: EntryPatchIn) -> dict[str, Any]:
    entry = access_entry(request.user, entry_id)
    services.entry_update(_origin(request), entry, _data(payload))
    return EntryOut.of(entry_as_written(entry_id), request.user)


class CommentIn(BodyIn):
    text: str = Field(min_length=1, max_length=2000)


@router.post(
    "/diary/entries/{entry_id}/comments",
    response={201: CommentOut, **ERRORS},
    summary="Comment on an entry (点评; leaders)",
)
def entry_comment(request: HttpRequest, entry_id: PathId, payload: CommentIn) -> tuple[int, dict[str, Any]]:
    entry = access_entry(request.user, entry_id)
    comment = services.entry_comment(_origin(request), entry, payload.text)
    author = comment.author
    return 201, {
        "id": comment.pk,
        "author_name": author.full_name or author.username,
        "text": comment.text,
        "created_at": comment.created_at,
        "read": False,
    }


@router.post(
    "/diary/entries/{entry_id}/attachments",
    response={201: AttachmentOut, **ERRORS},
    summary="Attach a file (PDF, JPEG, PNG, DOCX or XLSX up to 10 MB) to one's own entry",
)
def attachment_add(request: HttpRequest, entry_id: PathId, file: File[UploadedFile]) -> tuple[int, dict[str, Any]]:
    entry = access_entry(request.user, entry_id)
    services.attachment_allowed(request.user, entry)
    attachment = services.attachment_add(_origin(request), entry, services.attachment_check(file))
    return 201, {
        "id": attachment.pk,
        "name": attachment.name,
        "url": reverse("files:diary-attachment", args=[attachment.pk]),
    }
