"""Side flows that need approval: 延期, 回退, 挂账, 作废 requested, decided; 恢复办理 after 挂账."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from audit.services import Origin
from cases import clock
from cases.choices import (
    CaseAction,
    CaseStatus,
    Light,
    RequestKind,
    RequestStatus,
    Step,
)
from cases.models import Case, CaseAssignment, CaseRequest
from cases.services.base import (
    Change,
    text_checked,
    transition_apply,
)
from cases.workflow import REQUEST_APPROVED, REQUEST_ASKED
from gridgov.errors import Conflict, ValidationFailed

A = CaseAction
S = CaseStatus


def case_request_open(
    origin: Origin, case: Case, kind: str, reason: str, *, extra_minutes: int | None = None, version: int | None = None
) -> CaseRequest:
    """A department asks for 延期, 回退 or 挂账; the command centre asks for 作废. One pending request per case."""
    reason = text_checked(A.REQUEST_OPEN, reason)
    if kind not in RequestKind.values:
        raise ValidationFailed(_("未知的申请类型"), code="record_invalid", details={"field": "kind"})
    if kind == RequestKind.EXTEND and not (extra_minutes and 1 <= extra_minutes <= 60 * 24 * 60):
        raise ValidationFailed(
            _("请填写申请延长的时间"),
            code="record_invalid",
            details={"field": "extra_minutes"},
        )
    action = REQUEST_ASKED[RequestKind(kind)]

    def change(locked: Case, now: dt.datetime) -> Change:
        if kind == RequestKind.EXTEND and (locked.light == Light.RED or (locked.due_at and locked.due_at <= now)):
            raise Conflict(_("已超时，不能再申请延期"), code="extension_too_late")
        if CaseRequest.objects.filter(case=locked, status=RequestStatus.PENDING).exists():
            raise Conflict(_("该案卷已有待审批的申请"), code="request_pending")
        made = CaseRequest.objects.create(
            case=locked,
            kind=kind,
            requested_by=origin.actor,
            reason=reason,
            requested_at=now,
            department_id=origin.actor.department_id,
            extra_minutes=extra_minutes if kind == RequestKind.EXTEND else None,
        )
        return Change(made=made)

    done = transition_apply(
        origin,
        case,
        action,
        change,
        reason=reason,
        version=version,
        payload={"kind": kind, "extra_minutes": extra_minutes},
    )
    request: CaseRequest = done.made
    return request


def case_request_decide(origin: Origin, request: CaseRequest, *, approve: bool, note: str = "") -> Case:
    """值班长/派遣员 approves or refuses. Approval applies the side flow as its own transition."""
    if not approve:
        note = text_checked(A.REQUEST_REFUSE, note)

    def decided(now: dt.datetime) -> None:
        updated = CaseRequest.objects.filter(pk=request.pk, status=RequestStatus.PENDING).update(
            status=RequestStatus.APPROVED if approve else RequestStatus.REFUSED,
            decided_by_id=origin.actor_id,
            decided_at=now,
            decision_note=note,
        )
        if not updated:
            raise Conflict(_("该申请已经审批过"), code="request_decided")

    payload = {"request": request.pk, "kind": request.kind}
    if not approve:

        def refuse(locked: Case, now: dt.datetime) -> dict[str, Any]:
            decided(now)
            return {}

        return transition_apply(origin, request.case_id, A.REQUEST_REFUSE, refuse, reason=note, payload=payload).case

    def change(locked: Case, now: dt.datetime) -> dict[str, Any]:
        decided(now)
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

    action = REQUEST_APPROVED[RequestKind(request.kind)]
    return transition_apply(
        origin, request.case_id, action, change, reason=note or request.reason, payload=payload
    ).case


def case_resume(origin: Origin, case: Case, *, reason: str = "") -> Case:
    def change(locked: Case, now: dt.datetime) -> dict[str, Any]:
        fields = {"status": locked.resume_status, "resume_status": ""}
        fields.update(clock.clock_resume(locked, now, department_id=locked.main_department_id))
        if locked.step == Step.HANDLE:
            fields["handle_due_at"] = fields["due_at"]
        return fields

    return transition_apply(origin, case, A.RESUME, change, reason=reason).case
