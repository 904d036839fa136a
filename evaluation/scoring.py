"""Scoring: which scheme is in force, each indicator's score, the composite index (综合指标值), its grade and ranks.

* **The scheme in force** for a position, an area class and a period is the one with the latest
  ``effective_from`` on or before the period's last day; a scheme of the area's class wins over the general one
  (``area_class`` empty). An area without a class of its own takes its parent's (up to the district).
* **Scores.** A rate scores ``rate × 100`` (a bad rate ``(1 − rate) × 100``) as :func:`stats.indicators.value_of`
  gives it; a count scores ``min(count / quota, 1) × 100`` with the scheme's quota, set per month and scaled to
  the period (:data:`QUOTA_SCALE`).
* **Composite** = Σ weight × score / Σ weight over the weighted indicators that have a score: a rate without a
  denominator is left out and the weights are renormalised. When every weighted indicator is empty (no
  denominator, a count of 0) there is nothing to score: no composite, no grade, no rank.
* **Grades** from the scheme's bands (A ≥ 90, B ≥ 75, C ≥ 60, D ≥ 40, else E), on the composite to 2 decimals.
* **Ranks**: highest composite first; equal composites (to 2 decimals) share a rank, the next rank skips
  (1, 1, 3). Subjects without a composite have no rank.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from areas.codes import lineage_codes
from evaluation.indicators import is_count
from evaluation.models import AreaClass, ScoringScheme
from evaluation.schemes import GRADES, scheme_default
from stats.indicators import Value
from stats.periods import Period, PeriodKind

#: A quota is set per month; a period of another kind scales it.
QUOTA_SCALE: dict[str, float] = {
    PeriodKind.DAY: 1 / 30,
    PeriodKind.WEEK: 7 / 30,
    PeriodKind.MONTH: 1,
    PeriodKind.QUARTER: 3,
    PeriodKind.YEAR: 12,
}
GRADE_BELOW = "E"

K = TypeVar("K", bound=Hashable)


def area_class_of(code: str, classes: Mapping[str, str]) -> str:
    """The class of the area ``code`` (area code → class): its own, else the nearest ancestor's, else ''."""
    if not code:
        return ""
    for lineage_code in reversed(lineage_codes(code)):
        if lineage_code in classes:
            return classes[lineage_code]
    return ""


class Schemes:
    """Every scheme and area class of the site, read once (two small tables) and chosen from in memory."""

    def __init__(self, schemes: Iterable[ScoringScheme], classes: Mapping[str, str]) -> None:
        self.schemes = sorted(schemes, key=lambda scheme: scheme.effective_from, reverse=True)
        self.classes = dict(classes)

    @classmethod
    def load(cls) -> Schemes:
        classes = dict(AreaClass.objects.values_list("area__code", "area_class"))
        return cls(ScoringScheme.objects.all(), classes)

    def area_class_of(self, code: str) -> str:
        return area_class_of(code, self.classes)

    def in_force(self, position: str, area_class: str, period: Period) -> ScoringScheme:
        candidates = [s for s in self.schemes if s.position == position and s.effective_from <= period.end]
        if area_class:
            for scheme in candidates:
                if scheme.area_class == area_class:
                    return scheme
        for scheme in candidates:
            if not scheme.area_class:
                return scheme
        return scheme_default(position)


def scheme_in_force(position: str, area_code: str, period: Period) -> ScoringScheme:
    """The scheme for ``position`` in the area ``area_code`` (may be empty) during ``period``."""
    schemes = Schemes.load()
    return schemes.in_force(position, schemes.area_class_of(area_code), period)


@dataclass(frozen=True)
class Scored:
    """One indicator of one subject: its value, its score (None: left out), its weight and scaled quota."""

    code: str
    value: Value
    score: float | None
    weight: float
    quota: float | None = None

    @property
    def counted(self) -> bool:
        return self.weight > 0 and self.score is not None


@dataclass(frozen=True)
class Result:
    scored: dict[str, Scored]
    composite: float | None
    grade: str | None


def quota_of(scheme: ScoringScheme, code: str, kind: str) -> float | None:
    quota = (scheme.quotas or {}).get(code)
    if quota is None or float(quota) <= 0:
        return None
    return float(quota) * QUOTA_SCALE.get(kind, 1)


def count_score(count: float, quota: float | None) -> float | None:
    if quota is None or quota <= 0:
        return None
    return round(min(max(count, 0.0) / quota, 1.0) * 100, 2)


def composite_of(scored: Iterable[Scored]) -> float | None:
    counted = [item for item in scored if item.counted]
    weights = sum(item.weight for item in counted)
    if weights <= 0:
        return None
    return round(sum(item.weight * (item.score or 0.0) for item in counted) / weights, 2)


def grade_of(composite: float | None, bands: Mapping[str, float]) -> str | None:
    if composite is None:
        return None
    for grade in GRADES:
        if grade in bands and composite >= float(bands[grade]):
            return grade
    return GRADE_BELOW


def _empty(code: str, value: Value) -> bool:
    """Nothing to score in this indicator: a rate without a denominator, a count of 0."""
    if is_count(code):
        return not value.numerator
    return value.denominator is None or value.denominator <= 0


def result_of(values: Mapping[str, Value], scheme: ScoringScheme, kind: str, unknown: Iterable[str] = ()) -> Result:
    """Score ``values`` (code → value, every indicator of the position) under ``scheme`` for a period of
    ``kind``; the ``unknown`` counts (no data behind them) are left out like a rate without a denominator."""
    unknown = set(unknown)
    weights = {code: float(weight) for code, weight in (scheme.weights or {}).items() if code in values}
    anything = any(
        weight > 0 and code not in unknown and not _empty(code, values[code]) for code, weight in weights.items()
    )
    scored: dict[str, Scored] = {}
    for code, value in values.items():
        weight = weights.get(code, 0.0)
        if code in unknown:
            scored[code] = Scored(code, value, None, weight, quota_of(scheme, code, kind))
        elif is_count(code):
            quota = quota_of(scheme, code, kind)
            score = count_score(value.numerator, quota) if anything else None
            scored[code] = Scored(code, value, score, weight, quota)
        else:
            scored[code] = Scored(code, value, value.score, weight)
    composite = composite_of(scored.values()) if anything else None
    return Result(scored, composite, grade_of(composite, scheme.bands or {}))


def ranks_of(composites: Mapping[K, float | None]) -> dict[K, int | None]:
    """Competition ranks of ``composites`` (highest first; equal ones share a rank); None without a composite."""
    ordered = sorted(
        ((round(value, 2), key) for key, value in composites.items() if value is not None),
        key=lambda pair: -pair[0],
    )
    ranks: dict[K, int | None] = dict.fromkeys(composites)
    previous: float | None = None
    rank = 0
    for position, (value, key) in enumerate(ordered, start=1):
        if value != previous:
            rank, previous = position, value
        ranks[key] = rank
    return ranks
