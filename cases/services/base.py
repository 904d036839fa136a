"""The one place that changes a case (DESIGN §5): lock it → check the table in :mod:`cases.workflow` (state, role,
reach) → write the new fields → append one :class:`CaseEvent` whose ``payload["set"]`` holds those fields. Every
stage module calls :func:`transition_apply`; input is validated before any lock is taken.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext as _

from accounts.access import user_scope, users_covering
from accounts.models import Department, User
from audit.services import Origin
from cases.choices import CaseLevel, Priority
from cases.models import Case, CaseEvent, Category
from cases.photos import CheckedPhoto, photo_files_delete, photo_store
from cases.services.events import event_build, events_save
from cases.workflow import FIELD, REPLAYED_FIELDS, TRANSITIONS, actor_roles, as_json, case_state, transition_check
from gridgov import timesource
from gridgov.errors import Conflict, NotFound, Unprocessable, ValidationFailed
from stats.facts import FILE_NEEDS_REPORTER, CaseStatic, EventContext, reporter_of


@dataclass
class Change:
    """What a transition's change function returns when it also made a row (a request, a summons…)."""

    fields: dict[str, Any] = field(default_factory=dict)
    made: Any = None


@dataclass
class Transitioned:
    """The case as written, the event that records it, and what the change made (if anything)."""

    case: Case
    event: CaseEvent
    made: Any = None


ChangeFunction = Callable[[Case, dt.datetime], "dict[str, Any] | Change"]


def fields_set(case: Case, fields: dict[str, Any]) -> None:
    for name, value in fields.items():
        setattr(case, name, value)


def replayable(fields: dict[str, Any]) -> dict[str, Any]:
    """The written fields under their column names (``main_department`` → ``main_department_id``), as JSON."""
    out = {}
    for name, value in fields.items():
        model_field = Case._meta.get_field(name)
        column = model_field.attname if isinstance(model_field, models.Field) else name
        if column in REPLAYED_FIELDS:
            out[column] = as_json(value)
    return out


def transition_apply(
    origin: Origin,
    case: Case | int,
    action: str,
    change: ChangeFunction | None = None,
    *,
    reason: str = "",
    payload: dict[str, Any] | None = None,
    version: int | None = None,
    system: bool = False,
    at: dt.datetime | None = None,
) -> Transitioned:
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
        before = case_state(locked)
        changed = change(locked, now) if change else Change()
        if not isinstance(changed, Change):
            changed = Change(changed)
        fields = changed.fields
        if transition.target and "status" not in fields:
            fields["status"] = transition.target
        fields_set(locked, fields)
        locked.version += 1
        locked.updated_at = now
        locked.save(update_fields=[*fields, "version", "updated_at"])
        event = event_build(
            locked.pk,
            action,
            now,
            from_status=from_status,
            to_status=locked.status,
            payload={"set": replayable(fields), **(payload or {})},
            actor_id=origin.actor_id,
            reason=reason,
            channel=origin.channel,
        )
        events_save([event], {locked.pk: EventContext(before, case_state(locked), case_static(locked, action))})
    return Transitioned(locked, event, changed.made)


def case_static(case: Case, action: str) -> CaseStatic:
    """What the statistics need of a case that never changes (its reporter read only where an action counts it)."""
    reporter = reporter_of(case.pk) if action in FILE_NEEDS_REPORTER else None
    return CaseStatic(case.grid_id, case.source, case.created_at, reporter)


def reason_require(reason: str, field_name: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("请填写理由"), code="reason_required", details={"field": field_name})
    return reason[:2000]


def text_checked(action: str, text: str) -> str:
    """The free text of ``action``: required when the table says so (under its declared field name)."""
    declared = TRANSITIONS[action].input
    if declared.text_required:
        return reason_require(text, declared.text_field)
    return text


# --- Priority: the category's default, or another one with a reason -------------------------------------------
PRIORITY_REASON_MAX = 500


def priority_default(category: Category | None) -> str:
    """The priority a case of ``category`` takes unless someone chooses another (一般 without a category)."""
    return category.default_priority if category else Priority.NORMAL


