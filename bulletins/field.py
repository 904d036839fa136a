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
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Role
from areas.models import Area
from bulletins.figures import COUNT, HOURS, KM, RATE, TEXT, Column, Table, ratio_percent
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


# --- The tables --------------------------------------------------------------------------------------------------
def annex_table(period: Period, area: Area) -> Table:
    """The annex: each field worker's figures for the period, with 上期 beside each rate."""
    workers = field_workers(area)
    now = worker_figures(period, area, workers)
    before = worker_figures(period.previous(), area, workers)
    table = Table(
        "workers",
        _("附件：网格员工作情况"),
        [
            Column("name", _("姓名"), TEXT),
            Column("grid", _("网格"), TEXT),
            Column("reports", _("上报数"), COUNT, Measure.REPORT),
            Column("valid_rate", _("有效上报率"), RATE),
            Column("valid_rate_previous", _("上期"), RATE, period="previous"),
            Column("km", _("巡查里程（公里）"), KM),
            Column("on_duty_rate", _("在岗率"), RATE),
            Column("on_duty_rate_previous", _("上期"), RATE, period="previous"),
            Column("visit_rate", _("走访完成率"), RATE),
            Column("visit_rate_previous", _("上期"), RATE, period="previous"),
            Column("must_reports", _("八必报"), COUNT),
        ],
        personal=True,
        note=_("走访完成率按月统计：日、周通报为所在月份至今的数值。"),
    )
    for worker in workers:
        mine, earlier = now.get(worker.pk, WorkerFigures()), before.get(worker.pk, WorkerFigures())
        table.add(
            f"person:{worker.pk}",
            {
                "name": worker_label(worker),
                "grid": worker_grid(worker, area),
                "reports": mine.reports,
                "valid_rate": ratio_percent(mine.valid_reports, mine.reports),
                "valid_rate_previous": ratio_percent(earlier.valid_reports, earlier.reports),
                "km": mine.km,
                "on_duty_rate": ratio_percent(mine.on_duty_s, mine.scheduled_s),
                "on_duty_rate_previous": ratio_percent(earlier.on_duty_s, earlier.scheduled_s),
                "visit_rate": ratio_percent(mine.visits_on_time, mine.visits_due),
                "visit_rate_previous": ratio_percent(earlier.visits_on_time, earlier.visits_due),
                "must_reports": mine.must_reports,
            },
            filters={"area": area.code, "person": worker.pk},
        )
    return table


def patrol_tables(period: Period, area: Area) -> tuple[str, list[Table]]:
    """A day's patrol: each worker's patrols, km, time on duty, reports and check-ins; who was absent."""
    workers = field_workers(area)
    ids = [worker.pk for worker in workers]
    figures = worker_figures(period, area, workers)
    day_activity(period.start, area, figures, ids)
    patrol = Table(
        "patrol",
        _("巡查情况"),
        [
            Column("name", _("姓名"), TEXT),
            Column("grid", _("网格"), TEXT),
            Column("status", _("状态"), TEXT),
            Column("patrols", _("巡查次数"), COUNT),
            Column("km", _("巡查里程（公里）"), KM),
            Column("on_duty_hours", _("在岗时长（小时）"), HOURS),
            Column("on_duty_rate", _("在岗率"), RATE),
            Column("reports", _("上报数"), COUNT, Measure.REPORT),
            Column("checkins", _("签到次数"), COUNT),
        ],
        personal=True,
    )
    absences = Table(
        "absences",
        _("缺勤人员"),
        [
            Column("name", _("姓名"), TEXT),
            Column("grid", _("网格"), TEXT),
            Column("scheduled_hours", _("排班时长（小时）"), HOURS),
        ],
        personal=True,
        note=_("当日有排班，但无在岗时长、无巡查、无签到。"),
    )
    on_duty = absent = scheduled = checkins = 0
    km = 0.0
    for worker in workers:
        mine = figures.get(worker.pk, WorkerFigures())
        worked = mine.on_duty_s > 0 or mine.patrols > 0 or mine.checkins > 0
        if worked:
            status = _("在岗")
            on_duty += 1
        elif mine.scheduled_s > 0:
            status = _("缺勤")
            absent += 1
        else:
            status = _("未排班")
        scheduled += 1 if mine.scheduled_s > 0 else 0
        checkins += mine.checkins
        km += mine.distance_m / 1000
        patrol.add(
            f"person:{worker.pk}",
            {
                "name": worker_label(worker),
                "grid": worker_grid(worker, area),
                "status": status,
                "patrols": mine.patrols,
                "km": mine.km,
                "on_duty_hours": mine.on_duty_hours,
                "on_duty_rate": ratio_percent(mine.on_duty_s, mine.scheduled_s),
                "reports": mine.reports,
                "checkins": mine.checkins,
            },
            filters={"area": area.code, "person": worker.pk},
        )
        if not worked and mine.scheduled_s > 0:
            absences.add(
                f"person:{worker.pk}",
                {
                    "name": worker_label(worker),
                    "grid": worker_grid(worker, area),
                    "scheduled_hours": round(mine.scheduled_s / 3600, 1),
                },
            )
    summary = _(
        "当日网格员%(workers)d人，有排班%(scheduled)d人，在岗%(on_duty)d人，缺勤%(absent)d人；"
        "巡查里程共%(km).2f公里，签到%(checkins)d次。"
    ) % {
        "workers": len(workers),
        "scheduled": scheduled,
        "on_duty": on_duty,
        "absent": absent,
        "km": round(km, 2),
        "checkins": checkins,
    }
    return summary, [patrol, absences]
