"""Generating due visits for 1,000,000 residents with 100,000 in care groups (target ≤ 30 s; a second run writes
nothing), beside a plain read of the same tags in the same run. Run with --database-url for PostgreSQL:
  .venv/bin/python bench/due_visits.py [--persons 1000000] [--in-groups 100000] [--database-url postgresql://…]"""

from __future__ import annotations

import argparse
import time

from _setup import django_setup
from _visits import TODAY, residents_build


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--in-groups", type=int, default=100_000)
    parser.add_argument("--database-url")
    arguments = parser.parse_args()
    django_setup(arguments.database_url)
    # Imported once Django is set up (settings and app registry), as a benchmark script must.
    from registry.models import PersonTag
    from visits.models import DueVisit
    from visits.plans import due_visits_generate

    built = residents_build(arguments.persons, arguments.in_groups)
    started = time.perf_counter()
    read = len(list(PersonTag.objects.values_list("person_id", "since", "person__grid_id").iterator(chunk_size=5000)))
    scan = time.perf_counter() - started

    started = time.perf_counter()
    first = due_visits_generate(TODAY)
    first_time = time.perf_counter() - started
    rows = list(DueVisit.objects.order_by("pk").values_list("pk", "status", "worker_id", "due_on"))
    started = time.perf_counter()
    second = due_visits_generate(TODAY)
    second_time = time.perf_counter() - started
    after = list(DueVisit.objects.order_by("pk").values_list("pk", "status", "worker_id", "due_on"))
    print(f"first run: {first_time:.2f} s — {first.created:,} due visits for {built['tags']:,} people in care groups")
    print(
        f"second run: {second_time:.2f} s — {second.created} created, {second.cancelled} cancelled, "
        f"rows unchanged: {after == rows}"
    )
    print(f"plain read of the {read:,} tags: {scan:.2f} s; ratio first run / read = {first_time / scan:.1f}×")
    assert second.created == 0 and second.cancelled == 0 and after == rows
    assert first.created == built["tags"], (first.created, built["tags"])


if __name__ == "__main__":
    main()
