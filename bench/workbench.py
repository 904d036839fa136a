"""Each role's workbench (the home page) through the whole Django stack, p50/p95 server time over N requests, beside
a plain read of that workbench's main query in the same run (target p95 ≤ 100 ms on the demo data). Builds the demo
district, then with --cases bulk-writes that many extra cases (one INSERT, not the services) into its grids, 5 % of
them open and reported in the last 30 days, the rest closed and reported over 3 years by default (a district's
history is mostly closed cases; --open-share 0.875 and --history-days 30 for a backlog that large):
  .venv/bin/python bench/workbench.py [--scale 1 | --demo-db var/gridgov.sqlite3] [--cases 0] [--requests 50]
      [--database-url postgresql://…]"""

from __future__ import annotations

import argparse
import io
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from _cases import cases_bulk
from _setup import django_setup


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timed(run, count: int) -> list[float]:
    run()  # warm: the first request of a process fills caches
    times = []
    for _ in range(count):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0, help="demo district scale (1 ≈ 68 grids)")
    parser.add_argument("--cases", type=int, default=0, help="extra cases bulk-written into the demo grids")
    parser.add_argument(
        "--history-days", type=int, default=1095, help="days over which the closed cases were reported (3 years)"
    )
    parser.add_argument(
        "--open-share", type=float, default=0.05, help="share of the extra cases still open (a district's history)"
    )
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--database-url")
    parser.add_argument("--demo-db", help="an SQLite file with the demo already built (copied, not changed)")
    arguments = parser.parse_args()
    database_url = arguments.database_url
    if arguments.demo_db:
        copy = Path(tempfile.mkdtemp(prefix="gridgov-bench-demo-")) / "demo.sqlite3"
        with sqlite3.connect(f"file:{arguments.demo_db}?mode=ro", uri=True) as source, sqlite3.connect(copy) as target:
            source.backup(target)
        database_url = f"sqlite:///{copy}"
    django_setup(database_url)
    # Imported once Django is set up (settings and app registry), as a benchmark script must.
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from accounts.models import Department, User
    from areas.choices import AreaLevel
    from areas.models import Area
    from cases.choices import OPEN_STATUSES, CaseStatus
    from cases.models import Case, Category
    from web import workbench as bench

    if arguments.demo_db:
        print(f"demo district copied from {arguments.demo_db} ({connection.vendor})")
    else:
        started = time.perf_counter()
        call_command("demo_seed", scale=arguments.scale, stdout=io.StringIO(), stderr=io.StringIO())
        seconds = time.perf_counter() - started
        print(f"demo district (scale {arguments.scale}) built in {seconds:.0f} s ({connection.vendor})")
    if arguments.cases:
        grids = list(Area.objects.filter(level=AreaLevel.GRID).order_by("code"))
        department = Department.objects.get(code="DC-HW")
        categories = list(Category.objects.subclasses("event").values_list("pk", flat=True)[:20])
        started = time.perf_counter()
        cases_bulk(arguments.cases, grids, department.pk, categories, arguments.open_share, arguments.history_days)
        print(f"{arguments.cases:,} extra cases written in {time.perf_counter() - started:.1f} s")
    print(f"{Case.objects.count():,} cases, {Case.objects.filter(status__in=OPEN_STATUSES).count():,} open")

    def plain(queryset) -> None:
        sql, params = queryset.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchall()

    # The main query of each workbench: the one its first section cannot do without.
    def main_query(user: User, section: str):
        visible = Case.objects.visible_to(user)
        if section == "command":
            statuses = [status for spec in bench.COMMAND_QUEUES for status in spec.statuses]
            return visible.filter(status__in=statuses).order_by().values_list("status", "light")
        if section == "department":
            return bench.by_urgency(
                visible.filter(main_department=user.department, status=CaseStatus.DISPATCHED)
            ).select_related("category", "grid")[: bench.QUEUE_ITEMS]
        if section == "field":
            return bench.by_urgency(
                visible.filter(assignee=user, status__in=[CaseStatus.VERIFYING, CaseStatus.CHECKING])
            ).select_related("category", "grid")[: bench.FIELD_TASKS_SHOWN]
        if section == "leader":
            return bench.by_urgency(visible.filter(status__in=OPEN_STATUSES)).values_list(
                "longitude", "latitude", "light", "number"
            )[: bench.MAP_POINTS]
        return Case.objects.none()

    usernames = ["gridworker", "supervisor", "grid_leader", "intake", "shift_leader", "dispatcher", "handler",
                 "community", "street_leader", "district_leader", "admin"]  # fmt: skip
    print(f"{'user':<16} {'sections':<22} {'page p50':>9} {'page p95':>9} {'query p50':>10} {'ratio p50':>9}")
    worst = 0.0
    for username in usernames:
        user = User.objects.get(username=username)
        sections = bench.sections_for(user)
        client = Client()
        client.force_login(user)

        def page(client=client) -> None:
            response = client.get("/")
            assert response.status_code == 200, response.status_code

        pages = timed(page, arguments.requests)
        query = main_query(User.objects.get(pk=user.pk), sections[0]) if sections else Case.objects.none()
        reads = (
            timed(lambda query=query: plain(query), arguments.requests) if sections and sections[0] != "admin" else []
        )
        page50, page95 = statistics.median(pages), percentile(pages, 0.95)
        read50 = statistics.median(reads) if reads else 0.0
        ratio = f"{page50 / read50:9.1f}" if read50 else f"{'—':>9}"
        print(f"{username:<16} {','.join(sections):<22} {page50:8.1f}ms {page95:8.1f}ms {read50:9.2f}ms {ratio}")
        worst = max(worst, page95)
    print(f"worst page p95 {worst:.1f} ms (target ≤ 100 ms on the demo data); ratio = page p50 / main query p50")


if __name__ == "__main__":
    main()
