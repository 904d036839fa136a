"""The statistics page's figures, each a plain function of a viewer and a :class:`stats.filters.StatFilter` (the
API, the page's exports and the benchmarks call the same ones).

Every chart reads the daily fact table with one or two grouped queries (``stats.indicators.sums_by``); only the H3
heat map, the hotspots and the medians of the durations read the case table, over the window of ``created_at``
(the indexes ``case_grid_created`` (grid, created_at) with an area chosen, ``created_at`` otherwise).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

import h3
from django.conf import settings
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from areas.choices import LEVEL_ORDER, AreaLevel
from areas.models import Area, AreaBoundary
from areas.selectors import area_roots
from cases.choices import Source
from cases.models import Case, Category, Report
from gridgov.timesource import now
from stats.facts import Measure as M
from stats.filters import StatFilter, filter_invalid
from stats.hotspots import Hotspot, hotspots_find
from stats.indicators import (
    COUNT,
    INDICATORS,
    RATE,
    ZERO,
    Indicator,
    Sums,
    Total,
    durations_of,
    sums_add,
    sums_by,
    sums_total,
    value_of,
)
from stats.labels import MEASURE_LABELS, STEP_MEASURES
from stats.periods import PeriodKind, period_of

#: The trend's lines and what its 结案率 needs.
TREND_MEASURES = (M.REPORT, M.FILED, M.CLOSED, M.C_CLOSED, M.SELF_RESOLVED)
TREND_KINDS = (PeriodKind.DAY, PeriodKind.WEEK, PeriodKind.MONTH)
#: The categories a composition names before the rest become 其他.
TOP_CATEGORIES = 10
#: H3 resolutions the heat map offers (cases store resolution 9).
H3_RESOLUTIONS = range(5, 10)
H3_DEFAULT = 8
STORED_RESOLUTION = 9
#: The indicators the page's headline shows, in order.
HEADLINE = ("reports", "filed", "closed", "close_rate", "close_on_time_rate", "rework_rate")
#: The metrics the area map may colour by: every indicator (counts and rates).
MAP_DEFAULT = "reports"


def as_of() -> str:
    """The moment the figures were read (the facts are written with each case event, so they are live)."""
    return timezone.localtime(now()).isoformat(timespec="seconds")


# --- Indicators --------------------------------------------------------------------------------------------------
class _Recorder(dict[str, Total]):
    """Sums that note which measures a term reads."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: set[str] = set()

    def get(self, key: str, default: Any = None) -> Total:
        self.seen.add(key)
        return ZERO


def measures_of(indicator: Indicator) -> set[str]:
    """The measures an indicator's numerator and denominator read."""
    recorder = _Recorder()
    indicator.numerator(recorder)
    if indicator.denominator is not None:
        indicator.denominator(recorder)
    return recorder.seen


