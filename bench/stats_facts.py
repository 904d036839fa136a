"""The statistics' daily facts over two years of a large district (≈ 1,000,000 cases, ≈ 10,000,000 case events, ~300
grids, ~60 categories, 9 sources, 20 departments), each figure beside the same figure computed from the event log:

* the rebuild of the facts from the whole event log (time, rows, memory peak of the process that rebuilds);
* a month's indicator table (every indicator of ``stats.indicators``, for the district, per street and per
  department) from the facts, beside ``facts_from_log`` over the month's cases — equal, target ≤ 1 s;
* the statistics page's queries (trend by day, composition by category, source, street and department) for the
  district and for one street, p50/p95 over repeated runs — equal, target p95 ≤ 200 ms;
* a custom report over a year (street × category class × month: filed, closed, on time, 按期结案率) from the
  facts in one grouped query and a roll-up, beside the same from the events — equal, target ≤ 3 s.

Run on PostgreSQL (the database must exist and be empty; the script migrates it):
  .venv/bin/python bench/stats_facts.py --database-url postgresql://postgres@127.0.0.1:5432/gridgov_bench_stats
  [--cases 1000000] [--days 730] [--streets 15 --communities 4 --grids 5] [--strict]
``--strict`` exits non-zero when a target is missed by more than twice its value."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from _setup import django_setup

#: The end of the history: 29 November 2026, 00:00 in Beijing.
END = dt.datetime(2026, 11, 28, 16, 0, tzinfo=dt.UTC)
TARGETS = {"indicators": 1.0, "page_p95": 0.2, "report": 3.0}


def timed(function: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    result = function()
    return result, time.perf_counter() - started


def repeated(function: Callable[[], Any], runs: int) -> tuple[Any, list[float]]:
    times = []
    result = None
    for _ in range(runs):
        result, seconds = timed(function)
        times.append(seconds)
    return result, times


def p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


# --- The rebuild, in a process of its own (its memory peak is its own) -------------------------------------------
def rebuild_child() -> None:
    django_setup()
    from stats.facts import facts_rebuild

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rows, seconds = timed(facts_rebuild)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"rows": rows, "seconds": seconds, "rss_before_kib": before, "rss_peak_kib": peak}))


def rebuild_measured() -> dict[str, Any]:
    here = Path(__file__).resolve().parent
    result = subprocess.run(
        [sys.executable, str(here / "stats_facts.py"), "--rebuild-child"],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        check=False,
    )
    if result.returncode:
        raise SystemExit(result.stderr[-3000:])
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


# --- The same numbers from the event log ---------------------------------------------------------------------------
def month_cases(period: Any) -> list[int]:
    """The cases whose facts fall in ``period``: an event in it, or filed (received, for 自处置) in it. Two queries
    joined here: one ``IN (events) OR (filed)`` leaves PostgreSQL a subplan run per case once the events' ids
    outgrow its work memory."""
    from django.db.models import Q

    from cases.models import Case, CaseEvent

    start, end = period.instants()
    with_events = set(CaseEvent.objects.filter(at__gte=start, at__lt=end).values_list("case_id", flat=True).distinct())
    cohort = Q(filed_at__gte=start, filed_at__lt=end) | Q(
        filed_at__isnull=True, created_at__gte=start, created_at__lt=end
    )
    return sorted(with_events | set(Case.objects.filter(cohort).values_list("pk", flat=True)))


def log_sums(period: Any) -> tuple[dict[str, Any], dict[Any, dict[str, Any]], dict[int, dict[str, Any]]]:
    """District, street and department sums of ``period`` from the events of its cases, replayed."""
    from cases.models import Case
    from stats.facts import facts_from_log
    from stats.indicators import Total, grid_rollup

    summed = facts_from_log(Case.objects.filter(pk__in=month_cases(period)))
    district: dict[str, list[float]] = defaultdict(lambda: [0, 0, 0.0])
    by_grid: dict[int, dict[str, list[float]]] = defaultdict(lambda: defaultdict(lambda: [0, 0, 0.0]))
    by_department: dict[int, dict[str, list[float]]] = defaultdict(lambda: defaultdict(lambda: [0, 0, 0.0]))
    for (day, grid, _category, _source, department, _person, measure), value in summed.items():
        if day < period.start or day > period.end:
            continue
        for row in (district[measure], by_grid[grid][measure], by_department[department][measure]):
            row[0] += value[0]
            row[1] += value[1]
            row[2] += value[2]
    streets: dict[Any, dict[str, list[float]]] = defaultdict(lambda: defaultdict(lambda: [0, 0, 0.0]))
    rollup = grid_rollup("street", by_grid)
    for grid, sums in by_grid.items():
        for measure, value in sums.items():
            row = streets[rollup[grid]][measure]
            for n in range(3):
                row[n] += value[n]

    def totals(sums: Mapping[str, list[float]]) -> dict[str, Any]:
        return {measure: Total(int(v[0]), int(v[1]), float(v[2])) for measure, v in sums.items()}

    return (
        totals(district),
        {area: totals(sums) for area, sums in streets.items()},
        {department: totals(sums) for department, sums in by_department.items()},
    )


def facts_sums(period: Any) -> tuple[dict[str, Any], dict[Any, dict[str, Any]], dict[int, dict[str, Any]]]:
    from stats.indicators import facts_in, sums_by, sums_by_area, sums_total

    base = facts_in(period)
    return sums_total(base), sums_by_area(base, "street"), sums_by(base, "department_id")


def tables_of(sums: tuple[Mapping[str, Any], Mapping[Any, Any], Mapping[int, Any]]) -> dict[str, Any]:
    from stats.indicators import indicators_of

    district, streets, departments = sums
    return {
        "district": indicators_of(district),
        "streets": {area.code: indicators_of(s) for area, s in streets.items()},
        "departments": {pk: indicators_of(s, _DEPARTMENT_CODES) for pk, s in departments.items() if pk},
    }


_DEPARTMENT_CODES = [
    "department_received",
    "department_close_rate",
    "department_handle_on_time_rate",
    "department_rework_rate",
    "dispatch_on_time_rate",
    "handle_minutes_mean",
]


def values_differ(left: Mapping[str, Any], right: Mapping[str, Any], where: str) -> list[str]:
    problems = []
    for code in sorted(set(left) | set(right)):
        a, b = left.get(code), right.get(code)
        if a is None or b is None:
            problems.append(f"{where} {code}: {a} != {b}")
            continue
        same = abs(a.numerator - b.numerator) < 0.01 and (
            (a.denominator is None and b.denominator is None)
            or (a.denominator is not None and b.denominator is not None and abs(a.denominator - b.denominator) < 0.01)
        )
        if not same:
            problems.append(f"{where} {code}: {a.numerator}/{a.denominator} != {b.numerator}/{b.denominator}")
    return problems


def tables_differ(facts: dict[str, Any], log: dict[str, Any]) -> list[str]:
    problems = values_differ(facts["district"], log["district"], "district")
    for part in ("streets", "departments"):
        for key in sorted(set(facts[part]) | set(log[part]), key=str):
            problems += values_differ(facts[part].get(key, {}), log[part].get(key, {}), f"{part} {key}")
    return problems


# --- The statistics page ---------------------------------------------------------------------------------------
def page_queries(period: Any, grid_ids: list[int] | None) -> dict[str, Callable[[], Any]]:
    """Each chart of the statistics page from the facts: {name: query}, each answer a plain dict."""
    from stats.facts import Measure as M
    from stats.indicators import facts_in, grid_rollup, sums_by

    def counts(group: str, measures: Iterable[str]) -> dict[Any, dict[str, int]]:
        rows = sums_by(facts_in(period, grid_ids=grid_ids).filter(measure__in=list(measures)), group)
        return {key: {m: total.count for m, total in sums.items()} for key, sums in rows.items()}

    def by_street() -> dict[Any, dict[str, int]]:
        by_grid = counts("grid_id", [M.FILED, M.CLOSED])
        return rolled_up(by_grid, grid_rollup("street", by_grid))

    return {
        "trend by day": lambda: counts("day", [M.REPORT, M.FILED, M.CLOSED]),
        "by category": lambda: counts("category_id", [M.FILED]),
        "by source": lambda: counts("source", [M.REPORT]),
        "by street": by_street,
        "by department": lambda: counts("department_id", [M.DISPATCHED]),
    }


def rolled_up(by_key: Mapping[Any, Mapping[str, int]], parent_of: Mapping[Any, Any]) -> dict[Any, dict[str, int]]:
    out: dict[Any, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for key, counts in by_key.items():
        parent = parent_of[key]
        for measure, count in counts.items():
            out[getattr(parent, "code", parent)][measure] += count
    return {key: dict(value) for key, value in out.items()}


def page_queries_from_log(period: Any, grid_ids: list[int] | None) -> dict[str, Callable[[], Any]]:
    """The same charts counted from the events of the period (joined to their cases)."""
    from django.db.models import Count, F
    from django.db.models.fields.json import KT
    from django.db.models.functions import TruncDate

    from cases.models import CaseEvent
    from stats.facts import MEASURE_ACTIONS
    from stats.facts import Measure as M
    from stats.indicators import grid_rollup

    start, end = period.instants()
    action_of = {
        action: measure for measure in (M.FILED, M.CLOSED, M.DISPATCHED) for action in MEASURE_ACTIONS[measure]
    }
    for action in MEASURE_ACTIONS[M.REPORT]:
        action_of[action] = M.REPORT

    def counts(group: Any, measures: Iterable[str]) -> dict[Any, dict[str, int]]:
        actions = [action for measure in measures for action in MEASURE_ACTIONS[measure]]
        events = CaseEvent.objects.filter(at__gte=start, at__lt=end, action__in=actions)
        if grid_ids is not None:
            events = events.filter(case__grid_id__in=grid_ids)
        rows = events.annotate(key=group).order_by().values("key", "action").annotate(n=Count("id"))
        out: dict[Any, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for row in rows:
            out[row["key"]][action_of[row["action"]]] += row["n"]
        return {key: dict(value) for key, value in out.items()}

    def by_street() -> dict[Any, dict[str, int]]:
        by_grid = counts(F("case__grid_id"), [M.FILED, M.CLOSED])
        return rolled_up(by_grid, grid_rollup("street", by_grid))

    def by_department() -> dict[Any, dict[str, int]]:
        rows = counts(KT("payload__set__main_department_id"), [M.DISPATCHED])
        return {int(key): value for key, value in rows.items()}

    return {
        "trend by day": lambda: counts(TruncDate("at"), [M.REPORT, M.FILED, M.CLOSED]),
        "by category": lambda: counts(F("case__category_id"), [M.FILED]),
        "by source": lambda: counts(F("case__source"), [M.REPORT]),
        "by street": by_street,
        "by department": by_department,
    }


# --- A custom report: street × category class × month over a year ----------------------------------------------
ReportRows = dict[tuple[str, int, dt.date], dict[str, int]]


def rollups(prefix: str = "") -> tuple[Any, Any]:
    """A grid's street code and a category's class as SQL expressions over ``{prefix}grid_id`` and
    ``{prefix}category_id``, so that a report groups by street and class in the database."""
    from django.db.models import Case, CharField, IntegerField, Value, When

    from cases.models import Category
    from stats.indicators import grid_rollup

    grids_of: dict[str, list[int]] = defaultdict(list)
    for grid, area in grid_rollup("street").items():
        grids_of[area.code].append(grid)
    members: dict[int, list[int]] = defaultdict(list)
    for pk, parent in Category.objects.values_list("pk", "parent_id"):
        members[parent or pk].append(pk)
    street = Case(
        *[When(**{f"{prefix}grid_id__in": ids}, then=Value(code)) for code, ids in sorted(grids_of.items())],
        output_field=CharField(),
    )
    category_class = Case(
        *[When(**{f"{prefix}category_id__in": ids}, then=Value(pk)) for pk, ids in sorted(members.items())],
        default=Value(0),
        output_field=IntegerField(),
    )
    return street, category_class


def report_from_facts(year: Any) -> ReportRows:
    """Filed (立案 + 自处置), closed and closed on time (of the cases filed in the month) per street × category class
    × month, in one grouped query; the rate (按期结案率) is on_time / filed of a row."""
    from django.db.models import Sum
    from django.db.models.functions import TruncMonth

    from stats.facts import Measure as M
    from stats.indicators import facts_in

    street, category_class = rollups()
    rows = (
        facts_in(year)
        .filter(measure__in=[M.FILED, M.SELF_RESOLVED, M.C_CLOSED])
        .annotate(street=street, category_class=category_class, month=TruncMonth("day"))
        .order_by()
        .values_list("street", "category_class", "month", "measure")
        .annotate(total=Sum("count"), in_time=Sum("on_time"))
    )
    out: ReportRows = defaultdict(lambda: defaultdict(int))
    for code, category, month, measure, total, in_time in rows:
        cell = out[(code, category, month)]
        if measure == M.C_CLOSED:
            cell["closed"] += total
            cell["on_time"] += in_time
        else:
            cell["filed"] += total
    return {key: dict(value) for key, value in out.items()}


def report_from_log(year: Any) -> ReportRows:
    """The same from the events: 立案 and 自处置 by the month of the event, the first 结案 of each case by the month
    it was filed in (on time: no step went overdue)."""
    from django.db.models import Count, Q
    from django.db.models.functions import Coalesce, TruncMonth

    from cases.models import CaseEvent

    start, end = year.instants()
    street, category_class = rollups("case__")
    out: ReportRows = defaultdict(lambda: defaultdict(int))
    filed = (
        CaseEvent.objects.filter(at__gte=start, at__lt=end, action__in=["file", "self_resolve"])
        .annotate(street=street, category_class=category_class, month=TruncMonth("at"))
        .order_by()
        .values_list("street", "category_class", "month")
        .annotate(n=Count("id"))
    )
    for code, category, month, count in filed:
        out[(code, category, _date(month))]["filed"] += count
    closed = (
        CaseEvent.objects.annotate(filed=Coalesce("case__filed_at", "case__created_at"))
        .filter(action="close", filed__gte=start, filed__lt=end)
        .annotate(street=street, category_class=category_class, month=TruncMonth("filed"))
        .order_by()
        .values_list("street", "category_class", "month")
        .annotate(n=Count("id"), in_time=Count("id", filter=Q(case__overdue_count=0)))
    )
    for code, category, month, count, in_time in closed:
        cell = out[(code, category, _date(month))]
        cell["closed"] += count
        cell["on_time"] += in_time
    return {key: dict(value) for key, value in out.items()}


def _date(month: dt.date | dt.datetime) -> dt.date:
    return month.date() if isinstance(month, dt.datetime) else month


# --- Run -----------------------------------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--streets", type=int, default=15)
    parser.add_argument("--communities", type=int, default=4)
    parser.add_argument("--grids", type=int, default=5, help="grids per community")
    parser.add_argument("--runs", type=int, default=20, help="runs of each page query from the facts")
    parser.add_argument("--log-runs", type=int, default=3, help="runs of each page query from the events")
    parser.add_argument("--database-url")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed by more than 2×")
    parser.add_argument(
        "--keep", action="store_true", help="measure the history already in the database (of an earlier run)"
    )
    parser.add_argument("--rebuild-child", action="store_true", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.rebuild_child:
        rebuild_child()
        return
    django_setup(arguments.database_url)
    # Imported once Django is set up (settings and app registry), as a benchmark script must.
    from _stats_history import Written, cast_build, history_write
    from django.db import connection

    from accounts.models import Department
    from areas.models import Area
    from cases.models import Case, CaseEvent
    from stats.indicators import grids_under
    from stats.models import StatFact
    from stats.periods import period_of

    if arguments.keep and Case.objects.exists():
        written = Written(Case.objects.count(), CaseEvent.objects.count())
    else:
        cast = cast_build(arguments.streets, arguments.communities, arguments.grids)
        written = history_write(cast, arguments.cases, arguments.days, END)
    results: list[tuple[str, str, str, str]] = []
    print(f"database: {connection.vendor}")
    print(
        f"history: {written.cases:,} cases, {written.events:,} events ({written.events / written.cases:.1f} per case) "
        f"over {arguments.days} days, {Area.objects.filter(level='grid').count()} grids, "
        f"{Case.objects.filter(category_id__isnull=False).values('category_id').distinct().count()} categories, "
        f"{Department.objects.count()} departments"
        + (f" — written in {written.seconds:.0f} s" if written.seconds else " (kept)")
    )

    rebuilt = rebuild_measured()
    rows = StatFact.objects.count()
    peak, grown = rebuilt["rss_peak_kib"] / 1024, (rebuilt["rss_peak_kib"] - rebuilt["rss_before_kib"]) / 1024
    print(
        f"facts_rebuild(): {rebuilt['rows']:,} fact rows in {rebuilt['seconds']:.1f} s "
        f"({written.events / rebuilt['seconds']:,.0f} events/s); memory peak of its process {peak:,.0f} MiB "
        f"({grown:,.0f} MiB over the process before it)"
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE stats_statfact")
            sizes = {}
            for table in ("cases_case", "cases_caseevent", "stats_statfact"):
                cursor.execute("SELECT pg_total_relation_size(%s)", [table])
                sizes[table] = cursor.fetchone()[0] / 2**20
        print("sizes (with indexes): " + ", ".join(f"{name} {size:,.0f} MiB" for name, size in sizes.items()))
    assert rows == rebuilt["rows"]
    results.append(("facts_rebuild()", f"{rebuilt['seconds']:.1f} s", "—", f"{rows:,} rows"))

    end_day = (END - dt.timedelta(seconds=1)).astimezone(dt.timezone(dt.timedelta(hours=8))).date()
    month = period_of("month", end_day).previous()
    year = period_of("year", end_day)
    if (end_day - dt.date(end_day.year, 1, 1)).days + 365 <= arguments.days:
        year = year.previous()

    # 1. The month's indicator table.
    facts_tables, facts_time = timed(lambda: tables_of(facts_sums(month)))
    facts_tables, facts_time = timed(lambda: tables_of(facts_sums(month)))  # the second run, as a page would see it
    log_tables, log_time = timed(lambda: tables_of(log_sums(month)))
    problems = tables_differ(facts_tables, log_tables)
    assert not problems, problems[:10]
    cases_in_month = len(month_cases(month))
    print(
        f"indicator table {month.key} (district + {len(facts_tables['streets'])} streets + "
        f"{len(facts_tables['departments'])} departments, {len(facts_tables['district'])} indicators): "
        f"facts {facts_time:.3f} s, event log (facts_from_log over the month's {cases_in_month:,} cases) "
        f"{log_time:.2f} s — equal; ratio {log_time / facts_time:.0f}×"
    )
    results.append(
        ("indicator table, a month", f"{facts_time:.3f} s", f"{log_time:.2f} s", f"≤ {TARGETS['indicators']} s")
    )

    # 2. The statistics page's queries, for the district and for one street.
    street = Area.objects.filter(level="street").order_by("code").first()
    assert street is not None
    worst = 0.0
    for label, grid_ids in (("district", None), (street.code, grids_under(street))):
        from_facts = page_queries(month, grid_ids)
        from_log = page_queries_from_log(month, grid_ids)
        for name, query in from_facts.items():
            answer, times = repeated(query, arguments.runs)
            expected, log_times = repeated(from_log[name], arguments.log_runs)
            assert answer == expected, (label, name, _first_difference(answer, expected))
            worst = max(worst, p95(times))
            results.append(
                (
                    f"page {label}: {name}",
                    f"p50 {statistics.median(times) * 1000:.0f} ms / p95 {p95(times) * 1000:.0f} ms",
                    f"p50 {statistics.median(log_times) * 1000:.0f} ms",
                    f"p95 ≤ {TARGETS['page_p95'] * 1000:.0f} ms",
                )
            )

    # 3. The custom report over a year.
    report_facts, report_time = timed(lambda: report_from_facts(year))
    report_log, report_log_time = timed(lambda: report_from_log(year))
    assert report_facts == report_log, _first_difference(report_facts, report_log)
    print(
        f"custom report {year.key} (street × category class × month, {len(report_facts):,} rows): facts "
        f"{report_time:.2f} s, event log {report_log_time:.2f} s — equal; ratio {report_log_time / report_time:.1f}×"
    )
    results.append(
        ("custom report, a year", f"{report_time:.2f} s", f"{report_log_time:.2f} s", f"≤ {TARGETS['report']} s")
    )

    print()
    print(f"{'measurement':<44} {'from the facts':<28} {'from the event log':<20} target")
    for name, facts_value, log_value, target in results:
        print(f"{name:<44} {facts_value:<28} {log_value:<20} {target}")
    print(
        f"ratio event log / facts: indicator table {log_time / facts_time:.0f}×, "
        f"custom report {report_log_time / report_time:.1f}×"
    )
    missed = [
        name
        for name, seconds, target in (
            ("indicator table", facts_time, TARGETS["indicators"]),
            ("page p95", worst, TARGETS["page_p95"]),
            ("custom report", report_time, TARGETS["report"]),
        )
        if seconds > target
    ]
    if missed:
        print("targets missed: " + ", ".join(missed))
    if arguments.strict and (
        facts_time > 2 * TARGETS["indicators"] or worst > 2 * TARGETS["page_p95"] or report_time > 2 * TARGETS["report"]
    ):
        raise SystemExit(1)


def _first_difference(left: Mapping[Any, Any], right: Mapping[Any, Any]) -> str:
    for key in sorted(set(left) | set(right), key=str):
        if left.get(key) != right.get(key):
            return f"{key}: {left.get(key)} != {right.get(key)}"
    return "none"


if __name__ == "__main__":
    main()
