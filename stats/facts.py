"""Facts from case events: what each event counts for, added as events are written, rebuilt from the event log.

Every measure is counted on a day, in the site's time zone:

* **event measures** on the day the event happened (上报, 受理, 立案, 派遣, 处置反馈, 核查, 结案…), each with
  whether it was in time and the minutes it took;
* **cohort measures** (``c_*``) on the day the case was filed (立案, or reported for 自处置): what became of the
  cases filed that day (handled, closed, reworked, extended, voided). A month's 结案率 is then "of the cases
  filed this month, how many are closed", which does not exceed 100 % and does not change with the day the
  report is read, except as cases are closed.

:func:`event_facts` is the one derivation. It reads the event, the case's replayed state before and after it
(:data:`cases.workflow.REPLAYED_FIELDS`) and what never changes on a case (grid, source, received, reporter).
:func:`facts_add` applies it as events are written (called by :func:`cases.services.events.events_save`), and
:func:`facts_from_log` replays the event log through the same function, so a rebuild gives the same rows.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from cases.choices import CaseAction, Rating, Source
from stats.models import StatFact

A = CaseAction

#: Sources whose filed cases are ones the grid's own workers missed (漏报: 公众举报核实数).
PUBLIC_SOURCES = frozenset({Source.HOTLINE, Source.PUBLIC_WEB, Source.OPEN311, Source.MEDIA})
SATISFIED = frozenset({Rating.SATISFIED, Rating.BASICALLY_SATISFIED})

#: The actions that count for something; the others (marks of the clock, photos…) write no fact.
FACT_ACTIONS = frozenset(
    {
        A.REPORT,
        A.SELF_RESOLVE,
        A.ACCEPT,
        A.REJECT,
        A.VERIFY_CONFIRM,
        A.VERIFY_DENY,
        A.FILE,
        A.DISPATCH,
        A.RETURN,
        A.REPORT_RESULT,
        A.CHECK_PASS,
        A.REWORK,
        A.CLOSE,
        A.VOID,
        A.EXTEND,
        A.SUSPEND,
        A.OVERDUE,
        A.EVALUATE,
        A.URGE,
        A.SUPERVISE,
    }
)


#: The actions whose facts name the case's reporter (有效上报数 is counted for the reporter at 立案).
FILE_NEEDS_REPORTER = frozenset({A.FILE})


class Measure:
    """The measures a fact counts (the ``measure`` column). Event measures first, then cohort measures."""

    REPORT = "report"  # 上报数 (person: the reporter)
    SELF_RESOLVED = "self_resolved"  # 自处置数
    ACCEPTED = "accepted"  # 受理数 (on time: within the intake limit)
    REJECTED = "rejected"  # 不予立案数 (不予受理, 核实不属实)
    VERIFIED = "verified"  # 核实数 (on time: within the verify limit)
    FILED = "filed"  # 立案数 (on time: within the intake limit)
    # 有效上报数: a report that was filed, or resolved on the spot (person: the reporter), on the day it was reported
    VALID_REPORT = "valid_report"
    PUBLIC_FILED = "public_filed"  # 公众举报核实数: filed cases from the hotline, the portal, Open311, the media
    DISPATCHED = "dispatched"  # 派遣数 (on time: within the dispatch limit; minutes since filed)
    RETURNED = "returned"  # 回退数 (a wrong dispatch, 准确派遣率)
    HANDLED = "handled"  # 处置反馈数 (on time: by the handling deadline; minutes since dispatched)
    CHECKED = "checked"  # 核查数, passed or not (on time: within the check limit)
    REWORK = "rework"  # 返工数 on the day of the failed check
    CLOSED = "closed"  # 结案数 (on time: no step of the case went overdue; minutes since received)
    VOIDED = "voided"  # 作废数
    EXTENDED = "extended"  # 延期数
    SUSPENDED = "suspended"  # 挂账数
    OVERDUE = "overdue"  # 超时数 (a step went red)
    EVALUATED = "evaluated"  # 评价数 (on time = satisfied or basically satisfied)
    URGED = "urged"  # 催办数
    SUPERVISED = "supervised"  # 督办数
    # Cohort measures, on the day the case was filed.
    C_HANDLED = "c_handled"  # handled (first handling report; 自处置 counts), on time by its deadline
    C_CLOSED = "c_closed"  # closed (first close, not again after 不满意重办), on time when no step went overdue
    C_REWORK = "c_rework"  # each failed check
    C_EXTENDED = "c_extended"  # each approved extension
    C_VOIDED = "c_voided"  # voided after filing (准确立案率)

    EVENT = (
        REPORT,
        SELF_RESOLVED,
        ACCEPTED,
        REJECTED,
        VERIFIED,
        FILED,
        VALID_REPORT,
        PUBLIC_FILED,
        DISPATCHED,
        RETURNED,
        HANDLED,
        CHECKED,
        REWORK,
        CLOSED,
        VOIDED,
        EXTENDED,
        SUSPENDED,
        OVERDUE,
        EVALUATED,
        URGED,
        SUPERVISED,
    )
    COHORT = (C_HANDLED, C_CLOSED, C_REWORK, C_EXTENDED, C_VOIDED)
    ALL = (*EVENT, *COHORT)


#: Measures counted on the day the case was reported, whenever their event happened.
REPORT_DAY_MEASURES = frozenset({Measure.VALID_REPORT})
#: Measures counted on the day the case was filed (or reported, for 自处置).
COHORT_MEASURES = frozenset(Measure.COHORT)

#: The actions behind each event measure (to list the events, and the cases, behind a number).
MEASURE_ACTIONS: dict[str, tuple[str, ...]] = {
    Measure.REPORT: (A.REPORT, A.SELF_RESOLVE),
    Measure.SELF_RESOLVED: (A.SELF_RESOLVE,),
    Measure.ACCEPTED: (A.ACCEPT,),
    Measure.REJECTED: (A.REJECT, A.VERIFY_DENY),
    Measure.VERIFIED: (A.VERIFY_CONFIRM, A.VERIFY_DENY),
    Measure.FILED: (A.FILE,),
    Measure.VALID_REPORT: (A.FILE, A.SELF_RESOLVE),
    Measure.PUBLIC_FILED: (A.FILE,),
    Measure.DISPATCHED: (A.DISPATCH,),
    Measure.RETURNED: (A.RETURN,),
    Measure.HANDLED: (A.REPORT_RESULT,),
    Measure.CHECKED: (A.CHECK_PASS, A.REWORK),
    Measure.REWORK: (A.REWORK,),
    Measure.CLOSED: (A.CLOSE,),
    Measure.VOIDED: (A.VOID,),
    Measure.EXTENDED: (A.EXTEND,),
    Measure.SUSPENDED: (A.SUSPEND,),
    Measure.OVERDUE: (A.OVERDUE,),
    Measure.EVALUATED: (A.EVALUATE,),
    Measure.URGED: (A.URGE,),
    Measure.SUPERVISED: (A.SUPERVISE,),
    Measure.C_HANDLED: (A.REPORT_RESULT, A.SELF_RESOLVE),
    Measure.C_CLOSED: (A.CLOSE,),
    Measure.C_REWORK: (A.REWORK,),
    Measure.C_EXTENDED: (A.EXTEND,),
    Measure.C_VOIDED: (A.VOID,),
}


@dataclass(frozen=True)
class CaseStatic:
    """What does not change on a case: its grid, source, when it was received and who reported it."""

    grid_id: int
    source: str
    created_at: dt.datetime
    reporter_id: int | None


KEY_COLUMNS = ("day", "grid_id", "category_id", "source", "department_id", "person_id", "measure")
#: A fact's key: (day, grid, category, source, department, person, measure).
Key = tuple[dt.date, int, int, str, int, int, str]
#: What one event adds to one fact: (key, count, on_time, minutes).
Delta = tuple[Key, int, int, float]


def local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def _instant(value: Any) -> dt.datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(str(value))


def _minutes(start: Any, end: dt.datetime) -> float:
    began = _instant(start)
    return max((end - began).total_seconds() / 60, 0.0) if began else 0.0


def _in_time(at: dt.datetime, due: Any) -> int:
    """1 when the step ended by its deadline (or had none: an untimed step is never late)."""
    deadline = _instant(due)
    return 1 if deadline is None or at <= deadline else 0


def closed_before(before: Mapping[str, Any]) -> bool:
    """Whether a case about to be closed was closed before. 不满意重办 clears ``closed_at`` but keeps the rating,
    and a rating is only given after 结案, so a case that carries one is being closed again: its cohort counted
    it at its first 结案 (on time or not as that one was), and counts it once."""
    return bool(before.get("closed_at") or before.get("rating"))


def event_facts(
    action: str,
    at: dt.datetime,
    actor_id: int | None,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    static: CaseStatic,
) -> list[Delta]:
    """The facts one event adds. ``before`` and ``after`` are the case's replayed fields around the event."""
    if action not in FACT_ACTIONS:
        return []
    day = local_day(at)
    category = int(after.get("category_id") or before.get("category_id") or 0)
    department = int(after.get("main_department_id") or before.get("main_department_id") or 0)
    actor = actor_id or 0
    out: list[Delta] = []

    def add(measure: str, *, on: dt.date = day, person: int = 0, dept: int = 0, in_time: int = 0, mins: float = 0):
        out.append(((on, static.grid_id, category, static.source, dept, person, measure), 1, in_time, mins))

    filed_day = local_day(_instant(after.get("filed_at")) or static.created_at)
    if action in (A.REPORT, A.SELF_RESOLVE):
        add(Measure.REPORT, person=actor)
        if action == A.SELF_RESOLVE:
            add(Measure.SELF_RESOLVED, person=actor, in_time=1)
            add(Measure.VALID_REPORT, person=actor)
            add(Measure.C_HANDLED, on=local_day(static.created_at), person=actor, in_time=1)
    elif action == A.ACCEPT:
        add(Measure.ACCEPTED, person=actor, in_time=_in_time(at, before.get("due_at")),
            mins=_minutes(static.created_at, at))  # fmt: skip
    elif action in (A.REJECT, A.VERIFY_DENY):
        add(Measure.REJECTED, person=actor)
        if action == A.VERIFY_DENY:
            add(Measure.VERIFIED, person=actor, in_time=_in_time(at, before.get("due_at")))
    elif action == A.VERIFY_CONFIRM:
        add(Measure.VERIFIED, person=actor, in_time=_in_time(at, before.get("due_at")))
    elif action == A.FILE:
        add(Measure.FILED, person=actor, in_time=_in_time(at, before.get("due_at")),
            mins=_minutes(static.created_at, at))  # fmt: skip
        # On the day it was reported, beside its 上报: 有效上报率 compares the reports of one period.
        add(Measure.VALID_REPORT, on=local_day(static.created_at), person=static.reporter_id or 0)
        if static.source in PUBLIC_SOURCES:
            add(Measure.PUBLIC_FILED)
    elif action == A.DISPATCH:
        add(Measure.DISPATCHED, person=actor, dept=department, in_time=_in_time(at, before.get("due_at")),
            mins=_minutes(before.get("filed_at") or static.created_at, at))  # fmt: skip
    elif action == A.RETURN:
        add(Measure.RETURNED, dept=int(before.get("main_department_id") or 0))
    elif action == A.REPORT_RESULT:
        in_time = _in_time(at, before.get("handle_due_at"))
        add(Measure.HANDLED, dept=department, in_time=in_time, mins=_minutes(before.get("dispatched_at"), at))
        if not before.get("handled_at"):
            add(Measure.C_HANDLED, on=filed_day, dept=department, in_time=in_time)
    elif action in (A.CHECK_PASS, A.REWORK):
        add(Measure.CHECKED, person=actor, in_time=_in_time(at, before.get("due_at")))
        if action == A.REWORK:
            add(Measure.REWORK, dept=department)
            add(Measure.C_REWORK, on=filed_day, dept=department)
    elif action == A.CLOSE:
        in_time = 1 if int(after.get("overdue_count") or 0) == 0 else 0
        add(Measure.CLOSED, person=actor, dept=department, in_time=in_time, mins=_minutes(static.created_at, at))
        if not closed_before(before):
            add(Measure.C_CLOSED, on=filed_day, dept=department, in_time=in_time)
    elif action == A.VOID:
        add(Measure.VOIDED, dept=department)
        if before.get("filed_at"):
            add(Measure.C_VOIDED, on=filed_day, dept=department)
    elif action == A.EXTEND:
        add(Measure.EXTENDED, dept=department)
        add(Measure.C_EXTENDED, on=filed_day, dept=department)
    elif action == A.SUSPEND:
        add(Measure.SUSPENDED, dept=department)
    elif action == A.OVERDUE:
        add(Measure.OVERDUE, dept=department)
    elif action == A.EVALUATE:
        add(Measure.EVALUATED, dept=department, in_time=1 if after.get("rating") in SATISFIED else 0)
    elif action == A.URGE:
        add(Measure.URGED, dept=department)
    elif action == A.SUPERVISE:
        add(Measure.SUPERVISED, dept=department)
    return out


