"""Case endpoints under /api/v1/: intake, lists with filters, one endpoint per transition. Same services as the
pages; errors are ``{code, message, details}`` with stable codes (invalid_transition, not_permitted, …)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Annotated, Any

from django.core.paginator import Paginator
from django.http import HttpRequest
from ninja import Field, File, Form, Query, Router, Schema
from ninja.errors import ValidationError
from ninja.files import UploadedFile
from pydantic import ValidationError as PydanticValidationError
from pydantic import create_model

from accounts.models import Department
from audit.models import Channel
from audit.services import Origin
from cases import services
from cases.choices import CaseAction, CaseStatus
from cases.dispatching import dispatch_suggest
from cases.models import Case, CaseRequest
from cases.photos import photo_check
from cases.selectors import (
    CaseFilter,
    access_case,
    case_list,
    cases_of_worker,
    categories_to_report,
    duplicates_of,
)
from cases.uploads import DIGEST_PATTERN, DIGESTS_MAX, photos_of_uploads, upload_save, uploads_used
from cases.workflow import TRANSITIONS, Input, Takes, actions_for, transition_label
from gridgov.apikit import ERRORS, BodyIn, BoundedInt, CaseNumber, Paging, PathId, RecordId
from gridgov.errors import NotFound, RecordInvalid, ValidationFailed
from gridgov.files import THUMBNAIL, case_photo_link, case_photo_url
from gridgov.http import AuthenticatedHttpRequest

router = Router(tags=["cases"])
#: The SHA-256 of a photo uploaded ahead (``POST /uploads``), and a list of them.
Digest = Annotated[str, Field(pattern=DIGEST_PATTERN)]
Digests = Annotated[list[Digest], Field(max_length=DIGESTS_MAX)]
A = CaseAction


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
    priority_reason: str  # why a priority other than the category's default was chosen
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
                "priority_reason": event.priority_reason,
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
    priority: str = ""  # empty: the category's default; another needs priority_reason (422 priority_reason_required)
    priority_reason: str = ""
    reporter_name: str = ""
    reporter_phone: str = ""
    idempotency_key: str = ""
    self_resolved: bool = False
    component_code: str = ""
    # Photos uploaded ahead (POST /uploads), by their SHA-256: a missing one refuses the report (422 photo_missing).
    photo_sha256: Digests = []
    before_photo_sha256: Digests = []
    after_photo_sha256: Digests = []


#: The digest lists of a report and the photo list of ``ReportData`` each fills.
DIGEST_FIELDS = {"photo_sha256": "photos", "before_photo_sha256": "before_photos", "after_photo_sha256": "after_photos"}


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
    summary="Submit a report (form fields; photos as files or by the SHA-256 of uploads); a retried "
    "idempotency_key returns the first",
)
def report_create(
    request: AuthenticatedHttpRequest,
    payload: Form[ReportIn],
    photos: File[list[UploadedFile]] = None,  # type: ignore[assignment]
    before_photos: File[list[UploadedFile]] = None,  # type: ignore[assignment]
    after_photos: File[list[UploadedFile]] = None,  # type: ignore[assignment]
) -> tuple[int, dict[str, Any]]:
    sent = {"photos": photos, "before_photos": before_photos, "after_photos": after_photos}
    checked = {field: [photo_check(item, field) for item in files or []] for field, files in sent.items()}
    digests = {field: getattr(payload, field) for field in DIGEST_FIELDS if getattr(payload, field)}
    for field, photos_uploaded in photos_of_uploads(request.user, digests).items():
        checked[DIGEST_FIELDS[field]] += photos_uploaded
    data = services.ReportData(
        **payload.model_dump(exclude=set(DIGEST_FIELDS)),
        photos=checked["photos"],
        before_photos=checked["before_photos"],
        after_photos=checked["after_photos"],
    )
    result = services.report_submit(_origin(request), data)
    if result.created and digests:
        uploads_used(request.user, [digest for named in digests.values() for digest in named])
    case = Case.objects.select_related("grid", "category", "main_department").get(pk=result.case.pk)
    body = {"created": result.created, "case": CaseOut.of(case), "duplicates": _duplicates(case)}
    return (201 if result.created else 200), body


class UploadOut(Schema):
    sha256: str
    size: int
    content_type: str


@router.post(
    "/uploads",
    response={200: UploadOut, 201: UploadOut, **ERRORS},
    summary="Upload a photo ahead of the report or step that names it by its SHA-256 (200: uploaded already)",
)
def upload_create(request: AuthenticatedHttpRequest, file: File[UploadedFile]) -> tuple[int, dict[str, Any]]:
    row, created = upload_save(request.user, file)
    return (201 if created else 200), {"sha256": row.sha256, "size": row.size, "content_type": row.content_type}


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
    queue: str = Field("", max_length=16, description="a tab of the case list (mine: a grid worker's 核实/核查 tasks)")
    reported_by_me: bool = Field(False, description="only cases of the user's own reports")


@router.get(
    "/cases",
    response={200: CasePage, **ERRORS},
    summary="Cases in scope with filters (state, light, category, area, …)",
)
def case_index(request: HttpRequest, filters: Query[CaseFilterIn]) -> dict[str, Any]:
    query = CaseFilter(**filters.model_dump(exclude={"page", "page_size", "queue", "reported_by_me"}))
    cases = cases_of_worker(case_list(request.user, query), request.user, filters.queue, filters.reported_by_me)
    paginator = Paginator(cases, filters.page_size)
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


class CategoryOut(Schema):
    id: int
    kind: str
    code: str
    name: str
    parent_code: str
    parent_name: str
    service_code: str


@router.get(
    "/categories", response={200: list[CategoryOut], **ERRORS}, summary="The active subclasses a report may name"
)
def category_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "id": category.pk,
            "kind": category.kind,
            "code": category.code,
            "name": category.name,
            "parent_code": category.parent.code if category.parent else "",
            "parent_name": category.parent.name if category.parent else "",
            "service_code": category.service_code,
        }
        for category in categories_to_report()
    ]


# --- One endpoint per transition -------------------------------------------------------------------------------
#: The body fields of each kind of field a transition takes (``cases.workflow.Takes``): the name the body schema
#: takes after it, and each field's type and default (``...``: the field must be sent).
TAKES_FIELDS: dict[Takes, tuple[str, dict[str, tuple[Any, Any]]]] = {
    Takes.CLASSIFICATION: (
        "File",
        {
            "category_id": (RecordId | None, None),
            "priority": (str, ""),
            "priority_reason": (str, ""),
            "level": (str, ""),
        },
    ),
    Takes.WORKER: ("Worker", {"worker_id": (RecordId, ...)}),
    Takes.VERDICT: ("Verdict", {"passed": (bool, ...)}),
    Takes.MAIN_CASE: ("Merge", {"main": (str, ...)}),
    Takes.HANDLERS: ("Dispatch", {"department": (str, ...), "assists": (list[str], [])}),
    Takes.RATING: ("Evaluate", {"rating": (str, ...), "comment": (str, ""), "channel": (str, "")}),
    Takes.REQUEST_KIND: ("Request", {"kind": (str, ...)}),
    Takes.SUPERVISION: ("Supervise", {"level": (BoundedInt, ...)}),
    Takes.DEPARTMENTS: ("Summon", {"departments": (list[str], ...)}),
}
_BODIES: dict[tuple[Any, ...], type[BodyIn]] = {}


def body_of(declared: Input) -> type[BodyIn]:
    """The JSON body of a transition, built from its declared input: its text (left out = empty, unless it must
    be sent), ``version``, the fields of what it takes, and its time limit in minutes. Transitions with the same
    fields share one schema, named after what they take (``FileIn``, ``VerdictIn``…; ``ActionIn`` or
    ``ResultIn`` for text alone)."""
    fields: dict[str, Any] = {}  # name → (type, default)
    if declared.text:
        fields[declared.text_field] = (str, ... if declared.text_sent else "")
    if declared.versioned:
        fields["version"] = (BoundedInt | None, None)
    for kind in declared.takes:
        fields.update(TAKES_FIELDS[kind][1])
    if declared.minutes_field:
        fields[declared.minutes_field] = (BoundedInt | None, None)
    name = "".join(TAKES_FIELDS[kind][0] for kind in declared.takes)
    name = (name or ("Result" if declared.text_field == "note" else "Action")) + "In"
    key = (name, *((field, str(annotation), repr(default)) for field, (annotation, default) in fields.items()))
    if key not in _BODIES:
        if any(known[0] == name for known in _BODIES):
            raise TypeError(f"two transition bodies would both be named {name}: name the new kind in TAKES_FIELDS")
        _BODIES[key] = create_model(name, __base__=BodyIn, **fields)
    return _BODIES[key]


class DecisionIn(BodyIn):
    approve: bool
    note: str = ""


def _department_of(code: str) -> Department:
    department = Department.objects.filter(code=code, is_active=True).first()
    if department is None:
        raise RecordInvalid([{"field": "department", "message": f"部门“{code}”不存在或已停用"}])
    return department


def _answer(request: HttpRequest, case: Case) -> dict[str, Any]:
    return _detail(request, access_case(request.user, case.number))


# A transition's body: it calls one service with the parsed payload and returns the case.
TransitionCall = Callable[[Origin, Case, Any], Case]


def _route(
    actions: CaseAction | tuple[CaseAction, ...], summary: str, path: str = ""
) -> Callable[[TransitionCall], TransitionCall]:
    """Register ``POST /cases/{number}/<path>`` for the transition(s) ``actions`` (a pair the body chooses
    between shares one input), taking the body their input declares and answering the case as it is afterwards.
    The path is the action's name with dashes unless given."""
    actions = actions if isinstance(actions, tuple) else (actions,)
    declared = {TRANSITIONS[action].input for action in actions}
    if len(declared) != 1:
        raise TypeError(f"transitions sharing an endpoint take the same input: {', '.join(actions)}")
    body = body_of(declared.pop())
    path = path or actions[0].replace("_", "-")

    def register(function: TransitionCall) -> TransitionCall:
        def endpoint(request: HttpRequest, number: CaseNumber, payload: Any) -> dict[str, Any]:
            case = access_case(request.user, number)
            return _answer(request, function(_origin(request), case, payload))

        endpoint.__name__ = f"case_{path.replace('-', '_')}"
        endpoint.__annotations__ = {"request": HttpRequest, "number": CaseNumber, "payload": body, "return": dict}
        router.post(f"/cases/{{number}}/{path}", response={200: CaseDetailOut, **ERRORS}, summary=summary)(endpoint)
        return function

    return register


