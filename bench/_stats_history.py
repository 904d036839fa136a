"""Years of case history for the statistics benchmarks: a district of streets × communities × grids, about 60
categories, 9 sources, 20 departments and their people, and cases with the event log the services would have written
(``payload["set"]`` as they write it, so :func:`stats.facts.facts_from_log` replays it), generated in Python and
written with COPY on PostgreSQL (executemany on SQLite), not through the services.

Each case lives a realistic life: 上报 (or 自处置), 受理 and 核实 for public reports, 立案, 派遣, 签收, 处置反馈,
核查, 结案 and 评价; some are rejected, merged, voided, returned to the dispatcher, extended, suspended, urged,
supervised or reworked; the deadline job's marks (黄灯, 超时, 升级) come where a step outlived its clock. People and
departments differ: each has its own chance of being late, and each grid worker their own share of invalid reports.
Events get ids in time order, as a running site writes them; cases still open at the end stop where they are.
"""

from __future__ import annotations

import datetime as dt
import heapq
import json
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

DAY = 86400.0
MINUTE = 60.0
SOURCES = [
    ("grid_worker", 62),
    ("supervisor", 8),
    ("hotline", 14),
    ("public_web", 6),
    ("open311", 2),
    ("sensor", 3),
    ("leader", 2),
    ("media", 1),
    ("inspection", 2),
]
#: Sources whose reports come without a category (受理 gives it) and may be sent to a worker to verify.
PUBLIC = {"hotline", "public_web", "open311", "media"}
EVENT_CATEGORIES, COMPONENT_CATEGORIES = 54, 6
DEPARTMENTS = 20
COPY_BATCH = 20_000


@dataclass
class Cast:
    """The district's grids, categories, departments and people, with how well each of them works."""

    grids: list[int]
    grid_weights: list[float]
    street_of: dict[int, str]
    categories: list[int]
    category_weights: list[float]
    handle_minutes: dict[int, float]
    departments: dict[int, tuple[int, int]]  # category → (main department, the other one after a return)
    workers: dict[int, int]  # grid → its worker
    supervisors: dict[str, int]  # street code → its supervisor
    intake: list[int]
    shift: list[int]
    dispatchers: list[int]
    handlers: dict[int, int]  # department → its handler
    leader: int
    late: dict[int, float] = field(default_factory=dict)  # user or department → chance of a late step
    invalid: dict[int, float] = field(default_factory=dict)  # grid worker → chance a report is not filed
    rework: dict[int, float] = field(default_factory=dict)  # department → chance a check fails


