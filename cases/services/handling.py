"""The department at work: 签收, 处置反馈, and photos added along the way."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import Origin
from cases import clock
from cases.choices import (
    CaseAction,
    CaseStatus,
    PhotoStage,
    Step,
)
from cases.models import Case, CaseAssignment
from cases.photos import CheckedPhoto
from cases.services.base import (
    photos_store,
    text_checked,
    transition_apply,
)
from cases.services.checking import case_check_by_rule
from gridgov.errors import ValidationFailed

A = CaseAction
S = CaseStatus


def case_accept_task(origin: Origin, case: Case, *, reason: str = "", version: int | None = None) -> Case:
    """签收: the main department takes the case on (its note, e.g. who goes, is kept on the event)."""
    reason = text_checked(A.ACCEPT_TASK, reason)

    def change(locked: Case, now: dt.datetime) -> dict[str, Any]:
        if locked.main_department_id is not None:
            CaseAssignment.objects.filter(case=locked, is_active=True, department_id=locked.main_department_id).update(
                accepted_at=now
            )
        return {}

    return transition_apply(origin, case, A.ACCEPT_TASK, change, reason=reason, version=version).case


def case_report_result(
    origin: Origin, case: Case, note: str, *, photos: Sequence[CheckedPhoto] = (), version: int | None = None
) -> Case:
    """处置反馈: the department reports the result; the check (核查) then goes to the grid's worker by rule
    (:func:`~cases.services.checking.case_check_by_rule`), or waits for the dispatcher."""
    note = text_checked(A.REPORT_RESULT, note)

    def change(locked: Case, now: dt.datetime) -> dict[str, Any]:
        return {"handled_at": now, **clock.clock_start(locked, Step.CHECK, now)}

    with transaction.atomic():
        done = transition_apply(origin, case, A.REPORT_RESULT, change, reason=note, version=version)
        photos_store(done.case, done.event, PhotoStage.AFTER, photos, origin)
        return case_check_by_rule(done.case)


def case_photos_add(origin: Origin, case: Case, stage: str, photos: Sequence[CheckedPhoto]) -> Case:
    if stage not in PhotoStage.values or not photos:
        raise ValidationFailed(
            _("请选择照片和阶段"), code="record_invalid", details=[{"field": "photos", "message": _("请选择照片")}]
        )
    with transaction.atomic():
        done = transition_apply(origin, case, A.PHOTO_ADD, payload={"stage": stage, "count": len(photos)})
        photos_store(done.case, done.event, stage, photos, origin)
    return done.case
