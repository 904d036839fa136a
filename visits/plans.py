"""Visit plans and the due visits they make: who a plan covers, when a visit falls due on the working calendar,
which worker owns it, its light, and the daily generation job.

The generation is set-based (a few queries per plan, ``bulk_create`` in batches) so that a district of a million
residents with a hundred thousand in care groups is done in seconds; it is idempotent (a second run inserts
nothing) and safe in parallel (the unique constraints of :class:`~visits.models.DueVisit` decide, conflicting
inserts are ignored).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import user_scope, users_covering
from accounts.models import User
from accounts.roles import Role
from areas.models import Area
from audit.models import AuditAction
from audit.services import Origin, audit_record
from cases.worktime import WorkCalendar, calendar_for
from gridgov.errors import Conflict, NotFound, PermissionDenied, Problems, ValidationFailed
from registry.choices import SENSITIVE_TAGS, ResidencyType, TagCategory
from registry.models import FloatingRegistration, Person, PersonTag
from visits.choices import DueLight, DueStatus, IntervalUnit, PlanSubject, VisitPurpose
from visits.models import DueVisit, VisitPlan, may_see_sensitive

BATCH = 5000
#: The yellow window: due within this many days, or within this share of the interval, whichever is larger.
YELLOW_DAYS = 2
YELLOW_SHARE = 0.2


# ── The plans ───────────────────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class PlanDefault:
    name: str
    subject: str
    interval: int
    tag_category: str = ""
    first_within: int = 7
    purpose: str = ""


#: The plans every site starts with (六必访 and 重点人员 by their category's rule; floating residents).
DEFAULT_PLANS = (
    PlanDefault("独居老人每周走访", PlanSubject.TAG, 7, TagCategory.ELDERLY_ALONE, purpose=VisitPurpose.ELDERLY_ALONE),
    PlanDefault("残疾人每月走访", PlanSubject.TAG, 30, TagCategory.DISABLED, purpose=VisitPurpose.DISABLED),
    PlanDefault("低保/需救助对象每月走访", PlanSubject.TAG, 30, TagCategory.LOW_INCOME, purpose=VisitPurpose.HARDSHIP),
    PlanDefault("失业人员每月走访", PlanSubject.TAG, 30, TagCategory.UNEMPLOYED, purpose=VisitPurpose.UNEMPLOYED),
    PlanDefault(
        "留守儿童每月走访", PlanSubject.TAG, 30, TagCategory.LEFT_BEHIND_CHILD, purpose=VisitPurpose.OTHER_CARE
    ),
    PlanDefault(
        "刑满释放人员每月走访", PlanSubject.TAG, 30, TagCategory.RELEASED_PRISONER, purpose=VisitPurpose.KEY_PERSON
    ),
    PlanDefault(
        "社区矫正人员每周走访", PlanSubject.TAG, 7, TagCategory.COMMUNITY_CORRECTION, purpose=VisitPurpose.KEY_PERSON
    ),
    PlanDefault(
        "严重精神障碍患者每两周走访",
        PlanSubject.TAG,
        14,
        TagCategory.SEVERE_MENTAL_ILLNESS,
        purpose=VisitPurpose.KEY_PERSON,
    ),
    PlanDefault("吸毒人员每月走访", PlanSubject.TAG, 30, TagCategory.DRUG_USER, purpose=VisitPurpose.KEY_PERSON),
    PlanDefault("重点上访人员每两周走访", PlanSubject.TAG, 14, TagCategory.PETITIONER, purpose=VisitPurpose.KEY_PERSON),
    PlanDefault("重点青少年每月走访", PlanSubject.TAG, 30, TagCategory.AT_RISK_YOUTH, purpose=VisitPurpose.KEY_PERSON),
    PlanDefault("新登记流动人口7日内走访", PlanSubject.NEW_FLOATING, 30, purpose=VisitPurpose.NEWCOMER),
    PlanDefault("流动人口登记到期走访", PlanSubject.EXPIRED_FLOATING, 30, purpose=VisitPurpose.INFO_CHECK),
)


def plan_is_sensitive(subject: str, tag_category: str) -> bool:
    return subject == PlanSubject.TAG and tag_category in SENSITIVE_TAGS


def visit_plans_seed(plan_model: Any) -> int:
    """Create the default plans that are missing (by name); ``plan_model`` is the model class (the data
    migration passes its historical one). Idempotent; returns how many were created."""
    existing = set(plan_model.objects.values_list("name", flat=True))
    missing = [
        plan_model(
            name=default.name,
            subject=default.subject,
            tag_category=default.tag_category,
            interval=default.interval,
            interval_unit=IntervalUnit.NATURAL,
            first_within=default.first_within,
            purpose=default.purpose,
            sensitive=plan_is_sensitive(default.subject, default.tag_category),
        )
        for default in DEFAULT_PLANS
        if default.name not in existing
    ]
    plan_model.objects.bulk_create(missing)
    return len(missing)


def visit_plans_ensure() -> int:
    return visit_plans_seed(VisitPlan)


PLAN_FIELDS = (
    "name",
    "subject",
    "tag_category",
    "area",
    "interval",
    "interval_unit",
    "first_within",
    "purpose",
    "active",
)


def plans_visible_to(user: Any) -> QuerySet[VisitPlan]:
    """Plans that apply to the user's areas (district-wide ones, those within or above their scope); plans of
    sensitive groups only with their permission."""
    scope = user_scope(user)
    plans = VisitPlan.objects.select_related("area")
    if not scope.everything:
        above = Q(area__code__in=[code[:length] for code in scope.codes for length in range(2, len(code) + 1)])
        plans = plans.filter(Q(area__isnull=True) | scope.q("area__code") | above)
    if not may_see_sensitive(user):
        plans = plans.filter(sensitive=False)
    return plans


def plan_editable_by(user: Any, plan: VisitPlan | None, area: Area | None) -> bool:
    """Community staff edit the plans of areas in their scope; district-wide plans are the administrator's."""
    if area is None:
        return bool(user.is_staff)
    if plan is not None and plan.area_id is None and not user.is_staff:
        return False
    return user_scope(user).covers(area.code)