def deltas_sum(deltas: Iterable[Delta], into: dict[Key, list[float]] | None = None) -> dict[Key, list[float]]:
    summed: dict[Key, list[float]] = into if into is not None else defaultdict(lambda: [0, 0, 0.0])
    for key, count, in_time, minutes in deltas:
        row = summed[key]
        row[0] += count
        row[1] += in_time
        row[2] += minutes
    return summed


_COLUMNS = "day, grid_id, category_id, source, department_id, person_id, measure, count, on_time, minutes"
_KEY = "day, grid_id, category_id, source, department_id, person_id, measure"


def facts_upsert(summed: Mapping[Key, Sequence[float]]) -> None:
    """Add the summed deltas to the fact table (insert, or add to the row already there), in key order so that
    concurrent writers lock rows in the same order."""
    if not summed:
        return
    table = StatFact._meta.db_table
    rows = [(*key, int(value[0]), int(value[1]), float(value[2])) for key, value in sorted(summed.items())]
    sql = (
        f"INSERT INTO {table} ({_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) "
        f"ON CONFLICT ({_KEY}) DO UPDATE SET count = {table}.count + excluded.count, "
        f"on_time = {table}.on_time + excluded.on_time, minutes = {table}.minutes + excluded.minutes"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


@dataclass(frozen=True)
class EventContext:
    """A case around one event, as the code that wrote the event knew it."""

    before: Mapping[str, Any]
    after: Mapping[str, Any]
    static: CaseStatic


def facts_add(events: Sequence[Any], contexts: Mapping[int, EventContext] | None = None) -> None:
    """Add the facts of newly written events, inside their transaction. ``contexts`` (by event's case) gives the
    states the writer had at hand; cases without one are read (for the periodic job's marks, whose facts need
    only the case as it is now)."""
    counted = [event for event in events if event.action in FACT_ACTIONS]
    if not counted:
        return
    contexts = dict(contexts or {})
    missing = {event.case_id for event in counted if event.case_id not in contexts}
    if missing:
        contexts.update(_contexts_read(missing))
    summed = deltas_sum(
        delta
        for event in counted
        for delta in event_facts(
            event.action,
            event.at,
            event.actor_id,
            contexts[event.case_id].before,
            contexts[event.case_id].after,
            contexts[event.case_id].static,
        )
    )
    facts_upsert(summed)


def _contexts_read(case_ids: set[int]) -> dict[int, EventContext]:
    from cases.models import Case
    from cases.workflow import REPLAYED_FIELDS

    rows = Case.objects.filter(pk__in=case_ids).values("pk", "grid_id", "source", "created_at", *REPLAYED_FIELDS)
    out = {}
    for row in rows:
        static = CaseStatic(row["grid_id"], row["source"], row["created_at"], reporter_of(row["pk"]))
        state = {name: row[name] for name in REPLAYED_FIELDS}
        out[row["pk"]] = EventContext(state, state, static)
    return out


def reporter_of(case_id: int) -> int | None:
    """Who reported a case: the account of its first report (the actor of its first event)."""
    from cases.models import Report

    return Report.objects.filter(case_id=case_id).order_by("id").values_list("reported_by_id", flat=True).first()


# --- The event log, replayed ---------------------------------------------------------------------------------
REPLAY_CHUNK = 2000


def _case_ids(cases: Any, chunk: int) -> Iterator[list[int]]:
    ids = list(cases.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), chunk):
        yield ids[start : start + chunk]


