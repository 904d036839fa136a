"""What keeping the statistics' facts costs intake: report → file (立案) → dispatch (派遣) through the services, each
its own transaction as in the command centre (the path of ``case_intake.py``), with the facts maintained beside the
same path with :func:`stats.facts.facts_add` replaced by a no-op (and the reporter, which only the facts read at
立案, not looked up), in interleaved rounds in one process. Target: overhead ≤ 10 %. Run on PostgreSQL:
  .venv/bin/python bench/stats_intake.py --database-url postgresql://…/gridgov_bench_intake [--cases 300] [--rounds 8]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

from _cases import actors, grid_centres
from _registry import district_build
from _setup import django_setup


def intake_run(
    count: int, offset: int, people: dict[str, Any], category_id: int, points: list
) -> tuple[float, list[int]]:
    """Seconds per case of ``count`` cases through report → file → dispatch, and the cases."""
    # Imported once Django is set up (settings and app registry), as a benchmark script must.
    from audit.services import Origin
    from cases import services

    worker, shift = Origin(people["worker"], "api"), Origin(people["shift"], "api")
    dispatcher = Origin(people["dispatcher"], "api")
    made = []
    started = time.perf_counter()
    for index in range(offset, offset + count):
        lon, lat = points[index % len(points)]
        data = services.ReportData(
            source="grid_worker",
            description="路边有暴露垃圾",
            longitude=lon,
            latitude=lat,
            category_id=category_id,
            idempotency_key=f"bench-{index}",
        )
        case = services.report_submit(worker, data).case
        case = services.case_file(shift, case)
        services.case_dispatch(dispatcher, case, people["sanitation"])
        made.append(case.pk)
    return (time.perf_counter() - started) / count, made


def facts_off() -> Callable[[], None]:
    """Replace the facts' upkeep by no-ops in this process; returns what puts it back."""
    # Imported once Django is set up (settings and app registry), as a benchmark script must.
    from cases.services import base, events

    kept = (events.facts_add, base.reporter_of)

    def nothing(*args: Any, **kwargs: Any) -> None:
        return None

    events.facts_add = nothing
    base.reporter_of = nothing

    def restore() -> None:
        events.facts_add, base.reporter_of = kept

    return restore


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=300, help="cases per run")
    parser.add_argument("--rounds", type=int, default=8, help="rounds of one run with the facts and one without")
    parser.add_argument("--database-url")
    arguments = parser.parse_args()
    django_setup(arguments.database_url)
    # Imported once Django is set up (settings and app registry), as a benchmark script must.
    from django.db import connection

    from cases.models import Case, Category
    from stats.facts import facts_equal, facts_from_log, facts_table

    grids = district_build()
    people = actors(grids)
    points = grid_centres(grids)
    category = Category.objects.get(kind="event", code="0102")
    with_facts: list[float] = []
    without: list[float] = []
    counted: list[int] = []  # the cases written with their facts kept
    offset = 0

    def run(keep: bool) -> None:
        nonlocal offset
        restore = None if keep else facts_off()
        try:
            seconds, made = intake_run(arguments.cases, offset, people, category.pk, points)
        finally:
            if restore:
                restore()
        (with_facts if keep else without).append(seconds)
        if keep:
            counted.extend(made)
        offset += arguments.cases

    run(True)  # warm-up (the grid index, the first pages of the tables), not counted
    run(False)
    with_facts.clear()
    without.clear()
    for round_number in range(arguments.rounds):
        for keep in (True, False) if round_number % 2 == 0 else (False, True):
            run(keep)

    facts_with, facts_without = statistics.median(with_facts), statistics.median(without)
    overhead = (facts_with - facts_without) / facts_without * 100
    print(f"database: {connection.vendor}")
    print(
        f"intake (report → file → dispatch), {arguments.rounds} interleaved rounds of {arguments.cases} cases each way:"
    )
    for label, times in (("with the facts:   ", with_facts), ("facts_add a no-op:", without)):
        runs = ", ".join(f"{seconds * 1000:.1f}" for seconds in times)
        print(f"  {label} {statistics.median(times) * 1000:.2f} ms per case (median of the runs: {runs})")
    print(
        f"overhead of the facts: {overhead:+.1f} % (target ≤ 10 %); "
        f"ratio with / without = {facts_with / facts_without:.3f}"
    )
    # The facts written are what the events of the cases written with them replay to.
    assert facts_equal(facts_table(), facts_from_log(Case.objects.filter(pk__in=counted))) == []


if __name__ == "__main__":
    main()