def cast_build(streets: int, communities: int, grids_per_community: int, seed: int = 7) -> Cast:
    """The benchmark district (boxes, as :func:`_registry.district_build`), its departments and its people."""
    # Imported once Django is set up (settings and app registry), as a benchmark script must.
    from _registry import district_build

    from accounts.models import Department, DepartmentKind, User
    from cases.models import Category
    from cases.seed import categories_ensure

    rng = random.Random(seed)
    categories_ensure()
    grids = district_build(streets, communities, grids_per_community)
    kinds = [kind for kind in DepartmentKind.values if kind != DepartmentKind.COMMAND_CENTRE]
    departments = Department.objects.bulk_create(
        [Department(code=f"BD{n:02d}", name=f"部门{n}", kind=kinds[n % len(kinds)]) for n in range(DEPARTMENTS)]
    )
    department_ids = [department.pk for department in departments]
    chosen = list(Category.objects.filter(kind="event", parent__isnull=False).order_by("code")[:EVENT_CATEGORIES])
    chosen += list(Category.objects.filter(kind="component", parent__isnull=False).order_by("code")[::5])[
        :COMPONENT_CATEGORIES
    ]
    category_ids = [category.pk for category in chosen]
    # A few categories make most of the work (暴露垃圾, 道路不洁…); components are about 3 % of it.
    weights = [0.97 / (rank + 1) ** 0.9 for rank in range(EVENT_CATEGORIES)]
    total = sum(weights)
    weights = [w / total * 0.97 for w in weights] + [0.03 / COMPONENT_CATEGORIES] * COMPONENT_CATEGORIES
    handle_minutes = {}
    for category in chosen:
        limit = float(category.handle_limit or 4)
        handle_minutes[category.pk] = limit * (480 if category.limit_unit == "working_days" else 60)
    routes = {
        pk: (department_ids[n % DEPARTMENTS], department_ids[(n + 7) % DEPARTMENTS])
        for n, pk in enumerate(category_ids)
    }

    def people(prefix: str, count: int, department: Any = None) -> list[User]:
        return [
            User(username=f"{prefix}{n:04d}", password="!", full_name=f"{prefix}{n}", department=department)
            for n in range(count)
        ]

    street_codes = sorted({grid.code[:9] for grid in grids})
    rows = people("gw", len(grids)) + people("sv", len(street_codes)) + people("in", 4) + people("sl", 6)
    rows += people("dp", 8) + [
        User(username=f"hd{n:04d}", password="!", department=d) for n, d in enumerate(departments)
    ]
    rows += people("ld", 1)
    users = User.objects.bulk_create(rows, batch_size=2000)
    by_prefix: dict[str, list[int]] = {}
    for user in users:
        by_prefix.setdefault(user.username[:2], []).append(user.pk)
    grid_ids = [grid.pk for grid in grids]
    cast = Cast(
        grids=grid_ids,
        grid_weights=[rng.lognormvariate(0, 0.5) for _ in grid_ids],
        street_of={grid.pk: grid.code[:9] for grid in grids},
        categories=category_ids,
        category_weights=weights,
        handle_minutes=handle_minutes,
        departments=routes,
        workers=dict(zip(grid_ids, by_prefix["gw"], strict=True)),
        supervisors=dict(zip(street_codes, by_prefix["sv"], strict=True)),
        intake=by_prefix["in"],
        shift=by_prefix["sl"],
        dispatchers=by_prefix["dp"],
        handlers=dict(zip(department_ids, by_prefix["hd"], strict=True)),
        leader=by_prefix["ld"][0],
    )
    # How well each one works: most do well, a couple are excellent and a couple are weak.
    for pk, late in zip(cast.shift, [0.02, 0.03, 0.04, 0.05, 0.08, 0.14], strict=True):
        cast.late[pk] = late
    for pk, late in zip(cast.dispatchers, [0.01, 0.02, 0.03, 0.04, 0.05, 0.07, 0.12, 0.2], strict=True):
        cast.late[pk] = late
    for pk in department_ids:
        cast.late[pk] = rng.choice([0.03, 0.06, 0.1, 0.12, 0.15, 0.2, 0.3])
        cast.rework[pk] = rng.choice([0.01, 0.03, 0.04, 0.05, 0.1])
    for pk in cast.workers.values():
        cast.late[pk] = rng.choice([0.01, 0.02, 0.03, 0.05, 0.1])
        cast.invalid[pk] = rng.choice([0.01, 0.02, 0.03, 0.05, 0.12])
    return cast


# --- One case's life ----------------------------------------------------------------------------------------
def iso(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).isoformat()


#: Actions whose event sets the status (a transition with a target; the first event creates the case).
_TARGETS: dict[str, str] = {}


def _targets() -> dict[str, str]:
    if not _TARGETS:
        from cases.workflow import TRANSITIONS

        _TARGETS.update({action: str(t.target) for action, t in TRANSITIONS.items() if t.target})
    return _TARGETS