def facts_from_log(cases: Any = None, *, chunk: int = REPLAY_CHUNK) -> dict[Key, list[float]]:
    """The facts of every event of ``cases`` (a queryset; all cases by default), replayed from the event log in
    order through :func:`event_facts`."""
    from cases.models import Case, CaseEvent
    from cases.workflow import REPLAYED_FIELDS

    queryset = cases if cases is not None else Case.objects.all()
    summed: dict[Key, list[float]] = defaultdict(lambda: [0, 0, 0.0])
    for ids in _case_ids(queryset, chunk):
        statics = {
            pk: (grid_id, source, created_at)
            for pk, grid_id, source, created_at in Case.objects.filter(pk__in=ids).values_list(
                "pk", "grid_id", "source", "created_at"
            )
        }
        events = (
            CaseEvent.objects.filter(case_id__in=ids)
            .order_by("case_id", "at", "id")
            .values_list("case_id", "action", "at", "actor_id", "to_status", "payload")
        )
        state: dict[str, Any] = {}
        current = None
        static: CaseStatic | None = None
        for case_id, action, at, actor_id, to_status, payload in events.iterator(chunk_size=5000):
            if case_id != current:
                current, state = case_id, {}
                grid_id, source, created_at = statics[case_id]
                reporter = actor_id if action in (A.REPORT, A.SELF_RESOLVE) else None
                static = CaseStatic(grid_id, source, created_at, reporter)
            before = state
            state = {**state, **{k: v for k, v in (payload or {}).get("set", {}).items() if k in REPLAYED_FIELDS}}
            if to_status:
                state["status"] = to_status
            assert static is not None
            deltas_sum(event_facts(action, at, actor_id, before, state, static), summed)
    return summed


