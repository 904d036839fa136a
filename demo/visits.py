"""A month of 走访 and 民情日志 for the demo: the default visit plans, day by day the due visits they make and the
visits the grid workers pay (most on time, some late, a few people forgotten — the overdue ones on the agenda),
other visits (policy talks, safety checks, 六必到), a diary entry for every visit and patrol, a few leaders'
comments, and the compliance numbers. Deterministic for a seed; written with ``bulk_create``."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.access import users_covering
from accounts.models import User
from accounts.roles import Role
from areas.models import Area
from audit.models import Channel
from audit.services import Origin
from cases.worktime import calendar_for
from demo.residents import _People
from diary.choices import EntryKind
from diary.models import DiaryComment, DiaryEntry
from fieldwork.models import Patrol
from registry.changes import (
    BuildingReportData,
    PopulationChange,
    building_facts,
    building_measures,
    building_report_submit,
)
from registry.choices import ChangeKind, MustReportItem
from registry.models import Building, House, Household, Person, Place
from visits.choices import DueStatus, PlanSubject, VisitKind, VisitPurpose
from visits.compliance import visit_compliance_compute
from visits.models import DueVisit, Visit, VisitPlan
from visits.must_reports import MustReportData, must_report_submit
from visits.plans import due_visits_generate, plan_covered, visit_plans_ensure

DAYS = 30
#: Share of people in care groups a worker keeps forgetting (their due visits turn red).
FORGOTTEN_SHARE = 0.04
LATE_SHARE = 0.12
PURPOSE_OF_TAG = {
    "elderly_alone": VisitPurpose.ELDERLY_ALONE,
    "disabled": VisitPurpose.DISABLED,
    "low_income": VisitPurpose.HARDSHIP,
    "unemployed": VisitPurpose.UNEMPLOYED,
    "left_behind_child": VisitPurpose.OTHER_CARE,
}
FINDINGS: dict[str, list[str]] = {
    VisitPurpose.ELDERLY_ALONE: [
        "老人身体尚可，独自在家，已提醒注意用电用气安全。",
        "老人反映膝盖疼，已联系社区医生上门。",
        "已与其子女电话联系，告知近况。",
        "冰箱里食物充足，精神状态良好。",
    ],
    VisitPurpose.DISABLED: ["了解辅具使用情况，轮椅需维修，已登记。", "家属照护到位，申请残疾人补贴材料已收。"],
    VisitPurpose.HARDSHIP: ["低保材料齐全，告知年审时间。", "家中有学生，介绍教育救助政策。"],
    VisitPurpose.UNEMPLOYED: ["推荐社区招聘会信息两条。", "已登记求职意向：物业、保安。"],
    VisitPurpose.OTHER_CARE: ["孩子在校表现良好，监护人按时接送。"],
    VisitPurpose.KEY_PERSON: ["情绪稳定，按时报到。", "近期无异常，已向包保民警通报。"],
    VisitPurpose.POLICY: ["宣传垃圾分类新规，发放宣传册。", "宣传医保缴费政策，居民已知晓。"],
    VisitPurpose.SAFETY_CHECK: ["检查消防通道畅通，灭火器在有效期内。", "提醒电动车不要楼道充电。"],
    VisitPurpose.NEIGHBOUR_DISPUTE: ["楼上漏水引起邻里争执，已协调双方约定维修时间。"],
    VisitPurpose.VOLUNTEERING: ["组织志愿者清理楼道杂物。"],
}


COMMENTS = ["记录详实，继续保持。", "请跟进老人就医情况。", "注意及时录入变动信息。"]


def _at(day: dt.date, rng: random.Random) -> dt.datetime:
    minutes = rng.choice([rng.randint(9 * 60, 11 * 60 + 30), rng.randint(14 * 60, 17 * 60)])
    return timezone.make_aware(dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60)))


def _finding(purpose: str, rng: random.Random) -> str:
    return rng.choice(FINDINGS.get(purpose, ["走访了解情况，无异常。"]))


def visits_populate(seed: int, progress: Callable[[int], None] | None = None, days: int = DAYS) -> dict[str, int]:
    """A month of visits and diary entries ending today (see the module's text); returns counts."""
    rng = random.Random(seed)
    today = timezone.localdate()
    first = today - dt.timedelta(days=days - 1)
    calendar = calendar_for()
    visit_plans_ensure()
    workers = {user.pk: user for user in User.objects.filter(groups__name=Role.GRID_WORKER, is_active=True).distinct()}
    visits: list[Visit] = []
    with transaction.atomic():
        visits.extend(_previous_round(first, rng))
        forgotten: set[int] = set()
        for offset in range(days):
            day = first + dt.timedelta(days=offset)
            due_visits_generate(day)
            if progress:
                progress(1)
            if not calendar.is_workday(day):
                continue
            window = day + dt.timedelta(days=2)
            due = list(
                DueVisit.objects.filter(status=DueStatus.OPEN, due_on__lte=window, worker__isnull=False)
                .select_related("plan", "person")
                .order_by("pk")
            )
            done: list[tuple[DueVisit, Visit]] = []
            for item in due:
                if item.person_id in forgotten:
                    continue
                if item.person_id % 97 < FORGOTTEN_SHARE * 97 and item.due_on < today - dt.timedelta(days=3):
                    forgotten.add(item.person_id)
                    continue
                late = rng.random() < LATE_SHARE
                if (late and day <= item.due_on) or rng.random() < 0.35:
                    continue  # visits happen on some day of the window; a late one after it
                purpose = PURPOSE_OF_TAG.get(item.plan.tag_category, VisitPurpose.KEY_PERSON)
                if item.plan.subject != "tag":
                    purpose = VisitPurpose.NEWCOMER
                person = item.person
                assert item.worker_id is not None  # the query keeps assigned ones only
                visit = Visit(
                    worker_id=item.worker_id,
                    grid_id=item.grid_id,
                    visited_at=_at(day, rng),
                    kind=VisitKind.PHONE if rng.random() < 0.1 else VisitKind.HOME,
                    purposes=[purpose],
                    person=person,
                    household_id=person.household_id,
                    house_id=person.house_id,
                    findings=_finding(purpose, rng),
                    sensitive=item.sensitive,
                )
                done.append((item, visit))
            Visit.objects.bulk_create([visit for _item, visit in done], batch_size=2000)
            for item, visit in done:
                item.status, item.visit, item.done_on = DueStatus.DONE, visit, day
            DueVisit.objects.bulk_update(
                [item for item, _visit in done], ["status", "visit", "done_on"], batch_size=2000
            )
            visits.extend(visit for _item, visit in done)
        visits.extend(_other_visits(first, today, workers, calendar, rng))
        entries = _diary(visits, rng)
        due_visits_generate(today)
    months = {first.replace(day=1), today.replace(day=1)}
    for month in sorted(months):
        visit_compliance_compute(month, today=today)
    return {
        "visits": len(visits),
        "diary_entries": entries,
        "due_visits_open": DueVisit.objects.filter(status=DueStatus.OPEN).count(),
    }


def _previous_round(first: dt.date, rng: random.Random) -> list[Visit]:
    """The visit before the month of everyone a group plan covers (within one interval before it, by the grid's
    worker, or for 重点人员 a grid leader or community staff member where the grid has one), so the month's due
    visits follow on from real visits and the people forgotten in the month are overdue by days, not since they
    joined the group."""
    by_grid: dict[int, dict[bool, int]] = defaultdict(dict)
    for grid_id, code in Area.objects.filter(level="grid").values_list("pk", "code"):
        for sensitive, roles in ((False, [Role.GRID_WORKER]), (True, [Role.GRID_LEADER, Role.COMMUNITY_STAFF])):
            user = users_covering(code, roles, through_department=False).order_by("pk").first()
            if user is not None:
                by_grid[grid_id][sensitive] = user.pk
    people = dict(Person.objects.values_list("pk", "household_id"))
    houses = dict(Person.objects.values_list("pk", "house_id"))
    pairs: list[tuple[DueVisit, Visit]] = []
    for plan in VisitPlan.objects.active().filter(subject=PlanSubject.TAG).order_by("pk"):
        purpose = PURPOSE_OF_TAG.get(plan.tag_category, VisitPurpose.KEY_PERSON)
        for covered in plan_covered(plan, first):
            workers = by_grid[covered.grid_id]
            worker_id = covered.responsible_id or workers.get(plan.sensitive) or workers.get(False)
            day = first - dt.timedelta(days=rng.randint(1, plan.interval))
            if worker_id is None or day <= covered.since:
                continue
            visit = Visit(
                worker_id=worker_id,
                grid_id=covered.grid_id,
                visited_at=_at(day, rng),
                kind=VisitKind.HOME,
                purposes=[purpose],
                person_id=covered.person_id,
                household_id=people.get(covered.person_id),
                house_id=houses.get(covered.person_id),
                findings=_finding(purpose, rng),
                sensitive=plan.sensitive,
            )
            due = DueVisit(
                plan=plan,
                person_id=covered.person_id,
                grid_id=covered.grid_id,
                worker_id=worker_id,
                window_start=covered.since,
                due_on=day,
                status=DueStatus.DONE,
                done_on=day,
                sensitive=plan.sensitive,
            )
            pairs.append((due, visit))
    Visit.objects.bulk_create([visit for _due, visit in pairs], batch_size=2000)
    for due, visit in pairs:
        due.visit = visit
    DueVisit.objects.bulk_create([due for due, _visit in pairs], batch_size=2000)
    return [visit for _due, visit in pairs]


def _other_visits(
    first: dt.date, today: dt.date, workers: dict[int, User], calendar: Any, rng: random.Random
) -> list[Visit]:
    """Visits no plan asked for: policy talks at households, safety checks at places, 六必到 occasions."""
    grid_of_worker: dict[int, int] = dict(
        User.objects.filter(pk__in=list(workers), areas__level="grid").values_list("pk", "areas")
    )
    households: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for pk, grid_id, house_id in Household.objects.values_list("pk", "grid_id", "house_id"):
        households[grid_id].append((pk, house_id))
    places: dict[int, list[int]] = defaultdict(list)
    for pk, grid_id in Place.objects.values_list("pk", "grid_id"):
        places[grid_id].append(pk)
    rows: list[Visit] = []
    day = first
    while day <= today:
        if calendar.is_workday(day):
            for user_id, grid_id in sorted(grid_of_worker.items()):
                for _ in range(rng.choice([0, 1, 1, 2])):
                    choice = rng.random()
                    visit = Visit(worker_id=user_id, grid_id=grid_id, visited_at=_at(day, rng))
                    if choice < 0.5 and households[grid_id]:
                        household_id, house_id = rng.choice(households[grid_id])
                        visit.household_id, visit.house_id = household_id, house_id
                        visit.purposes = [rng.choice([VisitPurpose.POLICY, VisitPurpose.DISPUTE_SCREENING])]
                    elif choice < 0.85 and places[grid_id]:
                        visit.place_id = rng.choice(places[grid_id])
                        visit.purposes = [VisitPurpose.SAFETY_CHECK]
                    else:
                        visit.kind = VisitKind.ON_SITE
                        visit.purposes = [rng.choice([VisitPurpose.NEIGHBOUR_DISPUTE, VisitPurpose.VOLUNTEERING])]
                    visit.findings = _finding(visit.purposes[0], rng)
                    rows.append(visit)
        day += dt.timedelta(days=1)
    Visit.objects.bulk_create(rows, batch_size=2000)
    return rows


def _diary(visits: list[Visit], rng: random.Random) -> int:
    """One diary entry per visit and per ended patrol, linked like the services link them; a few comments."""
    subjects = {
        person.pk: person.name
        for person in Person.objects.filter(pk__in={visit.person_id for visit in visits if visit.person_id})
    }
    entries: list[DiaryEntry] = []
    for visit in visits:
        name = subjects.get(visit.person_id or 0, "")
        kind = dict(VisitKind.choices)[visit.kind]
        entries.append(
            DiaryEntry(
                author_id=visit.worker_id,
                grid_id=visit.grid_id,
                day=timezone.localtime(visit.visited_at).date(),
                kind=EntryKind.VISIT,
                title=(f"{kind} · {name}" if name else str(kind))[:120],
                content=visit.findings,
                source_visit=visit,
                sensitive=visit.sensitive,
            )
        )
    for patrol in Patrol.objects.filter(ended_at__isnull=False).select_related("grid"):
        start, end = timezone.localtime(patrol.started_at), timezone.localtime(patrol.ended_at)
        span = f"{start:%H:%M}–{end:%H:%M}"
        entries.append(
            DiaryEntry(
                author_id=patrol.worker_id,
                grid_id=patrol.grid_id,
                day=start.date(),
                kind=EntryKind.PATROL,
                title=f"巡查 {span}",
                content=f"在{patrol.grid.name}巡查，{span}。",
                source_patrol=patrol,
            )
        )
    DiaryEntry.objects.bulk_create(entries, batch_size=2000)
    Through = DiaryEntry.visits.through
    Persons = DiaryEntry.persons.through
    Through.objects.bulk_create(
        [Through(diaryentry_id=entry.pk, visit_id=entry.source_visit_id) for entry in entries if entry.source_visit_id],
        batch_size=5000,
    )
    Persons.objects.bulk_create(
        [
            Persons(diaryentry_id=entry.pk, person_id=visit.person_id)
            for entry, visit in zip(entries, visits, strict=False)
            if visit.person_id
        ],
        batch_size=5000,
    )
    leader = User.objects.filter(groups__name=Role.GRID_LEADER).order_by("pk").first()
    if leader is not None:
        scope = list(leader.areas.values_list("code", flat=True))
        grids = set(
            Area.objects.filter(level="grid", code__regex=r"^(" + "|".join(scope) + ")").values_list("pk", flat=True)
        )
        commentable = [entry for entry in entries if entry.kind == EntryKind.VISIT and not entry.sensitive]
        mine = [entry for entry in commentable if entry.grid_id in grids][-40:]
        DiaryComment.objects.bulk_create(
            [
                DiaryComment(
                    entry=entry,
                    author=leader,
                    text=rng.choice(["记录详实，继续保持。", "请跟进老人就医情况。", "注意及时录入变动信息。"]),
                )
                for entry in mine[::4]
            ]
        )
    return len(entries)


def field_reports_populate(seed: int) -> dict[str, int]:
    """八必报 and 10+X waiting for the grid worker: a few must-report items of the named grid worker (events that
    became cases, a newcomer and a rental proposed for confirmation), and the building head's report on the two
    buildings she heads, with differences and population changes to confirm."""
    rng = random.Random(seed)
    worker = User.objects.get(username="gridworker")
    head = User.objects.get(username="building_head")
    origin = Origin(worker, Channel.COMMAND)
    grid = worker.areas.get(level="grid")
    buildings = list(Building.objects.filter(grid=grid).order_by("pk")[:6])
    reports = 0
    events = [
        (MustReportItem.FACILITY_DAMAGE, "小区健身器材扶手断裂，存在安全隐患"),
        (MustReportItem.ALLEY_UNCLEAN, "背街小巷有积存垃圾和污水"),
        (MustReportItem.SAFETY_HAZARD, "楼道内堆放纸箱等易燃杂物"),
        (MustReportItem.INSTABILITY, "两户居民因停车位发生争吵，情绪激动"),
    ]
    for (item, text), building in zip(events, buildings, strict=False):
        must_report_submit(
            origin, MustReportData(item=item, description=text, lon=building.lon + 0.0001, lat=building.lat)
        )
        reports += 1
    rental = House.objects.filter(building__grid=grid, is_rental=False).order_by("pk").first()
    home = House.objects.filter(building__grid=grid).order_by("-pk").first()
    people = _People(rng)
    birth = dt.date(1994, 5, 17)
    if home is not None:
        must_report_submit(
            origin,
            MustReportData(
                item=MustReportItem.FLOATING_ARRIVAL,
                house_id=home.pk,
                facts={
                    "name": "韩晓东",
                    "sex": "male",
                    "birth_date": birth.isoformat(),
                    "id_number": people.id_number("410102", birth, male=True),
                    "phone": "13912345678",
                    "origin_place": "河南省郑州市",
                    "arrival_date": (timezone.localdate() - dt.timedelta(days=3)).isoformat(),
                    "reason": "work",
                },
            ),
        )
        reports += 1
    if rental is not None:
        start = timezone.localdate()
        birth = dt.date(1990, 11, 2)
        must_report_submit(
            origin,
            MustReportData(
                item=MustReportItem.RENTED_OUT,
                house_id=rental.pk,
                facts={
                    "name": "许婷",
                    "sex": "female",
                    "birth_date": birth.isoformat(),
                    "id_number": people.id_number("130102", birth, male=False),
                    "phone": "13698765432",
                    "contract_start": start.isoformat(),
                    "contract_end": start.replace(year=start.year + 1).isoformat(),
                },
            ),
        )
        reports += 1
    building_reports = 0
    Building.objects.filter(pk__in=[building.pk for building in buildings[:2]]).update(head=head)
    for building in buildings[:2]:
        counts = building_measures(building)
        facts = {fact.key: counts.get(fact.measure, 0) for fact in building_facts() if fact.measure}
        if "floating" in facts:
            facts["floating"] += 2
        if "rental_houses" in facts:
            facts["rental_houses"] += 1
        house = House.objects.filter(building=building).order_by("pk").first()
        elder = Person.objects.filter(house__building=building, tags__category="elderly_alone").first()
        changes = []
        if house is not None:
            changes.append(PopulationChange(kind=ChangeKind.MOVED_IN, name="田园", house_id=house.pk, note="新租户"))
        if elder is not None:
            changes.append(
                PopulationChange(kind=ChangeKind.DIED, person_id=elder.pk, day=timezone.localdate(), note="家属告知")
            )
        building_report_submit(
            Origin(head, Channel.COMMAND),
            building,
            BuildingReportData(
                facts=facts,
                x_items=[
                    {"kind": "hazard", "text": "二单元楼道电动车充电"},
                    {"kind": "request", "text": "居民希望加装单元门禁"},
                ],
                changes=changes,
            ),
        )
        building_reports += 1
    return {"must_reports": reports, "building_reports": building_reports}
