"""Intake: a report becomes a case (or supports one), then 受理, 核实, 不予立案 or 合并 before filing."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import h3
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import user_scope
from accounts.models import User
from accounts.roles import Role
from areas.choices import Datum
from areas.locate import grid_locate_many
from areas.models import Area, AreaLevel
from audit.services import Origin
from cases import clock
from cases.choices import (
    CaseAction,
    CaseLevel,
    CaseStatus,
    PhotoStage,
    Priority,
    Source,
    Step,
)
from cases.models import Case, CaseCounter, Category, Report
from cases.photos import CheckedPhoto
from cases.services.base import (
    category_checked,
    classification_fields,
    field_worker_checked,
    fields_set,
    level_checked,
    photos_store,
    priority_default,
    priority_problem,
    priority_refused,
    text_checked,
    transition_apply,
)
from cases.services.events import event_build, events_save
from cases.workflow import FIELD, REPLAYED_FIELDS, actor_roles, as_json
from gridgov import crypto, timesource
from gridgov.errors import Conflict, Problems, RecordInvalid, Unprocessable, ValidationFailed
from gridgov.phones import is_phone
from registry.models import Component
from stats.facts import CaseStatic, EventContext

A = CaseAction
S = CaseStatus


H3_RESOLUTION = 9


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


ANONYMOUS_SOURCES = {Source.PUBLIC_WEB, Source.OPEN311, Source.SENSOR, Source.HOTLINE}


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
    priority: str = ""  # empty: the category's default (services.base.priority_default)
    priority_reason: str = ""  # required for a priority other than the default
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
        named = Area.objects.filter(code=data.grid_code, level=AreaLevel.GRID).first()
        if named is None:
            problems.add("grid_code", _("网格编码“%(code)s”不存在") % {"code": data.grid_code})
        return named, None, None
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
    priority: str


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
    if data.priority and data.priority not in Priority.values:
        problems.add("priority", _("未知的优先级"))
    if len(data.address) > 200:
        problems.add("address", _("地址不能超过 200 字"))
    if len(data.idempotency_key) > 100:
        problems.add("idempotency_key", _("幂等键不能超过 100 个字符"))
    if data.reporter_phone and not is_phone(data.reporter_phone):
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
    priority = data.priority or priority_default(category)
    if priority in Priority.values and (problem := priority_problem(priority, priority_default(category),
                                                                   data.priority_reason)):  # fmt: skip
        problems.add("priority_reason", problem)
    component_id = None
    if data.component_code:
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
    if [problem["field"] for problem in problems.items] == ["priority_reason"]:
        raise priority_refused(problems.items[0]["message"])  # the rest is right: only the reason is missing
    problems.raise_if_any()
    assert grid is not None
    return CheckedReport(data, grid, longitude, latitude, category, component_id, priority)


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


#: What a submission says, for its digest (:func:`submission_digest`).
SUBMITTED_FIELDS = (
    "source",
    "description",
    "longitude",
    "latitude",
    "datum",
    "address",
    "grid_code",
    "category_id",
    "priority",
    "priority_reason",
    "reporter_name",
    "reporter_phone",
    "self_resolved",
    "component_code",
    "place_id",
)


def submission_digest(data: ReportData) -> str:
    """A digest of everything a submission says, its photos by their SHA-256: kept beside its idempotency key, so
    that the key sent again with something else is refused. Keyed (HMAC), so the phone in it cannot be guessed
    back from the stored digest."""
    document: dict[str, Any] = {name: getattr(data, name) for name in SUBMITTED_FIELDS}
    for stage in ("photos", "before_photos", "after_photos"):
        document[stage] = [hashlib.sha256(photo.content).hexdigest() for photo in getattr(data, stage)]
    return crypto.keyed_digest(json.dumps(document, sort_keys=True, ensure_ascii=False, default=str).encode())


def _existing(origin: Origin, key: str, digest: str) -> IntakeResult | None:
    found = Report.objects.filter(idempotency_key=key).values_list("pk", "reported_by_id", "submission_hash").first()
    if found is None:
        return None
    if found[1] != origin.actor_id:
        raise Conflict(_("该幂等键已被其他提交使用"), code="idempotency_key_reused")
    if found[2] and found[2] != digest:
        raise Unprocessable(
            _("这份上报已经提交过，且内容与首次提交不同；如需再报一件，请重新打开上报页面"),
            code="idempotency_key_reused",
        )
    report = Report.objects.select_related("case").get(pk=found[0])
    return IntakeResult(report.case, report, created=False)


def report_submit(origin: Origin, data: ReportData) -> IntakeResult:
    """Intake: a report becomes a case in state ``reported`` (or ``self_resolved``). A retried submission with
    the same idempotency key returns the first result and writes nothing; the key with another submission is
    refused (``idempotency_key_reused``)."""
    key = data.idempotency_key.strip()
    if key and not data.submission_hash:
        data.submission_hash = submission_digest(data)
    if key and (found := _existing(origin, key, data.submission_hash)):
        return found
    checked = report_check(origin, data)
    at = timesource.now()
    try:
        with transaction.atomic():
            result = _intake(origin, checked, at, key or None)
    except IntegrityError:
        if key and (found := _existing(origin, key, data.submission_hash)):
            return found  # a parallel retry won the race
        raise
    return result


def _intake(origin: Origin, checked: CheckedReport, at: dt.datetime, key: str | None) -> IntakeResult:
    data = checked.data
    category = checked.category
    priority = checked.priority
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
    fields_set(case, clock.clock_start(case, step, at))
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
    event = event_build(
        case.pk,
        A.SELF_RESOLVE if data.self_resolved else A.REPORT,
        at,
        from_status="",
        to_status=case.status,
        payload={
            "set": _replayed_initial(case),
            "report": report.pk,
            "source": data.source,
            **({"priority_reason": data.priority_reason.strip()} if priority != priority_default(category) else {}),
        },
        actor_id=origin.actor_id,
        reason=data.description[:200],
        channel=origin.channel,
    )
    after = {**event.payload["set"], "status": case.status}
    static = CaseStatic(case.grid_id, case.source, case.created_at, origin.actor_id)
    events_save([event], {case.pk: EventContext({}, after, static)})
    photos_store(case, event, PhotoStage.REPORT, data.photos, origin)
    photos_store(case, event, PhotoStage.BEFORE, data.before_photos, origin)
    photos_store(case, event, PhotoStage.AFTER, data.after_photos, origin)
    return IntakeResult(case, report, created=True)


def case_support(origin: Origin, case: Case, data: ReportData) -> IntakeResult:
    """附议 ("me too"): a resident reports an open problem already known. Their report joins the case (and they
    follow it) instead of opening a duplicate; the case counts its supporters."""
    if data.source not in ANONYMOUS_SOURCES:
        raise ValidationFailed(_("只有公众渠道可以附议"), code="record_invalid")
    data.description = (data.description or "").strip()[:2000] or _("我也遇到了这个问题")
    if data.reporter_phone and not is_phone(data.reporter_phone):
        raise RecordInvalid([{"field": "reporter_phone", "message": _("联系电话应为 7–15 位数字")}])
    with transaction.atomic():
        supported = transition_apply(
            origin,
            case,
            A.SUPPORT,
            lambda locked, now: {"supporters": locked.supporters + 1},
            payload={"source": data.source},
            system=True,
        ).case
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


def case_accept(
    origin: Origin,
    case: Case,
    *,
    category: Category | int | None = None,
    priority: str = "",
    priority_reason: str = "",
    level: str = "",
    reason: str = "",
    version: int | None = None,
) -> Case:
    """受理, classifying the case as 立案 does (a priority other than the category's default needs a reason)."""
    category = category_checked(category)
    level_checked(level)
    notes: dict[str, Any] = {}  # the event's payload: the reason of a priority other than the default

    def change(locked: Case, now: dt.datetime) -> dict[str, Any]:
        return classification_fields(locked, category, priority, priority_reason, level, notes)

    return transition_apply(origin, case, A.ACCEPT, change, reason=reason, payload=notes, version=version).case


def case_reject(origin: Origin, case: Case, reason: str, *, version: int | None = None) -> Case:
    reason = text_checked(A.REJECT, reason)
    return transition_apply(
        origin, case, A.REJECT, lambda locked, now: clock.clock_stop(), reason=reason, version=version
    ).case


def case_verify_request(
    origin: Origin, case: Case, worker: User | int, *, reason: str = "", version: int | None = None
) -> Case:
    user = field_worker_checked(worker, case)

    def change(locked: Case, now: dt.datetime) -> dict[str, Any]:
        return {"assignee": user, **clock.clock_start(locked, Step.VERIFY, now)}

    return transition_apply(
        origin, case, A.VERIFY_REQUEST, change, reason=reason, payload={"worker": user.pk}, version=version
    ).case


def case_verify(
    origin: Origin,
    case: Case,
    *,
    confirmed: bool,
    note: str,
    photos: Sequence[CheckedPhoto] = (),
    version: int | None = None,
) -> Case:
    action = A.VERIFY_CONFIRM if confirmed else A.VERIFY_DENY
    note = text_checked(action, note)

    def change(locked: Case, now: dt.datetime) -> dict[str, Any]:
        if not confirmed:
            return {"assignee": None, **clock.clock_stop()}
        return {"assignee": None, **clock.clock_start(locked, Step.INTAKE, now)}

    with transaction.atomic():
        done = transition_apply(origin, case, action, change, reason=note, version=version)
        photos_store(done.case, done.event, PhotoStage.VERIFY, photos, origin)
    return done.case


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

        merged = transition_apply(origin, case, A.MERGE, change, reason=reason, payload={"main": main_now.number}).case
        moved = list(Report.objects.filter(case=merged).values_list("pk", flat=True))
        Report.objects.filter(pk__in=moved).update(case=main_now)
        transition_apply(
            origin, main_now, A.ABSORB, reason=reason, payload={"duplicate": merged.number, "reports": moved}
        )
    return merged