def access_plan(user: Any, plan_id: int) -> VisitPlan:
    try:
        return plans_visible_to(user).get(pk=plan_id)
    except VisitPlan.DoesNotExist as missing:
        raise NotFound(_("没有找到该走访计划"), code="plan_not_found") from missing


def visit_plan_save(origin: Origin, values: Mapping[str, Any], plan: VisitPlan | None = None) -> VisitPlan:
    """Create or change a plan; ``sensitive`` follows its tag category. Audited with old → new values."""
    problems = Problems()
    creating = plan is None
    plan = plan or VisitPlan()
    area: Area | None = values.get("area")
    if not plan_editable_by(origin.actor, None if creating else plan, area):
        raise PermissionDenied(_("该走访计划不在您的管辖范围内"), code="plan_out_of_scope")
    subject = values.get("subject", plan.subject)
    category = values.get("tag_category", plan.tag_category) or ""
    if subject == PlanSubject.TAG and not category:
        problems.add("tag_category", _("按人员标签的计划须选择人员标签"))
    if subject != PlanSubject.TAG:
        category = ""
    if category in SENSITIVE_TAGS and not may_see_sensitive(origin.actor):
        problems.add("tag_category", _("您的角色不能管理重点人员的走访计划"))
    problems.raise_if_any()
    changes: dict[str, list[Any]] = {}
    for name in PLAN_FIELDS:
        if name not in values and name != "tag_category":
            continue
        new = category if name == "tag_category" else values[name]
        old = getattr(plan, name) if not creating else None
        if old != new:
            changes[name] = [_shown(old), _shown(new)]
            setattr(plan, name, new)
    plan.sensitive = plan_is_sensitive(plan.subject, plan.tag_category)
    with transaction.atomic():
        plan.save()
        audit_record(
            origin,
            AuditAction.CREATE if creating else AuditAction.UPDATE,
            plan,
            area_code=plan.area.code if plan.area else "",
            changes=changes,
        )
    return plan


def _shown(value: Any) -> Any:
    return value.code if isinstance(value, Area) else value


# ── Whom a plan covers ──────────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Covered:
    """One person a plan covers today: since when (the day they came into the group), their grid, and the
    worker named on their tag."""

    person_id: int
    since: dt.date
    grid_id: int
    responsible_id: int | None = None


def _in_area(plan: VisitPlan, field: str = "person__grid__code") -> Q:
    return Q(**{f"{field}__startswith": plan.area.code}) if plan.area_id and plan.area else Q()


def _tags_covering(plan: VisitPlan, today: dt.date) -> QuerySet[PersonTag]:
    return PersonTag.objects.filter(category=plan.tag_category).active_on(today).filter(_in_area(plan))


