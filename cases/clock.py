"""The clock of a case's current step: limits, the stored instants of its lights, pause and resume.

A step has a limit L (minutes). Its clock runs from ``step_started_at`` after ``clock_offset_minutes`` already
used (a suspension stops it and banks the time used). The instants are computed once, on the working calendar
(or in natural time for urgent cases), and stored, so the periodic job compares columns and nothing else:

    yellow_at   = when 80 % of L is used
    due_at      = when 100 % of L is used (red)
    escalate_at = when ESCALATE_MULTIPLE × L is used (handling only: the case goes one level up)
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings

from cases.choices import Light, LimitUnit, Priority, Step
from cases.models import Case, Category
from cases.worktime import calendar_for, deadline_after, minutes_between

YELLOW_SHARE = 0.8
DEFAULT_STEP_MINUTES: dict[str, int] = {
    Step.INTAKE: 30,
    Step.VERIFY: 60,
    Step.DISPATCH: 30,
    Step.CHECK: 120,
    Step.CLOSE: 30,
}
URGENT_STEP_MINUTES = 10
DEFAULT_HANDLE_MINUTES = 2 * 60 * 8
CLOCK_FIELDS = (
    "step",
    "step_started_at",
    "step_limit_minutes",
    "natural_time",
    "clock_offset_minutes",
    "yellow_at",
    "due_at",
    "escalate_at",
    "light",
)


def escalate_multiple() -> float:
    return settings.CASE_ESCALATE_TENTHS / 10


def runs_in_natural_time(category: Category | None, priority: str) -> bool:
    if priority == Priority.URGENT:
        return True
    return bool(category and (category.urgent or category.limit_unit == LimitUnit.HOURS))


def step_limit(step: str, category: Category | None, priority: str, department_id: int | None = None) -> int:
    """The limit of ``step`` in minutes (working minutes unless the case runs in natural time)."""
    if step == Step.HANDLE:
        if category is None or not category.handle_limit:
            return DEFAULT_HANDLE_MINUTES
        if category.limit_unit == LimitUnit.WORKING_DAYS:
            return category.handle_limit * calendar_for(department_id).day_minutes
        return category.handle_limit * 60
    if priority == Priority.URGENT or (category and category.urgent):
        return URGENT_STEP_MINUTES
    if category is None:
        return DEFAULT_STEP_MINUTES[step]
    limits: dict[str, int] = {
        Step.INTAKE: category.intake_minutes,
        Step.VERIFY: category.verify_minutes,
        Step.DISPATCH: category.dispatch_minutes,
        Step.CHECK: category.check_minutes,
        Step.CLOSE: category.intake_minutes,
    }
    return limits[step]


def _instants(
    start: dt.datetime, limit: float, offset: float, natural: bool, department_id: int | None, escalates: bool
) -> dict[str, Any]:
    def at(share: float) -> dt.datetime:
        return deadline_after(start, max(0.0, share * limit - offset), natural=natural, department_id=department_id)

    return {
        "yellow_at": at(YELLOW_SHARE),
        "due_at": at(1.0),
        "escalate_at": at(escalate_multiple()) if escalates else None,
    }


def _light_now(fields: dict[str, Any], now: dt.datetime) -> str:
    # Red is left to the periodic job, which counts each overdue step once (cases.deadlines).
    return Light.YELLOW if fields["yellow_at"] <= now else Light.GREEN


def clock_start(
    case: Case,
    step: str,
    now: dt.datetime,
    *,
    limit: float | None = None,
    department_id: int | None = None,
) -> dict[str, Any]:
    """The clock fields for ``step`` starting at ``now`` (department: whose working hours apply)."""
    natural = runs_in_natural_time(case.category, case.priority)
    if limit is None:
        limit = step_limit(step, case.category, case.priority, department_id)
    fields: dict[str, Any] = {
        "step": step,
        "step_started_at": now,
        "step_limit_minutes": int(limit),
        "natural_time": natural,
        "clock_offset_minutes": 0.0,
    }
    fields.update(_instants(now, limit, 0.0, natural, department_id, escalates=step == Step.HANDLE))
    fields["light"] = _light_now(fields, now)
    return fields


def clock_stop() -> dict[str, Any]:
    """No step runs (the case is finished or out of the workflow)."""
    return {
        "step": "",
        "step_started_at": None,
        "step_limit_minutes": None,
        "natural_time": False,
        "clock_offset_minutes": 0.0,
        "yellow_at": None,
        "due_at": None,
        "escalate_at": None,
        "light": Light.NONE,
    }


def clock_pause(case: Case, now: dt.datetime, department_id: int | None = None) -> dict[str, Any]:
    """Suspension (挂账): bank the minutes used so far; the instants are cleared, so no job touches the case."""
    used = case.clock_offset_minutes
    if case.step_started_at is not None:
        used += minutes_between(case.step_started_at, now, natural=case.natural_time, department_id=department_id)
    return {
        "step_started_at": None,
        "clock_offset_minutes": round(used, 3),
        "yellow_at": None,
        "due_at": None,
        "escalate_at": None,
        "light": Light.NONE,
    }


def clock_resume(
    case: Case, now: dt.datetime, *, limit: float | None = None, department_id: int | None = None
) -> dict[str, Any]:
    """Restart the current step's clock at ``now`` with the banked minutes (and a new limit after 延期)."""
    limit = float(limit if limit is not None else case.step_limit_minutes or 0)
    offset = case.clock_offset_minutes
    fields: dict[str, Any] = {"step_started_at": now, "step_limit_minutes": int(limit), "clock_offset_minutes": offset}
    fields.update(_instants(now, limit, offset, case.natural_time, department_id, escalates=case.step == Step.HANDLE))
    fields["light"] = _light_now(fields, now) if case.light != Light.RED or fields["due_at"] > now else Light.RED
    return fields


def clock_extend(case: Case, now: dt.datetime, extra_minutes: int, department_id: int | None = None) -> dict[str, Any]:
    """延期 approved: the step's limit grows; the minutes used so far stay used."""
    running = dict(clock_pause(case, now, department_id))
    paused = Case(
        step=case.step,
        natural_time=case.natural_time,
        clock_offset_minutes=running["clock_offset_minutes"],
        light=Light.GREEN,
    )
    return clock_resume(paused, now, limit=(case.step_limit_minutes or 0) + extra_minutes, department_id=department_id)