@_route(A.ACCEPT, "受理 (optionally classify; a priority other than the category's default needs priority_reason)")
def _accept(origin: Origin, case: Case, p: Any) -> Case:
    return services.case_accept(
        origin,
        case,
        category=p.category_id,
        priority=p.priority,
        priority_reason=p.priority_reason,
        level=p.level,
        reason=p.reason,
        version=p.version,
    )


@_route(A.REJECT, "不予立案 (reason required)")
def _reject(origin: Origin, case: Case, p: Any) -> Case:
    return services.case_reject(origin, case, p.reason, version=p.version)


@_route(A.VERIFY_REQUEST, "派发核实 to a grid worker")
def _verify_request(origin: Origin, case: Case, p: Any) -> Case:
    return services.case_verify_request(origin, case, p.worker_id, reason=p.reason, version=p.version)


@_route((A.VERIFY_CONFIRM, A.VERIFY_DENY), "核实 result (passed = 属实)", "verify")
def _verify(origin: Origin, case: Case, p: Any) -> Case:
    return services.case_verify(origin, case, confirmed=p.passed, note=p.note, version=p.version)


@_route(A.FILE, "立案 (a priority other than the category's default needs priority_reason)")
def _file(origin: Origin, case: Case, p: Any) -> Case:
    return services.case_file(
        origin,
        case,
        category=p.category_id,
        priority=p.priority,
        priority_reason=p.priority_reason,
        level=p.level,
        reason=p.reason,
        version=p.version,
    )


