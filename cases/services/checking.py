"""After handling: 派发核查, 核查 (pass or 返工), 结案 and 评价 (不满意 reopens by rule)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, OuterRef, Subquery
from django.utils.translation import gettext as _

from accounts.access import users_covering
from accounts.models import User
from accounts.roles import Role
from audit.services import Origin
from cases import clock
from cases.choices import (
    CaseAction,
    CaseStatus,
    PhotoStage,
    Rating,
    Step,
)
from cases.models import Case
from cases.photos import CheckedPhoto
from cases.services.base import (
    field_worker_checked,
    photos_store,
    text_checked,
    transition_apply,
)
from gridgov.errors import Conflict, ValidationFailed

A = CaseAction
S = CaseStatus


def case_check_request(
    origin: Origin, case: Case, worker: User | int, *, reason: str = "", version: int | None = None
) -> Case:
    """派发核查 to a field worker covering the grid, or 改派 while 核查中 (the check then goes to another one)."""
    user = field_worker_checked(worker, case)
    return transition_apply(
        origin,
        case,
        A.CHECK_REQUEST,
        lambda locked, now: {"assignee": user},
        reason=reason,
        payload={"worker": user.pk},
        version=version,
    ).case


def check_worker_by_rule(case: Case) -> User | None:
    """The grid worker a check goes to by rule: of the grid workers whose own areas cover the case's grid, the one
    with the fewest open tasks (核实, 核查), then by user name; None when no grid worker covers it."""
    open_tasks = (
        Case.objects.filter(assignee=OuterRef("pk"), status__in=[S.VERIFYING, S.CHECKING])
        .order_by()
        .values("assignee")
        .annotate(total=Count("pk"))
        .values("total")
    )
    covering = users_covering(case.grid.code, {Role.GRID_WORKER}, through_department=False).values("pk")
    return (
        User.objects.filter(pk__in=covering)
        .annotate(open_tasks=Subquery(open_tasks))
        .order_by(F("open_tasks").asc(nulls_first=True), "username")
        .first()
    )


def case_check_by_rule(case: Case) -> Case:
    """After 处置反馈: where the case's category says so, the system hands the check (核查) at once to the grid
    worker of :func:`check_worker_by_rule`. Otherwise, or with no grid worker covering the grid, the case waits
    for the dispatcher's 派发核查."""
    if case.status != S.HANDLED or case.category is None or not case.category.check_by_rule:
        return case
    worker = check_worker_by_rule(case)
    if worker is None:
        return case
    return transition_apply(
        Origin(None, "system"),
        case,
        A.CHECK_REQUEST,
        lambda locked, now: {"assignee": worker},
        reason=_("按规则派给网格员%(name)s") % {"name": worker},
        payload={"worker": worker.pk, "by_rule": True},
        system=True,
    ).case


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
    action = A.CHECK_PASS if passed else A.REWORK
    note = text_checked(action, note)

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
        done = transition_apply(origin, case, action, change, reason=note, version=version)
        photos_store(done.case, done.event, PhotoStage.CHECK, photos, origin)
    return done.case


def case_close(origin: Origin, case: Case, *, reason: str = "", version: int | None = None) -> Case:
    return transition_apply(
        origin,
        case,
        A.CLOSE,
        lambda locked, now: {"closed_at": now, **clock.clock_stop()},
        reason=reason,
        version=version,
    ).case


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
        case = transition_apply(
            origin,
            case,
            A.EVALUATE,
            lambda locked, now: {"rating": rating},
            reason=comment[:2000],
            payload={"channel": channel},
            system=system,
        ).case
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

            case = transition_apply(
                Origin(None, "system"), case, A.REOPEN, change, reason=_("评价不满意，按规则重办"), system=True
            ).case
    return case
