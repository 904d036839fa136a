"""Field figures of a bulletin, per worker: from the small field tables (daily metrics, check-ins, patrols, visit
compliance, 八必报) and the reports in the facts.

- 巡查里程 = the worker's daily metrics' ``distance_m`` over the period, in km;
- 在岗率 = on-duty seconds ÷ scheduled seconds over the period's daily metrics;
- 走访完成率 = visits done on time ÷ visits due, of the months the period touches (visit compliance is monthly:
  a day's or a week's bulletin shows its month so far);
- 八必报 = the items the worker reported in the period, in the area's grids;
- 上报数 and 有效上报率 from the facts (the worker as reporter, in the area's grids).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum

from accounts.models import User
from accounts.roles import Role
from areas.models import Area
from fieldwork.models import CheckIn, DailyMetric, Patrol
from stats.facts import Measure
from stats.indicators import ZERO, Sums, sums_by
from stats.models import StatFact
from stats.periods import Period
from visits.models import MustReport, VisitCompliance

#: The roles whose work a bulletin's annex lists (those who patrol and report in a grid).
ANNEX_ROLES = (Role.GRID_WORKER, Role.GRID_LEADER, Role.SUPERVISOR)


def field_workers(area: Area) -> list[User]:
    """Active users in a field role with an area inside ``area``, by their first grid's code then name."""
    workers = (
        User.objects.filter(
            is_active=True,
            groups__name__in=[str(role) for role in ANNEX_ROLES],
            areas__code__startswith=area.code,
        )
        .distinct()
        .prefetch_related("areas")
    )

    def order(user: User) -> tuple[str, str, int]:
        codes = sorted(a.code for a in user.areas.all() if a.code.startswith(area.code))
        return (codes[0] if codes else "", user.full_name or user.username, user.pk)

    return sorted(workers, key=order)


def worker_label(user: User) -> str:
    return user.full_name or user.username


def worker_grid(user: User, area: Area) -> str:
    names = [a.name for a in sorted(user.areas.all(), key=lambda a: a.code) if a.code.startswith(area.code)]
    return "、".join(names)


@dataclass
class WorkerFigures:
    reports: int = 0
    valid_reports: int = 0
    distance_m: float = 0.0
    on_duty_s: int = 0
    scheduled_s: int = 0
    visits_on_time: int = 0
    visits_due: int = 0
    must_reports: int = 0
    patrols: int = 0
    checkins: int = 0
    metric_days: int = 0

    @property
    def km(self) -> float:
        return round(self.distance_m / 1000, 2)

    @property
    def on_duty_hours(self) -> float:
        return round(self.on_duty_s / 3600, 1)


def _facts_by_person(period: Period, grid_filter: QuerySet[Area], ids: list[int]) -> dict[int, Sums]:
    rows = StatFact.objects.filter(
        day__gte=period.start,
        day__lte=period.end,
        grid_id__in=grid_filter.values("pk"),
        person_id__in=ids,
        measure__in=[Measure.REPORT, Measure.VALID_REPORT],
    )
    return {int(key): sums for key, sums in sums_by(rows, "person_id").items()}


def worker_figures(period: Period, area: Area, workers: Sequence[User]) -> dict[int, WorkerFigures]:
    """Each worker's field figures for the period (a fixed number of queries whatever the number of workers)."""
    ids = [worker.pk for worker in workers]
    out: dict[int, WorkerFigures] = defaultdict(WorkerFigures)
    if not ids:
        return {}
    grids = Area.objects.filter(code__startswith=area.code, level="grid")
    for person_id, sums in _facts_by_person(period, grids, ids).items():
        out[person_id].reports = sums.get(Measure.REPORT, ZERO).count
        out[person_id].valid_reports = sums.get(Measure.VALID_REPORT, ZERO).count
    metrics = (
        DailyMetric.objects.filter(worker_id__in=ids, day__gte=period.start, day__lte=period.end)
        .values("worker_id")
        .annotate(distance=Sum("distance_m"), on_duty=Sum("on_duty_s"), scheduled=Sum("scheduled_s"), days=Count("id"))
        .order_by()
    )
    for row in metrics:
        figures = out[row["worker_id"]]
        figures.distance_m = float(row["distance"] or 0)
        figures.on_duty_s = int(row["on_duty"] or 0)
        figures.scheduled_s = int(row["scheduled"] or 0)
        figures.metric_days = int(row["days"] or 0)
    first_month = period.start.replace(day=1)
    compliance = (
        VisitCompliance.objects.filter(
            worker_id__in=ids, month__gte=first_month, month__lte=period.end, grid__code__startswith=area.code
        )
        .values("worker_id")
        .annotate(on_time=Sum("on_time"), due=Sum("due"))
        .order_by()
    )
    for visits in compliance:
        out[visits["worker_id"]].visits_on_time = int(visits["on_time"] or 0)
        out[visits["worker_id"]].visits_due = int(visits["due"] or 0)
    start, end = period.instants()
    must = (
        MustReport.objects.filter(
            worker_id__in=ids, reported_at__gte=start, reported_at__lt=end, grid__code__startswith=area.code
        )
        .values("worker_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for reported in must:
        out[reported["worker_id"]].must_reports = int(reported["n"])
    return dict(out)


def day_activity(day: dt.date, area: Area, figures: dict[int, WorkerFigures], ids: list[int]) -> None:
    """Add a day's patrols and check-ins to each worker's figures (two queries)."""
    period = Period("day", day, day)
    start, end = period.instants()
    inside = Q(grid__code__startswith=area.code)
    patrols = (
        Patrol.objects.filter(inside, worker_id__in=ids, started_at__gte=start, started_at__lt=end)
        .values("worker_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in patrols:
        figures.setdefault(row["worker_id"], WorkerFigures()).patrols = int(row["n"])
    checkins = (
        CheckIn.objects.filter(inside, worker_id__in=ids, device_time__gte=start, device_time__lt=end)
        .values("worker_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in checkins:
        figures.setdefault(row["worker_id"], WorkerFigures()).checkins = int(row["n"])