def plan_covered(plan: VisitPlan, today: dt.date) -> Iterator[Covered]:
    """Everyone the plan makes a visit due for on ``today`` (one query, streamed)."""
    if plan.subject == PlanSubject.TAG:
        rows = (
            _tags_covering(plan, today)
            .order_by("person_id", "since", "id")
            .values_list("person_id", "since", "person__grid_id", "responsible_id", "responsible__is_active")
        )
        last = None
        for person_id, since, grid_id, responsible_id, responsible_active in rows.iterator(chunk_size=BATCH):
            if person_id == last:
                continue  # the earliest of the person's tags of this group
            last = person_id
            yield Covered(person_id, since, grid_id, responsible_id if responsible_active else None)
    elif plan.subject == PlanSubject.NEW_FLOATING:
        # Registered within the plan's window (``interval`` days back): the first visit is due ``first_within``
        # days after the registration.
        registrations = (
            FloatingRegistration.objects.filter(
                _in_area(plan), person__residency_type=ResidencyType.FLOATING, arrival_date__lte=today
            )
            .values("person_id", "person__grid_id")
            .annotate(last=Max("arrival_date"))
            .filter(last__gte=today - dt.timedelta(days=plan.interval))
            .order_by("person_id")
            .values_list("person_id", "last", "person__grid_id")
        )
        for person_id, last, grid_id in registrations.iterator(chunk_size=BATCH):
            yield Covered(person_id, last, grid_id)
    else:
        # A registration that expired (within the window) with no later or open-ended one: a visit to check
        # whether the person is still here, ``first_within`` days after the expiry.
        registrations = (
            FloatingRegistration.objects.filter(_in_area(plan))
            .values("person_id", "person__grid_id")
            .annotate(last=Max("expected_until"), open_ended=Count("id", filter=Q(expected_until__isnull=True)))
            .filter(
                open_ended=0, last__lt=today, last__gte=today - dt.timedelta(days=plan.interval + plan.first_within)
            )
            .order_by("person_id")
            .values_list("person_id", "last", "person__grid_id")
        )
        for person_id, last, grid_id in registrations.iterator(chunk_size=BATCH):
            yield Covered(person_id, last, grid_id)


def plan_coverage_count(plan: VisitPlan, today: dt.date, user: Any = None) -> int:
    """How many people the plan covers today (within ``user``'s scope when given): the plan pages' preview."""
    if plan.subject == PlanSubject.TAG:
        tags = _tags_covering(plan, today)
        if user is not None:
            tags = tags.filter(user_scope(user).q("person__grid__code"))
        return tags.values("person_id").distinct().count()
    people = [covered.person_id for covered in plan_covered(plan, today)]
    if user is None or not people:
        return len(people)
    return Person.objects.filter(pk__in=people).filter(user_scope(user).q("grid__code")).count()


def _still_covered(plan: VisitPlan, today: dt.date) -> Q:
    """A condition on due visits: their person still belongs to the plan's group (no window applied — an overdue
    visit of a floating resident stays due until done or until the person leaves)."""
    area = _in_area(plan)
    if plan.subject == PlanSubject.TAG:
        tags = PersonTag.objects.filter(person_id=OuterRef("person_id"), category=plan.tag_category).active_on(today)
        return Q(Exists(tags)) & area
    if plan.subject == PlanSubject.NEW_FLOATING:
        return Q(person__residency_type=ResidencyType.FLOATING) & area
    renewed = FloatingRegistration.objects.filter(person_id=OuterRef("person_id")).filter(
        Q(expected_until__isnull=True) | Q(expected_until__gt=OuterRef("window_start"))
    )
    return ~Q(Exists(renewed)) & area


# ── The calendar and the lights ─────────────────────────────────────────────────────────────────────────────


def next_workday(day: dt.date, calendar: WorkCalendar) -> dt.date:
    while not calendar.is_workday(day):
        day += dt.timedelta(days=1)
    return day


def due_date(start: dt.date, days: int, unit: str, calendar: WorkCalendar | None = None) -> dt.date:
    """The day a visit falls due ``days`` after ``start``: natural days then moved off a weekend or holiday to the
    next working day, or the ``days``-th working day after ``start`` (adjusted working Saturdays count)."""
    calendar = calendar or calendar_for()
    if unit == IntervalUnit.WORKING:
        day, left = start, days
        while left > 0:
            day += dt.timedelta(days=1)
            if calendar.is_workday(day):
                left -= 1
        return day
    return next_workday(start + dt.timedelta(days=days), calendar)