class Life:
    """The events of one case, written as the services write them, until the end of the history."""

    __slots__ = ("case_id", "due", "end", "events", "red", "started", "state", "status", "stopped", "ts", "yellow")

    def __init__(self, case_id: int, end: float) -> None:
        self.case_id = case_id
        self.end = end
        self.events: list[tuple[float, int | None, str, str, str, str]] = []
        self.state: dict[str, Any] = {}
        self.status = ""
        self.ts = 0.0
        self.due: float | None = None
        self.yellow: float | None = None
        self.red = False
        self.stopped = False
        self.started: float | None = None

    def marks_until(self, ts: float) -> None:
        """The deadline job's marks while the step's clock ran: yellow at 80 % of the limit, red when due."""
        from cases.deadlines import supervision_after

        limit = min(ts, self.end)
        if self.yellow is not None and self.yellow < limit and self.state.get("light") == "green":
            self._write(self.yellow, None, "light_yellow", {"light": "yellow"})
        if self.due is not None and self.due < limit and not self.red:
            count = int(self.state.get("overdue_count") or 0) + 1
            level = supervision_after(count, int(self.state.get("supervision") or 0))
            self.red = True
            self._write(self.due, None, "overdue", {"light": "red", "overdue_count": count, "supervision": level})

    def _write(self, ts: float, actor: int | None, action: str, changes: dict[str, Any], **extra: Any) -> None:
        before = self.status
        target = changes.get("status") or _targets().get(action)
        if target and self.status:
            changes["status"] = target
            self.status = target
        elif not self.status:
            self.status = target or ""
        self.state.update(changes)
        self.ts = ts
        payload = json.dumps({"set": changes, **extra}, ensure_ascii=False, separators=(", ", ": "))
        self.events.append((ts, actor, action, before, self.status, payload))

    def act(
        self, ts: float, actor: int | None, action: str, changes: dict[str, Any] | None = None, **extra: Any
    ) -> bool:
        """Write the event unless the history has ended before it (the case then stays where it is). A case's
        events never go back in time: one planned before the last is written at the last one's time."""
        ts = max(ts, self.ts)
        if self.stopped or ts >= self.end:
            self.stopped = True
            return False
        self.marks_until(ts)
        self._write(ts, actor, action, dict(changes or {}), **extra)
        return True

    def clock(self, step: str, ts: float, limit: float) -> dict[str, Any]:
        """The clock fields of a step starting at ``ts`` (natural minutes)."""
        self.started, self.due, self.yellow, self.red = ts, ts + limit * MINUTE, ts + 0.8 * limit * MINUTE, False
        return {"step": step, "step_limit_minutes": int(limit), "due_at": iso(self.due), "light": "green"}

    def clock_stop(self) -> dict[str, Any]:
        self.started = self.due = self.yellow = None
        self.red = False
        return {"step": "", "step_limit_minutes": None, "due_at": None, "light": "none"}

    def finish(self) -> None:
        """Where the history ends with a clock still running, the marks it has earned by then."""
        self.marks_until(self.end)


REPLAYED_DEFAULTS: dict[str, Any] = {
    "category_id": None,
    "priority": "normal",
    "level": "community",
    "main_department_id": None,
    "assignee_id": None,
    "merged_into_id": None,
    "step": "intake",
    "step_limit_minutes": 30,
    "due_at": None,
    "handle_due_at": None,
    "light": "green",
    "resume_status": "",
    "supervision": 0,
    "expedited": False,
    "urge_count": 0,
    "rework_count": 0,
    "overdue_count": 0,
    "extension_count": 0,
    "rating": "",
    "filed_at": None,
    "dispatched_at": None,
    "handled_at": None,
    "closed_at": None,
}


@dataclass
class Drawn:
    """What is drawn up front for a case."""

    case_id: int
    created: float
    grid: int
    category: int
    source: str


