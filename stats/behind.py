"""The cases behind a number: the case events that counted for a measure under a set of filters, so that a page
can list them and their count equals the figure it came from.

A fact row is the sum of what events added (:func:`stats.facts.event_facts`), so the events behind a figure are
found the same way: the events of the measure's actions (:data:`stats.facts.MEASURE_ACTIONS`) in the window
(event measures: the event's day; cohort measures ``c_*``: the case's filing day, the event at any time;
``valid_report``: the day the case was reported) are read
with SQL, narrowed by what a case keeps (its grid, its source) and by what could have held at the event (the
categories it had, the departments it was dispatched to, the people who acted on it or reported it); then, where the
event's own figures decide (its category, department or person at that moment, whether it was in time, whether it
was the first close…), the cases are replayed from their event log through ``event_facts`` itself and only the
events whose fact matches are kept. Without such filters the SQL list is the answer and only the shown page is
replayed (for each row's in-time mark and minutes).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from accounts.access import user_scope
from areas.choices import AreaLevel
from areas.models import Area
from cases.models import Case, CaseAssignment, CaseEvent, Report
from stats.facts import MEASURE_ACTIONS, PUBLIC_SOURCES, REPORT_DAY_MEASURES, Delta, Measure, events_replayed
from stats.filters import StatFilter

#: Cases replayed at most for one list; a wider list shows the figure and asks for narrower filters.
REPLAY_LIMIT = 20_000
REPLAY_CHUNK = 1000
#: Measures whose late count (not in time) can be narrowed by the case: a late close had a step overdue.
LATE_NEEDS_OVERDUE = frozenset({Measure.CLOSED, Measure.C_CLOSED})


@dataclass(frozen=True)
class Counted:
    """One event that added one to the measure."""

    event_id: int
    case_id: int
    at: dt.datetime
    on_time: bool | None = None  # None: not replayed (the list's rows beyond the page)
    minutes: float | None = None


class Behind:
    """The events behind a figure, most recent first: a list to page through (``count()`` and slices, as
    Django's paginator reads them). Either the events as SQL gives them (in order, read a page at a time) or a list
    already matched by replay; ``too_many`` when there were more cases to replay than one list may."""

    def __init__(
        self,
        measure: str,
        late: bool,
        *,
        events: QuerySet[CaseEvent] | None = None,
        rows: list[Counted] | None = None,
        too_many: bool = False,
        replayed_cases: int = 0,
    ) -> None:
        self.measure = measure
        self.late = late
        self.events = events.order_by("-at", "-id") if events is not None else None
        self.rows = rows if rows is not None else []
        self.too_many = too_many
        self.replayed_cases = replayed_cases
        self._count: int | None = None

    def count(self) -> int:
        if self._count is None:
            self._count = self.events.count() if self.events is not None else len(self.rows)
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, part: slice) -> list[Counted]:
        if self.events is not None:
            return [
                Counted(pk, case_id, at) for pk, case_id, at in self.events.values_list("pk", "case_id", "at")[part]
            ]
        return self.rows[part]


def fact_count(user: Any, selection: StatFilter, measure: str, *, late: bool = False) -> int:
    """The figure itself: the measure's count in the fact table (not in time only, with ``late``)."""
    totals = selection.facts(user).filter(measure=measure).aggregate(count=Sum("count"), on_time=Sum("on_time"))
    count, on_time = int(totals["count"] or 0), int(totals["on_time"] or 0)
    return count - on_time if late else count


def _scope_grids(user: Any) -> QuerySet[Area] | None:
    """The grids of the viewer's areas (``None``: every grid)."""
    scope = user_scope(user)
    if scope.everything:
        return None
    return Area.objects.filter(scope.q("code"), level=AreaLevel.GRID)


def candidates(user: Any, selection: StatFilter, measure: str, *, late: bool = False) -> QuerySet[CaseEvent]:
    """The events that may have counted: every one that did, and others that a replay tells apart."""
    events = CaseEvent.objects.filter(action__in=MEASURE_ACTIONS[measure])
    start, end = selection.instants()
    if measure in REPORT_DAY_MEASURES:
        events = events.filter(case__created_at__gte=start, case__created_at__lt=end)
    elif measure in Measure.COHORT:
        events = events.filter(
            Q(case__filed_at__gte=start, case__filed_at__lt=end)
            | Q(case__created_at__gte=start, case__created_at__lt=end)
        )
    else:
        events = events.filter(at__gte=start, at__lt=end)
    if selection.grid_ids is not None:
        events = events.filter(case__grid_id__in=selection.grid_ids)
    else:
        events = events.filter(case__in=Case.objects.visible_to(user))
    if selection.source:
        events = events.filter(case__source=selection.source)
    if measure == Measure.PUBLIC_FILED:
        events = events.filter(case__source__in=PUBLIC_SOURCES)
    if selection.category_ids is not None:
        ids = list(selection.category_ids)
        recategorised = CaseEvent.objects.filter(case_id=OuterRef("case_id"), payload__set__category_id__in=ids)
        events = events.filter(Q(case__category_id__in=ids) | Q(Exists(recategorised)))
    if selection.department_ids is not None:
        events = events.filter(
            Exists(
                CaseAssignment.objects.filter(case_id=OuterRef("case_id"), department_id__in=selection.department_ids)
            )
        )
    if selection.person is not None:
        person = selection.person.pk
        events = events.filter(
            Q(actor_id=person)
            | Q(Exists(Report.objects.filter(case_id=OuterRef("case_id"), reported_by_id=person)))
            | Q(Exists(CaseEvent.objects.filter(case_id=OuterRef("case_id"), actor_id=person)))
        )
    if late and measure in LATE_NEEDS_OVERDUE:
        events = events.filter(case__overdue_count__gt=0)
    return events


def _direct(selection: StatFilter, measure: str, late: bool) -> bool:
    """Whether every candidate counted as read (no replay needed): an event measure every event of whose actions
    adds to, on the event's day, without a filter on what changes during a case's life."""
    return (
        measure in Measure.EVENT
        and not late
        and selection.category_ids is None
        and selection.department is None
        and selection.person is None
    )


def replay(case_ids: Sequence[int]) -> Iterator[tuple[int, int, dt.datetime, list[Delta]]]:
    """Every event of the cases, in order, with the facts it added (:func:`stats.facts.events_replayed`)."""
    ordered = sorted(set(case_ids))
    for first in range(0, len(ordered), REPLAY_CHUNK):
        yield from events_replayed(ordered[first : first + REPLAY_CHUNK])


@dataclass(frozen=True)
class _Match:
    """Which facts a figure sums: its measure, window and filters, within the viewer's scope."""

    measure: str
    selection: StatFilter
    late: bool
    scope_grids: frozenset[int] | None  # None: no bound by the viewer's areas
    own_department: int | None

    def of(self, delta: Delta) -> bool:
        (day, grid_id, category_id, source, department_id, person_id, measure), _count, in_time, _minutes = delta
        chosen = self.selection
        if measure != self.measure or not chosen.start <= day <= chosen.end:
            return False
        if self.late and in_time:
            return False
        if chosen.grid_ids is not None and grid_id not in chosen.grid_ids:
            return False
        if chosen.category_ids is not None and category_id not in chosen.category_ids:
            return False
        if chosen.source and source != chosen.source:
            return False
        if chosen.department_ids is not None and department_id not in chosen.department_ids:
            return False
        if chosen.person is not None and person_id != chosen.person.pk:
            return False
        if self.scope_grids is not None and grid_id not in self.scope_grids:
            return self.own_department is not None and department_id == self.own_department
        return True


def _match(user: Any, selection: StatFilter, measure: str, late: bool) -> _Match:
    grids = _scope_grids(user) if selection.grid_ids is None else None
    department = getattr(user, "department_id", None)
    return _Match(
        measure,
        selection,
        late,
        None if grids is None else frozenset(grids.values_list("pk", flat=True)),
        department if grids is not None else None,
    )


def counted_replayed(match: _Match, case_ids: Iterable[int]) -> list[Counted]:
    """The events of ``case_ids`` whose fact matches, with whether each was in time and its minutes."""
    rows = []
    for event_id, case_id, at, deltas in replay(list(case_ids)):
        for delta in deltas:
            if match.of(delta):
                rows.append(Counted(event_id, case_id, at, bool(delta[2]), float(delta[3])))
    return rows


def behind(user: Any, selection: StatFilter, measure: str, *, late: bool = False) -> Behind:
    """The events that counted for ``measure`` under ``selection`` in ``user``'s scope, most recent first."""
    events = candidates(user, selection, measure, late=late)
    match = _match(user, selection, measure, late)
    rows: list[Counted] = []
    if _direct(selection, measure, late):
        if match.scope_grids is None:
            return Behind(measure, late, events=events)
        scope = _scope_grids(user)
        assert scope is not None  # the viewer's areas bound the facts (scope_grids is not None)
        inside = events.filter(case__grid__in=scope)
        outside = events.exclude(case__grid__in=scope)
        replay_ids = set(outside.values_list("case_id", flat=True)) if match.own_department else set()
        if not replay_ids:
            return Behind(measure, late, events=inside)
        rows = [Counted(pk, case_id, at) for pk, case_id, at in inside.values_list("pk", "case_id", "at")]
    else:
        replay_ids = set(events.values_list("case_id", flat=True))
    if len(replay_ids) > REPLAY_LIMIT:
        return Behind(measure, late, too_many=True)
    rows.extend(counted_replayed(match, replay_ids))
    rows.sort(key=lambda row: (row.at, row.event_id), reverse=True)
    return Behind(measure, late, rows=rows, replayed_cases=len(replay_ids))


def rows_annotated(user: Any, selection: StatFilter, found: Behind, rows: Sequence[Counted]) -> list[Counted]:
    """``rows`` (a page of ``found``) with their in-time mark and minutes, replaying the cases not replayed yet."""
    missing = {row.case_id for row in rows if row.on_time is None}
    if not missing:
        return list(rows)
    match = _match(user, selection, found.measure, found.late)
    marks = {row.event_id: row for row in counted_replayed(match, missing)}
    return [marks.get(row.event_id, row) if row.on_time is None else row for row in rows]


def cases_of(rows: Sequence[Counted]) -> dict[int, Case]:
    """The cases of ``rows`` with what a list shows of them (one query)."""
    return Case.objects.select_related("grid", "category__parent", "main_department").in_bulk(
        {row.case_id for row in rows}
    )


def too_many_message(found: Behind) -> str:
    return _("符合条件的案件超过 %(limit)s 件，无法逐条列出；请缩小区域、时间或类别范围。") % {"limit": REPLAY_LIMIT}