def facts_table(**filters: Any) -> dict[Key, list[float]]:
    """The fact table's rows (filtered by ``filters`` on :class:`StatFact`) in the form :func:`facts_from_log`
    gives, rows of nothing left out."""
    rows = StatFact.objects.filter(**filters).values_list(*KEY_COLUMNS, "count", "on_time", "minutes")
    return {
        (day, grid, category, source, dept, person, measure): [count, on_time, minutes]
        for day, grid, category, source, dept, person, measure, count, on_time, minutes in rows
        if count or on_time or minutes
    }


def facts_rebuild() -> int:
    """Replace the fact table by the facts replayed from the whole event log. Returns the number of rows."""
    summed = facts_from_log()
    with transaction.atomic():
        StatFact.objects.all().delete()
        StatFact.objects.bulk_create(
            (
                StatFact(
                    day=key[0],
                    grid_id=key[1],
                    category_id=key[2],
                    source=key[3],
                    department_id=key[4],
                    person_id=key[5],
                    measure=key[6],
                    count=int(value[0]),
                    on_time=int(value[1]),
                    minutes=float(value[2]),
                )
                for key, value in summed.items()
            ),
            batch_size=5000,
        )
    return len(summed)


def facts_equal(left: Mapping[Key, Sequence[float]], right: Mapping[Key, Sequence[float]]) -> list[str]:
    """Where two sets of facts differ (empty when they agree; minutes to a hundredth of a minute)."""
    problems = []
    for key in sorted(set(left) | set(right), key=str):
        a, b = left.get(key, (0, 0, 0.0)), right.get(key, (0, 0, 0.0))
        if int(a[0]) != int(b[0]) or int(a[1]) != int(b[1]) or abs(float(a[2]) - float(b[2])) > 0.01:
            problems.append(f"{key}: {list(a)} != {list(b)}")
    return problems
