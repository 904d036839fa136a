"""Backtest of the early warnings (alerts/detection.py): a history shaped like the demo's cases, spikes of known size
injected at random grid × category × days, the detector run day by day. Prints precision and recall (by spike size),
false alarms per 1,000 series-days and the time per day evaluated.

The history is synthetic, with the demo's rates (demo/cases.py: about 1,100 reports a month over 68 grids at scale 1,
grids picked alike, 85 % among its common event subclasses by their weights, 15 % any event subclass), a weekday
shape (busier Monday, quieter weekend) and over-dispersion (each series-day's rate drawn from a gamma, i.e. negative
binomial counts). The demo's own generator runs every case through the services: minutes per month of cases, too
slow for months of history. Facts are written straight into the fact table, which is all the detector reads.
  .venv/bin/python bench/warning_backtest.py [--grids 68] [--reports-per-day 37] [--days 56] [--spikes 300]
  .venv/bin/python bench/warning_backtest.py --grids 1000 --reports-per-day 2000   # a busy city"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time
from collections import defaultdict

import numpy as np
from _registry import district_build
from _setup import django_setup

#: Relative daily volume Monday … Sunday (mean 1).
WEEKDAY_SHAPE = np.array([1.2, 1.1, 1.05, 1.0, 1.0, 0.85, 0.8]) / np.mean([1.2, 1.1, 1.05, 1.0, 1.0, 0.85, 0.8])
LAST_DAY = dt.date(2026, 10, 31)


def category_weights(categories: list) -> np.ndarray:
    """The demo's mix (demo.cases.Simulation.plan): 85 % by COMMON_EVENTS' weights, 15 % alike over all."""
    from demo.cases import COMMON_EVENTS

    total = sum(COMMON_EVENTS.values())
    weights = np.array([0.15 / len(categories) + 0.85 * COMMON_EVENTS.get(c.code, 0) / total for c in categories])
    return weights / weights.sum()


def history_write(grid_ids, category_ids, weights, first: dt.date, days: int, per_day: float, shape: float, rng):
    """Negative binomial daily counts per grid × category (mean = the demo's rate × the weekday's factor)."""
    from stats.facts import Measure
    from stats.models import StatFact

    base = per_day / len(grid_ids) * weights  # per grid, by category
    counts: dict[tuple[int, int, dt.date], int] = {}
    for offset in range(days):
        day = first + dt.timedelta(days=offset)
        mean = np.tile(base * WEEKDAY_SHAPE[day.weekday()], (len(grid_ids), 1))
        rates = rng.gamma(shape, mean / shape)
        drawn = rng.poisson(rates)
        for g, c in zip(*np.nonzero(drawn), strict=True):
            counts[(grid_ids[g], category_ids[c], day)] = int(drawn[g, c])
    rows = [
        StatFact(day=day, grid_id=g, category_id=c, source="grid_worker", measure=Measure.REPORT, count=n)
        for (g, c, day), n in counts.items()
    ]
    StatFact.objects.bulk_create(rows, batch_size=5000)
    return counts


def spikes_inject(grid_ids, category_ids, days: list[dt.date], sizes: list[int], count: int, rng):
    """``count`` spikes at distinct random grid × category × day, sizes taken in turn; returns key → size."""
    from django.db.models import F

    from stats.facts import Measure
    from stats.models import StatFact

    spikes: dict[tuple[int, int, dt.date], int] = {}
    while len(spikes) < count:
        key = (int(rng.choice(grid_ids)), int(rng.choice(category_ids)), days[int(rng.integers(len(days)))])
        spikes.setdefault(key, sizes[len(spikes) % len(sizes)])
    for (g, c, day), size in spikes.items():
        fact, _created = StatFact.objects.get_or_create(
            day=day, grid_id=g, category_id=c, source="hotline", measure=Measure.REPORT
        )
        StatFact.objects.filter(pk=fact.pk).update(count=F("count") + size)
    return spikes


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--grids", type=int, default=68, help="68 = the demo at scale 1")
    parser.add_argument("--reports-per-day", type=float, default=37.0, help="the demo: ~1,100 a month")
    parser.add_argument("--days", type=int, default=56, help="days evaluated, after the weeks of history")
    parser.add_argument("--spikes", type=int, default=300)
    parser.add_argument("--sizes", default="3,5,8,12", help="extra reports of a spike")
    parser.add_argument("--shape", type=float, default=2.0, help="gamma shape of a day's rate (smaller: wilder)")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--database-url")
    arguments = parser.parse_args()
    django_setup(arguments.database_url)
    # Imported once Django is set up (settings and app registry), as a benchmark script must.
    from django.db import connection
    from django.db.models import Sum

    from alerts.detection import Config, detect, window_days
    from cases.models import Category
    from stats.facts import Measure
    from stats.models import StatFact

    rng = np.random.default_rng(arguments.seed)
    config = Config.from_settings()
    per_street = 4 * 5
    grids = district_build(streets=max(1, -(-arguments.grids // per_street)), communities=4, grids=5)
    grid_ids = [grid.pk for grid in grids[: arguments.grids]]
    categories = list(Category.objects.subclasses("event").order_by("code"))
    category_ids = [category.pk for category in categories]
    weights = category_weights(categories)
    total_days = 7 * config.weeks + arguments.days
    first = LAST_DAY - dt.timedelta(days=total_days - 1)
    evaluated = [LAST_DAY - dt.timedelta(days=offset) for offset in range(arguments.days - 1, -1, -1)]

    started = time.perf_counter()
    history = history_write(grid_ids, category_ids, weights, first, total_days, arguments.reports_per_day,
                            arguments.shape, rng)  # fmt: skip
    sizes = [int(size) for size in arguments.sizes.split(",")]
    spikes = spikes_inject(grid_ids, category_ids, evaluated, sizes, arguments.spikes, rng)
    series = len(grid_ids) * len(category_ids)
    reports = sum(history.values())
    print(
        f"database: {connection.vendor}  {len(grid_ids)} grids × {len(category_ids)} categories = {series:,} series; "
        f"{reports:,} reports over {total_days} days ({reports / total_days:.0f} a day), {len(spikes)} spikes of "
        f"{sizes} written in {time.perf_counter() - started:.1f} s"
    )
    print(
        f"detector: K = {config.weeks} weeks, α = {config.alpha}, minimum count {config.min_count}, "
        f"floor {config.floor}/day, {config.min_history_weeks} weeks of history at least"
    )

    found: set[tuple[int, int, dt.date]] = set()
    detect_ms, read_ms = [], []
    for day in evaluated:
        started = time.perf_counter()
        found |= {(f.grid_id, f.category_id, f.day) for f in detect([day], config=config)}
        detect_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        list(
            StatFact.objects.filter(measure=Measure.REPORT, day__in=window_days(day, config.weeks), category_id__gt=0)
            .values("grid_id", "category_id", "day")
            .annotate(total=Sum("count"))
            .values_list("grid_id", "category_id", "day", "total")
        )
        read_ms.append((time.perf_counter() - started) * 1000)

    hits = found & set(spikes)
    false_alarms = len(found - set(spikes))
    by_size: dict[int, list[bool]] = defaultdict(list)
    for key, size in spikes.items():
        by_size[size].append(key in found)
    precision = len(hits) / len(found) if found else float("nan")
    print(f"alerts {len(found)}: {len(hits)} at injected spikes, {false_alarms} elsewhere")
    print(f"precision {precision:.3f}  recall {len(hits) / len(spikes):.3f}")
    for size in sorted(by_size):
        caught = by_size[size]
        print(f"  spike of +{size:<3} recall {sum(caught) / len(caught):.3f} ({sum(caught)}/{len(caught)})")
    series_days = series * len(evaluated)
    print(f"false alarms per 1,000 series-days: {1000 * false_alarms / series_days:.4f} ({series_days:,} series-days)")
    p50, worst = statistics.median(detect_ms), max(detect_ms)
    read50 = statistics.median(read_ms)
    print(
        f"time per day evaluated: p50 {p50:.1f} ms, max {worst:.1f} ms; plain read of the day's window p50 "
        f"{read50:.1f} ms; ratio detect / read = {p50 / max(read50, 0.01):.1f}×"
    )
    assert found, "the injected spikes should raise alerts"


if __name__ == "__main__":
    main()
