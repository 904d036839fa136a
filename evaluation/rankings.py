"""Rankings (排名) and a person's scorecard: each subject's indicators, composite and grade for a period beside the
period before (上期), their ranks and the cases behind every count (links to ``stats:cases``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse

from accounts.models import User
from evaluation.choices import KIND_POSITION, RankingKind
from evaluation.figures import Figures, area_figures, department_figures, person_figures
from evaluation.indicators import EVALUATION_INDICATORS, GRID_BASED, NEEDS_DATA, POSITION_INDICATORS
from evaluation.models import Position, ScoringScheme
from evaluation.scoring import Result, Schemes, Scored, ranks_of, result_of
from evaluation.selectors import (
    Group,
    Subject,
    area_subjects,
    department_groups,
    department_only,
    kind_is_area,
    kind_is_people,
    people_visible,
    person_subjects,
)
from fieldwork.models import DailyMetric
from stats.indicators import COUNT, facts_visible, sums_add, value_of
from stats.periods import Period

#: How many periods a person's trend shows (this one and those before it).
TREND_PERIODS = 6


def cases_base() -> str:
    """The address of the page listing the cases behind a number."""
    try:
        return reverse("stats:cases")
    except NoReverseMatch:
        return "/stats/cases/"


def cases_url(base: str, measure: str, period: Period, filters: Sequence[tuple[str, str]]) -> str:
    return base + "?" + urlencode([("measure", measure), ("period", period.key), *filters])


def _cases_url(start: str, measure: str, rest: str) -> str:
    """``cases_url`` from its parts already encoded (the page asks for thousands)."""
    return f"{start}{measure}{rest}"


@dataclass(frozen=True)
class Column:
    code: str
    label: str
    unit: str
    numerator_label: str
    denominator_label: str
    weight: float  # in the general scheme in force

    @property
    def is_count(self) -> bool:
        return self.unit == COUNT


@dataclass(frozen=True)
class Cell:
    """One indicator of one line: this period and the one before, and the cases behind its counts."""

    column: Column
    now: Scored
    before: Scored
    numerator_url: str = ""
    denominator_url: str = ""

    @property
    def shown(self) -> float | None:
        """A count, or a rate in percent (2 decimals); None when there is no rate."""
        return _shown(self.column, self.now)

    @property
    def shown_before(self) -> float | None:
        return _shown(self.column, self.before)

    @property
    def change(self) -> float | None:
        now, before = self.shown, self.shown_before
        if now is None or before is None:
            return None
        return round(now - before, 2)

    @property
    def change_size(self) -> float | None:
        return None if self.change is None else abs(self.change)

    @property
    def better(self) -> bool | None:
        """Whether the change is for the better (a bad rate going down is)."""
        if not self.change:
            return None
        bad = EVALUATION_INDICATORS[self.column.code].bad
        return (self.change > 0) != bad


def _shown(column: Column, scored: Scored) -> float | None:
    if column.is_count:
        return round(scored.value.numerator, 2)
    percent = scored.value.percent
    return None if percent is None else round(percent, 2)


@dataclass
class Line:
    subject: Subject
    scheme: ScoringScheme
    now: Result
    before: Result
    cells: list[Cell]
    rank: int | None = None
    rank_before: int | None = None
    units: list[Line] = field(default_factory=list)

    @property
    def rank_change(self) -> int | None:
        """Places gained since the period before (positive: up)."""
        if self.rank is None or self.rank_before is None:
            return None
        return self.rank_before - self.rank

    @property
    def composite_change(self) -> float | None:
        if self.now.composite is None or self.before.composite is None:
            return None
        return round(self.now.composite - self.before.composite, 2)


@dataclass
class Ranking:
    kind: str
    period: Period
    before: Period
    columns: list[Column]
    lines: list[Line]  # ranked first, then those without a composite; a department's units follow their 大队

    @property
    def position(self) -> str:
        return KIND_POSITION[self.kind]

    def rows(self) -> list[Line]:
        """Every line in the order shown: each 大队 followed by its 中队."""
        out = []
        for line in self.lines:
            out.append(line)
            out.extend(line.units)
        return out


def columns_of(position: str, schemes: Schemes, period: Period) -> list[Column]:
    general = schemes.in_force(position, "", period)
    out = []
    for code in POSITION_INDICATORS[position]:
        indicator = EVALUATION_INDICATORS[code]
        out.append(
            Column(
                code=code,
                label=str(indicator.label),
                unit=indicator.unit,
                numerator_label=str(indicator.numerator_label),
                denominator_label=str(indicator.denominator_label),
                weight=float((general.weights or {}).get(code, 0)),
            )
        )
    return out


class _Scorer:
    """Scores subjects of one position for a period and the one before, with the same schemes and links."""

    def __init__(self, position: str, period: Period, schemes: Schemes) -> None:
        self.position = position
        self.period = period
        self.before = period.previous()
        self.schemes = schemes
        self.columns = columns_of(position, schemes, period)
        self.base_url = cases_base()

    def result(self, subject: Subject, figures: Figures, period: Period) -> tuple[ScoringScheme, Result]:
        scheme = self.schemes.in_force(self.position, self.schemes.area_class_of(subject.area_code), period)
        values = {column.code: value_of(EVALUATION_INDICATORS[column.code], figures) for column in self.columns}
        unknown = [code for code, measure in NEEDS_DATA.items() if code in values and measure not in figures]
        return scheme, result_of(values, scheme, period.kind, unknown)

    def line(self, subject: Subject, figures: Figures, figures_before: Figures) -> Line:
        scheme, now = self.result(subject, figures, self.period)
        _scheme, before = self.result(subject, figures_before, self.before)
        # The address of the cases behind a count, after its measure: the period and this subject's filters.
        rest = {
            grid_based: "&" + urlencode([("period", self.period.key), *filters]) if filters else ""
            for grid_based in (False, True)
            for filters in [subject.filters(grid_based=grid_based)]
        }
        cells = [
            self.cell(subject, column, now.scored[column.code], before.scored[column.code], rest)
            for column in self.columns
        ]
        return Line(subject, scheme, now, before, cells)

    def cell(self, subject: Subject, column: Column, now: Scored, before: Scored, rest: dict[bool, str]) -> Cell:
        indicator = EVALUATION_INDICATORS[column.code]
        tail = rest[column.code in GRID_BASED]
        if not tail:
            return Cell(column, now, before)
        numerator = indicator.numerator_measure
        denominator = indicator.denominator_measure
        start = f"{self.base_url}?measure="
        return Cell(
            column,
            now,
            before,
            _cases_url(start, numerator, tail) if numerator else "",
            _cases_url(start, denominator, tail) if denominator else "",
        )


def _ranked(lines: list[Line]) -> list[Line]:
    """Rank ``lines`` now and before; ranked lines first (by rank, then name), then the others (by name)."""
    ranks = ranks_of({id(line): line.now.composite for line in lines})
    ranks_before = ranks_of({id(line): line.before.composite for line in lines})
    for line in lines:
        line.rank, line.rank_before = ranks[id(line)], ranks_before[id(line)]
    return sorted(lines, key=lambda line: (line.rank is None, line.rank or 0, line.subject.name))


def ranking_build(user: Any, kind: str, period: Period) -> Ranking:
    """The ranking of ``kind`` for ``period`` as ``user`` may see it (``kind`` checked by the caller)."""
    position = KIND_POSITION[kind]
    scorer = _Scorer(position, period, Schemes.load())
    if kind_is_people(kind):
        subjects = people_visible(user, position)
        now = person_figures(position, subjects, period)
        before = person_figures(position, subjects, scorer.before)
        lines = [scorer.line(subject, now[subject.id], before[subject.id]) for subject in subjects]
        return Ranking(kind, period, scorer.before, scorer.columns, _ranked(lines))
    base = facts_visible(user)
    own = department_only(user)
    if kind == RankingKind.DEPARTMENT:
        if own is not None:
            base = base.filter(department_id=own)
        return Ranking(kind, period, scorer.before, scorer.columns, _department_lines(user, base, scorer))
    assert kind_is_area(kind)
    subjects = area_subjects(user, kind)
    metrics = DailyMetric.objects.visible_to(user)
    now = area_figures(base, metrics, subjects, period)
    before = area_figures(base, metrics, subjects, scorer.before)
    lines = [scorer.line(subject, now[subject.id], before[subject.id]) for subject in subjects]
    return Ranking(kind, period, scorer.before, scorer.columns, _ranked(lines))


def _department_lines(user: Any, base: Any, scorer: _Scorer) -> list[Line]:
    groups: list[Group] = department_groups(user)
    ids = [member for group in groups for member in group.head.member_ids]
    now = department_figures(base, ids, scorer.period)
    before = department_figures(base, ids, scorer.before)

    def total(figures: dict[int, Figures], members: Sequence[int]) -> Figures:
        return sums_add(*(figures.get(member, {}) for member in members))

    heads = []
    for group in groups:
        members = group.head.member_ids
        head = scorer.line(group.head, total(now, members), total(before, members))
        units = [scorer.line(unit, now.get(unit.id, {}), before.get(unit.id, {})) for unit in group.units]
        head.units = _ranked(units)
        heads.append(head)
    return _ranked(heads)


# --- One person's scorecard ---------------------------------------------------------------------------------------
@dataclass
class Scorecard:
    """A person's figures in one position: this period beside the one before, and the trend of the composite."""

    position: str
    line: Line
    columns: list[Column]
    trend: list[tuple[Period, float | None]]

    @property
    def position_label(self) -> str:
        return str(Position(self.position).label)


def scorecard_build(person: User, position: str, period: Period) -> Scorecard:
    """``person``'s scorecard as ``position`` for ``period`` and the trend of the :data:`TREND_PERIODS` periods
    ending with it."""
    scorer = _Scorer(position, period, Schemes.load())
    subject = person_subjects(position, [person])[0]
    periods = [period]
    while len(periods) < TREND_PERIODS:
        periods.insert(0, periods[0].previous())
    figures = {p.key: person_figures(position, [subject], p)[subject.id] for p in periods}
    line = scorer.line(subject, figures[period.key], figures[scorer.before.key])
    trend = [(p, scorer.result(subject, figures[p.key], p)[1].composite) for p in periods]
    return Scorecard(position, line, scorer.columns, trend)
