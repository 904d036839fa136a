"""Visit plans, due visits, the worker's agenda and compliance under /api/v1/visits/."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from audit.models import Channel
from audit.services import Origin
from gridgov import timesource
from gridgov.apikit import ERRORS, BodyIn, PathId, RecordId, Window
from gridgov.errors import PermissionDenied, ValidationFailed
from visits.agenda import agenda_of
from visits.compliance import compliance_rows, rate_of
from visits.plans import (
    access_due_visit,
    due_row,
    due_visit_assign,
    due_visits_filtered,
    plan_coverage_count,
    plans_visible_to,
)

router = Router(tags=["visits"])

GridCode = Annotated[str, Field(pattern=r"^[0-9]{1,15}$")]
Month = Annotated[str, Field(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$")]


def _today() -> dt.date:
    return timezone.localdate(timesource.now())


def _require(request: HttpRequest, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied(_("您的角色不能使用此功能"), code="not_permitted")


class DueOut(Schema):
    id: int
    plan_id: int
    plan_name: str
    purpose: str
    person_id: int
    person_name: str
    grid_code: str
    worker_id: int | None
    due_on: dt.date
    window_start: dt.date
    status: str
    light: str
    days_left: int
    address: str
    lon: float | None
    lat: float | None
    sensitive: bool


class DueQuery(Window):
    date: dt.date | None = None
    status: Literal["open", "done"] = "open"
    worker: Literal["me", "all"] = "me"
    grid_code: GridCode | None = None
    light: Literal["green", "yellow", "red"] | None = None


@router.get("/visits/due", response={200: list[DueOut], **ERRORS}, summary="Due visits (one's own by default)")
def visit_due_list(request: HttpRequest, query: Query[DueQuery]) -> list[dict[str, Any]]:
    _require(request, "visits.view_duevisit")
    today = _today()
    rows = due_visits_filtered(
        request.user,
        today,
        mine=query.worker == "me",
        status=query.status,
        day=query.date,
        grid_code=query.grid_code or "",
        lights=[query.light] if query.light else [],
    )
    return [due_row(due, today, request.user) for due in rows[query.offset : query.offset + query.limit]]


class AssignIn(BodyIn):
    worker_id: RecordId


@router.post("/visits/due/{due_id}/assign", response={200: DueOut, **ERRORS}, summary="Give a due visit to a worker")
def visit_due_assign(request: HttpRequest, due_id: PathId, payload: AssignIn) -> dict[str, Any]:
    _require(request, "visits.change_duevisit")
    due = access_due_visit(request.user, due_id)
    due = due_visit_assign(Origin.of_request(request, Channel.API), due, payload.worker_id)
    return due_row(due, _today(), request.user)


class AgendaStopOut(DueOut):
    order: int
    leg_m: float | None


class PointOut(Schema):
    lon: float
    lat: float


class LineOut(Schema):
    type: str
    coordinates: list[list[float]]


class AgendaOut(Schema):
    date: dt.date
    start: PointOut | None
    stops: list[AgendaStopOut]
    route: LineOut
    total_m: float


class AgendaQuery(Schema):
    date: dt.date | None = None


@router.get("/visits/agenda", response={200: AgendaOut, **ERRORS}, summary="The day's due visits in walking order")
def visit_agenda(request: HttpRequest, query: Query[AgendaQuery]) -> dict[str, Any]:
    _require(request, "visits.view_duevisit")
    return agenda_of(request.user, query.date or _today()).as_dict()


class PlanOut(Schema):
    id: int
    name: str
    subject: str
    subject_label: str
    tag_category: str
    area_code: str | None
    interval: int
    interval_unit: str
    first_within: int
    purpose: str
    active: bool
    sensitive: bool
    covered: int


@router.get("/visits/plans", response={200: list[PlanOut], **ERRORS}, summary="Visit plans that apply here")
def visit_plan_list(request: HttpRequest, window: Query[Window]) -> list[dict[str, Any]]:
    _require(request, "visits.view_visitplan")
    today = _today()
    plans = plans_visible_to(request.user).order_by("name", "id")[window.offset : window.offset + window.limit]
    return [
        {
            "id": plan.pk,
            "name": plan.name,
            "subject": plan.subject,
            "subject_label": plan.get_subject_display(),
            "tag_category": plan.tag_category,
            "area_code": plan.area.code if plan.area else None,
            "interval": plan.interval,
            "interval_unit": plan.interval_unit,
            "first_within": plan.first_within,
            "purpose": plan.purpose,
            "active": plan.active,
            "sensitive": plan.sensitive,
            "covered": plan_coverage_count(plan, today, request.user),
        }
        for plan in plans
    ]


class ComplianceOut(Schema):
    month: str
    worker_id: int | None
    worker_name: str
    grid_code: str
    plan_id: int
    plan_name: str
    due: int
    on_time: int
    late: int
    missed: int
    pending: int
    rate: float | None


class ComplianceQuery(Window):
    month: Month | None = None
    grid_code: GridCode | None = None
    worker_id: RecordId | None = None


def month_of(text: str | None) -> dt.date:
    if not text:
        return _today().replace(day=1)
    try:
        return dt.date.fromisoformat(f"{text}-01")
    except ValueError as error:
        raise ValidationFailed(_("月份格式应为 YYYY-MM"), code="bad_month") from error


@router.get("/visits/compliance", response={200: list[ComplianceOut], **ERRORS}, summary="Visit compliance of a month")
def visit_compliance(request: HttpRequest, query: Query[ComplianceQuery]) -> list[dict[str, Any]]:
    _require(request, "visits.view_visitcompliance")
    month = month_of(query.month)
    rows = compliance_rows(request.user, month, grid_code=query.grid_code or "", worker_id=query.worker_id)
    return [
        {
            "month": f"{month:%Y-%m}",
            "worker_id": row.worker_id,
            "worker_name": str(row.worker) if row.worker else "",
            "grid_code": row.grid.code,
            "plan_id": row.plan_id,
            "plan_name": row.plan.name,
            "due": row.due,
            "on_time": row.on_time,
            "late": row.late,
            "missed": row.missed,
            "pending": row.pending,
            "rate": rate_of(row.on_time, row.due),
        }
        for row in rows[query.offset : query.offset + query.limit]
    ]