def life_of(case: Drawn, cast: Cast, end: float, rng: random.Random) -> Life:
    """The events of one case from its report to where it is at ``end``."""
    life = Life(case.case_id, end)
    worker = cast.workers[case.grid]
    shift = rng.choice(cast.shift)
    dispatcher = rng.choice(cast.dispatchers)
    intake = rng.choice(cast.intake)
    public = case.source in PUBLIC
    reporter = {
        "grid_worker": worker,
        "supervisor": cast.supervisors[cast.street_of[case.grid]],
        "hotline": intake,
        "leader": cast.leader,
        "inspection": intake,
        "media": intake,
    }.get(case.source)
    minutes = rng.uniform
    t = case.created
    self_resolved = case.source == "grid_worker" and rng.random() < 0.06
    first = dict(REPLAYED_DEFAULTS)
    first["category_id"] = None if public else case.category
    if self_resolved:
        first.update(level="grid", handled_at=iso(t), **life.clock("check", t, 120))
        life.act(t, reporter, "self_resolve", first, report=case.case_id, source=case.source)
        _check_and_close(life, cast, rng, worker, shift, t + minutes(10, 90) * MINUTE)
        life.finish()
        return life
    first.update(life.clock("intake", t, 30))
    life.act(t, reporter, "report", first, report=case.case_id, source=case.source)
    intake_late = rng.random() < cast.late[shift]
    if public:
        t += minutes(2, 20 if not intake_late else 60) * MINUTE
        if rng.random() < 0.01 and case.case_id > 1:
            life.act(
                t, intake, "merge", {"merged_into_id": case.case_id - 1, **life.clock_stop()}, main=case.case_id - 1
            )
            life.finish()
            return life
    else:
        t += minutes(1, 15 if not intake_late else 40) * MINUTE
    # 受理 of every report; the public's come without a category, which 受理 gives.
    life.act(t, intake, "accept", {"category_id": case.category} if public else {})
    if public and rng.random() < 0.3:
        t += minutes(2, 15) * MINUTE
        life.act(t, intake, "verify_request", {"assignee_id": worker, **life.clock("verify", t, 60)}, worker=worker)
        t += minutes(10, 50 if rng.random() > cast.late[worker] else 150) * MINUTE
        if rng.random() < 0.1:
            life.act(t, worker, "verify_deny", {"assignee_id": None, **life.clock_stop()})
            life.finish()
            return life
        life.act(t, worker, "verify_confirm", {"assignee_id": None, **life.clock("intake", t, 30)})
    invalid = cast.invalid.get(reporter or 0, 0.04) if case.source == "grid_worker" else 0.05
    if rng.random() < invalid:
        t += minutes(5, 40) * MINUTE
        life.act(t, shift, "reject", life.clock_stop(), reason="不属于受理范围")
        life.finish()
        return life
    # 立案 within the intake clock (30 minutes from the report, or from the verification), or late.
    clock_start = life.started or case.created
    t = max(t + MINUTE, clock_start + (minutes(5, 29) if not intake_late else minutes(31, 120)) * MINUTE)
    if not life.act(t, shift, "file", {"filed_at": iso(t), **life.clock("dispatch", t, 30)}):
        life.finish()
        return life
    if rng.random() < 0.005:
        t += minutes(10, 120) * MINUTE
        life.act(t, dispatcher, "request_void", {}, kind="void")
        t += minutes(5, 60) * MINUTE
        life.act(t, shift, "void", life.clock_stop(), kind="void")
        life.finish()
        return life
    main, other = cast.departments[case.category]
    dispatch_late = rng.random() < cast.late[dispatcher]
    t += (minutes(2, 28) if not dispatch_late else minutes(31, 100)) * MINUTE
    department = main
    returned = rng.random() < 0.02
    for attempt in range(2):
        limit = cast.handle_minutes[case.category]
        clock = life.clock("handle", t, limit)
        dispatched = {
            "main_department_id": department,
            "dispatched_at": iso(t),
            **clock,
            "handle_due_at": clock["due_at"],
        }
        if not life.act(t, dispatcher, "dispatch", dispatched, department=department, assists=[]):
            life.finish()
            return life
        handler = cast.handlers[department]
        t += minutes(5, 60) * MINUTE
        if returned and attempt == 0:
            life.act(t, handler, "request_open", {}, kind="return", extra_minutes=None)
            t += minutes(5, 40) * MINUTE
            back = {"main_department_id": None, "handle_due_at": None, **life.clock("dispatch", t, 30)}
            life.act(t, dispatcher, "return", back, kind="return")
            t += minutes(5, 25) * MINUTE
            department = other
            continue
        break
    if not life.act(t, handler, "accept_task", {}):
        life.finish()
        return life
    _handle_and_close(life, cast, case, rng, worker, shift, dispatcher, department, handler, t)
    life.finish()
    return life


