"""Detection of unusual daily counts: each grid × category's reports of a day against a seasonal baseline.

The baseline of a day *D* is the same weekday of the previous K weeks (*D* − 7, *D* − 14, … *D* − 7K), as in the
historical-limits method of the EARS family and Farrington's use of comparable past periods. From those K counts:

* the expected count λ is their mean, at least ``floor`` (a grid that had nothing for weeks does not alarm on its
  first one or two cases);
* their sample variance σ² tells whether the series is over-dispersed. When σ² > λ the count is read as negative
  binomial with the same mean and variance (method of moments: size r = λ² / (σ² − λ), p = r / (r + λ)), otherwise
  as Poisson(λ);
* the probability of the day's count or more is the distribution's survival function at count − 1
  (``scipy.stats.poisson.sf``, ``scipy.stats.nbinom.sf``).

A day alerts when that probability is under ``alpha`` and the count is at least ``min_count``. Weeks before a grid
existed (its boundary version's start) or before the first report on record are not history: a series needs
``min_history_weeks`` of them to be tested at all.

:func:`baseline_test` is the arithmetic on arrays (every series at once); :func:`detect` reads the fact table for
the days asked (one grouped query for the whole window) and returns the alerts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.conf import settings
from django.db.models import Min, OuterRef, QuerySet, Subquery, Sum
from django.utils import timezone
from scipy import stats as distributions

from alerts.models import AlertMethod
from areas.models import Area, BoundaryVersion
from stats.facts import Measure
from stats.models import StatFact

#: How a series key packs a grid id and a category id into one integer (ids fit in 32 bits).
_CATEGORY_BITS = np.int64(2**32)


@dataclass(frozen=True)
class Config:
    weeks: int = 8  # K: the weeks of history
    alpha: float = 0.001  # an alert's probability is below this
    min_count: int = 3  # and its count at least this
    floor: float = 0.25  # the smallest expected count a day
    min_history_weeks: int = 4  # fewer weeks of history: no test

    @classmethod
    def from_settings(cls) -> Config:
        return cls(
            weeks=settings.ALERTS_WEEKS,
            alpha=settings.ALERTS_ALPHA,
            min_count=settings.ALERTS_MIN_COUNT,
            floor=settings.ALERTS_BASELINE_FLOOR,
            min_history_weeks=settings.ALERTS_MIN_HISTORY_WEEKS,
        )


@dataclass(frozen=True)
class Tested:
    """The test of each series (one entry per row of the history given to :func:`baseline_test`)."""

    expected: np.ndarray  # λ: the mean of the history, at least the floor
    variance: np.ndarray  # σ² of the history (0 with fewer than two weeks)
    weeks: np.ndarray  # the weeks of history used
    negative_binomial: np.ndarray  # read as negative binomial (over-dispersed), else Poisson
    probability: np.ndarray  # P(X ≥ observed) under the baseline (1 where not tested)
    threshold: np.ndarray  # the smallest count that alerts (0 where not tested)
    tested: np.ndarray  # enough history to be tested
    alert: np.ndarray


def baseline_test(history: Any, observed: Any, config: Config | None = None, known: Any = None) -> Tested:
    """Test each series' ``observed`` count against its ``history`` (series × weeks of counts; ``known`` marks the
    weeks that count as history, all of them by default)."""
    config = config or Config()
    counts = np.asarray(history, dtype=float)
    if counts.ndim != 2:
        raise ValueError("history must be a two-dimensional array: series × weeks")
    seen = np.asarray(observed, dtype=float).reshape(-1)
    mask = np.ones(counts.shape, dtype=bool) if known is None else np.asarray(known, dtype=bool)
    weeks = mask.sum(axis=1)
    mean = np.divide((counts * mask).sum(axis=1), weeks, out=np.zeros(len(seen)), where=weeks > 0)
    squares = (((counts - mean[:, None]) * mask) ** 2).sum(axis=1)
    variance = np.divide(squares, weeks - 1, out=np.zeros(len(seen)), where=weeks > 1)
    expected = np.maximum(mean, config.floor)
    tested = weeks >= config.min_history_weeks
    over = tested & (variance > expected)
    plain = tested & ~over

    probability = np.ones(len(seen))
    threshold = np.zeros(len(seen), dtype=np.int64)
    level = 1.0 - config.alpha
    if plain.any():
        probability[plain] = distributions.poisson.sf(seen[plain] - 1, expected[plain])
        threshold[plain] = distributions.poisson.ppf(level, expected[plain]).astype(np.int64) + 1
    if over.any():
        size = expected[over] ** 2 / (variance[over] - expected[over])
        success = size / (size + expected[over])
        probability[over] = distributions.nbinom.sf(seen[over] - 1, size, success)
        threshold[over] = distributions.nbinom.ppf(level, size, success).astype(np.int64) + 1
    threshold[tested] = np.maximum(threshold[tested], config.min_count)
    alert = tested & (seen >= config.min_count) & (probability < config.alpha)
    return Tested(expected, variance, weeks, over, probability, threshold, tested, alert)


# --- The fact table -----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Finding:
    """One alert: a grid × category × day whose count its baseline makes unlikely."""

    grid_id: int
    category_id: int
    day: dt.date
    observed: int
    expected: float
    variance: float
    probability: float
    threshold: int
    method: str
    history: tuple[int, ...]  # the same weekday of the previous weeks, oldest first (only the weeks known)


def window_days(day: dt.date, weeks: int) -> list[dt.date]:
    """The day and the same weekday of each of the ``weeks`` weeks before it, newest first."""
    return [day - dt.timedelta(days=7 * lag) for lag in range(weeks + 1)]


def _history_starts(grid_ids: Iterable[int]) -> dict[int, int]:
    """The first day (as an ordinal) each grid existed: the start of the boundary version that introduced it."""
    since = BoundaryVersion.objects.filter(number=OuterRef("introduced_in")).values("effective_from")[:1]
    rows = Area.objects.filter(pk__in=list(grid_ids)).annotate(since=Subquery(since)).values_list("pk", "since")
    return {pk: timezone.localdate(moment).toordinal() if moment else 0 for pk, moment in rows}


def _first_report_day() -> dt.date | None:
    """The first day a report was counted anywhere: weeks before it are before the site kept records."""
    first: dt.date | None = StatFact.objects.filter(measure=Measure.REPORT).aggregate(first=Min("day"))["first"]
    return first


def detect(
    days: Iterable[dt.date], *, grids: QuerySet[Area] | None = None, config: Config | None = None
) -> list[Finding]:
    """The alerts of ``days`` for the grids of ``grids`` (every grid by default): one grouped query for the counts
    of every day's window, one for the grids' starts and one for the first report on record."""
    config = config or Config.from_settings()
    evaluated = sorted(set(days))
    if not evaluated:
        return []
    wanted = sorted({day for evaluated_day in evaluated for day in window_days(evaluated_day, config.weeks)})
    facts = StatFact.objects.filter(measure=Measure.REPORT, day__in=wanted, category_id__gt=0)
    if grids is not None:
        facts = facts.filter(grid_id__in=grids.values("pk"))
    rows = list(
        facts.order_by()
        .values("grid_id", "category_id", "day")
        .annotate(total=Sum("count"))
        .values_list("grid_id", "category_id", "day", "total")
    )
    if not rows:
        return []
    grid = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
    category = np.fromiter((row[1] for row in rows), dtype=np.int64, count=len(rows))
    ordinal = np.fromiter((row[2].toordinal() for row in rows), dtype=np.int64, count=len(rows))
    count = np.fromiter((row[3] or 0 for row in rows), dtype=np.int64, count=len(rows))
    key = grid * _CATEGORY_BITS + category

    evaluated_ordinals = np.array([day.toordinal() for day in evaluated], dtype=np.int64)
    # Only a series with at least min_count on one of the days can alert: the others are not tested.
    candidates = np.isin(ordinal, evaluated_ordinals) & (count >= config.min_count)
    if not candidates.any():
        return []
    first = _first_report_day()
    records_start = first.toordinal() if first else 0
    starts = _history_starts(np.unique(grid[candidates]).tolist())
    findings: list[Finding] = []
    for day in evaluated:
        since = day.toordinal() - ordinal
        in_window = (since >= 0) & (since % 7 == 0) & (since <= 7 * config.weeks)
        today = candidates & (since == 0)
        if not today.any():
            continue
        series = np.unique(key[today])
        rows_in = in_window & np.isin(key, series)
        matrix = np.zeros((len(series), config.weeks + 1), dtype=np.int64)
        np.add.at(matrix, (np.searchsorted(series, key[rows_in]), since[rows_in] // 7), count[rows_in])
        series_grid = series // _CATEGORY_BITS
        begins = np.array([max(starts.get(int(pk), 0), records_start) for pk in series_grid], dtype=np.int64)
        lags = np.arange(1, config.weeks + 1)
        known = (day.toordinal() - 7 * lags)[None, :] >= begins[:, None]
        history = matrix[:, 1:]
        result = baseline_test(history, matrix[:, 0], config, known)
        for index in np.flatnonzero(result.alert):
            weeks_known = history[index][known[index]][::-1]
            findings.append(
                Finding(
                    grid_id=int(series_grid[index]),
                    category_id=int(series[index] % _CATEGORY_BITS),
                    day=day,
                    observed=int(matrix[index, 0]),
                    expected=round(float(result.expected[index]), 3),
                    variance=round(float(result.variance[index]), 3),
                    probability=float(result.probability[index]),
                    threshold=int(result.threshold[index]),
                    method=AlertMethod.NEGATIVE_BINOMIAL if result.negative_binomial[index] else AlertMethod.POISSON,
                    history=tuple(int(value) for value in weeks_known),
                )
            )
    return findings