def priority_problem(chosen: str, default: str, reason: str) -> str:
    """Why a chosen priority is refused (empty when it is not): another than the default needs a reason."""
    if chosen not in Priority.values:
        return _("未知的优先级")
    if chosen != default and not reason.strip():
        return _("所选优先级“%(chosen)s”与类别默认的“%(default)s”不同，请填写理由") % {
            "chosen": Priority(chosen).label,
            "default": Priority(default).label,
        }
    if len(reason.strip()) > PRIORITY_REASON_MAX:
        return _("优先级理由不能超过 %(count)s 字") % {"count": PRIORITY_REASON_MAX}
    return ""


def priority_refused(message: str) -> Unprocessable:
    return Unprocessable(
        message, code="priority_reason_required", details=[{"field": "priority_reason", "message": message}]
    )


def priority_of_classification(
    locked: Case, category: Category | None, priority: str, reason: str, notes: dict[str, Any]
) -> dict[str, Any]:
    """The priority a classification (受理, 立案) writes, never a silent change: with none chosen, a new category
    brings its default and the same category keeps the case's priority; a chosen one other than the category's
    default needs a reason (unless it is already the case's priority under the same category), which ``notes``
    (the event's payload) records."""
    new_category = category or locked.category
    default = priority_default(new_category)
    same_category = new_category is None or new_category.pk == locked.category_id
    if not priority:
        kept = locked.priority if same_category else default
        return {"priority": kept} if kept != locked.priority else {}
    if priority in Priority.values and same_category and priority == locked.priority:
        return {}
    if problem := priority_problem(priority, default, reason):
        if priority not in Priority.values:
            raise ValidationFailed(problem, code="record_invalid", details={"field": "priority"})
        raise priority_refused(problem)
    if priority != default:
        notes["priority_reason"] = reason.strip()
    return {"priority": priority} if priority != locked.priority else {}


def level_checked(level: str) -> None:
    if level and level not in CaseLevel.values:
        raise ValidationFailed(_("未知的层级"), code="record_invalid", details={"field": "level"})


def classification_fields(
    locked: Case, category: Category | None, priority: str, priority_reason: str, level: str, notes: dict[str, Any]
) -> dict[str, Any]:
    """The fields 受理 and 立案 write: the category, the priority (never changed silently) and the level."""
    fields: dict[str, Any] = {"category": category} if category and category.pk != locked.category_id else {}
    fields.update(priority_of_classification(locked, category, priority, priority_reason, notes))
    if level and level != locked.level:
        fields["level"] = level
    return fields


def photos_store(
    case: Case, event: CaseEvent | None, stage: str, photos: Iterable[CheckedPhoto], origin: Origin
) -> None:
    """Store checked photos with the event that brought them; call inside the transaction that wrote the event, so
    a failure leaves neither the event nor any photo."""
    stored = []
    try:
        for photo in photos:
            stored.append(photo_store(case, stage, photo, event=event, user_id=origin.actor_id))
    except BaseException:
        photo_files_delete(stored)
        raise


# --- Checks of what a transition is given ---------------------------------------------------------------------


def category_checked(category: Category | int | None) -> Category | None:
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


def field_worker_checked(worker: User | int, case: Case) -> User:
    user = worker if isinstance(worker, User) else User.objects.filter(pk=worker, is_active=True).first()
    if user is None or not (actor_roles(user) & FIELD) or not user_scope(user).covers(case.grid.code):
        raise ValidationFailed(
            _("请选择负责该网格的网格员、网格长或监督员"),
            code="record_invalid",
            details=[{"field": "worker", "message": _("该人员不负责此网格")}],
        )
    return user


def department_checked(department: Department | int, field_name: str = "department") -> Department:
    found = department if isinstance(department, Department) else Department.objects.filter(pk=department).first()
    if found is None or not found.is_active:
        raise ValidationFailed(
            _("部门不存在或已停用"),
            code="record_invalid",
            details={"field": field_name},
        )
    return found


def field_workers_of(case: Case) -> list[User]:
    """Grid workers, leaders and supervisors whose own areas cover the case's grid (for verify and check tasks)."""
    return list(users_covering(case.grid.code, FIELD, through_department=False).order_by("username"))