def _handle_and_close(
    life: Life,
    cast: Cast,
    case: Drawn,
    rng: random.Random,
    worker: int,
    shift: int,
    dispatcher: int,
    department: int,
    handler: int,
    t: float,
) -> None:
    minutes = rng.uniform
    for _round in range(3):
        limit = float(life.state.get("step_limit_minutes") or cast.handle_minutes[case.category])
        due = life.due or t + limit * MINUTE
        if rng.random() < 0.03 and int(life.state.get("extension_count") or 0) == 0:
            ask = t + minutes(30, 120) * MINUTE
            if ask < due and life.act(ask, handler, "request_open", {}, kind="extend", extra_minutes=450):
                t = ask + minutes(10, 60) * MINUTE
                clock = life.clock("handle", t, limit + 450)
                extended = {**clock, "extension_count": 1, "handle_due_at": clock["due_at"]}
                life.act(t, dispatcher, "extend", extended, request=case.case_id, kind="extend")
                due = life.due or due
        if rng.random() < 0.01:
            ask = t + minutes(60, 240) * MINUTE
            life.act(ask, handler, "request_open", {}, kind="suspend", extra_minutes=None)
            t = ask + minutes(30, 120) * MINUTE
            paused = {"resume_status": "handling", "due_at": None, "light": "none", "status": "suspended"}
            if not life.act(t, shift, "suspend", paused, kind="suspend"):
                return
            life.started = life.due = life.yellow = None
            if rng.random() < 0.4:
                return  # 挂账: waits for a season or a budget
            t += minutes(3 * 1440, 30 * 1440) * MINUTE
            clock = life.clock("handle", t, limit)
            resumed = {"status": "handling", "resume_status": "", **clock, "handle_due_at": clock["due_at"]}
            if not life.act(t, dispatcher, "resume", resumed):
                return
            due = life.due or due
        late = rng.random() < cast.late[department]
        span = max(due - t, 5 * MINUTE)
        done = t + span * (rng.uniform(1.05, 2.2) if late else rng.uniform(0.1, 0.92))
        if rng.random() < 0.05:
            urged = t + (done - t) * rng.uniform(0.3, 0.9)
            life.act(urged, dispatcher, "urge", {"urge_count": int(life.state.get("urge_count") or 0) + 1})
        if late and rng.random() < 0.05:
            when = max(due, t) + minutes(10, 60) * MINUTE
            if when < done:
                life.act(when, shift, "supervise", {"supervision": 1}, level=1)
        if late and rng.random() < 0.3 and due + 30 * MINUTE < done:
            life.act(due + 30 * MINUTE, None, "auto_escalate", {"level": "street"})
        t = done
        if rng.random() < 0.25:  # 补充照片 before the result
            life.act(t - minutes(1, 10) * MINUTE, handler, "photo_add", {}, photos=1)
        handled = {"handled_at": iso(t), **life.clock("check", t, 120)}
        if not life.act(t, handler, "report_result", handled):
            return
        if not life.act(t, None, "check_request", {"assignee_id": worker}, worker=worker, by_rule=True):
            return
        check_late = rng.random() < cast.late[worker]
        t += (minutes(120.5, 300) if check_late else minutes(15, 110)) * MINUTE
        if rng.random() < cast.rework[department] and _round < 2:
            clock = life.clock("handle", t, cast.handle_minutes[case.category])
            rework = {
                "assignee_id": None,
                "rework_count": int(life.state.get("rework_count") or 0) + 1,
                "dispatched_at": iso(t),
                **clock,
                "handle_due_at": clock["due_at"],
            }
            if not life.act(t, worker, "rework", rework):
                return
            continue
        if not life.act(t, worker, "check_pass", {"assignee_id": None, **life.clock("close", t, 30)}):
            return
        _close(life, rng, shift, t)
        return


