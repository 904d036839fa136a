"""Open311 ``GET requests.json`` with a date range over 1,000,000 cases, a page of 100 (target p95 ≤ 150 ms),
through the whole Django stack, beside the bare SQL of the same page in the same run. Run on SQLite, then with
--database-url for PostgreSQL:
  .venv/bin/python bench/open311_requests.py [--cases 1000000] [--requests 200] [--database-url postgresql://…]"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import time

from _cases import actors, cases_bulk
from _registry import district_build
from _setup import django_setup


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--database-url")
    arguments = parser.parse_args()
    os.environ["GRIDGOV_OPEN311_READS_PER_MINUTE"] = "100000000"
    django_setup(arguments.database_url)
    # Imported once Django is set up (settings and app registry), as a benchmark script must.
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from cases.models import Category

    grids = district_build()
    people = actors(grids)
    categories = list(Category.objects.subclasses("event").values_list("pk", flat=True)[:20])
    started = time.perf_counter()
    cases_bulk(arguments.cases, grids, people["sanitation"].pk, categories)
    print(f"{arguments.cases:,} cases written in {time.perf_counter() - started:.1f} s ({connection.vendor})")

    rng = random.Random(7)
    now = timezone.now()
    ranges = []
    span_days = min(30, arguments.cases / 1440)  # the bulk cases are one a minute back from now, over 30 days
    for _ in range(arguments.requests):
        start = now - dt.timedelta(days=rng.uniform(0.5, max(span_days, 1)))
        ranges.append((start, start + dt.timedelta(days=rng.choice([1, 3, 7]))))
    client = Client()
    full, bare, sizes = [], [], []
    sql = (
        "SELECT c.id, c.number, c.status, c.description, c.created_at, c.updated_at, c.latitude, c.longitude,"
        " g.code, g.name FROM cases_case c JOIN cases_category g ON g.id = c.category_id"
        " WHERE g.is_public AND c.created_at >= %s AND c.created_at <= %s ORDER BY c.created_at DESC, c.id DESC"
        " LIMIT 100"
    )
    client.get("/open311/v2/requests.json?start_date=2026-01-01")  # warm up imports and caches
    for start, end in ranges:
        query = {"start_date": start.isoformat(), "end_date": end.isoformat(), "page_size": "100"}
        began = time.perf_counter()
        response = client.get("/open311/v2/requests.json", query)
        full.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200, response.content[:300]
        sizes.append(len(response.json()))
        began = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(sql, [start, end])
            cursor.fetchall()
        bare.append((time.perf_counter() - began) * 1000)
    assert sum(sizes) > 0, "the date ranges should find cases"
    print(f"requests: {len(full)}, records per page: min {min(sizes)}, max {max(sizes)}")
    print(f"GET requests.json: p50 {statistics.median(full):.1f} ms, p95 {percentile(full, 0.95):.1f} ms")
    print(f"bare SQL of the page: p50 {statistics.median(bare):.1f} ms, p95 {percentile(bare, 0.95):.1f} ms")
    print(f"ratio full stack / bare SQL (p95): {percentile(full, 0.95) / max(percentile(bare, 0.95), 0.01):.1f}×")


if __name__ == "__main__":
    main()