def _number(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else round(value, 2)


def indicator_value(indicator: Indicator, sums: Sums) -> dict[str, Any]:
    """An indicator's value with its numerator and denominator (and the measures behind them)."""
    value = value_of(indicator, sums)
    return {
        "code": indicator.code,
        "label": str(indicator.label),
        "unit": indicator.unit,
        "numerator": _number(value.numerator),
        "denominator": _number(value.denominator),
        "rate": None if value.rate is None else round(value.rate, 6),
        "percent": value.percent if indicator.unit == RATE else None,
        "value": (
            value.percent
            if indicator.unit == RATE
            else _number(value.rate)
            if indicator.unit != COUNT
            else _number(value.numerator)
        ),
        "score": value.score,
        "numerator_label": str(indicator.numerator_label),
        "denominator_label": str(indicator.denominator_label),
        "numerator_measure": indicator.numerator_measure,
        "denominator_measure": indicator.denominator_measure,
    }


def indicator_table(user: Any, selection: StatFilter, codes: Iterable[str] | None = None) -> dict[str, Any]:
    """Every indicator (or ``codes``) for the filters and for the window before (环比): two grouped queries."""
    chosen = [INDICATORS[code] for code in (codes if codes is not None else INDICATORS)]
    before = selection.previous()
    now_sums = sums_total(selection.facts(user))
    then_sums = sums_total(before.facts(user))
    rows = []
    for indicator in chosen:
        row = indicator_value(indicator, now_sums)
        row["previous"] = indicator_value(indicator, then_sums)
        rows.append(row)
    return {
        "label": selection.label,
        "start": selection.start,
        "end": selection.end,
        "previous": {"label": before.label, "start": before.start, "end": before.end},
        "indicators": rows,
        "as_of": as_of(),
    }


# --- Trend --------------------------------------------------------------------------------------------------------
def trend_kind(selection: StatFilter) -> str:
    """Days for up to two months, weeks for up to half a year, months beyond."""
    if selection.days <= 62:
        return PeriodKind.DAY
    if selection.days <= 183:
        return PeriodKind.WEEK
    return PeriodKind.MONTH


def trend(user: Any, selection: StatFilter, by: str | None = None) -> dict[str, Any]:
    """上报, 立案 and 结案 per day, week or month of the window, with the 结案率 of the cases filed in each (the
    cohort's closed over its filed and self-resolved). One query."""
    kind = by or trend_kind(selection)
    if kind not in TREND_KINDS:
        raise filter_invalid("by", _("趋势粒度应为 day、week 或 month"))
    per_day = sums_by(selection.facts(user).filter(measure__in=TREND_MEASURES), "day")
    buckets: dict[str, dict[str, Total]] = {}
    for day, sums in per_day.items():
        key = period_of(kind, day).key
        buckets[key] = sums_add(buckets.get(key, {}), sums)
    close_rate = INDICATORS["close_rate"]
    rows: list[dict[str, Any]] = []
    period = period_of(kind, selection.start)
    while period.start <= selection.end:
        start, end = max(period.start, selection.start), min(period.end, selection.end)
        sums = buckets.get(period.key, {})
        rate = indicator_value(close_rate, sums)
        rows.append(
            {
                "key": period.key,
                "label": _bucket_label(kind, start, end),
                "start": start,
                "end": end,
                "report": sums.get(M.REPORT, ZERO).count,
                "filed": sums.get(M.FILED, ZERO).count,
                "closed": sums.get(M.CLOSED, ZERO).count,
                "close_rate": {key: rate[key] for key in ("numerator", "denominator", "percent")},
            }
        )
        period = period.next()
    return {
        "by": kind,
        "series": [
            {"key": "report", "label": str(MEASURE_LABELS[M.REPORT]), "measure": M.REPORT},
            {"key": "filed", "label": str(MEASURE_LABELS[M.FILED]), "measure": M.FILED},
            {"key": "closed", "label": str(MEASURE_LABELS[M.CLOSED]), "measure": M.CLOSED},
            {"key": "close_rate", "label": str(close_rate.label), "measure": M.C_CLOSED},
        ],
        "buckets": rows,
        "total": sum(row["report"] + row["filed"] + row["closed"] for row in rows),
        "as_of": as_of(),
    }


def _bucket_label(kind: str, start: dt.date, end: dt.date) -> str:
    if kind == PeriodKind.DAY:
        return f"{start:%m-%d}"
    if kind == PeriodKind.WEEK:
        return f"{start:%m-%d}~{end:%m-%d}"
    return f"{start:%Y-%m}"


# --- Composition --------------------------------------------------------------------------------------------------
def _category_names(ids: Iterable[int]) -> dict[int, Category]:
    return {category.pk: category for category in Category.objects.filter(pk__in=list(ids)).select_related("parent")}


def composition(user: Any, selection: StatFilter, measure: str = M.REPORT) -> dict[str, Any]:
    """How one measure divides by category (the top 10 subclasses and 其他; and by class) and by source. One
    grouped query, one for the categories' names."""
    summed = sums_by(selection.facts(user).filter(measure=measure), ("category_id", "source"))
    by_category: Counter[int] = Counter()
    by_source: Counter[str] = Counter()
    for (category_id, source), sums in summed.items():
        count = sums.get(measure, ZERO).count
        by_category[category_id] += count
        by_source[source] += count
    names = _category_names(by_category)
    categories = []
    ranked = [(category_id, count) for category_id, count in by_category.most_common() if count]
    for category_id, count in ranked[:TOP_CATEGORIES]:
        category = names.get(category_id)
        categories.append(
            {
                "id": category_id,
                "label": _category_label(category),
                "count": count,
                "query": {"category": str(category_id)} if category is not None else None,
            }
        )
    rest = sum(count for _id, count in ranked[TOP_CATEGORIES:])
    if rest:
        categories.append({"id": None, "label": _("其他"), "count": rest, "query": None})
    classes: Counter[int] = Counter()
    for category_id, count in ranked:
        category = names.get(category_id)
        classes[(category.parent_id or category.pk) if category is not None else 0] += count
    class_names = _category_names(classes)
    source_labels = dict(Source.choices)
    return {
        "measure": measure,
        "measure_label": str(MEASURE_LABELS[measure]),
        "total": sum(by_category.values()),
        "categories": categories,
        "classes": [
            {
                "id": class_id or None,
                "label": _category_label(class_names.get(class_id)),
                "count": count,
                "query": {"category": str(class_id)} if class_id in class_names else None,
            }
            for class_id, count in classes.most_common()
        ],
        "sources": [
            {"id": source, "label": str(source_labels.get(source, source)), "count": count, "query": {"source": source}}
            for source, count in by_source.most_common()
            if count
        ],
        "as_of": as_of(),
    }


def _category_label(category: Category | None) -> str:
    if category is None:
        return _("未分类")
    if category.parent is not None:
        return f"{category.parent.name}/{category.name}"
    return category.name


# --- Areas --------------------------------------------------------------------------------------------------------
def map_base(user: Any, selection: StatFilter) -> tuple[Area | None, list[Area]]:
    """The area the map opens on (the chosen grid or area, else the viewer's one top area) and, without one, the
    viewer's top areas."""
    chosen = selection.grid or selection.area
    if chosen is not None:
        return chosen, [chosen]
    roots = area_roots(user)
    return (roots[0] if len(roots) == 1 else None), roots


def map_areas(user: Any, selection: StatFilter, level: str | None = None) -> tuple[Area | None, str, list[Area]]:
    """The areas the map colours: the children of the base (or those of ``level`` under it); a grid alone."""
    base, roots = map_base(user, selection)
    if base is None:
        return None, roots[0].level if roots else "", roots
    order = [str(item) for item in LEVEL_ORDER]
    if base.level == AreaLevel.GRID:
        if level not in (None, "", AreaLevel.GRID):
            raise filter_invalid("level", _("网格之下没有更细的区域"))
        return base, AreaLevel.GRID, [base]
    deeper = order[order.index(base.level) + 1 :]
    chosen = level or deeper[0]
    if chosen not in deeper:
        raise filter_invalid("level", _("区域层级应为 %(levels)s 之一") % {"levels": "、".join(deeper)})
    areas = list(Area.objects.current().filter(code__startswith=base.code, level=chosen).order_by("code"))
    return base, chosen, areas


def _by_area(grid_sums: Mapping[int, Sums], areas: list[Area]) -> dict[int, dict[str, Total]]:
    """Grid sums added up into the areas whose code begins the grid's code (one query for the grids' codes)."""
    codes = dict(Area.objects.filter(pk__in=list(grid_sums)).values_list("pk", "code"))
    by_code = {area.code: area for area in areas}
    lengths = sorted({len(code) for code in by_code}, reverse=True)
    out: dict[int, dict[str, Total]] = {}
    for grid_id, sums in grid_sums.items():
        code = codes.get(grid_id, "")
        for length in lengths:
            area = by_code.get(code[:length])
            if area is not None:
                out[area.pk] = sums_add(out.get(area.pk, {}), sums)
                break
    return out


def area_map(user: Any, selection: StatFilter, metric: str = MAP_DEFAULT, level: str | None = None) -> dict[str, Any]:
    """A choropleth: the areas under the base (GeoJSON), each with ``metric`` (an indicator: a count or a rate,
    with numerator and denominator). One grouped fact query, one for the grids' codes, one for the boundaries."""
    indicator = INDICATORS.get(metric)
    if indicator is None:
        raise filter_invalid("metric", _("未知的指标"))
    base, chosen_level, areas = map_areas(user, selection, level)
    grid_sums = sums_by(selection.facts(user).filter(measure__in=measures_of(indicator)), "grid_id") if areas else {}
    sums_of = _by_area(grid_sums, areas)
    shapes = dict(AreaBoundary.objects.filter(area__in=areas, valid_to__isnull=True).values_list("area_id", "geometry"))
    features = []
    values = []
    for area in areas:
        value = indicator_value(indicator, sums_of.get(area.pk, {}))
        if value["value"] is not None:
            values.append(value["value"])
        query = {key: item for key, item in selection.query().items() if key not in ("area", "grid")}
        query.update({"area": area.code, "measure": indicator.numerator_measure})
        features.append(
            {
                "type": "Feature",
                "id": area.code,
                "properties": {
                    "id": area.pk,
                    "code": area.code,
                    "name": area.name,
                    "level": area.level,
                    **{key: value[key] for key in ("value", "numerator", "denominator", "percent")},
                    "query": query,
                },
                "geometry": json.loads(shapes[area.pk]) if area.pk in shapes else None,
            }
        )
    return {
        "base": {"code": base.code, "name": base.name, "level": base.level} if base is not None else None,
        "level": chosen_level,
        "level_label": str(AreaLevel(chosen_level).label) if chosen_level else "",
        "metric": {
            "code": indicator.code,
            "label": str(indicator.label),
            "unit": indicator.unit,
            "numerator_label": str(indicator.numerator_label),
            "denominator_label": str(indicator.denominator_label),
        },
        "min": min(values, default=None),
        "max": max(values, default=None),
        "features": {"type": "FeatureCollection", "features": features},
        "as_of": as_of(),
    }


def map_metrics() -> list[dict[str, str]]:
    return [
        {"code": code, "label": str(indicator.label), "unit": indicator.unit} for code, indicator in INDICATORS.items()
    ]


# --- Cases of the window (H3, hotspots, medians) --------------------------------------------------------------------
def cases_in(user: Any, selection: StatFilter, start: dt.datetime, end: dt.datetime) -> QuerySet[Case]:
    """The viewer's cases received in [start, end) under the filters (the category and department as the case has
    them now; a person: the cases they reported)."""
    if selection.grid_ids is not None:
        cases = Case.objects.filter(grid_id__in=selection.grid_ids)
    else:
        cases = Case.objects.visible_to(user)
    cases = cases.filter(created_at__gte=start, created_at__lt=end)
    if selection.category_ids is not None:
        cases = cases.filter(category_id__in=selection.category_ids)
    if selection.source:
        cases = cases.filter(source=selection.source)
    if selection.department_ids is not None:
        cases = cases.filter(main_department_id__in=selection.department_ids)
    if selection.person is not None:
        cases = cases.filter(Exists(Report.objects.filter(case=OuterRef("pk"), reported_by_id=selection.person.pk)))
    return cases


def _hexagon(cell: str) -> list[list[float]]:
    ring = [[round(lng, 6), round(lat, 6)] for lat, lng in h3.cell_to_boundary(cell)]
    return [*ring, ring[0]]


def h3_cells(user: Any, selection: StatFilter, resolution: int = H3_DEFAULT) -> dict[str, Any]:
    """Where the window's cases were reported: counts per H3 cell of ``resolution`` (5–9), summed from the cells
    stored on the cases (resolution 9) in one grouped query."""
    if resolution not in H3_RESOLUTIONS:
        raise filter_invalid("resolution", _("H3 分辨率应为 5–9"))
    start, end = selection.instants()
    per_cell = cases_in(user, selection, start, end).exclude(h3_cell="").order_by().values_list("h3_cell")
    cells: Counter[str] = Counter()
    for cell, count in per_cell.annotate(count=Count("id")):
        try:
            parent = h3.cell_to_parent(cell, resolution) if resolution < STORED_RESOLUTION else cell
        except (ValueError, h3.H3BaseException):
            continue  # not a cell id (a row written outside the services)
        cells[parent] += count
    return {
        "resolution": resolution,
        "total": sum(cells.values()),
        "max": max(cells.values(), default=0),
        "cells": [{"cell": cell, "count": count, "polygon": _hexagon(cell)} for cell, count in sorted(cells.items())],
        "as_of": as_of(),
    }


def hotspot_window(selection: StatFilter) -> tuple[dt.datetime, dt.datetime]:
    """The last ``STATS_HOTSPOT_DAYS`` days up to the end of the window (or today, if it ends later)."""
    last = min(selection.end, timezone.localdate(now()))
    first = last - dt.timedelta(days=settings.STATS_HOTSPOT_DAYS - 1)
    zone = timezone.get_current_timezone()
    return (
        dt.datetime.combine(first, dt.time.min, zone),
        dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, zone),
    )


