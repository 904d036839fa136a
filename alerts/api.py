"""预测预警 endpoints under /api/v1/: the alerts of the user's areas, and marking one handled."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Query, Router, Schema

from alerts import services
from alerts.models import WarningAlert
from alerts.selectors import access_alert, alerts_list, alerts_reader, cases_url, probability_words
from audit.models import Channel
from audit.services import Origin
from gridgov.apikit import ERRORS, BodyIn, PathId, Window

router = Router(tags=["alerts"])

GridCode = Annotated[str, Field(pattern=r"^[0-9]{1,15}$")]


class AlertOut(Schema):
    id: int
    grid_code: str
    grid_name: str
    category_id: int
    category_name: str
    day: dt.date
    observed: int
    expected: float
    threshold: int
    probability: float
    probability_text: str
    method: str
    baseline: list[int]
    created_at: dt.datetime
    updated_at: dt.datetime | None
    handled: bool
    acknowledged_by_name: str | None
    acknowledged_at: dt.datetime | None
    note: str
    url: str
    cases_url: str

    @staticmethod
    def of(alert: WarningAlert) -> dict[str, Any]:
        by = alert.acknowledged_by
        return {
            "id": alert.pk,
            "grid_code": alert.grid.code,
            "grid_name": alert.grid.name,
            "category_id": alert.category_id,
            "category_name": alert.category.name,
            "day": alert.day,
            "observed": alert.observed,
            "expected": alert.expected,
            "threshold": alert.threshold,
            "probability": alert.probability,
            "probability_text": probability_words(alert.probability),
            "method": alert.method,
            "baseline": list(alert.baseline or []),
            "created_at": alert.created_at,
            "updated_at": alert.updated_at,
            "handled": alert.handled,
            "acknowledged_by_name": (by.full_name or by.username) if by else None,
            "acknowledged_at": alert.acknowledged_at,
            "note": alert.note,
            "url": reverse("alerts:detail", args=[alert.pk]),
            "cases_url": cases_url(alert),
        }


class AlertQuery(Schema):
    state: Literal["open", "handled"] = "open"
    grid_code: GridCode | None = None
    day_from: dt.date | None = None
    day_to: dt.date | None = None


@router.get("/alerts", response={200: list[AlertOut], **ERRORS}, summary="Early warnings of the user's areas")
def alert_list(request: HttpRequest, query: Query[AlertQuery], window: Query[Window]) -> list[dict[str, Any]]:
    alerts_reader(request.user)
    rows = alerts_list(
        request.user, query.state, grid_code=query.grid_code or "", day_from=query.day_from, day_to=query.day_to
    )
    return [AlertOut.of(alert) for alert in window.of(rows)]


class AcknowledgeIn(BodyIn):
    note: str = Field(min_length=1, max_length=services.NOTE_MAX)


@router.post(
    "/alerts/{alert_id}/acknowledge",
    response={200: AlertOut, **ERRORS},
    summary="Mark an early warning handled (已处理) with a note",
)
def alert_acknowledge(request: HttpRequest, alert_id: PathId, payload: AcknowledgeIn) -> dict[str, Any]:
    alert = access_alert(request.user, alert_id)
    services.alert_acknowledge(Origin.of_request(request, Channel.API), alert, payload.note)
    return AlertOut.of(alert)
