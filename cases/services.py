"""Every change of a case, one function each (DESIGN §5). Pages, the API, the demo and the periodic job call these.

Each transition: lock the case → check the table in :mod:`cases.workflow` (state, role, reach) → write the new
fields → append one :class:`CaseEvent` whose ``payload["set"]`` holds those fields → publish after commit.
Input is validated before any lock is taken; nothing is half-written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import h3
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import user_scope
from accounts.models import Department, User
from accounts.roles import Role
from areas.choices import Datum
from areas.locate import grid_locate_many
from areas.models import Area, AreaLevel
from audit.services import Origin
from cases import clock
from cases.choices import (
    LEVEL_ORDER,
    AssignmentRole,
    CaseLevel,
    CaseStatus,
    Light,
    PhotoStage,
    Priority,
    Rating,
    RequestKind,
    RequestStatus,
    Source,
    Step,
    Supervision,
)
from cases.models import (
    Case,
    CaseAssignment,
    CaseCounter,
    CaseEvent,
    CaseRequest,
    Category,
    Report,
    Summons,
)
from cases.photos import CheckedPhoto, photo_files_delete, photo_store
from cases.workflow import FIELD, REPLAYED_FIELDS, actor_roles, as_json, transition_check
from gridgov import crypto, timesource
from gridgov.errors import Conflict, NotFound, Problems, RecordInvalid, ValidationFailed

H3_RESOLUTION = 9
S = CaseStatus
SOURCES_BY_ROLE: dict[str, set[str]] = {
    Role.GRID_WORKER: {Source.GRID_WORKER},
    Role.GRID_LEADER: {Source.GRID_WORKER},
    Role.SUPERVISOR: {Source.SUPERVISOR, Source.GRID_WORKER},
    Role.INTAKE_CLERK: {Source.HOTLINE, Source.PUBLIC_WEB, Source.SENSOR, Source.MEDIA, Source.LEADER},
    Role.SHIFT_LEADER: {
        Source.HOTLINE,
        Source.PUBLIC_WEB,
        Source.SENSOR,
        Source.MEDIA,
        Source.LEADER,
        Source.INSPECTION,
    },
    Role.DISPATCHER: {Source.HOTLINE, Source.SENSOR, Source.MEDIA, Source.LEADER},
    Role.STREET_LEADER: {Source.LEADER, Source.INSPECTION},
    Role.DISTRICT_LEADER: {Source.LEADER, Source.INSPECTION},
}
#: Channels whose callers have no account (the public portal, Open311, sensors) submit through a system origin.
ANONYMOUS_SOURCES = {Source.PUBLIC_WEB, Source.OPEN311, Source.SENSOR, Source.HOTLINE}


# --- Publishing -------------------------------------------------------------------------------------------------
def events_publish(event_ids: Sequence[int]) -> None:
    """After commit: hand the new events to the notification task (recipients are worked out there)."""
    from cases.tasks import case_events_notify

    case_events_notify.enqueue(list(event_ids))


# --- The one place that changes a case -------------------------------------------------------------------------
def _changed(case: Case, fields: dict[str, Any]) -> None:
    for name, value in fields.items():
        setattr(case, name, value)


def _transition(
    origin: Origin,
    case: Case | int,
    action: str,
    change: Callable[[Case, dt.datetime], dict[str, Any]] | None = None,
    *,
    reason: str = "",
    payload: dict[str, Any] | None = None,
    version: int | None = None,
    system: bool = False,
    at: dt.datetime | None = None,
) -> Case:
    pk = case.pk if isinstance(case, Case) else case
    with transaction.atomic():
        try:
            locked = Case.objects.select_for_update(of=("self",)).select_related("grid", "category").get(pk=pk)
        except Case.DoesNotExist:
            raise NotFound(_("案卷不存在"), code="case_not_found") from None
        if version is not None and locked.version != version:
            raise Conflict(
                _("案卷已被他人更新，请刷新后重试"), code="case_changed", details={"version": locked.version}
            )
        transition = transition_check(origin.actor, locked, action, system=system)
        now = at or timesource.now()
        from_status = locked.status
        fields = change(locked, now) if change else {}
        if transition.target and "status" not in fields:
            fields["status"] = transition.target
        _changed(locked, fields)
        locked.version += 1
        locked.updated_at = now
        locked.save(update_fields=[*fields, "version", "updated_at"])
        event = CaseEvent.objects.create(
            case=locked,
            at=now,
            actor_id=origin.actor_id,
            action=action,
            from_status=from_status,
            to_status=locked.status,
            reason=reason,
            payload={"set": _replayable(fields), **(payload or {})},
            channel=origin.channel,
        )
        transaction.on_commit(lambda: events_publish([event.pk]))
    locked._last_event = event  # type: ignore[attr-defined]
    return locked


def _replayable(fields: dict[str, Any]) -> dict[str, Any]:
    """The written fields under their column names (``main_department`` → ``main_department_id``), as JSON."""
    out = {}
    for name, value in fields.items():
        column = Case._meta.get_field(name).attname
        if column in REPLAYED_FIELDS:
            out[column] = as_json(value)
    return out


def _require_reason(reason: str, field_name: str = "reason") -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("请填写理由"), code="reason_required", details={"field": field_name})
    return reason[:2000]


def _photos_store(case: Case, stage: str, photos: Iterable[CheckedPhoto], origin: Origin) -> None:
    """Store checked photos with the case's last event; call inside the transaction that wrote the event, so a
    failure leaves neither the event nor any photo."""
    event = getattr(case, "_last_event", None)
    stored = []
    try:
        for photo in photos:
            stored.append(photo_store(case, stage, photo, event=event, user_id=origin.actor_id))
    except BaseException:
        photo_files_delete(stored)
        raise


# --- Intake ----------------------------------------------------------------------------------------------------
@dataclass
class ReportData:
    source: str
    description: str
    longitude: float | None = None
    latitude: float | None = None
    datum: str = Datum.WGS84
    address: str = ""
    grid_code: str = ""
    category_id: int | None = None
    priority: str = Priority.NORMAL
    reporter_name: str = ""
    reporter_phone: str = ""
    idempotency_key: str = ""
    self_resolved: bool = False
    component_code: str = ""
    place_id: int | None = None
    external_ref: str = ""
    media_url: str = ""
    follow_token_hash: str | None = None  # the portal's private follow link (hash of the token)
    submission_hash: str = ""  # a digest of the submission, kept beside its idempotency key
    notify_reporter: bool = False  # tell the reporter of each public step (needs a phone)
    photos: list[CheckedPhoto] = field(default_factory=list)
    before_photos: list[CheckedPhoto] = field(default_factory=list)
    after_photos: list[CheckedPhoto] = field(default_factory=list)


@dataclass
class IntakeResult:
    case: Case
    report: Report
    created: bool


def _located(data: ReportData, problems: Problems) -> tuple[Area | None, float | None, float | None]:
    if data.longitude is not None and data.latitude is not None:
        try:
            found = grid_locate_many([data.longitude], [data.latitude], data.datum or Datum.WGS84)
        except ValidationFailed as error:
            problems.add("location", str(error.message))
            return None, None, None
        longitude, latitude = float(found.lons[0]), float(found.lats[0])
        if found.codes[0] is None:
            problems.add("location", _("位置不在任何网格内，请核对位置"))
            return None, longitude, latitude
        grid = Area.objects.get(pk=int(found.grid_ids[0]))
        if data.grid_code and data.grid_code != grid.code:
            problems.add("grid_code", _("所选网格与位置不符（位置在 %(code)s）") % {"code": grid.code})
        return grid, longitude, latitude
    if data.longitude is not None or data.latitude is not None:
        problems.add("location", _("经度和纬度需同时填写"))
        return None, None, None
    if data.grid_code:
        grid = Area.objects.filter(code=data.grid_code, level=AreaLevel.GRID).first()
        if grid is None:
            problems.add("grid_code", _("网格编码“%(code)s”不存在") % {"code": data.grid_code})
        return grid, None, None
    problems.add("location", _("请提供位置（经纬度）或所在网格"))
    return None, None, None


@dataclass
class CheckedReport:
    data: ReportData
    grid: Area
    longitude: float | None
    latitude: float | None
    category: Category | None
    component_id: int | None


def report_check(origin: Origin, data: ReportData) -> CheckedReport:
    """Validate a report completely (every problem at once); raises RecordInvalid."""
    problems = Problems()
    system = origin.actor_id is None
    if data.source not in Source.values:
        problems.add("source", _("未知的来源“%(source)s”") % {"source": data.source})
    elif system:
        if data.source not in ANONYMOUS_SOURCES and origin.channel != "command":
            problems.add("source", _("该来源需要登录后上报"))
    elif not origin.actor.is_superuser:
        allowed = set().union(*(SOURCES_BY_ROLE.get(role, set()) for role in actor_roles(origin.actor)))
        if data.source not in allowed:
            problems.add("source", _("您的角色不能以“%(source)s”来源上报") % {"source": Source(data.source).label})
    description = (data.description or "").strip()
    if not description:
        problems.add("description", _("请描述问题"))
    elif len(description) > 2000:
        problems.add("description", _("问题描述不能超过 2000 字"))
    data.description = description
    if data.priority not in Priority.values:
        problems.add("priority", _("未知的优先级"))
    if len(data.address) > 200:
        problems.add("address", _("地址不能超过 200 字"))
    if len(data.idempotency_key) > 100:
        problems.add("idempotency_key", _("幂等键不能超过 100 个字符"))
    if data.reporter_phone and not (data.reporter_phone.isdigit() and 7 <= len(data.reporter_phone) <= 15):
        problems.add("reporter_phone", _("联系电话应为 7–15 位数字"))
    if len(data.media_url) > 500:
        problems.add("media_url", _("图片链接不能超过 500 个字符"))
    grid, longitude, latitude = _located(data, problems)
    field_worker = not system and not origin.actor.is_superuser and actor_roles(origin.actor) & FIELD
    if grid is not None and field_worker and not user_scope(origin.actor).covers(grid.code):
        problems.add("location", _("位置不在您负责的网格内"))
    category = None
    if data.category_id is not None:
        category = Category.objects.filter(pk=data.category_id, parent__isnull=False, is_active=True).first()
        if category is None:
            problems.add("category", _("类别不存在或已停用（请选择小类）"))
    component_id = None
    if data.component_code:
        from registry.models import Component

        component = Component.objects.filter(code=data.component_code).values("pk", "grid_id").first()
        if component is None:
            problems.add("component_code", _("部件编码“%(code)s”不存在") % {"code": data.component_code})
        else:
            component_id = component["pk"]
    if data.self_resolved:
        if system or not (origin.actor.is_superuser or actor_roles(origin.actor) & FIELD):
            problems.add("self_resolved", _("只有网格员、网格长或监督员可以自处置上报"))
        if not data.before_photos or not data.after_photos:
            problems.add("photos", _("自处置需同时上传处置前和处置后的照片"))
        if category is None:
            problems.add("category", _("自处置需选择类别"))
    problems.raise_if_any()
    assert grid is not None
    return CheckedReport(data, grid, longitude, latitude, category, component_id)


def case_number_next(moment: dt.datetime) -> str:
    """``YYYYMMDD`` + a 5-digit serial of the (local) day, from a counter row locked for the transaction."""
    day = timezone.localtime(moment).date()
    with transaction.atomic():
        if not CaseCounter.objects.filter(day=day).update(last=F("last") + 1):
            try:
                with transaction.atomic():
                    CaseCounter.objects.create(day=day, last=1)
            except IntegrityError:
                CaseCounter.objects.filter(day=day).update(last=F("last") + 1)
        last = CaseCounter.objects.filter(day=day).values_list("last", flat=True).get()
    return f"{day:%Y%m%d}{last:05d}"


def _replayed_initial(case: Case) -> dict[str, Any]:
    return {name: as_json(getattr(case, name)) for name in REPLAYED_FIELDS if name != "status"}


def _existing(origin: Origin, key: str) -> IntakeResult | None:
    found = Report.objects.filter(idempotency_key=key).values_list("pk", "reported_by_id").first()
    if found is None:
        return None
    if found[1] != origin.actor_id:
        raise Conflict(_("该幂等键已被其他提交使用"), code="idempotency_key_reused")
    report = Report.objects.select_related("case").get(pk=found[0])
    return IntakeResult(report.case, report, created=False)


def report_submit(origin: Origin, data: ReportData) -> IntakeResult:
    """Intake: a report becomes a case in state ``reported`` (or ``self_resolved``). A retried submission with
    the same idempotency key returns the first result and writes nothing."""
    key = data.idempotency_key.strip()
    if key and (found := _existing(origin, key)):
        return found
    checked = report_check(origin, data)
    at = timesource.now()
    try:
        with transaction.atomic():
            result = _intake(origin, checked, at, key or None)
    except IntegrityError:
        if key and (found := _existing(origin, key)):
            return found  # a parallel retry won the race
        raise
    return result


def _intake(origin: Origin, checked: CheckedReport, at: dt.datetime, key: str | None) -> IntakeResult:
    data = checked.data
    category = checked.category
    priority = Priority.URGENT if category and category.default_priority == Priority.URGENT else data.priority
    case = Case(
        number=case_number_next(at),
        status=S.SELF_RESOLVED if data.self_resolved else S.REPORTED,
        source=data.source,
        category=category,
        priority=priority,
        level=CaseLevel.GRID if data.self_resolved else CaseLevel.COMMUNITY,
        description=data.description,
        address=data.address.strip(),
        longitude=checked.longitude,
        latitude=checked.latitude,
        h3_cell=h3.latlng_to_cell(checked.latitude, checked.longitude, H3_RESOLUTION) if checked.latitude else "",
        grid=checked.grid,
        component_id=checked.component_id,
        place_id=data.place_id,
        created_at=at,
        updated_at=at,
    )
    step = Step.CHECK if data.self_resolved else Step.INTAKE
    _changed(case, clock.clock_start(case, step, at))
    if data.self_resolved:
        case.handled_at = at
    case.save()
    report = Report.objects.create(
        case=case,
        source=data.source,
        description=data.description,
        address=case.address,
        longitude=checked.longitude,
        latitude=checked.latitude,
        datum=data.datum if data.longitude is not None else "",
        category=category,
        reporter_name=data.reporter_name.strip()[:64],
        reporter_phone=crypto.encrypt(data.reporter_phone) if data.reporter_phone else "",
        reporter_phone_masked=crypto.mask_phone(data.reporter_phone) if data.reporter_phone else "",
        reported_by_id=origin.actor_id,
        self_resolved=data.self_resolved,
        external_ref=data.external_ref[:64],
        media_url=data.media_url,
        follow_token_hash=data.follow_token_hash,
        notify_reporter=data.notify_reporter and bool(data.reporter_phone),
        idempotency_key=key,
        submission_hash=data.submission_hash,
        created_at=at,
    )
    event = CaseEvent.objects.create(
        case=case,
        at=at,
        actor_id=origin.actor_id,
        action="self_resolve" if data.self_resolved else "report",
        from_status="",
        to_status=case.status,
        reason=data.description[:200],
        payload={"set": _replayed_initial(case), "report": report.pk, "source": data.source},
        channel=origin.channel,
    )
    case._last_event = event  # type: ignore[attr-defined]
    _photos_store(case, PhotoStage.REPORT, data.photos, origin)
    _photos_store(case, PhotoStage.BEFORE, data.before_photos, origin)
    _photos_store(case, PhotoStage.AFTER, data.after_photos, origin)
    transaction.on_commit(lambda: events_publish([event.pk]))
    return IntakeResult(case, report, created=True)


def case_support(origin: Origin, case: Case, data: ReportData) -> IntakeResult:
    """附议 ("me too"): a resident reports an open problem already known. Their report joins the case (and they
    follow it) instead of opening a duplicate; the case counts its supporters."""
    if data.source not in ANONYMOUS_SOURCES:
        raise ValidationFailed(_("只有公众渠道可以附议"), code="record_invalid")
    data.description = (data.description or "").strip()[:2000] or _("我也遇到了这个问题")
    if data.reporter_phone and not (data.reporter_phone.isdigit() and 7 <= len(data.reporter_phone) <= 15):
        raise RecordInvalid([{"field": "reporter_phone", "message": _("联系电话应为 7–15 位数字")}])
    with transaction.atomic():
        supported = _transition(
            origin,
            case,
            "support",
            lambda locked, now: {"supporters": locked.supporters + 1},
            payload={"source": data.source},
            system=True,
        )
        report = Report.objects.create(
            case=supported,
            source=data.source,
            description=data.description,
            reporter_phone=crypto.encrypt(data.reporter_phone) if data.reporter_phone else "",
            reporter_phone_masked=crypto.mask_phone(data.reporter_phone) if data.reporter_phone else "",
            follow_token_hash=data.follow_token_hash,
            notify_reporter=data.notify_reporter and bool(data.reporter_phone),
            created_at=supported.updated_at,
        )
    return IntakeResult(supported, report, created=False)


# --- Intake decisions ------------------------------------------------------------------------------------------
def _category_checked(category: Category | int | None) -> Category | None:
    if category is None or isinstance(category, Category):
        return category
    found = Category.objects.filter(pk=category, parent__isnull=False, is_active=True).first()
    if found is None:
        raise ValidationFailed(
            _("类别不存在或已停用（请选择小类）"),
            code="record_invalid",
            details=[{"field": "category", "message": _("类别不存在或已停用")}],
        )
    return found


def case_accept(
    origin: Origin, case: Case, *, category: Category | int | None = None, reason: str = "", version: int | None = None
) -> Case:
    category = _category_checked(category)

    def change(locked: Case, now: dt.datetime) -> dict[str, Any]:
        return {"category": category} if category else {}

    return _transition(origin, case, "accept", change, reason=reason, version=version)


def case_reject(origin: Origin, case: Case, reason: str, *, version: int | None = None) -> Case:
    reason = _require_reason(reason)
    return _transition(origin, case, "reject", lambda locked, now: clock.clock_stop(), reason=reason, version=version)


def _field_worker(worker: User | int, case: Case) -> User:
    user = worker if isinstance(worker, User) else User.objects.filter(pk=worker, is_active=True).first()
    if user is None or not (actor_roles(user) & FIELD) or not user_scope(user).covers(case.grid.code):
        raise ValidationFailed(
            _("请选择负责该网格的网格员、网格长或监督员"),
            code="record_invalid",
            details=[{"field": "worker", "message": _("该人员不负责此网格")}],
        )
    return user


def case_verify_request(
    origin: Origin, case: Case, worker: User | int, *, reason: str = "", version: int | None = None
) -> Case:
    user = _field_worker(worker, case)

    def change(locked: Case, now: dt.datetime) -> dict[str, Any]:
        return {"assignee": user, **clock.clock_start(locked, Step.VERIFY, now)}

    return _transition(
        origin, case, "verify_request", change, reason=reason, payload={"worker": user.pk}, version=version
    )


def case_verify(
    origin: Origin,
    case: Case,
    *,
    confirmed: bool,
    note: str,
    photos: Sequence[CheckedPhoto] = (),
    version: int | None = None,
) -> Case:
    note = _require_reason(note, "note")

    def change(locked: Case, now: dt.datetime) -> dict[str, Any]:
        if not confirmed:
            return {"assignee": None, **clock.clock_stop()}
        return {"assignee": None, **clock.clock_start(locked, Step.INTAKE, now)}

    with transaction.atomic():
        case = _transition(
            origin, case, "verify_confirm" if confirmed else "verify_deny", change, reason=note, version=version
        )
        _photos_store(case, PhotoStage.VERIFY, photos, origin)
    return case


def case_file(
    origin: Origin,
    case: Case,
    *,
    category: Category | int | None = None,
    priority: str = "",
    level: str = "",
    reason: str = "",
    version: int | None = None,
) -> Case:
    """立案: the case gets its category (required by now), priority and level; the dispatch clock starts."""
    category = _category_checked(category)
    if priority and priority not in Priority.values:
        raise ValidationFailed(
            _("未知的优先级"), code="record_invalid", details=[{"field": "priority", "message": _("未知的优先级")}]
        )
    if level and level not in CaseLevel.values:
        raise ValidationFailed(
            _("未知的层级"), code="record_invalid", details=[{"field": "level", "message": _("未知的层级")}]
        )

    def change(locked: Case, now: dt.datetime) -> dict[str, Any]:
        fields: dict[str, Any] = {}
        if category:
            fields["category"] = category
        if priority:
            fields["priority"] = priority
        elif category and category.default_priority == Priority.URGENT:
            fields["priority"] = Priority.URGENT
        if level:
            fields["level"] = level
        _changed(locked, fields)
        if locked.category is None:
            raise ValidationFailed(_("立案前请选择类别"), code="category_required", details={"field": "category"})
        fields["filed_at"] = now
        fields.update(clock.clock_start(locked, Step.DISPATCH, now))
        return fields

    return _transition(origin, case, "file", change, reason=reason, version=version)


def case_merge(origin: Origin, case: Case, main: Case, *, reason: str = "") -> Case:
    """A duplicate joins its main case: its reports move there and the duplicate ends as ``merged``."""
    if case.pk == main.pk:
        raise ValidationFailed(_("不能与自身合并"), code="merge_into_itself")
    with transaction.atomic():
        first, second = sorted([case.pk, main.pk])
        list(Case.objects.select_for_update().filter(pk__in=[first, second]).order_by("pk"))  # lock both in order
        main_now = Case.objects.get(pk=main.pk)
        if main_now.status in (S.MERGED, S.VOID, S.REJECTED):
            raise Conflict(_("主案卷已合并、作废或不予立案"), code="merge_target_closed")

        def change(locked: Case, now: dt.datetime) -> dict[str, Any]:
            return {"merged_into": main_now, **clock.clock_stop()}

        merged = _transition(origin, case, "merge", change, reason=reason, payload={"main": main_now.number})
        moved = list(Report.objects.filter(case=merged).values_list("pk", flat=True))
        Report.objects.filter(pk__in=moved).update(case=main_now)
        _transition(origin, main_now, "absorb", reason=reason, payload={"duplicate": merged.number, "reports": moved})
    return merged


# --- Dispatch and handling -------------------------------------------------------------------------------------
def _department(department: Department | int, field_name: str = "department") -> Department:
    found = department if isinstance(department, Department) else Department.objects.filter(pk=department).first()
    if found is None or not found.is_active:
        raise ValidationFailed(
            _("部门不存在或已停用"),
            code="record_invalid",
            details=[{"field": field_name, "message": _("部门不存在或已停用")}],
        )
    return found


def case_dispatch(
    origin: Origin,
    case: Case,
    department: Department | int,
    *,
    assists: Iterable[Department | int] = (),
    handle_minutes: int | None = None,
    reason: str = "",
    version: int | None = None,
) -> Case:
    """派遣 to a main department (主办) and optional co-handlers (协办); the handling clock starts."""
    main = _department(department)
    helpers = [_department(item, "assists") for item in assists]
    helpers = [helper for helper in dict.fromkeys(helpers) if helper.pk != main.pk]
    if handle_minutes is not None and not 1 <= handle_minutes <= 60 * 24 * 365:
        raise ValidationFailed(
            _("处置时限无效"),
            code="record_invalid",
            details=[{"field": "handle_minutes", "message": _("处置时限无效")}],
        )

    def change(locked: Case, now: dt.datetime) -> dict[str, Any]:
        CaseAssignment.objects.filter(case=locked, is_active=True).update(is_active=False)
        CaseAssignment.objects.bulk_create(
            [CaseAssignment(case=locked, department=main, role=AssignmentRole.MAIN, assigned_at=now)]
            + [CaseAssignment(case=locked, department=h, role=AssignmentRole.ASSIST, assigned_at=now) for h in helpers]
        )
        fields = {"main_department": main, "dispatched_at": now}
        fields.update(clock.clock_start(locked, Step.HANDLE, now, limit=handle_minutes, department_id=main.pk))
        fields["handle_due_at"] = fields["due_at"]
        return fields

    return _transition(
        origin,
        case,
        "dispatch",
        change,
        reason=reason,
        version=version,
        payload={"department": main.pk, "assists": [helper.pk for helper in helpers]},
    )


def case_accept_task(origin: Origin, case: Case, *, version: int | None = None) -> Case:
    def change(locked: Case, now: dt.datetime) -> dict[str, Any]:
        CaseAssignment.objects.filter(case=locked, is_active=True, department_id=locked.main_department_id).update(
            accepted_at=now
        )
        return {}

    return _transition(origin, case, "accept_task", change, version=version)


def case_report_result(
    origin: Origin, case: Case, note: str, *, photos: Sequence[CheckedPhoto] = (), version: int | None = None
) -> Case:
    """处置反馈: the department reports the result; the command centre then arranges the check (核查)."""
    note = _require_reason(note, "note")

    def change(locked: Case, now: dt.datetime) -> dict[str, Any]:
        return {"handled_at": now, **clock.clock_start(locked, Step.CHECK, now)}

    with transaction.atomic():
        case = _transition(origin, case, "report_result", change, reason=note, version=version)
        _photos_store(case, PhotoStage.AFTER, photos, origin)
    return case


def case_check_request(
    origin: Origin, case: Case, worker: User | int, *, reason: str = "", version: int | None = None
) -> Case:
    user = _field_worker(worker, case)
    return _transition(
        origin,
        case,
        "check_request",
        lambda locked, now: {"assignee": user},
        reason=reason,
        payload={"worker": user.pk},
        version=version,
    )


def case_check(
    origin: Origin,
    case: Case,
    *,
    passed: bool,
    note: str,
    photos: Sequence[CheckedPhoto] = (),
    version: int | None = None,
) -> Case:
    """核查: passed → waits for 结案; failed → 返工, back to the same department with a new handling clock."""
    note = _require_reason(note, "note")

    def change(locked: Case, now: dt.datetime) -> dict[str, Any]:
        if passed:
            return {"assignee": None, **clock.clock_start(locked, Step.CLOSE, now)}
        if locked.main_department_id is None:  # a self-resolved case has no department to go back to
            raise Conflict(_("自处置案卷核查未通过，请作废后重新上报"), code="rework_without_department")
        fields: dict[str, Any] = {"assignee": None, "rework_count": locked.rework_count + 1, "dispatched_at": now}
        fields.update(clock.clock_start(locked, Step.HANDLE, now, department_id=locked.main_department_id))
        fields["handle_due_at"] = fields["due_at"]
        return fields

    with transaction.atomic():
        case = _transition(origin, case, "check_pass" if passed else "rework", change, reason=note, version=version)
        _photos_store(case, PhotoStage.CHECK, photos, origin)
    return case


def case_close(origin: Origin, case: Case, *, reason: str = "", version: int | None = None) -> Case:
    return _transition(
        origin,
        case,
        "close",
        lambda locked, now: {"closed_at": now, **clock.clock_stop()},
        reason=reason,
        version=version,
    )


def case_evaluate(origin: Origin, case: Case, rating: str, *, comment: str = "", channel: str = "") -> Case:
    """评价 after closing (by the reporter or the hotline callback). 不满意 reopens the case by rule."""
    if rating not in Rating.values:
        raise ValidationFailed(
            _("评价只能是满意、基本满意或不满意"),
            code="record_invalid",
            details=[{"field": "rating", "message": _("未知的评价")}],
        )
    is_reporter = case.reports.filter(reported_by_id=origin.actor_id).exists() if origin.actor_id else False
    system = origin.actor_id is None or is_reporter
    with transaction.atomic():
        case = _transition(
            origin,
            case,
            "evaluate",
            lambda locked, now: {"rating": rating},
            reason=comment[:2000],
            payload={"channel": channel},
            system=system,
        )
        if rating == Rating.UNSATISFIED and settings.CASE_REOPEN_ON_UNSATISFIED and case.main_department_id:

            def change(locked: Case, now: dt.datetime) -> dict[str, Any]:
                fields: dict[str, Any] = {
                    "rework_count": locked.rework_count + 1,
                    "closed_at": None,
                    "dispatched_at": now,
                }
                fields.update(clock.clock_start(locked, Step.HANDLE, now, department_id=locked.main_department_id))
                fields["handle_due_at"] = fields["due_at"]
                return fields

            case = _transition(
                Origin(None, "system"), case, "reopen", change, reason=_("评价不满意，按规则重办"), system=True
            )
    return case


# --- Side flows that need approval -----------------------------------------------------------------------------
def case_request_open(
    origin: Origin, case: Case, kind: str, reason: str, *, extra_minutes: int | None = None, version: int | None = None
) -> CaseRequest:
    """A department asks for 延期, 回退 or 挂账; the command centre asks for 作废. One pending request per case."""
    reason = _require_reason(reason)
    if kind not in RequestKind.values:
        raise ValidationFailed(
            _("未知的申请类型"), code="record_invalid", details=[{"field": "kind", "message": _("未知的申请类型")}]
        )
    if kind == RequestKind.EXTEND and not (extra_minutes and 1 <= extra_minutes <= 60 * 24 * 60):
        raise ValidationFailed(
            _("请填写申请延长的时间"),
            code="record_invalid",
            details=[{"field": "extra_minutes", "message": _("请填写申请延长的时间")}],
        )
    action = "request_void" if kind == RequestKind.VOID else "request_open"
    holder: dict[str, CaseRequest] = {}

    def change(locked: Case, now: dt.datetime) -> dict[str, Any]:
        if kind == RequestKind.EXTEND and (locked.light == Light.RED or (locked.due_at and locked.due_at <= now)):
            raise Conflict(_("已超时，不能再申请延期"), code="extension_too_late")
        if CaseRequest.objects.filter(case=locked, status=RequestStatus.PENDING).exists():
            raise Conflict(_("该案卷已有待审批的申请"), code="request_pending")
        holder["request"] = CaseRequest.objects.create(
            case=locked,
            kind=kind,
            requested_by_id=origin.actor_id,
            reason=reason,
            requested_at=now,
            department_id=getattr(origin.actor, "department_id", None),
            extra_minutes=extra_minutes if kind == RequestKind.EXTEND else None,
        )
        return {}

    _transition(
        origin,
        case,
        action,
        change,
        reason=reason,
        version=version,
        payload={"kind": kind, "extra_minutes": extra_minutes},
    )
    return holder["request"]


def case_request_decide(origin: Origin, request: CaseRequest, *, approve: bool, note: str = "") -> Case:
    """值班长/派遣员 approves or refuses. Approval applies the side flow as its own transition."""
    if not approve:
        note = _require_reason(note, "note")
    holder: dict[str, Any] = {}

    def decided(locked: Case, now: dt.datetime) -> None:
        updated = CaseRequest.objects.filter(pk=request.pk, status=RequestStatus.PENDING).update(
            status=RequestStatus.APPROVED if approve else RequestStatus.REFUSED,
            decided_by_id=origin.actor_id,
            decided_at=now,
            decision_note=note,
        )
        if not updated:
            raise Conflict(_("该申请已经审批过"), code="request_decided")
        holder["request"] = request

    payload = {"request": request.pk, "kind": request.kind}
    if not approve:

        def refuse(locked: Case, now: dt.datetime) -> dict[str, Any]:
            decided(locked, now)
            return {}

        return _transition(origin, request.case_id, "request_refuse", refuse, reason=note, payload=payload)

    def change(locked: Case, now: dt.datetime) -> dict[str, Any]:
        decided(locked, now)
        department_id = locked.main_department_id
        if request.kind == RequestKind.EXTEND:
            fields = clock.clock_extend(locked, now, request.extra_minutes or 0, department_id)
            fields["extension_count"] = locked.extension_count + 1
            fields["handle_due_at"] = fields["due_at"]
            return fields
        if request.kind == RequestKind.RETURN:
            CaseAssignment.objects.filter(case=locked, is_active=True).update(is_active=False)
            return {"main_department": None, "handle_due_at": None, **clock.clock_start(locked, Step.DISPATCH, now)}
        if request.kind == RequestKind.SUSPEND:
            return {"resume_status": locked.status, **clock.clock_pause(locked, now, department_id)}
        return clock.clock_stop()

    action = {
        RequestKind.EXTEND: "extend",
        RequestKind.RETURN: "return",
        RequestKind.SUSPEND: "suspend",
        RequestKind.VOID: "void",
    }[request.kind]
    return _transition(origin, request.case_id, action, change, reason=note or request.reason, payload=payload)


def case_resume(origin: Origin, case: Case, *, reason: str = "") -> Case:
    def change(locked: Case, now: dt.datetime) -> dict[str, Any]:
        fields = {"status": locked.resume_status, "resume_status": ""}
        fields.update(clock.clock_resume(locked, now, department_id=locked.main_department_id))
        if locked.step == Step.HANDLE:
            fields["handle_due_at"] = fields["due_at"]
        return fields

    return _transition(origin, case, "resume", change, reason=reason)


# --- Levels, summons and marks ---------------------------------------------------------------------------------
def level_above(level: str) -> str | None:
    position = LEVEL_ORDER.index(CaseLevel(level))
    return LEVEL_ORDER[position + 1] if position + 1 < len(LEVEL_ORDER) else None


def case_escalate(origin: Origin, case: Case, reason: str) -> Case:
    """上报上级: community → street → district (小事不出社区，大事不出街道)."""
    reason = _require_reason(reason)

    def change(locked: Case, now: dt.datetime) -> dict[str, Any]:
        above = level_above(locked.level)
        if above is None:
            raise Conflict(_("案卷已在区级，不能再上报"), code="escalation_at_top")
        return {"level": above}

    return _transition(origin, case, "escalate", change, reason=reason)


def case_summon(origin: Origin, case: Case, departments: Iterable[Department | int], reason: str) -> list[Summons]:
    """吹哨: a street calls departments to a case; each must report (报到) within the configured minutes."""
    reason = _require_reason(reason)
    called = list(dict.fromkeys(_department(item, "departments") for item in departments))
    if not called:
        raise ValidationFailed(
            _("请选择要召集的部门"),
            code="record_invalid",
            details=[{"field": "departments", "message": _("请选择要召集的部门")}],
        )
    rows: list[Summons] = []

    def change(locked: Case, now: dt.datetime) -> dict[str, Any]:
        due = now + dt.timedelta(minutes=settings.CASE_SUMMONS_MINUTES)
        already = set(Summons.objects.filter(case=locked).values_list("department_id", flat=True))
        fresh = [department for department in called if department.pk not in already]
        if not fresh:
            raise Conflict(_("所选部门都已被召集"), code="already_summoned")
        rows.extend(
            Summons.objects.bulk_create(
                [
                    Summons(
                        case=locked, department=department, summoned_by_id=origin.actor_id, summoned_at=now, due_at=due
                    )
                    for department in fresh
                ]
            )
        )
        return {}

    _transition(
        origin, case, "summon", change, reason=reason, payload={"departments": [department.pk for department in called]}
    )
    return rows


def case_summons_confirm(origin: Origin, case: Case) -> Summons:
    holder: dict[str, Summons] = {}

    def change(locked: Case, now: dt.datetime) -> dict[str, Any]:
        summons = Summons.objects.filter(case=locked, department_id=origin.actor.department_id).first()
        if summons is None or summons.confirmed_at:
            raise Conflict(_("没有待报到的吹哨"), code="summons_not_pending")
        summons.confirmed_at, summons.confirmed_by_id = now, origin.actor_id
        summons.light = Light.GREEN if now <= summons.due_at else Light.RED
        summons.save(update_fields=["confirmed_at", "confirmed_by", "light"])
        holder["summons"] = summons
        return {}

    _transition(
        origin, case, "summons_confirm", change, payload={"department": getattr(origin.actor, "department_id", None)}
    )
    return holder["summons"]


def case_urge(origin: Origin, case: Case, reason: str = "") -> Case:
    return _transition(origin, case, "urge", lambda locked, now: {"urge_count": locked.urge_count + 1}, reason=reason)


def case_supervise(origin: Origin, case: Case, level: int, reason: str) -> Case:
    """督办 普通/黄牌/红牌: the level can only rise."""
    reason = _require_reason(reason)
    if level not in (Supervision.NORMAL, Supervision.YELLOW, Supervision.RED):
        raise ValidationFailed(
            _("未知的督办级别"), code="record_invalid", details=[{"field": "level", "message": _("未知的督办级别")}]
        )

    def change(locked: Case, now: dt.datetime) -> dict[str, Any]:
        if level <= locked.supervision:
            raise Conflict(_("案卷已在同级或更高级别督办"), code="supervision_not_higher")
        return {"supervision": level}

    return _transition(origin, case, "supervise", change, reason=reason)


def case_expedite(origin: Origin, case: Case, reason: str) -> Case:
    """加急: urgent from now on; the following steps run in natural time with the urgent limits."""
    reason = _require_reason(reason)

    def change(locked: Case, now: dt.datetime) -> dict[str, Any]:
        if locked.expedited:
            raise Conflict(_("案卷已加急"), code="already_expedited")
        return {"expedited": True, "priority": Priority.URGENT}

    return _transition(origin, case, "expedite", change, reason=reason)


def case_photos_add(origin: Origin, case: Case, stage: str, photos: Sequence[CheckedPhoto]) -> Case:
    if stage not in PhotoStage.values or not photos:
        raise ValidationFailed(
            _("请选择照片和阶段"), code="record_invalid", details=[{"field": "photos", "message": _("请选择照片")}]
        )
    with transaction.atomic():
        case = _transition(origin, case, "photo_add", payload={"stage": stage, "count": len(photos)})
        _photos_store(case, stage, photos, origin)
    return case


def field_workers_of(case: Case) -> list[User]:
    """Grid workers, leaders and supervisors whose scope covers the case's grid (for verify and check tasks)."""
    code = case.grid.code
    prefixes = [code[:length] for length in (6, 9, 12, 15)]
    return list(
        User.objects.filter(is_active=True, groups__name__in=[str(role) for role in FIELD], areas__code__in=prefixes)
        .distinct()
        .order_by("username")
    )