def _check_and_close(life: Life, cast: Cast, rng: random.Random, worker: int, shift: int, t: float) -> None:
    """A case resolved on the spot: the check of the worker's own result, then 结案."""
    if not life.act(t, None, "check_request", {"assignee_id": worker}, worker=worker, by_rule=False):
        return
    t += rng.uniform(15, 110 if rng.random() > cast.late[worker] else 300) * MINUTE
    if not life.act(t, worker, "check_pass", {"assignee_id": None, **life.clock("close", t, 30)}):
        return
    _close(life, rng, shift, t)


def _close(life: Life, rng: random.Random, shift: int, t: float) -> None:
    t += rng.uniform(3, 28 if rng.random() > 0.03 else 90) * MINUTE
    if not life.act(t, shift, "close", {"closed_at": iso(t), **life.clock_stop()}):
        return
    if rng.random() < 0.6:
        t += rng.uniform(60, 1440) * MINUTE
        rating = rng.choices(["satisfied", "basically_satisfied", "unsatisfied"], [80, 12, 8])[0]
        life.act(t, shift, "evaluate", {"rating": rating}, channel="callback")


# --- Writing ------------------------------------------------------------------------------------------------
STATIC_DEFAULTS: dict[str, Any] = {
    "description": "路边有暴露垃圾，请及时清理",
    "address": "",
    "h3_cell": "",
    "component_id": None,
    "place_id": None,
    "step_started_at": None,
    "natural_time": False,
    "yellow_at": None,
    "escalate_at": None,
    "clock_offset_minutes": 0.0,
    "supporters": 0,
}


def case_row(case: Drawn, life: Life, columns: list[str]) -> tuple:
    values: dict[str, Any] = {**STATIC_DEFAULTS, **REPLAYED_DEFAULTS, **life.state}
    values.update(
        id=case.case_id,
        number=f"B{case.case_id:012d}",
        status=life.status,
        source=case.source,
        grid_id=case.grid,
        longitude=116.4,
        latitude=39.9,
        created_at=iso(case.created),
        updated_at=iso(life.ts or case.created),
        version=max(len(life.events) - 1, 0),
        step_started_at=iso(life.started) if life.started else None,
    )
    return tuple(values[column] for column in columns)


def drawn_cases(cast: Cast, count: int, start: float, end: float, seed: int) -> Iterator[Drawn]:
    """``count`` cases over [start, end), in time order: more by day than by night, more on weekdays, growing."""
    rng = random.Random(seed)
    span = end - start
    moments: list[float] = []
    while len(moments) < count:
        # a slight growth over the years: later days get more cases
        ts = start + span * (rng.random() ** 0.85)
        local = dt.datetime.fromtimestamp(ts, dt.UTC) + dt.timedelta(hours=8)
        weight = (1.0 if 7 <= local.hour < 19 else 0.25) * (1.0 if local.weekday() < 5 else 0.6)
        if rng.random() < weight:
            moments.append(ts)
    moments.sort()
    sources = [name for name, _weight in SOURCES]
    source_weights = [weight for _name, weight in SOURCES]
    grids = rng.choices(cast.grids, cast.grid_weights, k=count)
    categories = rng.choices(cast.categories, cast.category_weights, k=count)
    picked = rng.choices(sources, source_weights, k=count)
    for index, ts in enumerate(moments):
        yield Drawn(index + 1, float(int(ts)), grids[index], categories[index], picked[index])


@dataclass
class Written:
    cases: int = 0
    events: int = 0
    seconds: float = 0.0


