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
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import TextField
from django.db.models.functions import Cast
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


def local_day(moment: dt.datetime, zone: dt.tzinfo | None = None) -> dt.date:
    """The day of ``moment`` (aware) in the site's time zone (``zone``: that zone, read once by a caller of many)."""
    return moment.astimezone(zone or timezone.get_current_timezone()).date()


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
    zone: dt.tzinfo | None = None,
) -> list[Delta]:
    """The facts one event adds. ``before`` and ``after`` are the case's replayed fields around the event
    (``zone``: the site's time zone, which a replay of many events reads once)."""
    if action not in FACT_ACTIONS:
        return []
    zone = zone or timezone.get_current_timezone()
    day = local_day(at, zone)
    category = int(after.get("category_id") or before.get("category_id") or 0)
    department = int(after.get("main_department_id") or before.get("main_department_id") or 0)
    actor = actor_id or 0
    out: list[Delta] = []

    def add(measure: str, *, on: dt.date = day, person: int = 0, dept: int = 0, in_time: int = 0, mins: float = 0):
        out.append(((on, static.grid_id, category, static.source, dept, person, measure), 1, in_time, mins))

    def filed_day() -> dt.date:  # the cohort's day: filed, or received for 自处置
        return local_day(_instant(after.get("filed_at")) or static.created_at, zone)

    if action in (A.REPORT, A.SELF_RESOLVE):
        add(Measure.REPORT, person=actor)
        if action == A.SELF_RESOLVE:
            add(Measure.SELF_RESOLVED, person=actor, in_time=1)
            add(Measure.VALID_REPORT, person=actor)
            add(Measure.C_HANDLED, on=local_day(static.created_at, zone), person=actor, in_time=1)
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
            add(Measure.C_HANDLED, on=filed_day(), dept=department, in_time=in_time)
    elif action in (A.CHECK_PASS, A.REWORK):
        add(Measure.CHECKED, person=actor, in_time=_in_time(at, before.get("due_at")))
        if action == A.REWORK:
            add(Measure.REWORK, dept=department)
            add(Measure.C_REWORK, on=filed_day(), dept=department)
    elif action == A.CLOSE:
        in_time = 1 if int(after.get("overdue_count") or 0) == 0 else 0
        add(Measure.CLOSED, person=actor, dept=department, in_time=in_time, mins=_minutes(static.created_at, at))
        if not closed_before(before):
            add(Measure.C_CLOSED, on=filed_day(), dept=department, in_time=in_time)
    elif action == A.VOID:
        add(Measure.VOIDED, dept=department)
        if before.get("filed_at"):
            add(Measure.C_VOIDED, on=filed_day(), dept=department)
    elif action == A.EXTEND:
        add(Measure.EXTENDED, dept=department)
        add(Measure.C_EXTENDED, on=filed_day(), dept=department)
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
    concurrent writers lock rows in the same order. One statement for the few rows of an event (a statement per
    batch of rows for a rebuild's chunk on SQLite)."""
    if not summed:
        return
    table = StatFact._meta.db_table
    rows = [(*key, int(value[0]), int(value[1]), float(value[2])) for key, value in sorted(summed.items())]
    batch = max(1, (connection.features.max_query_params or 10_000) // 10)  # 10 values a row
    update = (
        f"ON CONFLICT ({_KEY}) DO UPDATE SET count = {table}.count + excluded.count, "
        f"on_time = {table}.on_time + excluded.on_time, minutes = {table}.minutes + excluded.minutes"
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            part = rows[start : start + batch]
            values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"] * len(part))
            cursor.execute(
                f"INSERT INTO {table} ({_COLUMNS}) VALUES {values} {update}", [value for row in part for value in row]
            )


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
        reporting = {event.case_id for event in counted if event.action in FILE_NEEDS_REPORTER}
        contexts.update(_contexts_read(missing, reporting))
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


def _contexts_read(case_ids: set[int], reporting: set[int]) -> dict[int, EventContext]:
    """The cases as they are now; their reporters only for those of ``reporting`` (the marks of the deadline job,
    the usual readers, count nothing for the reporter)."""
    from cases.models import Case
    from cases.workflow import REPLAYED_FIELDS

    rows = Case.objects.filter(pk__in=case_ids).values("pk", "grid_id", "source", "created_at", *REPLAYED_FIELDS)
    out = {}
    for row in rows:
        reporter = reporter_of(row["pk"]) if row["pk"] in reporting else None
        static = CaseStatic(row["grid_id"], row["source"], row["created_at"], reporter)
        state = {name: row[name] for name in REPLAYED_FIELDS}
        out[row["pk"]] = EventContext(state, state, static)
    return out


def reporter_of(case_id: int) -> int | None:
    """Who reported a case: the actor of its first event (上报 or 自处置), as the replay of the event log reads it.
    Not its first ``Report``: a merge (合并) moves a duplicate's reports to the main case, and an older duplicate's
    report would then come first. The case's first event alone is read (the index on case and time; a filter on
    the action would let the database scan every report of the site)."""
    from cases.models import CaseEvent

    table = CaseEvent._meta.db_table
    with connection.cursor() as cursor:  # the one query of an intake step, written out: no ORM work on the path
        cursor.execute(f"SELECT action, actor_id FROM {table} WHERE case_id = %s ORDER BY at, id LIMIT 1", [case_id])
        first = cursor.fetchone()
    return first[1] if first is not None and first[0] in (A.REPORT, A.SELF_RESOLVE) else None


# --- The event log, replayed ---------------------------------------------------------------------------------
#: Cases replayed at a time: their events are read in one query and summed in memory.
REPLAY_CHUNK = 2000
#: Cases a rebuild replays before it writes what they add (its memory is that of one chunk, whatever the log).
REBUILD_CHUNK = 20_000


def events_replayed(
    case_ids: Sequence[int], *, contiguous: bool = False
) -> Iterator[tuple[int, int, dt.datetime, list[Delta]]]:
    """Every event of the cases ``case_ids`` (sorted), in order, with the facts it adds: (event id, case id, at,
    deltas), each case's events replayed through :func:`event_facts`. ``contiguous``: the ids are every case id
    from the first to the last, which a range selects more cheaply."""
    from cases.models import Case, CaseEvent
    from cases.workflow import REPLAYED_FIELDS

    if not case_ids:
        return
    replayed = frozenset(REPLAYED_FIELDS)
    zone = timezone.get_current_timezone()
    first, last = case_ids[0], case_ids[-1]
    cases_of = {"pk__gte": first, "pk__lte": last} if contiguous else {"pk__in": case_ids}
    events_of = {"case_id__gte": first, "case_id__lte": last} if contiguous else {"case_id__in": case_ids}
    statics = {
        pk: (grid_id, source, created_at)
        for pk, grid_id, source, created_at in Case.objects.filter(**cases_of).values_list(
            "pk", "grid_id", "source", "created_at"
        )
    }
    # The instant and the payload as text, parsed here: millions of rows read faster than through the database
    # driver's and the JSON field's conversions.
    events = (
        CaseEvent.objects.filter(**events_of)
        .order_by("case_id", "at", "id")
        .annotate(at_text=Cast("at", TextField()), payload_text=Cast("payload", TextField()))
        .values_list("pk", "case_id", "action", "at_text", "actor_id", "to_status", "payload_text")
    )
    state: dict[str, Any] = {}
    current = None
    static: CaseStatic | None = None
    for pk, case_id, action, at_text, actor_id, to_status, payload in events.iterator(chunk_size=5000):
        if case_id != current:
            current, state = case_id, {}
            grid_id, source, created_at = statics[case_id]
            reporter = actor_id if action in (A.REPORT, A.SELF_RESOLVE) else None
            static = CaseStatic(grid_id, source, created_at, reporter)
        before = state  # never changed below: each change makes a new state
        written = json.loads(payload).get("set") if payload else None
        if written:
            state = {**state, **{k: v for k, v in written.items() if k in replayed}}
            if to_status:
                state["status"] = to_status
        elif to_status and state.get("status") != to_status:
            state = {**state, "status": to_status}
        if action in FACT_ACTIONS:
            assert static is not None
            at = dt.datetime.fromisoformat(at_text)
            at = at if at.tzinfo else at.replace(tzinfo=dt.UTC)  # SQLite keeps UTC without its offset
            yield pk, case_id, at, event_facts(action, at, actor_id, before, state, static, zone)


def facts_from_log_chunks(cases: Any = None, *, chunk: int = REPLAY_CHUNK) -> Iterator[dict[Key, list[float]]]:
    """The facts of the events of ``cases`` (a queryset; all cases by default), ``chunk`` cases at a time (see
    :func:`events_replayed`). A key may come in several chunks."""
    from cases.models import Case

    everything = cases is None
    ids = list((Case.objects.all() if everything else cases).order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), chunk):
        summed: dict[Key, list[float]] = defaultdict(lambda: [0, 0, 0.0])
        for _pk, _case, _at, deltas in events_replayed(ids[start : start + chunk], contiguous=everything):
            deltas_sum(deltas, summed)
        yield summed


def facts_from_log(cases: Any = None, *, chunk: int = REPLAY_CHUNK) -> dict[Key, list[float]]:
    """The facts of every event of ``cases`` (a queryset; all cases by default), replayed from the event log in
    order through :func:`event_facts`."""
    summed: dict[Key, list[float]] = defaultdict(lambda: [0, 0, 0.0])
    for part in facts_from_log_chunks(cases, chunk=chunk):
        for key, (count, in_time, minutes) in part.items():
            row = summed[key]
            row[0] += count
            row[1] += in_time
            row[2] += minutes
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


def facts_rebuild(*, chunk: int = REBUILD_CHUNK) -> int:
    """Replace the fact table by the facts replayed from the whole event log, in one transaction, ``chunk`` cases
    at a time (the memory it needs is that of a chunk). Returns the number of rows.

    The table is emptied first: on PostgreSQL with TRUNCATE, whose lock makes the events written meanwhile wait
    for the rebuild to commit (so each event is counted once, by the rebuild or after it); each chunk's facts go to
    a temporary table by COPY, summed into the fact table by one INSERT at the end. On SQLite (whose writers wait
    for the rebuild's transaction anyway), each chunk is added with the additive upsert."""
    table = StatFact._meta.db_table
    with transaction.atomic():
        if connection.vendor != "postgresql":
            StatFact.objects.all().delete()
            for summed in facts_from_log_chunks(chunk=chunk):
                facts_upsert(summed)
            return StatFact.objects.count()
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {table}")
            cursor.execute("SET LOCAL work_mem = '64MB'")
            # ON COMMIT DROP drops it at the outer commit: a rebuild inside a caller's transaction (a test's) drops
            # it itself, below, so that a second rebuild in that transaction finds none.
            cursor.execute(
                "CREATE TEMPORARY TABLE stats_rebuild (day date, grid_id integer, category_id integer, "
                "source varchar(16), department_id integer, person_id integer, measure varchar(16), count integer, "
                "on_time integer, minutes double precision) ON COMMIT DROP"
            )
            for summed in facts_from_log_chunks(chunk=chunk):
                with cursor.copy(f"COPY stats_rebuild ({_COLUMNS}) FROM STDIN") as copy:
                    for key, value in summed.items():
                        copy.write_row((*key, int(value[0]), int(value[1]), float(value[2])))
            cursor.execute(
                f"INSERT INTO {table} ({_COLUMNS}) SELECT {_KEY}, sum(count), sum(on_time), sum(minutes) "
                f"FROM stats_rebuild GROUP BY {_KEY}"
            )
            rows = int(cursor.rowcount)
            cursor.execute("DROP TABLE stats_rebuild")
            return rows


def facts_equal(left: Mapping[Key, Sequence[float]], right: Mapping[Key, Sequence[float]]) -> list[str]:
    """Where two sets of facts differ (empty when they agree; minutes to a hundredth of a minute)."""
    problems = []
    for key in sorted(set(left) | set(right), key=str):
        a, b = left.get(key, (0, 0, 0.0)), right.get(key, (0, 0, 0.0))
        if int(a[0]) != int(b[0]) or int(a[1]) != int(b[1]) or abs(float(a[2]) - float(b[2])) > 0.01:
            problems.append(f"{key}: {list(a)} != {list(b)}")
    return problems
