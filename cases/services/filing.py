"""立案: the case gets its category, priority and level; the dispatch clock starts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from audit.services import Origin
from cases import clock
from cases.choices import CaseAction, CaseStatus, Step
from cases.models import Case, Category
from cases.services.base import (
    category_checked,
    classification_fields,
    fields_set,
    level_checked,
    transition_apply,
)
from gridgov.errors import ValidationFailed

A = CaseAction
S = CaseStatus


def case_file(
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
    """立案: the case gets its category (required by now), priority and level; the dispatch clock starts. A
    priority other than the category's default needs ``priority_reason`` (:func:`priority_of_classification`)."""
    category = category_checked(category)
    level_checked(level)
    notes: dict[str, Any] = {}  # the event's payload: the reason of a priority other than the default

    def change(locked: Case, now: dt.datetime) -> dict[str, Any]:
        fields = classification_fields(locked, category, priority, priority_reason, level, notes)
        fields_set(locked, fields)
        if locked.category is None:
            raise ValidationFailed(_("立案前请选择类别"), code="category_required", details={"field": "category"})
        fields["filed_at"] = now
        fields.update(clock.clock_start(locked, Step.DISPATCH, now))
        return fields

    return transition_apply(origin, case, A.FILE, change, reason=reason, payload=notes, version=version).case
