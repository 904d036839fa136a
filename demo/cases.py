"""A realistic month of cases, run through the case services (never by writing states).

A small discrete-event simulation: each report is a plan of steps with delays; the steps of all cases are played
in time order with ``acting_at``, and the deadline job runs every simulated hour, so lights, overdue counts,
escalations and supervision happen as they would have. The monthly shape follows a real district: about 1,000
cases filed, about 94 % closed and 76 % closed on time, 97 % events and 3 % components, most found by grid workers.

People and departments do not all work alike, so that the month's rankings have something to say (:class:`Profile`):
each street is excellent, ordinary or weak, and so are most of its grid workers (more or fewer reports, invalid
ones, late checks; the public reports more of what a weak street's workers miss); four dispatchers and the
departments each have their share of late steps, of wrong dispatches and of failed checks.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import heapq
import io
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from faker import Faker
from PIL import Image

from accounts.models import Department, DepartmentKind, User
from accounts.roles import Role
from areas.choices import AreaLevel
from areas.locate import grid_locate_many
from areas.models import Area, AreaBoundary
from audit.services import Origin
from cases import services
from cases.choices import CaseStatus, RequestKind
from cases.deadlines import deadlines_sweep
from cases.dispatching import dispatch_suggest
from cases.models import Case, Category, DispatchRule
from cases.photos import photo_check
from demo.district import DEMO_PASSWORD, DISTRICT_CODE, points_inside
from gridgov.errors import DomainError
from gridgov.timesource import acting_at
from hotline.services import TicketData, ticket_take
from registry.models import Component

# The most frequent event subclasses of a Beijing district, with weights.
COMMON_EVENTS = {
    "0102": 18, "0103": 8, "0104": 6, "0105": 4, "0101": 3, "0501": 14, "0502": 10, "0503": 6, "0504": 4,
    "0201": 5, "0202": 3, "0301": 3, "0302": 2,
}  # fmt: skip
SOURCES = [("grid_worker", 70), ("supervisor", 8), ("hotline", 12), ("public_web", 6), ("sensor", 2), ("leader", 2)]


@dataclass(frozen=True)
class Profile:
    """How someone works: the chance that a step of theirs goes past its deadline, and the rest of their habits."""

    late: float
    invalid: float = 0.0  # a report of theirs is not filed (不予立案): 有效上报率
    wrong: float = 0.0  # a dispatch of theirs goes to the wrong department (回退): 准确派遣率
    rework: float = 0.0  # a check of the department's work fails (返工)
    diligence: float = 1.0  # how much they report, beside the others
    missed: float = 1.0  # how much the public reports in their grids (漏报)


#: Grid workers (and their streets): excellent, ordinary or weak.
WORKER_PROFILES = {
    "excellent": Profile(0.01, invalid=0.0, diligence=1.6, missed=0.5),
    "ordinary": Profile(0.04, invalid=0.03),
    "weak": Profile(0.25, invalid=0.2, diligence=0.6, missed=1.8),
}
#: The streets of each kind among the 17 (the others are ordinary); a worker takes after their street 3 times in 4.
STREET_KINDS = {"excellent": 2, "weak": 3}
#: The command centre's dispatchers: the demo's 刘洋 and three colleagues, one of them weak.
DISPATCHER_PROFILES = {
    "dispatcher": Profile(0.04, wrong=0.01),
    "dispatcher2": Profile(0.01, wrong=0.0),
    "dispatcher3": Profile(0.06, wrong=0.02),
    "dispatcher4": Profile(0.2, wrong=0.08),
}
SHIFT_LEADER = Profile(0.04)
#: Departments by code: 环卫 excellent, 住建 weak; the others ordinary.
DEPARTMENT_PROFILES = {
    "DC-HW": Profile(0.05, rework=0.01),
    "DC-YL": Profile(0.06, rework=0.02),
    "DC-CG": Profile(0.15, rework=0.04),
    "DC-SZ": Profile(0.18, rework=0.05),
    "DC-ZJ": Profile(0.4, rework=0.15),
}
ORDINARY_DEPARTMENT = Profile(0.16, rework=0.04)

DEPARTMENT_RULES = [  # (class kind, class code, department code)
    ("event", "01", "DC-HW"),
    ("event", "02", "DC-CG"),
    ("event", "03", "DC-ZJ"),
    ("event", "04", "DC-SZ"),
    ("event", "05", "DC-CG"),
]


def _people_names(seed: int) -> Faker:
    """Chinese personal names, the same on every build (pages show the role beside a name, never in it)."""
    names = Faker("zh_CN")
    names.seed_instance(seed)
    return names


@dataclass(order=True)
class Step:
    at: dt.datetime
    order: int
    plan: Plan = field(compare=False)
    name: str = field(compare=False)


@dataclass
class Plan:
    """What will happen to one report (decided up front from the shares above)."""

    reported_at: dt.datetime
    source: str
    category: Category
    grid: Area
    point: tuple[float, float]
    component_code: str = ""
    self_resolved: bool = False
    fate: str = "closed"  # closed / rejected / merged / void / open
    stop_after: str = ""  # for open cases: the last step done
    extend: bool = False
    suspend: bool = False
    dispatcher: str = "dispatcher"
    return_first: bool = False  # decided at dispatch, by the dispatcher's habits
    reworks: int = 0
    rating: str = ""
    case: Case | None = None


class Simulation:
    def __init__(self, seed: int, now: dt.datetime, days: int, filed_target: int) -> None:
        self.rng = random.Random(seed)
        self.nprng = np.random.default_rng(seed)
        self.now = now
        self.start = now - dt.timedelta(days=days)
        self.filed_target = filed_target
        self.queue: list[Step] = []
        self.counter = 0
        self.workers = self._grid_workers()
        self.handlers = self._handlers()
        self._dispatchers()
        self.users: dict[str, User] = {u.username: u for u in User.objects.all()}
        self.grids = list(Area.objects.current().filter(level=AreaLevel.GRID).order_by("code"))
        self.profiles = self._worker_profiles()
        self.departments = {d.pk: d.code for d in Department.objects.all()}
        # Where reports come from: workers report in their grid as diligently as they work; the public reports
        # more where the workers miss more.
        self.worker_weights = [self.profiles[self.workers[g.code].pk].diligence for g in self.grids]
        self.public_weights = [self.profiles[self.workers[g.code].pk].missed for g in self.grids]
        self.shapes = {
            area_id: shapely.from_geojson(text)
            for area_id, text in AreaBoundary.objects.filter(
                area__level=AreaLevel.GRID, valid_to__isnull=True
            ).values_list("area_id", "geometry")
        }
        self.categories = {c.code: c for c in Category.objects.subclasses("event")}
        self.component_categories = {c.pk: c for c in Category.objects.subclasses("component")}
        self.components = self._components()
        self.last_case_of: dict[tuple[int, int], Case] = {}
        self.recent: list[Case] = []

    # --- people ---------------------------------------------------------------------------------------------
    def _grid_workers(self) -> dict[str, User]:
        """One grid worker per grid (一格一员); the named demo workers keep their grids."""
        group = Group.objects.get(name=Role.GRID_WORKER)
        names = _people_names(1)
        workers = {}
        for user in User.objects.filter(groups__name=Role.GRID_WORKER).prefetch_related("areas"):
            for area in user.areas.all():
                workers[area.code] = user
        for grid in Area.objects.current().filter(level=AreaLevel.GRID).order_by("code"):
            if grid.code in workers:
                continue
            user = User(username=f"gw{grid.code[-9:]}", full_name=names.name())
            user.set_password(DEMO_PASSWORD)
            user.save()
            user.groups.add(group)
            user.areas.add(grid)
            workers[grid.code] = user
        return workers

    def _handlers(self) -> dict[int | None, User]:
        group = Group.objects.get(name=Role.DEPARTMENT_HANDLER)
        names = _people_names(2)
        handlers = {u.department_id: u for u in User.objects.filter(groups__name=Role.DEPARTMENT_HANDLER)}
        for department in Department.objects.exclude(kind=DepartmentKind.COMMAND_CENTRE):
            if department.pk in handlers:
                continue
            user = User(username=f"h_{department.code.lower()}", full_name=names.name(), department=department)
            user.set_password(DEMO_PASSWORD)
            user.save()
            user.groups.add(group)
            handlers[department.pk] = user
        return handlers

    def _dispatchers(self) -> None:
        """The command centre's other dispatchers (the demo's own 刘洋 is one of :data:`DISPATCHER_PROFILES`)."""
        group = Group.objects.get(name=Role.DISPATCHER)
        names = _people_names(3)
        district = Area.objects.get(code=DISTRICT_CODE)
        centre = Department.objects.filter(kind=DepartmentKind.COMMAND_CENTRE).first()
        for username in DISPATCHER_PROFILES:
            if User.objects.filter(username=username).exists():
                continue
            user = User(username=username, full_name=names.name(), department=centre)
            user.set_password(DEMO_PASSWORD)
            user.save()
            user.groups.add(group)
            user.areas.add(district)

    def _worker_profiles(self) -> dict[int, Profile]:
        """Each grid worker's profile: their street's kind three times in four, another kind otherwise."""
        streets = sorted({grid.code[:9] for grid in self.grids})
        shuffled = self.rng.sample(streets, len(streets))
        kind_of = dict.fromkeys(streets, "ordinary")
        for kind, count in STREET_KINDS.items():
            for street in shuffled[:count]:
                kind_of[street] = kind
            shuffled = shuffled[count:]
        profiles = {}
        for grid in self.grids:
            kind = kind_of[grid.code[:9]]
            if self.rng.random() < 0.25:
                kind = self.rng.choice(list(WORKER_PROFILES))
            profiles[self.workers[grid.code].pk] = WORKER_PROFILES[kind]
        return profiles

    def department_profile(self, department_id: int | None) -> Profile:
        return DEPARTMENT_PROFILES.get(self.departments.get(department_id or 0, ""), ORDINARY_DEPARTMENT)

    def _components(self) -> dict[int, list[tuple[str, int]]]:
        by_grid: dict[int, list[tuple[str, int]]] = {}
        for code, grid_id, category_id in Component.objects.values_list("code", "grid_id", "category_id"):
            by_grid.setdefault(grid_id, []).append((code, category_id))
        return by_grid

    def origin(self, username_or_user: str | User) -> Origin:
        user = self.users[username_or_user] if isinstance(username_or_user, str) else username_or_user
        return Origin(user, "command")

    # --- planning ---------------------------------------------------------------------------------------------
    def _moment(self) -> dt.datetime:
        """A report time: most during the day, some at night and at weekends."""
        day = self.start + dt.timedelta(days=self.rng.uniform(0, (self.now - self.start).days))
        hour = self.rng.choices([self.rng.uniform(8, 18), self.rng.uniform(6, 23)], [80, 20])[0]
        local = timezone.localtime(day).replace(hour=0, minute=0, second=0, microsecond=0)
        return local + dt.timedelta(hours=hour)

    def plan(self) -> Plan:
        rng = self.rng
        source = rng.choices([s for s, _w in SOURCES], [w for _s, w in SOURCES])[0]
        weights = self.worker_weights if source in ("grid_worker", "supervisor") else self.public_weights
        grid = rng.choices(self.grids, weights)[0]
        component_code = ""
        if rng.random() < 0.03 and self.components.get(grid.pk):
            component_code, category_id = rng.choice(self.components[grid.pk])
            category = self.component_categories[category_id]
        else:
            codes = list(COMMON_EVENTS)
            code = (
                rng.choices(codes, [COMMON_EVENTS[c] for c in codes])[0]
                if rng.random() < 0.85
                else rng.choice(list(self.categories))
            )
            category = self.categories.get(code) or self.categories[codes[0]]
        point = points_inside(self.shapes[grid.pk], 1, self.nprng)[0]
        plan = Plan(self._moment(), source, category, grid, (float(point[0]), float(point[1])), component_code)
        worker = self.profiles[self.workers[grid.code].pk]
        invalid = worker.invalid if source == "grid_worker" else 0.04
        if source == "grid_worker" and rng.random() < 0.06:
            plan.self_resolved = True
        elif rng.random() < invalid:
            plan.fate = "rejected"
        elif rng.random() < 0.02:
            plan.fate = "merged"
        elif rng.random() < 0.005:
            plan.fate = "void"
        plan.extend = rng.random() < 0.03
        plan.suspend = rng.random() < 0.012
        plan.dispatcher = rng.choice(list(DISPATCHER_PROFILES))
        plan.rating = rng.choices(["satisfied", "basically_satisfied", "unsatisfied", ""], [50, 12, 3, 35])[0]
        age = (self.now - plan.reported_at).total_seconds() / 3600
        if plan.fate == "closed" and (age < 20 or rng.random() < 0.025):
            plan.fate = "open"
            plan.stop_after = rng.choice(
                ["report", "file", "dispatch", "accept_task", "report_result", "check_request"]
            )
        return plan

    def schedule(self, plan: Plan, name: str, at: dt.datetime) -> None:
        if at >= self.now:
            return  # not happened yet: the case stays where it is
        self.counter += 1
        heapq.heappush(self.queue, Step(at, self.counter, plan, name))

    def after(self, plan: Plan, name: str, minutes: tuple[float, float], previous: dt.datetime) -> None:
        self.schedule(plan, name, previous + dt.timedelta(minutes=self.rng.uniform(*minutes)))

    # --- playing ----------------------------------------------------------------------------------------------
    def run(self, progress: Callable[[int], None] | None = None) -> dict[str, int]:
        filed = 0
        while filed < self.filed_target:
            plan = self.plan()
            self.schedule(plan, "report", plan.reported_at)
            filed += plan.fate in ("closed", "open", "void") and not plan.self_resolved
        next_sweep = self.start
        played = 0
        while self.queue:
            step = heapq.heappop(self.queue)
            while next_sweep <= step.at:
                deadlines_sweep(next_sweep)
                next_sweep += dt.timedelta(hours=1)
            # A step that the services refuse (a merge target closed meanwhile) leaves the case where it is.
            with acting_at(step.at), contextlib.suppress(DomainError):
                self.play(step)
            played += 1
            if progress and played % 100 == 0:
                progress(100)
        deadlines_sweep(self.now)
        return {"reports": self.counter, "filed": filed}

    def play(self, step: Step) -> None:
        plan, name, at = step.plan, step.name, step.at
        worker = self.workers[plan.grid.code]
        if name == "report":
            if plan.fate == "merged" and self.recent:
                self.same_place_as(plan, self.recent[-1])
                worker = self.workers[plan.grid.code]
            plan.case = self.report(plan, worker)
            if plan.self_resolved:
                self.after(plan, "check_request", (10, 90), at)
            elif plan.fate == "merged":
                self.after(plan, "merge", (5, 40), at)
            elif plan.fate == "rejected":
                self.after(plan, "reject", (5, 40), at)
            elif plan.source in ("hotline", "public_web") and self.rng.random() < 0.5:
                self.after(plan, "verify_request", (3, 20), at)
            elif plan.stop_after != "report":
                self.after(plan, "file", self.intake_delay(), at)
            return
        case = plan.case
        assert case is not None
        if name == "merge":
            main = self.last_case_of.get((plan.grid.pk, plan.category.pk)) or (self.recent[-1] if self.recent else None)
            main = main if main and main.category_id == case.category_id else None
            if main is None or main.pk == case.pk:
                services.case_reject(self.origin("intake"), case, "经核查为重复上报，原案卷已办结")
            else:
                services.case_merge(self.origin("intake"), case, main, reason="同一位置同一问题")
        elif name == "reject":
            services.case_reject(self.origin("shift_leader"), case, "不属于城市管理范围，已告知反映人")
        elif name == "verify_request":
            services.case_verify_request(self.origin("intake"), case, worker)
            self.after(plan, "verify", (15, 70), at)
        elif name == "verify":
            services.case_verify(self.origin(worker), case, confirmed=True, note="现场核实属实")
            if plan.stop_after != "report":
                self.after(plan, "file", self.intake_delay(), at)
        elif name == "file":
            services.case_file(self.origin("shift_leader"), case, reason="符合立案条件")
            if plan.fate == "void":
                self.after(plan, "void", (10, 120), at)
            elif plan.stop_after != "file":
                late = self.rng.random() < DISPATCHER_PROFILES[plan.dispatcher].late
                self.after(plan, "dispatch", (3, 25) if not late else (45, 150), at)
        elif name == "void":
            request = services.case_request_open(self.origin(plan.dispatcher), case, RequestKind.VOID, "立案有误")
            services.case_request_decide(self.origin("shift_leader"), request, approve=True, note="同意作废")
        elif name == "dispatch":
            self.dispatch(case, plan.dispatcher)
            plan.return_first = self.rng.random() < DISPATCHER_PROFILES[plan.dispatcher].wrong
            if plan.stop_after != "dispatch":
                self.after(plan, "accept_task", (5, 60), at)
        elif name == "accept_task":
            case.refresh_from_db()
            handler = self.handlers[case.main_department_id]
            if plan.return_first:
                plan.return_first = False
                request = services.case_request_open(self.origin(handler), case, RequestKind.RETURN, "不属于本单位职责")
                services.case_request_decide(self.origin(plan.dispatcher), request, approve=True)
                self.after(plan, "dispatch", (10, 40), at)
                return
            services.case_accept_task(self.origin(handler), case)
            if plan.extend:
                try:
                    services.case_request_open(
                        self.origin(handler), case, RequestKind.EXTEND, "需采购材料", extra_minutes=450
                    )
                    self.after(plan, "approve", (10, 60), at)
                except DomainError:  # already overdue: too late to ask
                    plan.extend = False
            if plan.suspend:
                self.after(plan, "suspend", (30, 120), at)
                return
            if plan.stop_after != "accept_task":
                self.handle_later(plan, case, at)
        elif name == "approve":
            pending = case.requests.filter(status="pending").first()
            if pending:
                services.case_request_decide(self.origin(plan.dispatcher), pending, approve=True, note="同意")
        elif name == "suspend":
            case.refresh_from_db()
            handler = self.handlers[case.main_department_id]
            if case.requests.filter(status="pending").exists() or case.status != CaseStatus.HANDLING:
                self.handle_later(plan, case, at)
                return
            request = services.case_request_open(self.origin(handler), case, RequestKind.SUSPEND, "需待施工季节处理")
            services.case_request_decide(self.origin("shift_leader"), request, approve=True)
            if self.rng.random() < 0.5:
                self.after(plan, "resume", (60 * 24 * 3, 60 * 24 * 10), at)
        elif name == "resume":
            services.case_resume(self.origin(plan.dispatcher), case, reason="具备处置条件")
            plan.suspend = False
            self.handle_later(plan, case, at)
        elif name == "report_result":
            case.refresh_from_db()
            if case.status not in (CaseStatus.DISPATCHED, CaseStatus.HANDLING):
                return
            case = services.case_report_result(
                self.origin(self.handlers[case.main_department_id]), case, "已按要求处置完毕"
            )
            if plan.stop_after == "report_result":
                return
            if case.status == CaseStatus.CHECKING:  # the check went to the grid's worker by rule
                self.after(plan, "check", self.check_delay(worker), at)
            else:
                self.after(plan, "check_request", (5, 60), at)
        elif name == "check_request":
            services.case_check_request(self.origin(plan.dispatcher), case, worker)
            if plan.stop_after != "check_request":
                self.after(plan, "check", self.check_delay(worker), at)
        elif name == "check":
            rework = self.department_profile(case.main_department_id).rework
            if not plan.self_resolved and plan.reworks < 2 and self.rng.random() < rework:
                plan.reworks += 1
                services.case_check(self.origin(worker), case, passed=False, note="现场仍未整改到位")
                self.handle_later(plan, case, at)
                return
            services.case_check(self.origin(worker), case, passed=True, note="核查属实，已整改到位")
            self.after(plan, "close", (3, 30), at)
        elif name == "close":
            services.case_close(self.origin("shift_leader"), case, reason="符合结案条件")
            self.last_case_of.pop((plan.grid.pk, plan.category.pk), None)
            if plan.rating:
                self.after(plan, "evaluate", (60, 60 * 24), at)
        elif name == "evaluate":
            services.case_evaluate(self.origin("intake"), case, plan.rating, comment="回访", channel="callback")
            case.refresh_from_db()
            if case.status == CaseStatus.DISPATCHED:  # reopened
                plan.rating = ""
                self.handle_later(plan, case, at)

    def report(self, plan: Plan, worker: User) -> Case:
        source = "grid_worker" if plan.self_resolved else plan.source
        by = {
            "grid_worker": worker,
            "supervisor": self.users.get("supervisor") if plan.grid.code.startswith("110101001") else worker,
            "hotline": self.users["intake"],
            "public_web": None,
            "sensor": None,
            "leader": self.users["district_leader"],
        }[source]
        if source == "supervisor" and by is worker:
            source = "grid_worker"
        data = services.ReportData(
            source=source,
            description=f"{plan.grid.name}发现{plan.category.name}问题，请及时处理",
            longitude=plan.point[0],
            latitude=plan.point[1],
            category_id=plan.category.pk if source in ("grid_worker", "supervisor", "sensor") else None,
            reporter_phone=f"139{self.rng.randrange(10**8):08d}" if source in ("hotline", "public_web") else "",
            component_code=plan.component_code,
            self_resolved=plan.self_resolved,
            before_photos=[photo_check(_jpeg((170, 170, 170)))] if plan.self_resolved else [],
            after_photos=[photo_check(_jpeg((90, 160, 90)))] if plan.self_resolved else [],
        )
        origin = Origin(by, "command") if by else Origin(None, "command")
        # A call taken at the 12345 desk becomes a ticket and its case.
        case = self.call_take(origin, data) if source == "hotline" else services.report_submit(origin, data).case
        if case.category_id is None:
            case = services.case_accept(self.origin("intake"), case, category=plan.category)
        if plan.fate != "merged":
            self.last_case_of[(plan.grid.pk, plan.category.pk)] = case
            self.recent = [*self.recent[-20:], case]
        return case

    def call_take(self, origin: Origin, data: services.ReportData) -> Case:
        kind = self.rng.choices(["complaint", "help", "report", "suggestion"], [55, 25, 12, 8])[0]
        ticket = ticket_take(
            origin,
            TicketData(
                caller_phone=data.reporter_phone,
                caller_name=self.rng.choice(["张先生", "李女士", "王先生", "刘女士", "陈先生", ""]),
                request_type=kind,
                content=data.description,
                longitude=data.longitude,
                latitude=data.latitude,
            ),
        )
        assert ticket.case is not None
        return ticket.case

    def same_place_as(self, plan: Plan, main: Case) -> None:
        """A second report of the same problem, a few dozen metres from the first."""
        plan.grid, plan.category = main.grid, main.category or plan.category
        assert main.longitude is not None and main.latitude is not None  # every demo case has its point
        plan.point = (main.longitude + self.rng.uniform(-3e-4, 3e-4), main.latitude + self.rng.uniform(-2e-4, 2e-4))
        plan.source = "hotline"
        plan.component_code = ""
        located = grid_locate_many([plan.point[0]], [plan.point[1]])
        if located.codes[0] != main.grid.code:
            plan.point = (main.longitude, main.latitude)

    def intake_delay(self) -> tuple[float, float]:
        """Minutes from a report (or its verification) to 立案: within the 30 minutes, or late."""
        return (3, 28) if self.rng.random() >= SHIFT_LEADER.late else (45, 150)

    def check_delay(self, worker: User) -> tuple[float, float]:
        """Minutes from 处置反馈 to the worker's check: within the 2 hours, or late."""
        return (20, 100) if self.rng.random() >= self.profiles[worker.pk].late else (130, 240)

    def dispatch(self, case: Case, dispatcher: str) -> None:
        case.refresh_from_db()
        suggestion = dispatch_suggest(case)
        department = suggestion.department if suggestion else Department.objects.get(code="DC-CG")
        if case.status == CaseStatus.RETURNED:  # after a return, the other likely department
            department = Department.objects.get(code="DC-CG" if department.code != "DC-CG" else "DC-SZ")
        services.case_dispatch(self.origin(dispatcher), case, department)

    def handle_later(self, plan: Plan, case: Case, at: dt.datetime) -> None:
        case.refresh_from_db()
        if case.due_at is None or plan.suspend:
            return
        span = (case.due_at - at).total_seconds() / 60
        late = self.rng.random() < self.department_profile(case.main_department_id).late
        share = self.rng.uniform(1.05, 2.2) if late else self.rng.uniform(0.15, 0.9)
        self.schedule(plan, "report_result", at + dt.timedelta(minutes=max(5.0, span * share)))


