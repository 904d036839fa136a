"""通报 endpoints under /api/v1/: the bulletins the user may read, one bulletin (its frozen document as they may see
it, its versions and differences), and publishing (发布/更正)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from audit.models import Channel
from audit.services import Origin
from bulletins import services
from bulletins.models import Bulletin
from bulletins.selectors import (
    access_bulletin,
    bulletin_reader,
    bulletins_list,
    changes_for,
    content_for,
    versions_of,
)
from gridgov.apikit import ERRORS, BodyIn, PathId, Window
from stats.periods import PeriodKind

router = Router(tags=["bulletins"])

PeriodKey = Annotated[str, Field(min_length=4, max_length=16)]
AreaCodeIn = Annotated[str, Field(pattern=r"^[0-9]{1,15}$")]


class BulletinSummaryOut(Schema):
    id: int
    kind: str
    kind_label: str
    period: str
    area_code: str
    area_name: str
    version: int
    title: str
    published_at: dt.datetime
    unread: bool

    @staticmethod
    def of(bulletin: Bulletin, unread: bool = False) -> dict[str, Any]:
        return {
            "id": bulletin.pk,
            "kind": bulletin.kind,
            "kind_label": str(bulletin.get_kind_display()),
            "period": bulletin.period_key,
            "area_code": bulletin.area.code,
            "area_name": bulletin.area.name,
            "version": bulletin.version,
            "title": bulletin.title,
            "published_at": bulletin.published_at,
            "unread": unread,
        }


class VersionOut(Schema):
    id: int
    version: int
    published_at: dt.datetime
    changes: int


class BulletinOut(BulletinSummaryOut):
    supersedes_id: int | None
    content: dict[str, Any]
    changes: list[dict[str, Any]]
    versions: list[VersionOut]


class BulletinQuery(Schema):
    kind: PeriodKind | None = None
    period: str = Field("", max_length=16)
    area_code: str = Field("", pattern=r"^[0-9]{0,15}$")


@router.get("/bulletins", response={200: list[BulletinSummaryOut], **ERRORS}, summary="Bulletins the user may read")
def bulletin_list(request: HttpRequest, query: Query[BulletinQuery], window: Query[Window]) -> list[dict[str, Any]]:
    bulletin_reader(request.user)
    rows = bulletins_list(request.user, kind=query.kind or "", period=query.period, area_code=query.area_code)
    return [BulletinSummaryOut.of(row, bool(getattr(row, "unread", False))) for row in window.of(rows)]


def _detail(request: HttpRequest, bulletin: Bulletin) -> dict[str, Any]:
    versions = versions_of(request.user, bulletin)
    return {
        **BulletinSummaryOut.of(bulletin),
        "supersedes_id": bulletin.supersedes_id,
        "content": content_for(request.user, bulletin),
        "changes": changes_for(request.user, bulletin),
        "versions": [
            {"id": row.pk, "version": row.version, "published_at": row.published_at, "changes": len(row.changes or [])}
            for row in versions
        ],
    }


@router.get("/bulletins/{bulletin_id}", response={200: BulletinOut, **ERRORS}, summary="One bulletin (marks it read)")
def bulletin_detail(request: HttpRequest, bulletin_id: PathId) -> dict[str, Any]:
    bulletin = access_bulletin(request.user, bulletin_id)
    services.bulletin_open(request.user, bulletin)
    return _detail(request, bulletin)


class PublishIn(BodyIn):
    kind: PeriodKind
    period: PeriodKey
    area: AreaCodeIn


class PublishOut(Schema):
    outcome: str
    message: str
    bulletin: BulletinOut


@router.post(
    "/bulletins",
    response={200: PublishOut, 201: PublishOut, **ERRORS},
    summary="Publish or correct a bulletin (201 a new version; 200 unchanged figures, nothing published)",
)
def bulletin_publish(request: HttpRequest, payload: PublishIn) -> tuple[int, dict[str, Any]]:
    origin = Origin.of_request(request, Channel.API)
    bulletin_reader(request.user)
    published = services.bulletin_publish(payload.kind, payload.period, payload.area, origin.actor, origin=origin)
    bulletin = access_bulletin(request.user, published.bulletin.pk)
    status = 200 if published.outcome == services.UNCHANGED else 201
    return status, {"outcome": published.outcome, "message": published.message, "bulletin": _detail(request, bulletin)}
