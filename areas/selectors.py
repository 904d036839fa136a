from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q

from areas.choices import AreaLevel
from areas.models import Area, AreaBoundary
from gridgov.errors import NotFound


def access_area(user: Any, code: str) -> Area:
    """The area with ``code`` if ``user`` may see it; otherwise NotFound, exactly as if it did not exist."""
    area = Area.objects.visible_to(user).select_related("parent", "department").filter(code=code).first()
    if area is None:
        raise NotFound(f"区域 {code} 不存在", code="area_not_found")
    return area


def area_roots(user: Any) -> list[Area]:
    """The top areas of the user's scope: visible areas whose parent is not visible."""
    visible = Area.objects.visible_to(user).current()
    return list(visible.exclude(parent__in=visible).order_by("code"))


@dataclass(frozen=True)
class GridPoint:
    grid: Area
    longitude: float
    latitude: float


def own_grid(user: Any) -> GridPoint | None:
    """The grid of a user whose scope is exactly one grid (a grid worker's), with a point inside it (the centre of
    its current boundary); None for any other scope."""
    roots = area_roots(user)
    if len(roots) != 1 or roots[0].level != AreaLevel.GRID:
        return None
    centre = (
        AreaBoundary.objects.filter(area=roots[0], valid_to__isnull=True)
        .values_list("centroid_lon", "centroid_lat")
        .first()
    )
    return GridPoint(roots[0], *centre) if centre else None


def area_children(area: Area) -> list[Area]:
    return list(
        area.children.current()
        .select_related("department")
        .annotate(child_count=Count("children", filter=Q(children__retired_in__isnull=True)))
        .order_by("code")
    )


def area_boundaries_geojson(areas: list[Area], version: int) -> dict[str, Any]:
    """A FeatureCollection of ``areas`` at ``version`` for maps (properties for popups)."""
    shapes = dict(AreaBoundary.objects.at_version(version).filter(area__in=areas).values_list("area_id", "geometry"))
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": area.code,
                "properties": {
                    "code": area.code,
                    "name": area.name,
                    "level": area.level,
                    "level_label": AreaLevel(area.level).label,
                    "grid_kind": area.grid_kind,
                },
                "geometry": json.loads(shapes[area.pk]),
            }
            for area in areas
            if area.pk in shapes
        ],
    }