@_route(A.MERGE, "合并 into a main case")
def _merge(origin: Origin, case: Case, p: Any) -> Case:
    return services.case_merge(origin, case, access_case(origin.actor, p.main), reason=p.reason)


@_route(A.DISPATCH, "派遣 to a main department and co-handlers")
def _dispatch(origin: Origin, case: Case, p: Any) -> Case:
    return services.case_dispatch(
        origin,
        case,
        _department_of(p.department),
        assists=[_department_of(code) for code in p.assists],
        handle_minutes=p.handle_minutes,
        reason=p.reason,
        version=p.version,
    )


@_route(A.ACCEPT_TASK, "签收 by the department")
def _accept_task(origin: Origin, case: Case, p: Any) -> Case:
    return services.case_accept_task(origin, case, reason=p.reason, version=p.version)


@_route(A.REPORT_RESULT, "处置反馈 (photos: POST /cases/{number}/photos)")
def _report_result(origin: Origin, case: Case, p: Any) -> Case:
    return services.case_report_result(origin, case, p.note, version=p.version)


@_route(A.CHECK_REQUEST, "派发核查 to a grid worker")
def _check_request(origin: Origin, case: Case, p: Any) -> Case:
    return services.case_check_request(origin, case, p.worker_id, reason=p.reason, version=p.version)