def history_write(cast: Cast, count: int, days: int, end: dt.datetime, seed: int = 3) -> Written:
    """``count`` cases over ``days`` days before ``end`` with their events (ids in time order)."""
    # Imported once Django is set up (settings and app registry), as a benchmark script must.
    from django.db import connection

    from cases.models import Case, CaseEvent

    started = time.perf_counter()
    end_ts = end.timestamp()
    start_ts = end_ts - days * DAY
    rng = random.Random(seed)
    case_columns = [str(f.column) for f in Case._meta.concrete_fields]
    event_columns = ["id", "case_id", "at", "actor_id", "action", "from_status", "to_status", "reason", "payload"]
    event_columns.append("channel")
    written = Written()
    pending: list[tuple[float, int, int, int | None, str, str, str, str]] = []
    sequence = 0
    next_id = 1

    def event_rows(until: float) -> Iterator[tuple]:
        nonlocal next_id
        while pending and pending[0][0] < until:
            ts, _seq, case_id, actor, action, before, after, payload = heapq.heappop(pending)
            yield (
                next_id,
                case_id,
                iso(ts),
                actor,
                action,
                before,
                after,
                "",
                payload,
                "system" if actor is None else "api",
            )
            next_id += 1

    def lives() -> Iterator[tuple[tuple, list[tuple]]]:
        nonlocal sequence
        for case in drawn_cases(cast, count, start_ts, end_ts, seed):
            life = life_of(case, cast, end_ts, rng)
            for ts, actor, action, before, after, payload in life.events:
                sequence += 1
                heapq.heappush(pending, (ts, sequence, case.case_id, actor, action, before, after, payload))
            yield case_row(case, life, case_columns), list(event_rows(case.created))
        yield (), list(event_rows(float("inf")))

    if connection.vendor == "postgresql":
        written = _copy(lives(), case_columns, event_columns, Case._meta.db_table, CaseEvent._meta.db_table)
    else:
        # SQLite keeps instants as Django writes them (UTC, "YYYY-MM-DD HH:MM:SS"), so that they compare as text.
        instants = [n for n, f in enumerate(Case._meta.concrete_fields) if f.get_internal_type() == "DateTimeField"]
        cases_rows: list[tuple] = []
        events_rows: list[tuple] = []
        for row, events in lives():
            if row:
                cases_rows.append(tuple(_sqlite(v) if n in instants else v for n, v in enumerate(row)))
            events_rows.extend((*event[:2], _sqlite(event[2]), *event[3:]) for event in events)
        with connection.cursor() as cursor:
            for table, columns, rows in (
                (Case._meta.db_table, case_columns, cases_rows),
                (CaseEvent._meta.db_table, event_columns, events_rows),
            ):
                marks = ", ".join(["%s"] * len(columns))
                cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)
            cursor.execute("ANALYZE")
        written = Written(len(cases_rows), len(events_rows))
    written.seconds = time.perf_counter() - started
    return written


def _sqlite(value: str | None) -> str | None:
    return None if value is None else value[:19].replace("T", " ")


def _copy(lives: Iterator[tuple[tuple, list[tuple]]], case_columns: list[str], event_columns: list[str],
          case_table: str, event_table: str) -> Written:  # fmt: skip
    """Cases and events each through its own COPY on its own connection (cases commit first, then the events,
    whose foreign keys are checked at their commit)."""
    import psycopg
    from django.db import connection

    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    written = Written()
    with psycopg.connect(**params) as for_cases, psycopg.connect(**params) as for_events:
        with (
            for_cases.cursor() as cases_cursor,
            for_events.cursor() as events_cursor,
            cases_cursor.copy(f"COPY {case_table} ({', '.join(case_columns)}) FROM STDIN") as cases_copy,
            events_cursor.copy(f"COPY {event_table} ({', '.join(event_columns)}) FROM STDIN") as events_copy,
        ):
            for row, events in lives:
                if row:
                    cases_copy.write_row(row)
                    written.cases += 1
                for event in events:
                    events_copy.write_row(event)
                written.events += len(events)
        for_cases.commit()
        for_events.commit()
    with connection.cursor() as cursor:
        for table in (case_table, event_table):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT coalesce(max(id), 1) FROM {table}))"
            )
        cursor.execute(f"VACUUM ANALYZE {case_table}")
        cursor.execute(f"VACUUM ANALYZE {event_table}")
    return written