def yellow_days(interval: int) -> int:
    return max(YELLOW_DAYS, math.ceil(interval * YELLOW_SHARE))


def due_light(due_on: dt.date, today: dt.date, interval: int) -> str:
    """Red when overdue, yellow when due within 2 days or 20 % of the interval (whichever is larger), else green:
    the one rule for lists, the agenda, the API and the calendar."""
    if due_on < today:
        return DueLight.RED
    if (due_on - today).days <= yellow_days(interval):
        return DueLight.YELLOW
    return DueLight.GREEN


def light_q(lights: Iterable[str], today: dt.date, intervals: Mapping[int, int]) -> Q:
    """Open due visits of the given lights on ``today``; ``intervals`` maps plan ids to their interval."""
    wanted = set(lights)
    condition = Q(pk__in=[])
    if DueLight.RED in wanted:
        condition |= Q(due_on__lt=today)
    for interval in set(intervals.values()):
        plans = [plan_id for plan_id, days in intervals.items() if days == interval]
        horizon = today + dt.timedelta(days=yellow_days(interval))
        if DueLight.YELLOW in wanted:
            condition |= Q(plan_id__in=plans, due_on__gte=today, due_on__lte=horizon)
        if DueLight.GREEN in wanted:
            condition |= Q(plan_id__in=plans, due_on__gt=horizon)
    return condition


def plan_intervals() -> dict[int, int]:
    return dict(VisitPlan.objects.values_list("id", "interval"))


# ── Generation ──────────────────────────────────────────────────────────────────────────────────────────────


@dataclass
class GenerateCounts:
    plans: int = 0
    created: int = 0
    cancelled: int = 0


class _Workers:
    """The grid workers covering each grid, with their open due visits, to give a new due visit to the least
    loaded one (stable tie-break by id). A sensitive plan's visits (重点人员) go first to those who may see sensitive
    groups, the grid leaders and community staff covering the grid; where there are none, to the grid's workers (the
    visit must be made; its worker then sees that person's visits and no one else's)."""

    def __init__(self, sensitive: bool = False) -> None:
        self.roles = [Role.GRID_LEADER, Role.COMMUNITY_STAFF] if sensitive else [Role.GRID_WORKER]
        self.fallback = [Role.GRID_WORKER] if sensitive else []
        self.by_grid: dict[int, list[int]] = {}
        self.load: dict[int, int] = defaultdict(int)
        self.loaded = False

    def _load(self) -> None:
        self.load.update(
            DueVisit.objects.filter(status=DueStatus.OPEN, worker__isnull=False)
            .values("worker_id")
            .annotate(open=Count("id"))
            .values_list("worker_id", "open")
        )
        self.loaded = True

    def pick(self, grid_id: int, codes: Mapping[int, str]) -> int | None:
        if not self.loaded:
            self._load()
        if grid_id not in self.by_grid:
            for roles in (self.roles, self.fallback):
                covering = users_covering(codes[grid_id], roles, through_department=False) if roles else None
                self.by_grid[grid_id] = sorted(covering.values_list("pk", flat=True)) if covering is not None else []
                if self.by_grid[grid_id]:
                    break
        candidates = self.by_grid[grid_id]
        if not candidates:
            return None
        chosen = min(candidates, key=lambda pk: (self.load[pk], pk))
        self.load[chosen] += 1
        return chosen


def _chunks(items: list[Any], size: int = BATCH) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


_INSERTED = ("plan", "person", "grid", "worker", "assigned", "window_start", "due_on", "sensitive")


