"""A worker's agenda (the day's due visits in walking order) on 1,000,000 residents with 100,000 in care groups
(target p95 ≤ 100 ms on PostgreSQL), beside the bare query of the same due visits. Run with --database-url:
  .venv/bin/python bench/visit_agenda.py [--persons 1000000] [--in-groups 100000] [--database-url postgresql://…]"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import time

from _setup import django_setup
from _visits import TODAY, residents_build


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 20 else max(values)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--in-groups", type=int, default=100_000)
    parser.add_argument("--agendas", type=int, default=200)
    parser.add_argument("--database-url")
    arguments = parser.parse_args()
    django_setup(arguments.database_url)
    # Imported once Django is set up (settings and app registry), as a benchmark script must.
    from django.utils import timezone

    from fieldwork.models import TrackPoint
    from visits.agenda import agenda_of
    from visits.models import DueVisit
    from visits.plans import due_visits_generate

    built = residents_build(arguments.persons, arguments.in_groups)
    due_visits_generate(TODAY)
    rng = random.Random(5)
    workers = built["workers"]
    at = dt.datetime.combine(TODAY, dt.time(9), timezone.get_current_timezone())
    TrackPoint.objects.bulk_create(
        [
            TrackPoint(worker=worker, device_time=at, server_time=at, lon=116.05 + rng.random() * 1.6, lat=39.5)
            for worker in workers[::2]
        ]
    )
    picks = [rng.choice(workers) for _ in range(arguments.agendas)]
    agenda_ms, query_ms, stops = [], [], []
    for worker in picks:
        started = time.perf_counter()
        agenda = agenda_of(worker, TODAY)
        agenda_ms.append((time.perf_counter() - started) * 1000)
        stops.append(len(agenda.stops))
        started = time.perf_counter()
        list(DueVisit.objects.filter(worker=worker, status="open", due_on__lte=TODAY + dt.timedelta(days=6)))
        query_ms.append((time.perf_counter() - started) * 1000)
    opened = DueVisit.objects.filter(status="open").count()
    print(f"open due visits: {opened:,}; stops per agenda: median {statistics.median(stops):.0f}, max {max(stops)}")
    print(f"agenda: p50 {statistics.median(agenda_ms):.1f} ms, p95 {p95(agenda_ms):.1f} ms (target p95 ≤ 100 ms)")
    ratio = statistics.median(agenda_ms) / statistics.median(query_ms)
    print(f"bare query of the week's due visits: p50 {statistics.median(query_ms):.1f} ms; ratio {ratio:.1f}×")


if __name__ == "__main__":
    main()
