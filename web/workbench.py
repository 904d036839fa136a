"""The workbench (工作台): what each role does next, reddest and oldest first.

One function per section; each reads a fixed number of queries whatever the number of cases (counts grouped in
one query, each list one query with its related rows joined), and everything within ``visible_to(user)``. A user
with several roles gets the sections of each, most operational first (:data:`SECTION_ORDER`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Case as Choose
from django.db.models import Count, F, IntegerField, Max, Min, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from accounts.models import User
from accounts.roles import Role
from alerts.selectors import WorkbenchCard, workbench_card
from areas.models import Area
from areas.selectors import area_roots
from cases.choices import OPEN_STATUSES, CaseStatus, Light, RequestStatus
from cases.models import Case, CaseRequest, Report, Summons
from notifications.models import Delivery, DeliveryStatus
from registry.models import ImportJob
from visits.agenda import agenda_due
from web.models import PeriodicRun, PeriodicRunOutcome

S = CaseStatus
#: How many cases a queue lists under its count.
QUEUE_ITEMS = 5
#: How many open cases the leader's map draws (the reddest first); the case map page shows them all.
MAP_POINTS = 500
#: A task waiting this long means no worker is taking tasks; a periodic job not done this long has stalled.
TASK_WAIT_ALERT = dt.timedelta(minutes=5)
PERIODIC_STALE = dt.timedelta(minutes=10)
OUTBOX_STUCK = dt.timedelta(minutes=15)

COMMAND_ROLES = frozenset({Role.INTAKE_CLERK, Role.SHIFT_LEADER, Role.DISPATCHER})
FIELD_ROLES = frozenset({Role.GRID_WORKER, Role.GRID_LEADER, Role.SUPERVISOR})
LEADER_ROLES = frozenset({Role.STREET_LEADER, Role.DISTRICT_LEADER, Role.COMMUNITY_STAFF})
#: Sections, most operational first.
SECTION_ORDER = ("command", "department", "field", "leader", "admin")

#: Red, yellow, green, untimed: the order of urgency of a case's light.
LIGHT_RANK = Choose(
    When(light=Light.RED, then=Value(0)),
    When(light=Light.YELLOW, then=Value(1)),
    When(light=Light.GREEN, then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)


def by_urgency(cases: QuerySet[Case]) -> QuerySet[Case]:
    """Reddest first, then the earliest deadline, then the oldest."""
    return cases.annotate(light_rank=LIGHT_RANK).order_by(
        "light_rank", F("due_at").asc(nulls_last=True), "created_at", "id"
    )


def _cases_url(**filters: str) -> str:
    return reverse("cases:list") + "?" + urlencode(filters)


@dataclass
class Item:
    """One case in a list: the link goes to the case page, at the panel of the action it waits for."""

    case: Case
    link: str
    overdue: bool


def _items(cases: QuerySet[Case] | list[Case], anchor: str, now: dt.datetime) -> list[Item]:
    suffix = f"#act-{anchor}" if anchor else ""
    return [
        Item(
            case,
            reverse("cases:detail", args=[case.number]) + suffix,
            case.due_at is not None and case.due_at <= now,
        )
        for case in cases
    ]


@dataclass
class Queue:
    key: str
    label: Any
    count: int = 0
    red: int = 0
    yellow: int = 0
    link: str = ""
    items: list[Item] = field(default_factory=list)


def _rows(cases: QuerySet[Case]) -> QuerySet[Case]:
    return cases.select_related("category", "grid", "main_department")


# --- Command centre -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueSpec:
    key: str
    label: Any
    statuses: tuple[str, ...]
    anchor: str
    roles: frozenset[str]


COMMAND_QUEUES = (
    QueueSpec("intake", _("待受理"), (S.REPORTED,), "accept", frozenset({Role.INTAKE_CLERK, Role.SHIFT_LEADER})),
    QueueSpec("file", _("待立案"), (S.ACCEPTED,), "file", frozenset({Role.SHIFT_LEADER, Role.INTAKE_CLERK})),
    QueueSpec(
        "dispatch", _("待派遣"), (S.FILED, S.RETURNED), "dispatch", frozenset({Role.DISPATCHER, Role.SHIFT_LEADER})
    ),
    QueueSpec("check", _("待派发核查"), (S.HANDLED, S.SELF_RESOLVED), "check_request", frozenset({Role.DISPATCHER})),
    QueueSpec("close", _("待结案"), (S.CHECKED,), "close", frozenset({Role.SHIFT_LEADER})),
)


@dataclass
class CommandSection:
    queues: list[Queue]
    approvals: Queue | None
    approval_items: list[CaseRequest]
    summonses: Queue | None
    summons_items: list[Summons]


def command_section(user: User, roles: set[str], now: dt.datetime) -> CommandSection:
    specs = [spec for spec in COMMAND_QUEUES if spec.roles & roles]
    visible = Case.objects.visible_to(user)
    statuses = [status for spec in specs for status in spec.statuses]
    counts: dict[tuple[str, str], int] = {
        (status, light): total
        for status, light, total in visible.filter(status__in=statuses)
        .order_by()
        .values_list("status", "light")
        .annotate(total=Count("pk"))
    }
    queues = []
    for spec in specs:
        queue = Queue(spec.key, spec.label, link=_cases_url(status=",".join(spec.statuses)))
        for (status, light), total in counts.items():
            if status in spec.statuses:
                queue.count += total
                queue.red += total if light == Light.RED else 0
                queue.yellow += total if light == Light.YELLOW else 0
        if queue.count:
            rows = by_urgency(_rows(visible.filter(status__in=spec.statuses)))[:QUEUE_ITEMS]
            queue.items = _items(rows, spec.anchor, now)
        queues.append(queue)
    approvals = approval_items = None
    if roles & {Role.SHIFT_LEADER, Role.DISPATCHER}:
        pending = CaseRequest.objects.filter(status=RequestStatus.PENDING, case__in=visible.values("pk"))
        approvals = Queue("approvals", _("待审批"), count=pending.count(), link=reverse("cases:approvals"))
        approval_items = list(
            pending.select_related("case", "case__category", "requested_by", "department").order_by("requested_at")[
                :QUEUE_ITEMS
            ]
            if approvals.count
            else []
        )
    summonses = summons_items = None
    if Role.SHIFT_LEADER in roles:
        summonses, summons_items = _summonses(visible, now)
    return CommandSection(queues, approvals, approval_items or [], summonses, summons_items or [])


def _summonses(visible: QuerySet[Case], now: dt.datetime) -> tuple[Queue, list[Summons]]:
    waiting = Summons.objects.filter(confirmed_at__isnull=True, case__in=visible.values("pk"))
    totals = waiting.aggregate(total=Count("pk"), late=Count("pk", filter=Q(due_at__lte=now)))
    queue = Queue("summonses", _("吹哨待报到"), count=totals["total"], red=totals["late"])
    items = (
        list(waiting.select_related("case", "department").order_by("due_at", "pk")[:QUEUE_ITEMS]) if queue.count else []
    )
    return queue, items


# --- Department -----------------------------------------------------------------------------------------------------


@dataclass
class DepartmentSection:
    department: Any
    queues: list[Queue]
    summonses: Queue
    summons_items: list[Summons]


def department_section(user: User, now: dt.datetime) -> DepartmentSection | None:
    department = user.department
    if department is None:
        return None
    held = Case.objects.visible_to(user).filter(main_department=department, status__in=[S.DISPATCHED, S.HANDLING])
    totals = held.aggregate(
        accept=Count("pk", filter=Q(status=S.DISPATCHED)),
        handling=Count("pk", filter=Q(status=S.HANDLING)),
        overdue=Count("pk", filter=Q(light=Light.RED)),
        rework=Count("pk", filter=Q(rework_count__gt=0)),
        red_accept=Count("pk", filter=Q(status=S.DISPATCHED, light=Light.RED)),
        red_handling=Count("pk", filter=Q(status=S.HANDLING, light=Light.RED)),
        red_rework=Count("pk", filter=Q(rework_count__gt=0, light=Light.RED)),
    )
    held_statuses = f"{S.DISPATCHED},{S.HANDLING}"
    specs: list[tuple[str, Any, Q, str, str, str]] = [
        ("accept", _("待签收"), Q(status=S.DISPATCHED), "accept_task", "red_accept", S.DISPATCHED),
        ("handling", _("处置中"), Q(status=S.HANDLING), "report_result", "red_handling", S.HANDLING),
        ("overdue", _("已超时"), Q(light=Light.RED), "report_result", "overdue", held_statuses),
        ("rework", _("返工重办"), Q(rework_count__gt=0), "report_result", "red_rework", ""),
    ]
    queues = []
    for key, label, condition, anchor, red, statuses in specs:
        link = ""
        if statuses:
            light = {"light": Light.RED} if key == "overdue" else {}
            link = _cases_url(status=statuses, department=department.code, **light)
        queue = Queue(key, label, count=totals[key], red=totals[red], link=link)
        if queue.count:
            queue.items = _items(by_urgency(_rows(held.filter(condition)))[:QUEUE_ITEMS], anchor, now)
        queues.append(queue)
    waiting = Summons.objects.filter(department=department, confirmed_at__isnull=True)
    counted = waiting.aggregate(total=Count("pk"), late=Count("pk", filter=Q(due_at__lte=now)))
    summonses = Queue("summonses", _("吹哨待报到"), count=counted["total"], red=counted["late"])
    items = (
        list(waiting.select_related("case", "department").order_by("due_at", "pk")[:QUEUE_ITEMS])
        if summonses.count
        else []
    )
    return DepartmentSection(department, queues, summonses, items)


# --- Field ------------------------------------------------------------------------------------------------------------


@dataclass
class FieldSection:
    tasks: list[Item]
    reports: list[Case]
    reports_open: int
    grid_codes: list[str]
    #: The worker's due visits of the day (the agenda's stops); None for who does no visits.
    visits_due: int | None = None


FIELD_TASK_ANCHOR = {S.VERIFYING: "verify", S.CHECKING: "check"}
FIELD_TASKS_SHOWN = 20
FIELD_REPORTS_SHOWN = 8


def field_section(user: User, roots: list[Area], now: dt.datetime) -> FieldSection:
    visible = Case.objects.visible_to(user)
    tasks = list(
        by_urgency(_rows(visible.filter(assignee=user, status__in=list(FIELD_TASK_ANCHOR))))[:FIELD_TASKS_SHOWN]
    )
    items = [
        Item(
            case,
            reverse("cases:detail", args=[case.number]) + f"#act-{FIELD_TASK_ANCHOR[CaseStatus(case.status)]}",
            case.due_at is not None and case.due_at <= now,
        )
        for case in tasks
    ]
    mine = visible.filter(pk__in=Report.objects.filter(reported_by=user).values("case_id"))
    reports = list(mine.select_related("category").order_by("-created_at", "-id")[:FIELD_REPORTS_SHOWN])
    reports_open = mine.filter(status__in=OPEN_STATUSES).count()
    visits_due = None
    if user.has_perm("visits.add_visit") and user.has_perm("visits.view_duevisit"):
        visits_due = len(agenda_due(user, timezone.localdate(now)))
    return FieldSection(items, reports, reports_open, [area.code for area in roots[:4]], visits_due)


# --- Leaders ----------------------------------------------------------------------------------------------------------


@dataclass
class Period:
    reported: int
    filed: int
    closed: int
    on_time: int

    @property
    def on_time_rate(self) -> int | None:
        return round(100 * self.on_time / self.closed) if self.closed else None


@dataclass
class LeaderSection:
    roots: list[Area]
    today: Period
    month: Period
    by_light: dict[str, int]
    open_total: int
    red: list[Item]
    summonses: Queue
    summons_items: list[Summons]
    points: list[list[Any]]
    red_link: str
    #: 预警: open early warnings of the area (None for who may not read them).
    alerts: WorkbenchCard | None = None


LEADER_RED_SHOWN = 10


def _period_start(now: dt.datetime, *, month: bool) -> dt.datetime:
    local = timezone.localtime(now)
    day = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return day.replace(day=1) if month else day


def leader_section(user: User, roots: list[Area], now: dt.datetime) -> LeaderSection:
    visible = Case.objects.visible_to(user)
    month = _period_start(now, month=True)
    today = _period_start(now, month=False)
    recent = visible.filter(Q(created_at__gte=month) | Q(filed_at__gte=month) | Q(closed_at__gte=month))
    on_time = Q(overdue_count=0)
    totals = recent.aggregate(
        reported_today=Count("pk", filter=Q(created_at__gte=today)),
        reported_month=Count("pk", filter=Q(created_at__gte=month)),
        filed_today=Count("pk", filter=Q(filed_at__gte=today)),
        filed_month=Count("pk", filter=Q(filed_at__gte=month)),
        closed_today=Count("pk", filter=Q(closed_at__gte=today)),
        closed_month=Count("pk", filter=Q(closed_at__gte=month)),
        on_time_today=Count("pk", filter=Q(closed_at__gte=today) & on_time),
        on_time_month=Count("pk", filter=Q(closed_at__gte=month) & on_time),
    )
    open_cases = visible.filter(status__in=OPEN_STATUSES)
    by_light = dict(open_cases.order_by().values_list("light").annotate(total=Count("pk")))
    red = _items(
        _rows(open_cases.filter(light=Light.RED)).order_by(F("due_at").asc(nulls_last=True), "created_at")[
            :LEADER_RED_SHOWN
        ],
        "",
        now,
    )
    summonses, summons_items = _summonses(visible, now)
    points = [
        [round(longitude or 0.0, 6), round(latitude or 0.0, 6), light, number]
        for longitude, latitude, light, number in by_urgency(
            open_cases.filter(longitude__isnull=False, latitude__isnull=False)
        ).values_list("longitude", "latitude", "light", "number")[:MAP_POINTS]
    ]
    return LeaderSection(
        roots=roots,
        today=Period(totals["reported_today"], totals["filed_today"], totals["closed_today"], totals["on_time_today"]),
        month=Period(totals["reported_month"], totals["filed_month"], totals["closed_month"], totals["on_time_month"]),
        by_light={light: by_light.get(light, 0) for light in (Light.RED, Light.YELLOW, Light.GREEN, Light.NONE)},
        open_total=sum(by_light.values()),
        red=red,
        summonses=summonses,
        summons_items=summons_items,
        points=points,
        red_link=reverse("cases:list") + "?" + urlencode({"queue": "overdue"}),
        alerts=workbench_card(user),
    )


# --- Administrator ------------------------------------------------------------------------------------------------


@dataclass
class JobRun:
    job: str
    run: PeriodicRun | None
    stale: bool


@dataclass
class AdminSection:
    tasks_ready: int
    tasks_running: int
    tasks_failed_day: int
    oldest_ready: dt.datetime | None
    last_activity: dt.datetime | None
    worker_ok: bool
    jobs: list[JobRun]
    outbox_failed: int
    outbox_stuck: int
    imports: list[ImportJob]
    imports_running: int
    links: list[tuple[Any, str]]


ADMIN_LINKS = (
    (_("区域与网格"), "admin:areas_area_changelist"),
    (_("案件类别与时限"), "admin:cases_category_changelist"),
    (_("派遣规则"), "admin:cases_dispatchrule_changelist"),
    (_("工作日历"), "admin:cases_calendarday_changelist"),
    (_("工作时间"), "admin:cases_workinghours_changelist"),
    (_("部门"), "admin:accounts_department_changelist"),
    (_("用户"), "admin:accounts_user_changelist"),
)


#: Since when a ready task may run: its run_after, or its enqueueing where it has none (stored as the far future).
WAITING_SINCE = Choose(When(run_after=get_date_max(), then=F("enqueued_at")), default=F("run_after"))


def admin_section(now: dt.datetime) -> AdminSection:
    tasks = DBTaskResult.objects.aggregate(
        ready=Count("pk", filter=Q(status=TaskResultStatus.READY)),
        running=Count("pk", filter=Q(status=TaskResultStatus.RUNNING)),
        failed=Count("pk", filter=Q(status=TaskResultStatus.FAILED, finished_at__gte=now - dt.timedelta(days=1))),
        oldest=Min(WAITING_SINCE, filter=Q(status=TaskResultStatus.READY)),
        started=Max("started_at"),
        finished=Max("finished_at"),
    )
    moments = [moment for moment in (tasks["started"], tasks["finished"]) if moment]
    # No heartbeat table: the worker is taken to be alive while nothing ready waits longer than TASK_WAIT_ALERT.
    worker_ok = tasks["oldest"] is None or now - tasks["oldest"] <= TASK_WAIT_ALERT
    runs = {run.job: run for run in PeriodicRun.objects.all()}
    jobs = []
    for job in settings.PERIODIC_JOBS:
        run = runs.get(job)
        stale = run is None or run.last_ok_at is None or now - run.last_ok_at > PERIODIC_STALE
        jobs.append(JobRun(job, run, stale or run is None or run.outcome == PeriodicRunOutcome.FAILED))
    outbox = Delivery.objects.aggregate(
        failed=Count("pk", filter=Q(status=DeliveryStatus.FAILED)),
        stuck=Count(
            "pk",
            filter=Q(status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING], created_at__lte=now - OUTBOX_STUCK),
        ),
    )
    imports = list(ImportJob.objects.select_related("created_by").order_by("-created_at")[:5])
    return AdminSection(
        tasks_ready=tasks["ready"],
        tasks_running=tasks["running"],
        tasks_failed_day=tasks["failed"],
        oldest_ready=tasks["oldest"],
        last_activity=max(moments) if moments else None,
        worker_ok=worker_ok,
        jobs=jobs,
        outbox_failed=outbox["failed"],
        outbox_stuck=outbox["stuck"],
        imports=imports,
        imports_running=sum(1 for job in imports if job.running),
        links=[(label, reverse(name)) for label, name in ADMIN_LINKS],
    )


# --- The page -------------------------------------------------------------------------------------------------------


@dataclass
class Workbench:
    sections: list[str]
    roots: list[Area]
    command: CommandSection | None = None
    department: DepartmentSection | None = None
    field: FieldSection | None = None
    leader: LeaderSection | None = None
    admin: AdminSection | None = None


def sections_for(user: User) -> list[str]:
    roles = {str(role) for role in user.roles}
    found = set()
    if roles & COMMAND_ROLES:
        found.add("command")
    if Role.DEPARTMENT_HANDLER in roles and user.department_id:
        found.add("department")
    if roles & FIELD_ROLES:
        found.add("field")
    if roles & LEADER_ROLES:
        found.add("leader")
    if Role.ADMINISTRATOR in roles or user.is_superuser:
        found.add("admin")
    return [name for name in SECTION_ORDER if name in found]


def workbench(user: User, now: dt.datetime | None = None) -> Workbench:
    now = now or timezone.now()
    roles = {str(role) for role in user.roles}
    sections = sections_for(user)
    roots = area_roots(user)
    bench = Workbench(sections=sections, roots=roots)
    if "command" in sections:
        bench.command = command_section(user, roles, now)
    if "department" in sections:
        bench.department = department_section(user, now)
    if "field" in sections:
        bench.field = field_section(user, roots, now)
    if "leader" in sections:
        bench.leader = leader_section(user, roots, now)
    if "admin" in sections:
        bench.admin = admin_section(now)
    return bench
