"""派遣 to a main department and co-handlers; the handling clock starts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from accounts.models import Department
from audit.services import Origin
from cases import clock
from cases.choices import (
    AssignmentRole,
    CaseAction,
    CaseStatus,
    Step,
)
from cases.models import Case, CaseAssignment
from cases.services.base import (
    department_checked,
    transition_apply,
)
from gridgov.errors import ValidationFailed

A = CaseAction
S = CaseStatus


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
    main = department_checked(department)
    helpers = [department_checked(item, "assists") for item in assists]
    helpers = [helper for helper in dict.fromkeys(helpers) if helper.pk != main.pk]
    if handle_minutes is not None and not 1 <= handle_minutes <= 60 * 24 * 365:
        raise ValidationFailed(
            _("处置时限无效"),
            code="record_invalid",
            details={"field": "handle_minutes"},
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

    return transition_apply(
        origin,
        case,
        A.DISPATCH,
        change,
        reason=reason,
        version=version,
        payload={"department": main.pk, "assists": [helper.pk for helper in helpers]},
    ).case
