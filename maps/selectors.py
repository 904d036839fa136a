"""The queries behind the maps: open cases aggregated by H3 cell or as points, a case's neighbourhood, and the
report map's grids and buildings. Every list goes through ``visible_to(user)``."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass
from typing import Any

import h3
from django.db.models import Count, Q, QuerySet
from django.http import QueryDict
from django.utils.translation import gettext as _

from areas.choices import AreaLevel
from areas.geometry import box_around, distance_m
from areas.models import Area, AreaBoundary
from areas.selectors import area_roots
from cases.choices import OPEN_STATUSES, CaseStatus, Light, Source
from cases.models import Case, Category
from gridgov.errors import ValidationFailed
from gridgov.timesource import now
from registry.models import Building

#: Individual cases are sent only when the view holds at most this many; above it, counts per H3 cell.
POINT_LIMIT = 400
#: The H3 resolution of the cells drawn at each map zoom (cases store resolution 9, cases.services.H3_RESOLUTION).
STORED_RESOLUTION = 9
PERIODS = {"1": 1, "7": 7, "30": 30, "90": 90}
#: Open cases shown around a case on its page.
NEARBY_RADIUS_M = 500
NEARBY_LIMIT = 50
#: The report map draws the buildings of the grids it shows up to this many.
BUILDING_LIMIT = 3000


def resolution_for(zoom: int) -> int:
    """Cells a few dozen pixels across: resolution 6 up to zoom 10, 7 at 11, 8 at 12–13, 9 from 14."""
    if zoom <= 10:
        return 6
    if zoom == 11:
        return 7
    if zoom <= 13:
        return 8
    return STORED_RESOLUTION


@dataclass(frozen=True)
class CaseMapFilter:
    statuses: tuple[str, ...] = ()
    lights: tuple[str, ...] = ()
    category: int | None = None
    source: str = ""
    days: int | None = None
    bbox: tuple[float, float, float, float] | None = None
    zoom: int = 12


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, code="invalid_filter", details=[{"field": field, "message": message}])


def case_map_filter(params: QueryDict) -> CaseMapFilter:
    """The map's filters from query parameters; an unknown value answers ``invalid_filter``."""
    statuses = tuple(value for value in params.getlist("state") if value)
    if any(value not in OPEN_STATUSES for value in statuses):
        raise _invalid("state", _("未知的案件状态"))
    lights = tuple(value for value in params.getlist("light") if value)
    if any(value not in Light.values for value in lights):
        raise _invalid("light", _("未知的亮灯状态"))
    source = params.get("source", "")
    if source and source not in Source.values:
        raise _invalid("source", _("未知的来源"))
    category = params.get("category", "")
    if category and not category.isdigit():
        raise _invalid("category", _("未知的类别"))
    period = params.get("period", "")
    if period and period not in PERIODS:
        raise _invalid("period", _("未知的时间段"))
    bbox = None
    box = params.get("bbox", "")
    if box:
        try:
            west, south, east, north = (float(part) for part in box.split(","))
        except ValueError:
            raise _invalid("bbox", _("范围应为“西,南,东,北”四个数")) from None
        if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
            raise _invalid("bbox", _("范围应为“西,南,东,北”四个数"))
        bbox = (west, south, east, north)
    zoom = params.get("zoom", "12")
    if not zoom.isdigit() or not 0 <= int(zoom) <= 22:
        raise _invalid("zoom", _("缩放级别应为 0–22"))
    return CaseMapFilter(
        statuses=statuses,
        lights=lights,
        category=int(category) if category else None,
        source=source,
        days=PERIODS[period] if period else None,
        bbox=bbox,
        zoom=int(zoom),
    )


def case_map_queryset(user: Any, selection: CaseMapFilter) -> QuerySet[Case]:
    """The user's open cases that have a place on the map, filtered."""
    cases = Case.objects.visible_to(user).filter(status__in=selection.statuses or OPEN_STATUSES).exclude(h3_cell="")
    if selection.lights:
        cases = cases.filter(light__in=selection.lights)
    if selection.category is not None:
        cases = cases.filter(Q(category_id=selection.category) | Q(category__parent_id=selection.category))
    if selection.source:
        cases = cases.filter(source=selection.source)
    if selection.days is not None:
        cases = cases.filter(created_at__gte=now() - dt.timedelta(days=selection.days))
    if selection.bbox is not None:
        west, south, east, north = selection.bbox
        cases = cases.filter(longitude__gte=west, longitude__lte=east, latitude__gte=south, latitude__lte=north)
    return cases


def _hexagon(cell: str) -> list[list[float]]:
    ring = [[round(lng, 6), round(lat, 6)] for lat, lng in h3.cell_to_boundary(cell)]
    return [*ring, ring[0]]