def _jpeg(color: tuple[int, int, int]) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (48, 36), color).save(buffer, "JPEG")
    return SimpleUploadedFile("photo.jpg", buffer.getvalue(), content_type="image/jpeg")


def dispatch_rules_seed() -> None:
    departments = {d.code: d for d in Department.objects.all()}
    classes = {(c.kind, c.code): c for c in Category.objects.filter(parent__isnull=True)}
    for kind, code, department in DEPARTMENT_RULES:
        DispatchRule.objects.get_or_create(
            name=f"{classes[(kind, code)].name} → {departments[department].name}",
            category=classes[(kind, code)],
            department=departments[department],
        )
    night = DispatchRule.objects.create(
        name="夜间街面秩序 → 城管执法（夜班）",
        category=classes[("event", "05")],
        department=departments["DC-CG"],
        time_from=dt.time(20, 0),
        time_to=dt.time(6, 0),
    )
    night.assist_departments.add(departments["DC-GA"])


def cases_populate(
    seed: int, filed: int = 1000, progress: Callable[[int], None] | None = None, now: dt.datetime | None = None
) -> dict[str, int]:
    """A month of cases ending now (or at ``now``)."""
    with transaction.atomic():
        dispatch_rules_seed()
        simulation = Simulation(seed, (now or timezone.now()).replace(microsecond=0), 30, filed)
        return simulation.run(progress)


def iter_cases() -> Iterator[Any]:
    return Case.objects.order_by("pk").iterator()