def hotspots(user: Any, selection: StatFilter) -> dict[str, Any]:
    """Places where ``STATS_HOTSPOT_MIN_CASES`` or more cases of one category were reported within
    ``STATS_HOTSPOT_RADIUS_M`` of each other in the last ``STATS_HOTSPOT_DAYS`` days (stats.hotspots)."""
    start, end = hotspot_window(selection)
    rows: list[tuple[Any, ...]] = list(
        cases_in(user, selection, start, end)
        .filter(longitude__isnull=False, latitude__isnull=False, category__isnull=False)
        .order_by()
        .values_list("pk", "number", "category_id", "longitude", "latitude", "created_at", "grid__name")
    )
    found = hotspots_find(
        [(row[0], row[2], row[3], row[4]) for row in rows],
        min_cases=settings.STATS_HOTSPOT_MIN_CASES,
        radius_m=settings.STATS_HOTSPOT_RADIUS_M,
    )
    by_id = {row[0]: row for row in rows}
    names = _category_names({spot.category_id for spot in found})
    return {
        "min_cases": settings.STATS_HOTSPOT_MIN_CASES,
        "radius_m": settings.STATS_HOTSPOT_RADIUS_M,
        "days": settings.STATS_HOTSPOT_DAYS,
        "start": timezone.localtime(start).date(),
        "end": timezone.localtime(end).date() - dt.timedelta(days=1),
        "hotspots": [_hotspot_out(spot, by_id, names) for spot in found],
        "as_of": as_of(),
    }


