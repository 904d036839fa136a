"""The periodic deadline job: lights, overdue counts, automatic escalation and supervision, summons lights.

It compares stored instants with now (:mod:`cases.clock` computed them on the working calendar), works in chunks,
locks what it changes (PostgreSQL skips rows another run holds), and writes one ``CaseEvent`` per automatic
action. Safe to run twice or in parallel: a second run finds nothing left to do and writes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from cases.choices import LEVEL_ORDER, CaseAction, CaseLevel, Light, Supervision
from cases.models import Case, Summons
from cases.services.events import event_build, events_save

A = CaseAction
CHUNK = 20000


@dataclass
class SweepResult:
    yellow: int = 0
    red: int = 0
    escalated: int = 0
    summons_red: int = 0

    @property
    def changed(self) -> int:
        return self.yellow + self.red + self.escalated + self.summons_red


def _locked_chunk(queryset: QuerySet, fields: tuple[str, ...]) -> list[tuple]:
    if connection.features.has_select_for_update_skip_locked:
        queryset = queryset.select_for_update(skip_locked=True, of=("self",))
    return list(queryset.order_by().values_list("pk", *fields)[:CHUNK])


def _in_chunks(
    queryset: QuerySet, fields: tuple[str, ...], apply: Callable[[list[tuple], dt.datetime], int], now: dt.datetime
) -> int:
    done = 0
    while True:
        with transaction.atomic():
            rows = _locked_chunk(queryset, fields)
            if not rows:
                return done
            done += apply(rows, now)


# One event to write: the case, its action and the columns that changed.
EventChange = tuple[int, str, dict[str, Any]]


def _events(rows: list[EventChange], now: dt.datetime, *, status_of: dict[int, str]) -> None:
    events_save(
        [
            event_build(
                case_id,
                action,
                now,
                from_status=status_of[case_id],
                to_status=status_of[case_id],
                payload={"set": changes},
            )
            for case_id, action, changes in rows
        ]
    )


def _yellow(rows: list[tuple], now: dt.datetime) -> int:
    ids = [row[0] for row in rows]
    Case.objects.filter(pk__in=ids).update(light=Light.YELLOW)
    _events(
        [(row[0], A.LIGHT_YELLOW, {"light": Light.YELLOW}) for row in rows],
        now,
        status_of={row[0]: row[1] for row in rows},
    )
    return len(rows)


def supervision_after(overdue_count: int, current: int) -> int:
    level = current
    if overdue_count >= settings.CASE_RED_CARD_AFTER:
        level = max(level, Supervision.RED)
    elif overdue_count >= settings.CASE_YELLOW_CARD_AFTER:
        level = max(level, Supervision.YELLOW)
    return level


def _red(rows: list[tuple], now: dt.datetime) -> int:
    groups: dict[tuple[int, int], list[int]] = defaultdict(list)
    changes: list[EventChange] = []
    for case_id, _status, overdue_count, supervision in rows:
        count = overdue_count + 1
        level = supervision_after(count, supervision)
        groups[(count, level)].append(case_id)
        changes.append((case_id, A.OVERDUE, {"light": Light.RED, "overdue_count": count, "supervision": level}))
    for (count, level), ids in groups.items():
        Case.objects.filter(pk__in=ids).update(light=Light.RED, overdue_count=count, supervision=level)
    _events(changes, now, status_of={row[0]: row[1] for row in rows})
    return len(rows)


def _escalate(rows: list[tuple], now: dt.datetime) -> int:
    groups: dict[str, list[int]] = defaultdict(list)
    changes: list[EventChange] = []
    for case_id, _status, level in rows:
        position = LEVEL_ORDER.index(CaseLevel(level))
        above = LEVEL_ORDER[min(position + 1, len(LEVEL_ORDER) - 1)]
        groups[above].append(case_id)
        if above != level:
            changes.append((case_id, A.AUTO_ESCALATE, {"level": above}))
    for new_level, ids in groups.items():
        Case.objects.filter(pk__in=ids).update(level=new_level, escalate_at=None)
    _events(changes, now, status_of={row[0]: row[1] for row in rows})
    return len(changes)


def _summons_red(rows: list[tuple], now: dt.datetime) -> int:
    Summons.objects.filter(pk__in=[row[0] for row in rows]).update(light=Light.RED)
    statuses = dict(Case.objects.filter(pk__in={row[1] for row in rows}).values_list("pk", "status"))
    events_save(
        [
            event_build(
                case_id,
                A.SUMMONS_OVERDUE,
                now,
                from_status=statuses[case_id],
                to_status=statuses[case_id],
                payload={"department": department_id, "summons": pk},
            )
            for pk, case_id, department_id in rows
        ]
    )
    return len(rows)


def deadlines_sweep(now: dt.datetime | None = None) -> SweepResult:
    """One pass over every open case with a running clock. Returns how many rows changed."""
    now = now or timezone.now()
    result = SweepResult()
    result.yellow = _in_chunks(
        Case.objects.filter(light=Light.GREEN, yellow_at__lte=now, due_at__gt=now), ("status",), _yellow, now
    )
    result.red = _in_chunks(
        Case.objects.filter(due_at__lte=now).exclude(light=Light.RED),
        ("status", "overdue_count", "supervision"),
        _red,
        now,
    )
    result.escalated = _in_chunks(Case.objects.filter(escalate_at__lte=now), ("status", "level"), _escalate, now)
    result.summons_red = _in_chunks(
        Summons.objects.filter(confirmed_at__isnull=True, due_at__lte=now).exclude(light=Light.RED),
        ("case_id", "department_id"),
        _summons_red,
        now,
    )
    return result