def case_map(user: Any, selection: CaseMapFilter) -> dict[str, Any]:
    """Open cases for the case map: one query counting them per stored H3 cell (the database's GROUP BY), then
    either the cases themselves (at most ``POINT_LIMIT``, a second query) or the counts summed into the cells of
    the resolution that suits the zoom, each with its hexagon computed here."""
    cases = case_map_queryset(user, selection)
    per_cell = list(cases.order_by().values_list("h3_cell").annotate(count=Count("id")))
    total = sum(count for _cell, count in per_cell)
    if total <= POINT_LIMIT:
        # The same cases, asked by their cells: the open-case index finds them without scanning the view's box.
        rows = (
            cases.filter(h3_cell__in=[cell for cell, _count in per_cell])
            .order_by("-created_at")
            .values_list("number", "longitude", "latitude", "light", "status", "category__name")[:POINT_LIMIT]
        )
        labels = dict(CaseStatus.choices)
        points = [
            {
                "number": number,
                "lon": lon,
                "lat": lat,
                "light": light,
                "status": status,
                "status_label": str(labels.get(status, status)),
                "category": category or "",
            }
            for number, lon, lat, light, status, category in rows
        ]
        return {"mode": "points", "total": total, "points": points}
    resolution = resolution_for(selection.zoom)
    cells: Counter[str] = Counter()
    for cell, count in per_cell:
        try:
            parent = h3.cell_to_parent(cell, resolution) if resolution < STORED_RESOLUTION else cell
        except (ValueError, h3.H3BaseException):
            continue  # not a cell id (a row written outside the services)
        cells[parent] += count
    return {
        "mode": "cells",
        "total": total,
        "resolution": resolution,
        "max": max(cells.values(), default=0),
        "cells": [{"cell": cell, "count": count, "polygon": _hexagon(cell)} for cell, count in sorted(cells.items())],
    }


def case_map_choices() -> dict[str, Any]:
    """The options of the case map's filters (category classes only: a class covers its subclasses)."""
    return {
        "states": [(value, label) for value, label in CaseStatus.choices if value in OPEN_STATUSES],
        "lights": Light.choices,
        "sources": Source.choices,
        "categories": list(
            Category.objects.filter(parent__isnull=True, is_active=True)
            .order_by("kind", "code")
            .values_list("pk", "code", "name")
        ),
        "periods": [("1", _("近 1 天")), ("7", _("近 7 天")), ("30", _("近 30 天")), ("90", _("近 90 天"))],
    }


def _boundary_geometry(area_ids: list[int]) -> dict[int, str]:
    """The newest boundary of each area."""
    shapes: dict[int, str] = {}
    for area_id, geometry in (
        AreaBoundary.objects.filter(area_id__in=area_ids)
        .order_by("area_id", "valid_from")
        .values_list("area_id", "geometry")
    ):
        shapes[area_id] = geometry  # the last (newest) wins
    return shapes


def case_neighbourhood(user: Any, case: Case) -> dict[str, Any]:
    """The case, its grid's outline and the open cases the user may see within ``NEARBY_RADIUS_M`` of it."""
    grid_geometry = _boundary_geometry([case.grid_id]).get(case.grid_id)
    nearby: list[dict[str, Any]] = []
    if case.longitude is not None and case.latitude is not None:
        (west, east), (south, north) = box_around(case.longitude, case.latitude, NEARBY_RADIUS_M)
        rows = (
            Case.objects.visible_to(user)
            .open()
            .exclude(pk=case.pk)
            .filter(longitude__range=(west, east), latitude__range=(south, north))
            .order_by("-created_at")
            .values_list("number", "longitude", "latitude", "light", "status", "category__name")[: NEARBY_LIMIT * 2]
        )
        labels = dict(CaseStatus.choices)
        for number, lon, lat, light, status, category in rows:
            distance = distance_m(case.longitude, case.latitude, lon, lat)
            if distance <= NEARBY_RADIUS_M:
                nearby.append(
                    {
                        "number": number,
                        "lon": lon,
                        "lat": lat,
                        "light": light,
                        "status_label": str(labels.get(status, status)),
                        "category": category or "",
                        "distance_m": round(distance),
                    }
                )
        nearby = sorted(nearby, key=lambda row: row["distance_m"])[:NEARBY_LIMIT]
    return {
        "case": {
            "number": case.number,
            "lon": case.longitude,
            "lat": case.latitude,
            "light": case.light,
            "status_label": case.get_status_display(),
        },
        "grid": {
            "type": "Feature",
            "properties": {"code": case.grid.code, "name": case.grid.name},
            "geometry": json.loads(grid_geometry),
        }
        if grid_geometry
        else None,
        "nearby": nearby,
        "radius_m": NEARBY_RADIUS_M,
    }


def report_layer(user: Any) -> dict[str, Any]:
    """What the report map shows the user: their grids with the grids' buildings, or for a wider scope the
    areas one level below the top of it (a street leader sees the communities, without buildings)."""
    roots = area_roots(user)
    grids = [area for area in roots if area.level == AreaLevel.GRID]
    wider = [area for area in roots if area.level != AreaLevel.GRID]
    areas = grids + list(Area.objects.current().filter(parent__in=wider).order_by("code"))
    shapes = _boundary_geometry([area.pk for area in areas])
    features: list[dict[str, Any]] = [
        {
            "type": "Feature",
            "properties": {"kind": "area", "code": area.code, "name": area.name, "level": area.level},
            "geometry": json.loads(shapes[area.pk]),
        }
        for area in areas
        if area.pk in shapes
    ]
    grid_ids = [area.pk for area in areas if area.level == AreaLevel.GRID]
    if grid_ids:
        buildings = (
            Building.objects.visible_to(user)
            .filter(grid_id__in=grid_ids)
            .order_by("address")
            .values_list("lon", "lat", "address")[:BUILDING_LIMIT]
        )
        features += [
            {
                "type": "Feature",
                "properties": {"kind": "building", "name": address},
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
            }
            for lon, lat, address in buildings
        ]
    return {"type": "FeatureCollection", "features": features}
