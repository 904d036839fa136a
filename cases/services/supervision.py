"""Levels, summons and marks: 上报上级, 吹哨 and 报到, 催办, 督办, 加急."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from accounts.models import Department
from audit.services import Origin
from cases.choices import (
    LEVEL_ORDER,
    CaseAction,
    CaseLevel,
    CaseStatus,
    Light,
    Priority,
    Supervision,
)
from cases.models import Case, Summons
from cases.services.base import (
    Change,
    department_checked,
    text_checked,
    transition_apply,
)
from gridgov.errors import Conflict, ValidationFailed

A = CaseAction
S = CaseStatus


def level_above(level: str) -> str | None:
    position = LEVEL_ORDER.index(CaseLevel(level))
    return LEVEL_ORDER[position + 1] if position + 1 < len(LEVEL_ORDER) else None


def case_escalate(origin: Origin, case: Case, reason: str) -> Case:
    """上报上级: community → street → district (小事不出社区，大事不出街道)."""
    reason = text_checked(A.ESCALATE, reason)

    def change(locked: Case, now: dt.datetime) -> dict[str, Any]:
        above = level_above(locked.level)
        if above is None:
            raise Conflict(_("案卷已在区级，不能再上报"), code="escalation_at_top")
        return {"level": above}

    return transition_apply(origin, case, A.ESCALATE, change, reason=reason).case


def case_summon(origin: Origin, case: Case, departments: Iterable[Department | int], reason: str) -> list[Summons]:
    """吹哨: a street calls departments to a case; each must report (报到) within the configured minutes."""
    reason = text_checked(A.SUMMON, reason)
    called = list(dict.fromkeys(department_checked(item, "departments") for item in departments))
    if not called:
        raise ValidationFailed(
            _("请选择要召集的部门"),
            code="record_invalid",
            details={"field": "departments"},
        )

    def change(locked: Case, now: dt.datetime) -> Change:
        due = now + dt.timedelta(minutes=settings.CASE_SUMMONS_MINUTES)
        already = set(Summons.objects.filter(case=locked).values_list("department_id", flat=True))
        fresh = [department for department in called if department.pk not in already]
        if not fresh:
            raise Conflict(_("所选部门都已被召集"), code="already_summoned")
        rows = Summons.objects.bulk_create(
            [
                Summons(case=locked, department=department, summoned_by=origin.actor, summoned_at=now, due_at=due)
                for department in fresh
            ]
        )
        return Change(made=rows)

    done = transition_apply(
        origin, case, A.SUMMON, change, reason=reason, payload={"departments": [department.pk for department in called]}
    )
    return list(done.made)


def case_summons_confirm(origin: Origin, case: Case) -> Summons:
    def change(locked: Case, now: dt.datetime) -> Change:
        summons = Summons.objects.filter(case=locked, department_id=origin.actor.department_id).first()
        if summons is None or summons.confirmed_at:
            raise Conflict(_("没有待报到的吹哨"), code="summons_not_pending")
        summons.confirmed_at, summons.confirmed_by_id = now, origin.actor_id
        summons.light = Light.GREEN if now <= summons.due_at else Light.RED
        summons.save(update_fields=["confirmed_at", "confirmed_by", "light"])
        return Change(made=summons)

    done = transition_apply(
        origin, case, A.SUMMONS_CONFIRM, change, payload={"department": getattr(origin.actor, "department_id", None)}
    )
    summons: Summons = done.made
    return summons


def case_urge(origin: Origin, case: Case, reason: str = "") -> Case:
    return transition_apply(
        origin, case, A.URGE, lambda locked, now: {"urge_count": locked.urge_count + 1}, reason=reason
    ).case


def case_supervise(origin: Origin, case: Case, level: int, reason: str) -> Case:
    """督办 普通/黄牌/红牌: the level can only rise."""
    reason = text_checked(A.SUPERVISE, reason)
    if level not in (Supervision.NORMAL, Supervision.YELLOW, Supervision.RED):
        raise ValidationFailed(_("未知的督办级别"), code="record_invalid", details={"field": "level"})

    def change(locked: Case, now: dt.datetime) -> dict[str, Any]:
        if level <= locked.supervision:
            raise Conflict(_("案卷已在同级或更高级别督办"), code="supervision_not_higher")
        return {"supervision": level}

    return transition_apply(origin, case, A.SUPERVISE, change, reason=reason).case


def case_expedite(origin: Origin, case: Case, reason: str) -> Case:
    """加急: urgent from now on; the following steps run in natural time with the urgent limits."""
    reason = text_checked(A.EXPEDITE, reason)

    def change(locked: Case, now: dt.datetime) -> dict[str, Any]:
        if locked.expedited:
            raise Conflict(_("案卷已加急"), code="already_expedited")
        return {"expedited": True, "priority": Priority.URGENT}

    return transition_apply(origin, case, A.EXPEDITE, change, reason=reason).case
