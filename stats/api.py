"""统计分析 endpoints under /api/v1/stats/: indicators, trend, composition, areas (a choropleth), H3 cells,
hotspots and step durations, all with the same filters (``stats.filters``) and within the caller's scope.

Bad filters answer 400 with ``period_invalid`` or ``filter_invalid`` (``details`` names the field); an area,
department or person outside the caller's scope answers 404; a caller without ``stats.view_statfact`` 403.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from gridgov.apikit import ERRORS
from stats import selectors
from stats.facts import Measure
from stats.filters import StatFilter, filter_invalid, measure_parse, stat_filter, stats_reader

router = Router(tags=["stats"])


class StatsQuery(Schema):
    """The filters every statistic takes. ``period`` (``2026-11-28``, ``2026-W48``, ``2026-11``, ``2026-Q4``,
    ``2026``) or ``start`` and ``end`` (dates, inclusive; at most three years); without either, this month.
    ``area``: an area code (its subtree); ``grid``: an area id; ``category``: a category id (a class covers its
    subclasses); ``source``; ``department``: a department id; ``person``: a user id (their own figures)."""

    period: str = ""
    start: str = ""
    end: str = ""
    area: str = ""
    grid: str = ""
    category: str = ""
    source: str = ""
    department: str = ""
    person: str = ""


def _selection(request: HttpRequest, query: StatsQuery) -> StatFilter:
    stats_reader(request.user)
    return stat_filter(request.user, query.dict())


def _small_int(value: str, field: str, default: int) -> int:
    raw = value.strip()
    if not raw:
        return default
    if not raw.isdigit() or len(raw) > 3:
        raise filter_invalid(field, f"{field} 应为整数")
    return int(raw)


Answer = dict[str, Any]


@router.get(
    "/stats/indicators",
    response={200: Answer, **ERRORS},
    summary="Every indicator (numerator, denominator, rate, score) and the previous period's",
)
def stats_indicators(request: HttpRequest, query: Query[StatsQuery]) -> Answer:
    return selectors.indicator_table(request.user, _selection(request, query))


@router.get(
    "/stats/trend", response={200: Answer, **ERRORS}, summary="上报, 立案, 结案 and 结案率 per day, week or month"
)
def stats_trend(request: HttpRequest, query: Query[StatsQuery], by: str = "") -> Answer:
    return selectors.trend(request.user, _selection(request, query), by or None)


@router.get(
    "/stats/composition", response={200: Answer, **ERRORS}, summary="A measure by category (top 10) and by source"
)
def stats_composition(request: HttpRequest, query: Query[StatsQuery], measure: str = "") -> Answer:
    selection = _selection(request, query)
    return selectors.composition(request.user, selection, measure_parse({"measure": measure}, default=Measure.REPORT))


@router.get(
    "/stats/areas",
    response={200: Answer, **ERRORS},
    summary="A choropleth: the areas under the chosen one (GeoJSON) with a count or a rate",
)
def stats_areas(request: HttpRequest, query: Query[StatsQuery], metric: str = "", level: str = "") -> Answer:
    selection = _selection(request, query)
    return selectors.area_map(request.user, selection, metric or selectors.MAP_DEFAULT, level or None)


@router.get("/stats/h3", response={200: Answer, **ERRORS}, summary="Cases reported in the window per H3 cell")
def stats_h3(request: HttpRequest, query: Query[StatsQuery], resolution: str = "") -> Answer:
    selection = _selection(request, query)
    return selectors.h3_cells(request.user, selection, _small_int(resolution, "resolution", selectors.H3_DEFAULT))


@router.get(
    "/stats/hotspots",
    response={200: Answer, **ERRORS},
    summary="Places with several cases of one category close together in the last days",
)
def stats_hotspots(request: HttpRequest, query: Query[StatsQuery]) -> Answer:
    return selectors.hotspots(request.user, _selection(request, query))


@router.get(
    "/stats/durations",
    response={200: Answer, **ERRORS},
    summary="Mean minutes of each step; count, mean, median and P90 of received → closed",
)
def stats_durations(request: HttpRequest, query: Query[StatsQuery]) -> Answer:
    return selectors.durations(request.user, _selection(request, query))