@_route((A.CHECK_PASS, A.REWORK), "核查 (passed → 待结案; failed → 返工)", "check")
def _check(origin: Origin, case: Case, p: Any) -> Case:
    return services.case_check(origin, case, passed=p.passed, note=p.note, version=p.version)


@_route(A.CLOSE, "结案")
def _close(origin: Origin, case: Case, p: Any) -> Case:
    return services.case_close(origin, case, reason=p.reason, version=p.version)


@_route(A.EVALUATE, "评价 满意/基本满意/不满意 (不满意 reopens by rule)")
def _evaluate(origin: Origin, case: Case, p: Any) -> Case:
    return services.case_evaluate(origin, case, p.rating, comment=p.comment, channel=p.channel)


@_route((A.REQUEST_OPEN, A.REQUEST_VOID), "申请 延期(extend)/回退(return)/挂账(suspend)/作废(void)", "requests")
def _request(origin: Origin, case: Case, p: Any) -> Case:
    return services.case_request_open(origin, case, p.kind, p.reason, extra_minutes=p.extra_minutes).case


@_route(A.RESUME, "恢复办理 after 挂账")
def _resume(origin: Origin, case: Case, p: Any) -> Case:
    return services.case_resume(origin, case, reason=p.reason)


@_route(A.ESCALATE, "上报上级 (one level up)")
def _escalate(origin: Origin, case: Case, p: Any) -> Case:
    return services.case_escalate(origin, case, p.reason)


@_route(A.SUMMON, "吹哨: call departments, who must 报到 within 30 minutes")
def _summon(origin: Origin, case: Case, p: Any) -> Case:
    services.case_summon(origin, case, [_department_of(code) for code in p.departments], p.reason)
    return case


@_route(A.SUMMONS_CONFIRM, "报到 by a summoned department")
def _summons_confirm(origin: Origin, case: Case, p: Any) -> Case:
    services.case_summons_confirm(origin, case)
    return case


@_route(A.URGE, "催办")
def _urge(origin: Origin, case: Case, p: Any) -> Case:
    return services.case_urge(origin, case, p.reason)


@_route(A.SUPERVISE, "督办 1 普通 / 2 黄牌 / 3 红牌")
def _supervise(origin: Origin, case: Case, p: Any) -> Case:
    return services.case_supervise(origin, case, p.level, p.reason)


@_route(A.EXPEDITE, "加急")
def _expedite(origin: Origin, case: Case, p: Any) -> Case:
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


class CasePhotosForm(Schema):
    stage: str = ""
    photo_sha256: Digests = []


class CasePhotosIn(BodyIn):
    """The JSON form of adding photos: the stage and the SHA-256 of photos uploaded ahead."""

    stage: str
    photo_sha256: Annotated[list[Digest], Field(min_length=1, max_length=DIGESTS_MAX)]


def _json_body(request: HttpRequest, schema: type[BodyIn]) -> Any:
    """A JSON body read by hand (for an operation that also takes a form), refused as the API refuses others."""
    try:
        data = json.loads(request.body)
    except ValueError:
        raise ValidationFailed("请求体无法解析（应为 JSON 对象）", code="bad_request_body") from None
    try:
        return schema.model_validate(data)
    except PydanticValidationError as error:
        raise ValidationError([{**item, "loc": ("body", *item["loc"])} for item in error.errors()]) from None


@router.post(
    "/cases/{number}/photos",
    response={200: CaseDetailOut, **ERRORS},
    summary="Add photos to a case: multipart (stage, photos and/or photo_sha256) or JSON {stage, photo_sha256}",
    openapi_extra={"requestBody": {"content": {"application/json": {"schema": CasePhotosIn.model_json_schema()}}}},
)
def case_photos(
    request: AuthenticatedHttpRequest,
    number: CaseNumber,
    form: Form[CasePhotosForm],
    photos: File[list[UploadedFile]] = None,  # type: ignore[assignment]
) -> Any:
    if request.content_type == "application/json":
        body = _json_body(request, CasePhotosIn)
        stage, digests = body.stage, body.photo_sha256
    else:
        stage, digests = form.stage, form.photo_sha256
    case = access_case(request.user, number)
    checked = [photo_check(item) for item in photos or []]
    if digests:
        checked += photos_of_uploads(request.user, {"photo_sha256": digests})["photo_sha256"]
    done = services.case_photos_add(_origin(request), case, stage, checked)
    if digests:
        uploads_used(request.user, digests)
    return _answer(request, done)
