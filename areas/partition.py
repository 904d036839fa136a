"""Partition check (网格划分的四个原则): do an area's children tile it — no overlaps, no gaps, nothing outside,
codes in order — and is the workload balanced?

``partition_check`` works on plain inputs so a file can be checked before import; ``partition_check_area``
loads an area's children (at a boundary version) and their registry counts from the database.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import shapely
from django.conf import settings
from django.utils.translation import gettext as _
from shapely.geometry.base import BaseGeometry

from areas.choices import AreaLevel
from areas.geometry import area_m2
from areas.models import Area, AreaBoundary
from areas.services import latest_version_number
from registry.selectors import grid_counts

Bounds = dict[str, dict[str, tuple[float | None, float | None]]]
MEASURE_LABELS = {"area_m2": "面积", "buildings": "楼栋数", "households": "户数", "population": "人口"}


@dataclass
class PartitionChild:
    code: str
    name: str
    level: str
    grid_kind: str
    shape: BaseGeometry
    counts: dict[str, int] = field(default_factory=dict)


@dataclass
class PartitionReport:
    parent_code: str
    parent_name: str
    version: int | None
    children: int
    overlaps: list[dict[str, Any]]
    overlap_m2: float
    gaps: dict[str, Any]  # GeoJSON FeatureCollection of gap polygons
    gap_m2: float
    outside: list[dict[str, Any]]
    outside_m2: float
    duplicate_codes: list[str]
    missing_codes: list[str]
    bad_codes: list[str]
    balance: list[dict[str, Any]]
    outliers: list[dict[str, Any]]
    bounds: dict[str, Any]

    @property
    def ok(self) -> bool:
        return not (self.overlaps or self.gaps["features"] or self.outside or self.duplicate_codes or self.bad_codes)

    def as_dict(self) -> dict[str, Any]:
        result = asdict(self)
        result["ok"] = self.ok
        return result


def _check_balance(child: PartitionChild, measured: dict[str, float], bounds: Bounds) -> list[str]:
    problems = []
    for measure, (low, high) in bounds.get(child.grid_kind, {}).items():
        value = measured.get(measure)
        if value is None:
            continue
        label = MEASURE_LABELS.get(measure, measure)
        if low is not None and value < low:
            problems.append(
                _("%(measure)s %(value)s 低于下限 %(bound)s") % {"measure": label, "value": round(value), "bound": low}
            )
        if high is not None and value > high:
            problems.append(
                _("%(measure)s %(value)s 高于上限 %(bound)s") % {"measure": label, "value": round(value), "bound": high}
            )
    return problems


def _child_number(code: str, parent_code: str) -> int | None:
    """The number of a well-formed child code (the parent's code and three ASCII digits); None for any other."""
    suffix = code[len(parent_code) :]
    if not code.startswith(parent_code) or len(suffix) != 3 or not (suffix.isascii() and suffix.isdigit()):
        return None
    return int(suffix)


def partition_check(
    parent_code: str,
    parent_name: str,
    parent_shape: BaseGeometry | None,
    children: list[PartitionChild],
    *,
    bounds: Bounds | None = None,
    version: int | None = None,
    sliver_width_m: float = 0.1,
    tolerance_m2: float = 0.5,
) -> PartitionReport:
    """Check that ``children`` tile ``parent_shape``.

    Slivers narrower than ``sliver_width_m`` (digitising and rounding noise along shared edges) are removed
    by a morphological opening, and pieces smaller than ``tolerance_m2`` are ignored.
    """
    limits: Bounds = bounds if bounds is not None else settings.PARTITION_BOUNDS
    half_width = sliver_width_m / 2 / 111_320  # metres to degrees (latitude; longitude is never larger)

    def significant(shape: BaseGeometry) -> list[tuple[BaseGeometry, float]]:
        opened = shapely.buffer(shapely.buffer(shape, -half_width, join_style="mitre"), half_width, join_style="mitre")
        pieces = [piece for piece in shapely.get_parts(opened) if piece.geom_type == "Polygon"]
        return [(piece, m2) for piece in pieces if (m2 := area_m2(piece)) >= tolerance_m2]

    shapes = np.asarray([child.shape for child in children], dtype=object)
    codes = [child.code for child in children]

    overlaps: list[dict[str, Any]] = []
    if len(shapes):
        tree = shapely.STRtree(shapes)
        left, right = tree.query(shapes, predicate="intersects")
        keep = left < right
        left, right = left[keep], right[keep]
        interior = shapely.relate_pattern(shapes[left], shapes[right], "T********")
        for a, b in zip(left[interior], right[interior], strict=True):
            m2 = sum(m2 for _piece, m2 in significant(shapely.intersection(shapes[a], shapes[b])))
            if m2:
                overlaps.append({"a": codes[a], "b": codes[b], "area_m2": round(m2, 1)})

    gap_features: list[dict[str, Any]] = []
    outside: list[dict[str, Any]] = []
    if parent_shape is not None:
        shapely.prepare(parent_shape)
        covered = shapely.union_all(shapes)  # empty without children: the whole parent is then a gap
        for piece, m2 in significant(shapely.difference(parent_shape, covered)):
            gap_features.append(
                {
                    "type": "Feature",
                    "properties": {"area_m2": round(m2, 1)},
                    "geometry": json.loads(shapely.to_geojson(piece)),
                }
            )
        if len(shapes):
            for position in np.flatnonzero(~shapely.covers(parent_shape, shapes)):
                m2 = sum(m2 for _piece, m2 in significant(shapely.difference(shapes[position], parent_shape)))
                if m2:
                    outside.append({"code": codes[position], "area_m2": round(m2, 1)})

    seen: dict[str, int] = {}
    for code in codes:
        seen[code] = seen.get(code, 0) + 1
    duplicate_codes = sorted(code for code, count in seen.items() if count > 1 and code)
    numbers = {code: _child_number(code, parent_code) for code in seen}
    bad_codes = sorted(code or _("（无编码）") for code, number in numbers.items() if number is None)
    sequences = sorted({number for number in numbers.values() if number is not None})
    missing_codes = (
        [f"{parent_code}{number:03d}" for number in range(1, sequences[-1] + 1) if number not in set(sequences)]
        if sequences
        else []
    )

    balance: list[dict[str, Any]] = []
    for child in children:
        measured = {"area_m2": area_m2(child.shape), **child.counts}
        row = {
            "code": child.code,
            "name": child.name,
            "level": child.level,
            "grid_kind": child.grid_kind,
            **{key: round(value, 1) for key, value in measured.items()},  # counts are ints and stay so
            "problems": _check_balance(child, measured, limits),
        }
        balance.append(row)
    gap_m2 = sum(feature["properties"]["area_m2"] for feature in gap_features)
    return PartitionReport(
        parent_code=parent_code,
        parent_name=parent_name,
        version=version,
        children=len(children),
        overlaps=overlaps,
        overlap_m2=round(sum(item["area_m2"] for item in overlaps), 1),
        gaps={"type": "FeatureCollection", "features": gap_features},
        gap_m2=round(gap_m2, 1),
        outside=outside,
        outside_m2=round(sum(item["area_m2"] for item in outside), 1),
        duplicate_codes=duplicate_codes,
        missing_codes=missing_codes,
        bad_codes=bad_codes,
        balance=balance,
        outliers=[row for row in balance if row["problems"]],
        bounds={kind: {key: list(value) for key, value in measures.items()} for kind, measures in limits.items()},
    )


def partition_check_area(area: Area, *, version: int | None = None, bounds: Bounds | None = None) -> PartitionReport:
    """Check the children of ``area`` as they were at ``version`` (the latest by default)."""
    number = version if version is not None else latest_version_number()
    children = list(Area.objects.at_version(number).filter(parent=area).order_by("code"))
    boundaries = dict(
        AreaBoundary.objects.at_version(number)
        .filter(area_id__in=[area.pk, *(child.pk for child in children)])
        .values_list("area_id", "geometry")
    )
    counts = grid_counts(child.pk for child in children if child.level == AreaLevel.GRID)
    parent_shape = shapely.from_geojson(boundaries[area.pk]) if area.pk in boundaries else None
    inputs = [
        PartitionChild(
            code=child.code,
            name=child.name,
            level=child.level,
            grid_kind=child.grid_kind,
            shape=shapely.from_geojson(boundaries[child.pk]),
            counts=counts.get(child.pk, {}),
        )
        for child in children
        if child.pk in boundaries
    ]
    return partition_check(area.code, area.name, parent_shape, inputs, bounds=bounds, version=number)
