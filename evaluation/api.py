"""绩效考核 endpoints under /api/v1/: a ranking, and one person's figures (numerator, denominator, rate and score of
every indicator, the composite and grade, the period before and the trend). Same access as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from audit.models import Channel
from audit.services import Origin
from evaluation import services
from evaluation.params import LONGEST, kind_chosen, period_chosen
from evaluation.rankings import Cell, Line, ranking_build, scorecard_build
from evaluation.selectors import access_person, person_positions
from gridgov.apikit import ERRORS, PathId
from stats.periods import Period

router = Router(tags=["evaluation"])


class PeriodOut(Schema):
    key: str
    kind: str
    label: str
    start: dt.date
    end: dt.date

    @staticmethod
    def of(period: Period) -> dict[str, Any]:
        return {
            "key": period.key,
            "kind": period.kind,
            "label": period.label,
            "start": period.start,
            "end": period.end,
        }


class IndicatorOut(Schema):
    code: str
    label: str
    unit: str = Field(description="rate, count or minutes")
    weight: float
    numerator: float
    denominator: float | None
    rate: float | None = Field(description="numerator / denominator; for a count, the count")
    percent: float | None
    score: float | None = Field(description="0–100; null when left out of the composite")
    quota: float | None = Field(description="a count's quota for this period")
    previous_rate: float | None
    previous_score: float | None
    numerator_url: str
    denominator_url: str

    @staticmethod
    def of(cell: Cell) -> dict[str, Any]:
        value = cell.now.value
        return {
            "code": cell.column.code,
            "label": cell.column.label,
            "unit": cell.column.unit,
            "weight": cell.now.weight,
            "numerator": value.numerator,
            "denominator": value.denominator,
            "rate": value.rate,
            "percent": None if cell.column.is_count else value.percent,
            "score": cell.now.score,
            "quota": cell.now.quota,
            "previous_rate": cell.before.value.rate,
            "previous_score": cell.before.score,
            "numerator_url": cell.numerator_url,
            "denominator_url": cell.denominator_url,
        }


class RankingLineOut(Schema):
    key: str
    kind: str
    id: int
    name: str
    unit: str
    level: int = Field(description="departments: 1 = 大队 (with its units' figures), 2 = 中队")
    parent_id: int | None
    rank: int | None
    previous_rank: int | None
    rank_change: int | None
    composite: float | None
    grade: str | None
    previous_composite: float | None
    previous_grade: str | None
    scheme_id: int | None
    indicators: list[IndicatorOut]

    @staticmethod
    def of(line: Line) -> dict[str, Any]:
        subject = line.subject
        return {
            "key": subject.key,
            "kind": subject.kind,
            "id": subject.id,
            "name": subject.name,
            "unit": subject.unit,
            "level": subject.level,
            "parent_id": subject.parent_id,
            "rank": line.rank,
            "previous_rank": line.rank_before,
            "rank_change": line.rank_change,
            "composite": line.now.composite,
            "grade": line.now.grade,
            "previous_composite": line.before.composite,
            "previous_grade": line.before.grade,
            "scheme_id": line.scheme.pk,
            "indicators": [IndicatorOut.of(cell) for cell in line.cells],
        }


class RankingOut(Schema):
    by: str
    period: PeriodOut
    previous_period: PeriodOut
    rows: list[RankingLineOut]


class RankingQuery(Schema):
    by: str = Field("", max_length=LONGEST, description="field_worker, intake_clerk, shift_leader, dispatcher, "
                    "department, street, community or grid; empty: the first the user may rank")  # fmt: skip
    period: str = Field("", max_length=LONGEST, description="2026-11-28, 2026-W48, 2026-11, 2026-Q4 or 2026; "
                        "empty: this month")  # fmt: skip


@router.get("/evaluation/rankings", response={200: RankingOut, **ERRORS})
def evaluation_ranking(request: HttpRequest, query: Query[RankingQuery]) -> dict[str, Any]:
    """A ranking (``by``) for a period: each line's indicators, composite, grade and rank beside the period before.
    Unknown ``by`` → 400 ``ranking_unknown``; a bad ``period`` → 400 ``period_invalid``."""
    kind = kind_chosen(request.user, query.by)
    period = period_chosen(query.period)
    built = ranking_build(request.user, kind, period)
    return {
        "by": kind,
        "period": PeriodOut.of(period),
        "previous_period": PeriodOut.of(built.before),
        "rows": [RankingLineOut.of(line) for line in built.rows()],
    }


class TrendOut(Schema):
    period: str
    composite: float | None


class ScorecardOut(Schema):
    position: str
    label: str
    line: RankingLineOut
    trend: list[TrendOut]


class PersonScoresOut(Schema):
    id: int
    name: str
    period: PeriodOut
    previous_period: PeriodOut
    positions: list[ScorecardOut]


class PersonQuery(Schema):
    period: str = Field("", max_length=LONGEST)


@router.get("/evaluation/people/{person_id}", response={200: PersonScoresOut, **ERRORS})
def evaluation_person(request: HttpRequest, person_id: PathId, query: Query[PersonQuery]) -> dict[str, Any]:
    """A person's figures in each position they hold. Their own, or, with ``evaluation.evaluate_people``, of a
    person in the caller's areas (each such read is audited); anyone else's → 404."""
    someone = access_person(request.user, person_id)
    period = period_chosen(query.period)
    services.person_figures_viewed(Origin.of_request(request, Channel.API), someone, period)
    cards = [scorecard_build(someone, position, period) for position in person_positions(someone)]
    return {
        "id": someone.pk,
        "name": someone.full_name or someone.username,
        "period": PeriodOut.of(period),
        "previous_period": PeriodOut.of(period.previous()),
        "positions": [
            {
                "position": card.position,
                "label": card.position_label,
                "line": RankingLineOut.of(card.line),
                "trend": [{"period": item.key, "composite": value} for item, value in card.trend],
            }
            for card in cards
        ],
    }
