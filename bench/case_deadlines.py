"""The periodic deadline job over 1,000,000 open cases (target ≤ 30 s; a second run writes nothing), beside a
plain scan of the same open cases in the same run. Run on SQLite, then with --database-url for PostgreSQL:
  .venv/bin/python bench/case_deadlines.py [--cases 1000000] [--database-url postgresql://…]"""

from __future__ import annotations

import argparse
import time

from _cases import actors, cases_bulk
from _registry import district_build
from _setup import django_setup


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--database-url")
    arguments = parser.parse_args()
    django_setup(arguments.database_url)
    # Imported once Django is set up (settings and app registry), as a benchmark script must.
    from django.db import connection
    from django.utils import timezone

    from cases.deadlines import deadlines_sweep
    from cases.models import Case, CaseEvent, Category

    grids = district_build()
    people = actors(grids)
    categories = list(Category.objects.subclasses("event").values_list("pk", flat=True)[:20])
    started = time.perf_counter()
    cases_bulk(arguments.cases, grids, people["sanitation"].pk, categories)
    print(f"{arguments.cases:,} cases written in {time.perf_counter() - started:.1f} s ({connection.vendor})")
    open_cases = Case.objects.filter(due_at__isnull=False).count()

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), sum(overdue_count) FROM cases_case WHERE step <> ''")
        cursor.fetchone()
    scan = time.perf_counter() - started

    now = timezone.now()  # both runs at the same instant: the second must find nothing left to do
    started = time.perf_counter()
    first = deadlines_sweep(now)
    first_time = time.perf_counter() - started
    events = CaseEvent.objects.count()
    started = time.perf_counter()
    second = deadlines_sweep(now)
    second_time = time.perf_counter() - started
    print(f"open cases with a running clock: {open_cases:,}")
    print(
        f"first run: {first_time:.2f} s — {first.yellow:,} yellow, {first.red:,} red (overdue), "
        f"{first.escalated:,} escalated, {events:,} events written"
    )
    print(f"second run: {second_time:.2f} s — {second.changed} changes, {CaseEvent.objects.count() - events} events")
    print(f"plain scan of the open cases: {scan:.2f} s; ratio first run / scan = {first_time / scan:.1f}×")
    assert second.changed == 0 and CaseEvent.objects.count() == events, (second, CaseEvent.objects.count(), events)
    assert first.red > 0 and first.escalated > 0


if __name__ == "__main__":
    main()