HOTSPOT_CASES_SHOWN = 20


def _hotspot_out(spot: Hotspot, rows: Mapping[int, tuple[Any, ...]], names: Mapping[int, Category]) -> dict[str, Any]:
    members = sorted((rows[pk] for pk in spot.case_ids), key=lambda row: row[5], reverse=True)
    return {
        "category": {"id": spot.category_id, "label": _category_label(names.get(spot.category_id))},
        "count": len(members),
        "lon": round(spot.lon, 6),
        "lat": round(spot.lat, 6),
        "radius_m": round(spot.radius_m, 1),
        "grids": sorted({row[6] for row in members}),
        "first": timezone.localtime(members[-1][5]).strftime("%Y-%m-%d %H:%M"),
        "last": timezone.localtime(members[0][5]).strftime("%Y-%m-%d %H:%M"),
        "cases": [{"number": row[1], "lon": row[3], "lat": row[4]} for row in members[:HOTSPOT_CASES_SHOWN]],
    }


# --- Durations ----------------------------------------------------------------------------------------------------
def durations(user: Any, selection: StatFilter) -> dict[str, Any]:
    """Mean minutes of each step from the facts' minutes (one grouped query), and the count, mean, median and P90
    of received → closed over the cases received in the window (an open case counts now − received)."""
    totals = sums_total(selection.facts(user).filter(measure__in=[measure for measure, *_rest in STEP_MEASURES]))
    steps = []
    for measure, label, span in STEP_MEASURES:
        total = totals.get(measure, ZERO)
        steps.append(
            {
                "measure": measure,
                "label": str(label),
                "span": str(span),
                "count": total.count,
                "minutes": round(total.minutes / total.count, 1) if total.count else None,
            }
        )
    start, end = selection.instants()
    overall = durations_of(cases_in(user, selection, start, end), now())
    return {
        "steps": steps,
        "received_to_closed": {
            "cases": overall.cases,
            "open": overall.open,
            "mean": overall.mean,
            "median": overall.median,
            "p90": overall.p90,
        },
        "as_of": as_of(),
    }
