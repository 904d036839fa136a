"""The sums each subject's indicators read for one period: grouped queries over the fact table and the small field
tables (daily field metrics, visit compliance, 八必报), never the case or event tables row by row.

A person's figures are their own whoever looks (all facts naming them); a department's and an area's are those of
the viewer's scope (the ``base`` facts). Every function here makes a fixed number of queries, whatever the number
of subjects.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from django.db.models import Count, Exists, OuterRef, QuerySet, Sum

from areas.models import Area
from evaluation.indicators import (
    FIELD_COVERAGE,
    FIELD_DISTANCE,
    FIELD_MUST_REPORTS,
    FIELD_ON_DUTY,
    FIELD_VISITS,
    GRID_FILED,
    GRID_PUBLIC_FILED,
    POSITION_MEASURES,
    SHARED_RETURNED,
    SHARED_VOIDED,
    Shared,
)
from evaluation.models import Position
from evaluation.selectors import Subject
from fieldwork.models import DailyMetric
from stats.facts import Measure as M
from stats.indicators import Total, facts_in, sums_add
from stats.models import StatFact
from stats.periods import Period, PeriodKind
from visits.models import MustReport, VisitCompliance

Figures = dict[str, Total]
#: Visit compliance is counted per month: periods of whole months read it; a day or a week leaves it out.
MONTHLY_KINDS = frozenset({PeriodKind.MONTH, PeriodKind.QUARTER, PeriodKind.YEAR})


def _sum(rows: Iterable[Figures]) -> Figures:
    return sums_add(*rows)


def sums_of(queryset: QuerySet[StatFact], column: str) -> dict[int, Figures]:
    """The facts summed per ``column`` and measure, counts and in-time counts only (no indicator here reads the
    minutes: an index holding the measure, the day, the dimensions and the two counts answers it alone)."""
    out: dict[int, Figures] = defaultdict(dict)
    rows = queryset.order_by().values_list(column, "measure").annotate(total=Sum("count"), in_time=Sum("on_time"))
    for key, measure, total, in_time in rows:
        out[key][measure] = Total(int(total or 0), int(in_time or 0))
    return dict(out)


# --- People -------------------------------------------------------------------------------------------------------
def person_figures(position: str, subjects: Sequence[Subject], period: Period) -> dict[int, Figures]:
    """Each person's sums (person id → measure → total) for ``position``."""
    ids = [subject.id for subject in subjects]
    out: dict[int, Figures] = {pk: {} for pk in ids}
    if not ids:
        return out
    facts = facts_in(period, person_ids=ids).filter(measure__in=POSITION_MEASURES[position])
    for pk, sums in sums_of(facts, "person_id").items():
        out[pk] = dict(sums)
    if position == Position.FIELD_WORKER:
        _add_grid_figures(out, subjects, period)
        _add_field_figures(out, ids, period)
    elif position == Position.SHIFT_LEADER:
        _add_shared_voids(out, ids, period)
    elif position == Position.DISPATCHER:
        _add_shared_returns(out, ids, period)
    return out


def _add_grid_figures(out: dict[int, Figures], subjects: Sequence[Subject], period: Period) -> None:
    """漏报率 over the grids each field worker covers: publicly reported cases filed there / all filed there."""
    grid_ids = {pk for subject in subjects for pk in subject.grid_ids}
    if not grid_ids:
        return
    facts = facts_in(period, grid_ids=grid_ids).filter(measure__in=[M.PUBLIC_FILED, M.FILED])
    by_grid = sums_of(facts, "grid_id")
    for subject in subjects:
        sums = _sum(by_grid.get(pk, {}) for pk in subject.grid_ids)
        figures = out[subject.id]
        figures[GRID_PUBLIC_FILED] = sums.get(M.PUBLIC_FILED, Total())
        figures[GRID_FILED] = sums.get(M.FILED, Total())


def _add_field_figures(out: dict[int, Figures], ids: list[int], period: Period) -> None:
    """巡查覆盖率, 在岗率, 巡查里程 (daily field metrics), 走访完成率 (visit compliance) and 八必报."""
    metrics = (
        DailyMetric.objects.filter(worker_id__in=ids, day__gte=period.start, day__lte=period.end)
        .order_by()
        .values("worker_id")
        .annotate(
            covered=Sum("coverage_households_num"),
            households=Sum("coverage_households_den"),
            on_duty=Sum("on_duty_s"),
            scheduled=Sum("scheduled_s"),
            distance=Sum("distance_m"),
        )
    )
    for row in metrics:
        figures = out[row["worker_id"]]
        figures[FIELD_COVERAGE] = Total(int(row["households"] or 0), int(row["covered"] or 0))
        figures[FIELD_ON_DUTY] = Total(round((row["scheduled"] or 0) / 60), round((row["on_duty"] or 0) / 60))
        figures[FIELD_DISTANCE] = Total(round(row["distance"] or 0))
    if period.kind in MONTHLY_KINDS:
        compliance = (
            VisitCompliance.objects.filter(worker_id__in=ids, month__gte=period.start, month__lte=period.end)
            .order_by()
            .values("worker_id")
            .annotate(due=Sum("due"), pending=Sum("pending"), on_time=Sum("on_time"), late=Sum("late"))
        )
        for visits in compliance:
            due = int(visits["due"] or 0) - int(visits["pending"] or 0)
            done = int(visits["on_time"] or 0) + int(visits["late"] or 0)
            out[visits["worker_id"]][FIELD_VISITS] = Total(due, done)
    start, end = period.instants()
    reports = (
        MustReport.objects.filter(worker_id__in=ids, reported_at__gte=start, reported_at__lt=end)
        .order_by()
        .values("worker_id")
        .annotate(items=Count("id"))
    )
    for reported in reports:
        out[reported["worker_id"]][FIELD_MUST_REPORTS] = Total(int(reported["items"]))


