"""立案: the case gets its category, priority and level; the dispatch clock starts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from audit.services import Origin
from cases import clock
from cases.choices import (
    CaseAction,
    CaseLevel,
    CaseStatus,
    Priority,
    Step,
)
from cases.models import Case, Category
from cases.services.base import (
    category_checked,
    fields_set,
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
    level: str = "",
    reason: str = "",
    version: int | None = None,
) -> Case:
    """立案: the case gets its category (required by now), priority and level; the dispatch clock starts."""
    category = category_checked(category)
    if priority and priority not in Priority.values:
        raise ValidationFailed(_("未知的优先级"), code="record_invalid", details={"field": "priority"})
    if level and level not in CaseLevel.values:
        raise ValidationFailed(_("未知的层级"), code="record_invalid", details={"field": "level"})

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
        fields_set(locked, fields)
        if locked.category is None:
            raise ValidationFailed(_("立案前请选择类别"), code="category_required", details={"field": "category"})
        fields["filed_at"] = now
        fields.update(clock.clock_start(locked, Step.DISPATCH, now))
        return fields

    return transition_apply(origin, case, A.FILE, change, reason=reason, version=version).case
