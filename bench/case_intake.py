"""Intake through the services — report → file (立案) → dispatch (派遣), each its own transaction as in the
command centre — in 1 and in N worker processes (target ≥ 300 cases/s on PostgreSQL), beside raw single-row
INSERT commits into the same database in the same run. Run on SQLite, then with --database-url for PostgreSQL:
  .venv/bin/python bench/case_intake.py [--cases 3000] [--workers 2] [--database-url postgresql://…]"""

from __future__ import annotations

import argparse
import multiprocessing
import time

from _cases import actors, grid_centres
from _registry import district_build
from _setup import django_setup


def intake(
    count: int,
    offset: int,
    worker_id: int,
    shift_id: int,
    dispatcher_id: int,
    category_id: int,
    department_id: int,
    grid_points: list[tuple[float, float]],
) -> None:
    # Imported once Django is set up (settings and app registry), as a benchmark script must.
    from django.db import connections

    from accounts.models import Department, User
    from audit.services import Origin
    from cases import services

    connections.close_all()
    worker, shift, dispatcher = (User.objects.get(pk=pk) for pk in (worker_id, shift_id, dispatcher_id))
    department = Department.objects.get(pk=department_id)
    for index in range(offset, offset + count):
        lon, lat = grid_points[index % len(grid_points)]
        data = services.ReportData(
            source="grid_worker",
            description="路边有暴露垃圾",
            longitude=lon,
            latitude=lat,
            category_id=category_id,
            idempotency_key=f"bench-{index}",
        )
        case = services.report_submit(Origin(worker, "api"), data).case
        services.case_file(Origin(shift, "api"), case)
        services.case_dispatch(Origin(dispatcher, "api"), case, department)
    connections.close_all()


def run(workers: int, count: int, offset: int, arguments: tuple) -> float:
    # Imported once Django is set up (settings and app registry), as a benchmark script must.
    from django.db import connections

    connections.close_all()
    share = count // workers
    started = time.perf_counter()
    processes = [
        multiprocessing.get_context("fork").Process(target=intake, args=(share, offset + n * share, *arguments))
        for n in range(workers)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join()
        assert process.exitcode == 0
    return share * workers / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=3000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database-url")
    arguments = parser.parse_args()
    django_setup(arguments.database_url)
    # Imported once Django is set up (settings and app registry), as a benchmark script must.
    from django.db import connection, transaction

    from cases.models import Case, CaseEvent, Category

    grids = district_build()
    people = actors(grids)
    points = grid_centres(grids)
    category = Category.objects.get(kind="event", code="0102")
    common = (
        people["worker"].pk,
        people["shift"].pk,
        people["dispatcher"].pk,
        category.pk,
        people["sanitation"].pk,
        points,
    )
    run(1, 50, 10_000_000, common)  # warm-up (grid index, first pages of the tables)

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_raw (id integer PRIMARY KEY, body varchar(100))")
    rows = min(arguments.cases, 3000)
    started = time.perf_counter()
    for index in range(rows):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("INSERT INTO bench_raw (id, body) VALUES (%s, %s)", [index, "路边有暴露垃圾"])
    raw = rows / (time.perf_counter() - started)

    single = run(1, arguments.cases // 2, 0, common)
    parallel = run(arguments.workers, arguments.cases, 1_000_000, common)
    dispatched = Case.objects.filter(status="dispatched").count()
    assert dispatched == 50 + arguments.cases // 2 + arguments.cases // arguments.workers * arguments.workers
    assert CaseEvent.objects.filter(action="dispatch").count() == dispatched
    print(f"database: {connection.vendor}")
    print(f"raw single-row INSERT commits: {raw:,.0f}/s")
    print(f"intake (report → file → dispatch), 1 process: {single:,.0f} cases/s")
    print(f"intake, {arguments.workers} processes: {parallel:,.0f} cases/s")
    print(f"ratio raw inserts / intake cases ({arguments.workers} processes) = {raw / parallel:.1f}×")


if __name__ == "__main__":
    main()