def _add_shared_voids(out: dict[int, Figures], ids: list[int], period: Period) -> None:
    """Voids of the cases filed in the period (counted on the filing day, without the filer) shared among the
    people who filed on that day in that grid, category and source, in proportion to what each filed there."""
    key = ("day", "grid_id", "category_id", "source")
    voided = {
        tuple(row[:4]): int(row[4])
        for row in facts_in(period).filter(measure=M.C_VOIDED).order_by().values_list(*key).annotate(Sum("count"))
        if row[4]
    }
    if not voided:
        return
    # The filings of the same day, grid, category and source as a void (the fact key's leading columns: a seek).
    same_key = StatFact.objects.filter(measure=M.C_VOIDED, **{column: OuterRef(column) for column in key})
    rows = (
        facts_in(period)
        .filter(Exists(same_key), measure=M.FILED)
        .order_by()
        .values_list(*key, "person_id")
        .annotate(Sum("count"))
    )
    filed: dict[tuple, dict[int, int]] = defaultdict(dict)
    for row in rows:
        filed[tuple(row[:4])][row[4]] = int(row[5])
    shares: dict[int, float] = defaultdict(float)
    for group, voids in voided.items():
        filers = filed.get(group, {})
        everyone = sum(filers.values())
        for person_id, count in filers.items():
            if person_id in out and everyone:
                shares[person_id] += min(voids, everyone) * count / everyone
    for person_id, share in shares.items():
        out[person_id][SHARED_VOIDED] = Shared(share=round(share, 4))


def _add_shared_returns(out: dict[int, Figures], ids: list[int], period: Period) -> None:
    """Returns (回退) in the period, which the facts keep per returning department but not per dispatcher: each
    department's return rate (returns / everything dispatched to it in the period, at most 1) applied to what
    each dispatcher dispatched to it."""
    returned = dict(
        facts_in(period)
        .filter(measure=M.RETURNED, department_id__gt=0)
        .order_by()
        .values_list("department_id")
        .annotate(total=Sum("count"))
    )
    if not returned:
        return
    dispatched = facts_in(period).filter(measure=M.DISPATCHED, department_id__in=list(returned)).order_by()
    everyone = dict(dispatched.values_list("department_id").annotate(total=Sum("count")))
    shares: dict[int, float] = defaultdict(float)
    for person_id, department_id, count in (
        dispatched.filter(person_id__in=ids).values_list("person_id", "department_id").annotate(total=Sum("count"))
    ):
        if everyone.get(department_id):
            rate = min(returned[department_id] / everyone[department_id], 1.0)
            shares[person_id] += count * rate
    for person_id, share in shares.items():
        out[person_id][SHARED_RETURNED] = Shared(share=round(share, 4))


# --- Departments --------------------------------------------------------------------------------------------------
def department_figures(base: QuerySet[StatFact], department_ids: Iterable[int], period: Period) -> dict[int, Figures]:
    """Each department's own sums over the ``base`` facts (department id → measure → total)."""
    ids = list(department_ids)
    facts = facts_in(period, base=base, department_ids=ids).filter(measure__in=POSITION_MEASURES[Position.DEPARTMENT])
    found = sums_of(facts, "department_id")
    return {pk: dict(found.get(pk, {})) for pk in ids}


# --- Areas --------------------------------------------------------------------------------------------------------
def area_figures(
    base: QuerySet[StatFact], metrics: QuerySet[DailyMetric], subjects: Sequence[Subject], period: Period
) -> dict[int, Figures]:
    """Each area's sums over the ``base`` facts of its grids, and the patrol coverage of the ``metrics`` rows (the
    viewer's) of its grids."""
    out: dict[int, Figures] = {subject.id: {} for subject in subjects}
    if not subjects:
        return out
    facts = facts_in(period, base=base).filter(measure__in=POSITION_MEASURES[Position.AREA])
    by_grid = sums_of(facts, "grid_id")
    coverage = {
        row["grid_id"]: Total(int(row["households"] or 0), int(row["covered"] or 0))
        for row in metrics.filter(day__gte=period.start, day__lte=period.end, grid__isnull=False)
        .order_by()
        .values("grid_id")
        .annotate(covered=Sum("coverage_households_num"), households=Sum("coverage_households_den"))
    }
    codes = dict(Area.objects.filter(pk__in={*by_grid, *coverage}).values_list("pk", "code"))
    length = len(subjects[0].area_code)
    by_code = {subject.area_code: subject.id for subject in subjects}
    for grid_id, code in codes.items():
        subject_id = by_code.get(code[:length])
        if subject_id is None:
            continue
        figures = out[subject_id]
        if grid_id in by_grid:
            out[subject_id] = figures = sums_add(figures, by_grid[grid_id])
        if grid_id in coverage:
            have = figures.get(FIELD_COVERAGE, Total())
            figures[FIELD_COVERAGE] = Total(
                have.count + coverage[grid_id].count, have.on_time + coverage[grid_id].on_time
            )
    return out