def _due_insert(rows: list[tuple[Any, ...]]) -> None:
    """Insert open due visits in batches of one statement, leaving out those a unique constraint already holds
    (another run in parallel, an earlier window): ``ON CONFLICT DO NOTHING`` on PostgreSQL and SQLite alike.
    Plain rows rather than model instances: a first run writes a hundred thousand of them."""
    meta = DueVisit._meta
    fields = {field.name: str(field.column) for field in meta.concrete_fields}
    columns = [fields[name] for name in (*_INSERTED, "status", "created_at")]
    quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
    now = timezone.now()
    sql = (
        f"INSERT INTO {connection.ops.quote_name(meta.db_table)} ({quoted}) "
        f"VALUES ({', '.join(['%s'] * len(columns))}) ON CONFLICT DO NOTHING"
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            cursor.executemany(sql, [(*row, DueStatus.OPEN, now) for row in rows[start : start + BATCH]])


def due_visits_generate(today: dt.date) -> GenerateCounts:
    """Make the due visits of every active plan current on ``today``: one OPEN due visit per covered person and
    plan, and the open ones of people who left the group cancelled. Idempotent and safe in parallel."""
    counts = GenerateCounts()
    calendar = calendar_for()
    workers = {False: _Workers(), True: _Workers(sensitive=True)}
    codes: dict[int, str] = {}
    for plan in VisitPlan.objects.active().select_related("area").order_by("id"):
        counts.plans += 1
        counts.cancelled += (
            DueVisit.objects.filter(plan=plan, status=DueStatus.OPEN)
            .exclude(_still_covered(plan, today))
            .update(status=DueStatus.CANCELLED)
        )
        open_people = set(
            DueVisit.objects.filter(plan=plan, status=DueStatus.OPEN)
            .values_list("person_id", flat=True)
            .iterator(chunk_size=BATCH)
        )
        candidates = [covered for covered in plan_covered(plan, today) if covered.person_id not in open_people]
        if candidates:
            counts.created += _create_due(plan, candidates, calendar, workers[plan.sensitive], codes)
    return counts


def _create_due(
    plan: VisitPlan, candidates: list[Covered], calendar: WorkCalendar, workers: _Workers, codes: dict[int, str]
) -> int:
    people = [covered.person_id for covered in candidates]
    last_done: dict[int, tuple[dt.date, dt.date]] = {}
    assigned: dict[int, int] = {}
    taken: set[tuple[int, dt.date]] = set()
    for chunk in _chunks(people):
        earlier = DueVisit.objects.filter(plan=plan, person_id__in=chunk).values_list(
            "person_id", "status", "done_on", "window_start", "worker_id", "assigned", "id"
        )
        for person_id, status, done_on, window_start, earlier_worker, earlier_assigned, _id in earlier.order_by("id"):
            taken.add((person_id, window_start))
            if (
                status == DueStatus.DONE
                and done_on
                and (person_id not in last_done or done_on >= last_done[person_id][0])
            ):
                last_done[person_id] = (done_on, window_start)
            if earlier_assigned and earlier_worker:
                assigned[person_id] = earlier_worker  # the latest explicit assignment wins (rows in id order)
    unknown = {covered.grid_id for covered in candidates} - codes.keys()
    if unknown:
        codes.update(Area.objects.filter(pk__in=unknown).values_list("pk", "code"))
    active_assigned = (
        set(User.objects.filter(pk__in=set(assigned.values()), is_active=True).values_list("pk", flat=True))
        if assigned
        else set()
    )
    rows: list[tuple[Any, ...]] = []
    days_after: dict[tuple[dt.date, int], dt.date] = {}

    def due_after(start: dt.date, days: int) -> dt.date:
        # many people share a start day: each (day, days) is worked out on the calendar once
        if (start, days) not in days_after:
            days_after[start, days] = due_date(start, days, plan.interval_unit, calendar)
        return days_after[start, days]

    for covered in candidates:
        if plan.subject == PlanSubject.TAG and covered.person_id in last_done:
            # The next window opens with the last visit (or the day the person came back into the group).
            done_on, done_window = last_done[covered.person_id]
            base = max(done_on, covered.since)
            start = base if base > done_window else done_window + dt.timedelta(days=1)
            due_on = due_after(base, plan.interval)
        else:
            start = covered.since
            days = plan.interval if plan.subject == PlanSubject.TAG else plan.first_within
            due_on = due_after(start, days)
        if (covered.person_id, start) in taken:
            continue  # this window was already done or cancelled
        worker_id: int | None = covered.responsible_id
        is_assigned = False
        if worker_id is None and assigned.get(covered.person_id) in active_assigned:
            worker_id, is_assigned = assigned[covered.person_id], True
        if worker_id is None:
            worker_id = workers.pick(covered.grid_id, codes)
        else:
            workers.load[worker_id] += 1
        rows.append(
            (plan.pk, covered.person_id, covered.grid_id, worker_id, is_assigned, start, due_on, plan.sensitive)
        )
    _due_insert(rows)
    return len(rows)


# ── Reading and assigning due visits ────────────────────────────────────────────────────────────────────────


def due_visits_visible(user: Any) -> QuerySet[DueVisit]:
    """Due visits in the user's scope (sensitive ones only with permission), with what a row shows."""
    return DueVisit.objects.visible_to(user).select_related(
        "plan", "grid", "worker", "person", "person__house", "person__house__building"
    )


def due_visits_filtered(
    user: Any,
    today: dt.date,
    *,
    mine: bool = True,
    status: str = DueStatus.OPEN,
    day: dt.date | None = None,
    until: dt.date | None = None,
    grid_code: str = "",
    lights: Iterable[str] = (),
) -> QuerySet[DueVisit]:
    rows = due_visits_visible(user).filter(status=status)
    if mine:
        rows = rows.filter(worker=user)
    if day is not None:
        rows = rows.filter(due_on=day)
    if until is not None:
        rows = rows.filter(due_on__lte=until)
    if grid_code:
        rows = rows.filter(grid__code__startswith=grid_code)
    lights = list(lights)
    if lights and status == DueStatus.OPEN:
        rows = rows.filter(light_q(lights, today, plan_intervals()))
    return rows.order_by("due_on", "id")


def access_due_visit(user: Any, due_id: int) -> DueVisit:
    try:
        return due_visits_visible(user).get(pk=due_id)
    except DueVisit.DoesNotExist as missing:
        raise NotFound(_("没有找到该应走访记录"), code="due_visit_not_found") from missing


def due_location(due: DueVisit) -> tuple[float, float] | None:
    """Where the visit is made: the person's house's building."""
    house = due.person.house
    if house is None:
        return None
    return house.building.lon, house.building.lat


def due_row(due: DueVisit, today: dt.date, viewer: Any = None) -> dict[str, Any]:
    """A due visit as lists, the agenda and the API show it (DueOut)."""
    location = due_location(due)
    house = due.person.house
    return {
        "id": due.pk,
        "plan_id": due.plan_id,
        "plan_name": due.plan.name,
        "purpose": due.plan.purpose if due.plan.purpose in VisitPurpose.values else "",
        "person_id": due.person_id,
        "person_name": due.person.name,
        "grid_code": due.grid.code,
        "grid_name": due.grid.name,
        "worker_id": due.worker_id,
        "worker_name": str(due.worker) if due.worker else "",
        "due_on": due.due_on,
        "window_start": due.window_start,
        "status": due.status,
        "light": due_light(due.due_on, today, due.plan.interval) if due.status == DueStatus.OPEN else DueLight.GREEN,
        "days_left": (due.due_on - today).days,
        "address": house.address if house else "",
        "lon": location[0] if location else None,
        "lat": location[1] if location else None,
        "sensitive": due.sensitive and may_see_sensitive(viewer),
    }


def due_visit_assign(origin: Origin, due: DueVisit, worker_id: int) -> DueVisit:
    """A leader gives an open due visit to another grid worker covering its grid; kept for the next windows."""
    if not origin.actor.has_perm("visits.change_duevisit"):
        raise PermissionDenied(_("您的角色不能改派走访"), code="not_permitted")
    if due.status != DueStatus.OPEN:
        raise Conflict(_("该走访已完成或已取消，不能改派"), code="due_visit_closed")
    covering = users_covering(due.grid.code, [Role.GRID_WORKER, Role.GRID_LEADER], through_department=False)
    worker = covering.filter(pk=worker_id).first()
    if worker is None:
        raise ValidationFailed(
            _("该人员不是本网格的网格员"),
            code="worker_not_covering",
            details=[{"field": "worker_id", "message": _("该人员不是本网格的网格员")}],
        )
    with transaction.atomic():
        locked = DueVisit.objects.select_for_update().get(pk=due.pk)
        if locked.status != DueStatus.OPEN:
            raise Conflict(_("该走访已完成或已取消，不能改派"), code="due_visit_closed")
        old = locked.worker_id
        DueVisit.objects.filter(pk=due.pk).update(worker=worker, assigned=True)
        audit_record(origin, AuditAction.UPDATE, locked, area_code=due.grid.code, changes={"worker": [old, worker.pk]})
    due.worker, due.assigned = worker, True
    return due


def grid_workers(grid_code: str) -> list[User]:
    return list(
        users_covering(grid_code, [Role.GRID_WORKER, Role.GRID_LEADER], through_department=False).order_by("pk")
    )
