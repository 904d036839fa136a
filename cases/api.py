"""Case endpoints under /api/v1/: intake, lists with filters, one endpoint per transition. Same services as the
pages; errors are ``{code, message, details}`` with stable codes (invalid_transition, not_permitted, …)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest
from ninja import File, Form, Query, Router, Schema
from ninja.files import UploadedFile

from accounts.models import Department
from audit.models import Channel
from audit.services import Origin
from cases import services
from cases.choices import CaseStatus
from cases.dispatching import dispatch_suggest
from cases.models import Case, CaseRequest
from cases.photos import photo_check
from cases.selectors import CaseFilter, access_case, case_list, duplicates_of
from cases.workflow import actions_for, transition_label
from gridgov.apikit import ERRORS, BodyIn, BoundedInt, CaseNumber, Paging, PathId, RecordId
from gridgov.errors import NotFound, RecordInvalid
from gridgov.files import THUMBNAIL, case_photo_link, case_photo_url

router = Router(tags=["cases"])


def _origin(request: HttpRequest) -> Origin:
    return Origin.of_request(request, Channel.API)


class CaseOut(Schema):
    number: str
    status: str
    status_label: str
    source: str
    category_code: str | None
    category_name: str | None
    priority: str
    level: str
    description: str
    address: str
    longitude: float | None
    latitude: float | None
    grid_code: str
    main_department: str | None
    step: str
    light: str
    due_at: dt.datetime | None
    handle_due_at: dt.datetime | None
    supervision: int
    expedited: bool
    rework_count: int
    rating: str
    created_at: dt.datetime
    updated_at: dt.datetime
    closed_at: dt.datetime | None
    version: int

    @staticmethod
    def of(case: Case) -> dict[str, Any]:
        return {
            **{name: getattr(case, name) for name in CaseOut.model_fields if hasattr(case, name)},
            "status_label": str(CaseStatus(case.status).label),
            "category_code": case.category.code if case.category else None,
            "category_name": case.category.name if case.category else None,
            "grid_code": case.grid.code,
            "main_department": case.main_department.code if case.main_department else None,
        }


class CasePage(Schema):
    count: int
    page: int
    pages: int
    results: list[CaseOut]


class EventOut(Schema):
    at: dt.datetime
    action: str
    label: str
    actor: str | None
    from_status: str
    to_status: str
    reason: str
    channel: str


class CaseDetailOut(CaseOut):
    events: list[EventOut]
    photos: list[dict[str, Any]]
    actions: list[str]
    reports: list[dict[str, Any]]


def _detail(request: HttpRequest, case: Case) -> dict[str, Any]:
    events = case.events.select_related("actor").order_by("at", "id")
    return {
        **CaseOut.of(case),
        "events": [
            {
                "at": event.at,
                "action": event.action,
                "label": transition_label(event.action),
                "actor": str(event.actor) if event.actor else None,
                "from_status": event.from_status,
                "to_status": event.to_status,
                "reason": event.reason,
                "channel": event.channel,
            }
            for event in events
        ],
        "photos": [
            {
                "stage": photo.stage,
                "url": case_photo_link(request.user, photo),
                "thumbnail": case_photo_url(photo, THUMBNAIL),
            }
            for photo in case.photos.all()
        ],
        "actions": actions_for(request.user, case),
        "reports": [
            {"source": report.source, "created_at": report.created_at, "reporter_phone": report.reporter_phone_masked}
            for report in case.reports.all()
        ],
    }


class ReportIn(Schema):
    source: str
    description: str
    longitude: float | None = None
    latitude: float | None = None
    datum: str = "wgs84"
    address: str = ""
    grid_code: str = ""
    category_id: RecordId | None = None
    priority: str = "normal"
    reporter_name: str = ""
    reporter_phone: str = ""
    idempotency_key: str = ""
    self_resolved: bool = False
    component_code: str = ""


class DuplicateOut(Schema):
    number: str
    distance_m: float
    status: str
    description: str


class IntakeOut(Schema):
    created: bool
    case: CaseOut
    duplicates: list[DuplicateOut]


def _duplicates(case: Case) -> list[dict[str, Any]]:
    return [
        {
            "number": other.number,
            "distance_m": round(distance, 1),
            "status": other.status,
            "description": other.description[:100],
        }
        for other, distance in duplicates_of(case)
    ]


@router.post(
    "/reports",
    response={200: IntakeOut, 201: IntakeOut, **ERRORS},
    summary="Submit a report (multipart: fields + photos); a retried idempotency_key returns the first",
)
def report_create(
    request: HttpRequest,
    payload: Form[ReportIn],
    photos: File[list[UploadedFile]] = None,  # type: ignore[assignment]
    before_photos: File[list[UploadedFile]] = None,  # type: ignore[assignment]
    after_photos: File[list[UploadedFile]] = None,  # type: ignore[assignment]
) -> tuple[int, dict[str, Any]]:
    data = services.ReportData(
        **payload.model_dump(),
        photos=[photo_check(item, "photos") for item in photos or []],
        before_photos=[photo_check(item, "before_photos") for item in before_photos or []],
        after_photos=[photo_check(item, "after_photos") for item in after_photos or []],
    )
    result = services.report_submit(_origin(request), data)
    case = Case.objects.select_related("grid", "category", "main_department").get(pk=result.case.pk)
    body = {"created": result.created, "case": CaseOut.of(case), "duplicates": _duplicates(case)}
    return (201 if result.created else 200), body


class CaseFilterIn(Paging):
    status: str = ""
    light: str = ""
    category: str = ""
    area: str = ""
    department: str = ""
    source: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    text: str = ""
    open_only: bool = False


@router.get(
    "/cases",
    response={200: CasePage, **ERRORS},
    summary="Cases in scope with filters (state, light, category, area, …)",
)
def case_index(request: HttpRequest, filters: Query[CaseFilterIn]) -> dict[str, Any]:
    query = CaseFilter(**filters.model_dump(exclude={"page", "page_size"}))
    paginator = Paginator(case_list(request.user, query), filters.page_size)
    page = paginator.get_page(filters.page)
    return {
        "count": paginator.count,
        "page": page.number,
        "pages": paginator.num_pages,
        "results": [CaseOut.of(case) for case in page.object_list],
    }


@router.get(
    "/cases/{number}", response={200: CaseDetailOut, **ERRORS}, summary="One case with its timeline, photos and actions"
)
def case_detail(request: HttpRequest, number: CaseNumber) -> dict[str, Any]:
    return _detail(request, access_case(request.user, number))


@router.get("/cases/{number}/duplicates", response={200: list[DuplicateOut], **ERRORS})
def case_duplicates(request: HttpRequest, number: CaseNumber) -> list[dict[str, Any]]:
    return _duplicates(access_case(request.user, number))


class SuggestionOut(Schema):
    department: str
    department_name: str
    reason: str
    assists: list[str]


@router.get("/cases/{number}/dispatch-suggestion", response={200: SuggestionOut, 204: None, **ERRORS})
def case_dispatch_suggestion(request: HttpRequest, number: CaseNumber) -> Any:
    suggestion = dispatch_suggest(access_case(request.user, number))
    if suggestion is None:
        return 204, None
    return {
        "department": suggestion.department.code,
        "department_name": suggestion.department.name,
        "reason": suggestion.reason,
        "assists": [department.code for department in suggestion.assists],
    }


# --- One endpoint per transition -------------------------------------------------------------------------------
class ActionIn(BodyIn):
    reason: str = ""
    version: BoundedInt | None = None


class FileIn(ActionIn):
    category_id: RecordId | None = None
    priority: str = ""
    level: str = ""


class WorkerIn(ActionIn):
    worker_id: RecordId


class ResultIn(BodyIn):
    note: str
    version: BoundedInt | None = None


class VerdictIn(ResultIn):
    passed: bool


class DispatchIn(ActionIn):
    department: str
    assists: list[str] = []
    handle_minutes: BoundedInt | None = None


class MergeIn(ActionIn):
    main: str


class EvaluateIn(BodyIn):
    rating: str
    comment: str = ""
    channel: str = ""


class RequestIn(BodyIn):
    kind: str
    reason: str
    extra_minutes: BoundedInt | None = None


class DecisionIn(BodyIn):
    approve: bool
    note: str = ""


class SuperviseIn(ActionIn):
    level: BoundedInt


class SummonIn(ActionIn):
    departments: list[str]


def _department_of(code: str) -> Department:
    department = Department.objects.filter(code=code, is_active=True).first()
    if department is None:
        raise RecordInvalid([{"field": "department", "message": f"部门“{code}”不存在或已停用"}])
    return department


def _answer(request: HttpRequest, case: Case) -> dict[str, Any]:
    return _detail(request, access_case(request.user, case.number))


# A transition's body: it calls one service with the parsed payload and returns the case.
TransitionCall = Callable[[Origin, Case, Any], Case]


def _route(action: str, body: type[Schema], summary: str) -> Callable[[TransitionCall], TransitionCall]:
    """Register ``POST /cases/{number}/<action>`` taking ``body`` and answering the case as it is afterwards."""

    def register(function: TransitionCall) -> TransitionCall:
        def endpoint(request: HttpRequest, number: CaseNumber, payload: Any) -> dict[str, Any]:
            case = access_case(request.user, number)
            return _answer(request, function(_origin(request), case, payload))

        endpoint.__name__ = f"case_{action.replace('-', '_')}"
        endpoint.__annotations__ = {"request": HttpRequest, "number": CaseNumber, "payload": body, "return": dict}
        router.post(f"/cases/{{number}}/{action}", response={200: CaseDetailOut, **ERRORS}, summary=summary)(endpoint)
        return function

    return register


@_route("accept", FileIn, "受理 (optionally classify)")
def _accept(origin: Origin, case: Case, p: FileIn) -> Case:
    return services.case_accept(origin, case, category=p.category_id, reason=p.reason, version=p.version)


@_route("reject", ActionIn, "不予立案 (reason required)")
def _reject(origin: Origin, case: Case, p: ActionIn) -> Case:
    return services.case_reject(origin, case, p.reason, version=p.version)


@_route("verify-request", WorkerIn, "派发核实 to a grid worker")
def _verify_request(origin: Origin, case: Case, p: WorkerIn) -> Case:
    return services.case_verify_request(origin, case, p.worker_id, reason=p.reason, version=p.version)


@_route("verify", VerdictIn, "核实 result (passed = 属实)")
def _verify(origin: Origin, case: Case, p: VerdictIn) -> Case:
    return services.case_verify(origin, case, confirmed=p.passed, note=p.note, version=p.version)


@_route("file", FileIn, "立案")
def _file(origin: Origin, case: Case, p: FileIn) -> Case:
    return services.case_file(
        origin, case, category=p.category_id, priority=p.priority, level=p.level, reason=p.reason, version=p.version
    )


@_route("merge", MergeIn, "合并 into a main case")
def _merge(origin: Origin, case: Case, p: MergeIn) -> Case:
    return services.case_merge(origin, case, access_case(origin.actor, p.main), reason=p.reason)


@_route("dispatch", DispatchIn, "派遣 to a main department and co-handlers")
def _dispatch(origin: Origin, case: Case, p: DispatchIn) -> Case:
    return services.case_dispatch(
        origin,
        case,
        _department_of(p.department),
        assists=[_department_of(code) for code in p.assists],
        handle_minutes=p.handle_minutes,
        reason=p.reason,
        version=p.version,
    )


@_route("accept-task", ActionIn, "签收 by the department")
def _accept_task(origin: Origin, case: Case, p: ActionIn) -> Case:
    return services.case_accept_task(origin, case, version=p.version)


@_route("report-result", ResultIn, "处置反馈 (photos: POST /cases/{number}/photos)")
def _report_result(origin: Origin, case: Case, p: ResultIn) -> Case:
    return services.case_report_result(origin, case, p.note, version=p.version)


@_route("check-request", WorkerIn, "派发核查 to a grid worker")
def _check_request(origin: Origin, case: Case, p: WorkerIn) -> Case:
    return services.case_check_request(origin, case, p.worker_id, reason=p.reason, version=p.version)


@_route("check", VerdictIn, "核查 (passed → 待结案; failed → 返工)")
def _check(origin: Origin, case: Case, p: VerdictIn) -> Case:
    return services.case_check(origin, case, passed=p.passed, note=p.note, version=p.version)


@_route("close", ActionIn, "结案")
def _close(origin: Origin, case: Case, p: ActionIn) -> Case:
    return services.case_close(origin, case, reason=p.reason, version=p.version)


@_route("evaluate", EvaluateIn, "评价 满意/基本满意/不满意 (不满意 reopens by rule)")
def _evaluate(origin: Origin, case: Case, p: EvaluateIn) -> Case:
    return services.case_evaluate(origin, case, p.rating, comment=p.comment, channel=p.channel)


@_route("requests", RequestIn, "申请 延期(extend)/回退(return)/挂账(suspend)/作废(void)")
def _request(origin: Origin, case: Case, p: RequestIn) -> Case:
    return services.case_request_open(origin, case, p.kind, p.reason, extra_minutes=p.extra_minutes).case


@_route("resume", ActionIn, "恢复办理 after 挂账")
def _resume(origin: Origin, case: Case, p: ActionIn) -> Case:
    return services.case_resume(origin, case, reason=p.reason)


@_route("escalate", ActionIn, "上报上级 (one level up)")
def _escalate(origin: Origin, case: Case, p: ActionIn) -> Case:
    return services.case_escalate(origin, case, p.reason)


@_route("summon", SummonIn, "吹哨: call departments, who must 报到 within 30 minutes")
def _summon(origin: Origin, case: Case, p: SummonIn) -> Case:
    services.case_summon(origin, case, [_department_of(code) for code in p.departments], p.reason)
    return case


@_route("summons-confirm", ActionIn, "报到 by a summoned department")
def _summons_confirm(origin: Origin, case: Case, p: ActionIn) -> Case:
    services.case_summons_confirm(origin, case)
    return case


@_route("urge", ActionIn, "催办")
def _urge(origin: Origin, case: Case, p: ActionIn) -> Case:
    return services.case_urge(origin, case, p.reason)


@_route("supervise", SuperviseIn, "督办 1 普通 / 2 黄牌 / 3 红牌")
def _supervise(origin: Origin, case: Case, p: SuperviseIn) -> Case:
    return services.case_supervise(origin, case, p.level, p.reason)


@_route("expedite", ActionIn, "加急")
def _expedite(origin: Origin, case: Case, p: ActionIn) -> Case:
    return services.case_expedite(origin, case, p.reason)


@router.post(
    "/cases/{number}/requests/{request_id}/decide",
    response={200: CaseDetailOut, **ERRORS},
    summary="Approve or refuse a pending request",
)
def case_request_decide(
    request: HttpRequest, number: CaseNumber, request_id: PathId, payload: DecisionIn
) -> dict[str, Any]:
    case = access_case(request.user, number)
    pending = CaseRequest.objects.filter(pk=request_id, case=case).first()
    if pending is None:
        raise NotFound("申请不存在", code="request_not_found")
    return _answer(
        request, services.case_request_decide(_origin(request), pending, approve=payload.approve, note=payload.note)
    )


@router.post(
    "/cases/{number}/photos", response={200: CaseDetailOut, **ERRORS}, summary="Add photos to a case (multipart)"
)
def case_photos(request: HttpRequest, number: CaseNumber, stage: Form[str], photos: File[list[UploadedFile]]) -> Any:
    case = access_case(request.user, number)
    checked = [photo_check(item) for item in photos]
    return _answer(request, services.case_photos_add(_origin(request), case, stage, checked))
