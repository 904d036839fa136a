"""Area services: importing and exporting the tree with its boundaries, and numbering grids.

An import is validated completely before anything is written, then applied in one transaction: it either
applies fully or not at all. Geometry changes (and areas added or retired) open a new boundary version;
an import that changes no geometry opens none, so re-importing an export is a no-op.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from shapely.geometry.base import BaseGeometry

from accounts.models import Department
from areas import coords
from areas.choices import LEVEL_ORDER, PARENT_LEVEL, AreaLevel, Datum, GridKind, ManagementLevel
from areas.codes import code_problem, parent_code
from areas.geometry import GeometryProblem, measures, polygon_from_geojson
from areas.models import Area, AreaBoundary, BoundaryVersion
from gridgov.errors import ValidationFailed

Progress = Callable[[int], None]


@dataclass
class ImportProblem:
    feature: int | None  # 1-based position in the collection; None for the collection itself
    code: str
    field: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"feature": self.feature, "code": self.code, "field": self.field, "message": self.message}

    def __str__(self) -> str:
        where = _("第 %(number)d 个要素") % {"number": self.feature} if self.feature else _("文件")
        code = f"（{self.code}）" if self.code else ""
        return f"{where}{code} {self.field}: {self.message}"


class AreaImportError(ValidationFailed):
    code = "import_invalid"

    def __init__(self, problems: list[ImportProblem]) -> None:
        self.problems = problems
        summary = "；".join(str(problem) for problem in problems[:5])
        more = _("（另有 %(count)d 个问题）") % {"count": len(problems) - 5} if len(problems) > 5 else ""
        super().__init__(
            _("导入失败，未做任何修改：") + summary + more,
            details=[{"field": problem.field, "message": str(problem)} for problem in problems],
        )


@dataclass
class IncomingArea:
    code: str
    name: str
    level: str
    parent_code: str | None
    grid_kind: str
    management_level: str
    department_code: str
    shape: BaseGeometry | None
    position: int


@dataclass
class ImportSummary:
    version: int | None
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    redrawn: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    unchanged: int = 0
    dry_run: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "created": len(self.created),
            "updated": len(self.updated),
            "redrawn": len(self.redrawn),
            "retired": len(self.retired),
            "unchanged": self.unchanged,
            "dry_run": self.dry_run,
        }


def _text(properties: dict[str, Any], key: str) -> str:
    value = properties.get(key)
    return "" if value is None else str(value).strip()


def _parse_features(
    collection: Any, datum: str, progress: Progress | None
) -> tuple[list[IncomingArea], list[ImportProblem]]:
    problems: list[ImportProblem] = []
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection":
        return [], [ImportProblem(None, "", "type", _("应为 GeoJSON FeatureCollection"))]
    features = collection.get("features")
    if not isinstance(features, list) or not features:
        return [], [ImportProblem(None, "", "features", _("features 应为非空数组"))]
    if datum not in Datum.values:
        return [], [ImportProblem(None, "", "datum", _("未知的坐标系“%(datum)s”") % {"datum": datum})]
    incoming: list[IncomingArea] = []
    for position, feature in enumerate(features, start=1):
        if progress:
            progress(1)
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            problems.append(ImportProblem(position, "", "type", _("应为 GeoJSON Feature")))
            continue
        properties = feature.get("properties") or {}
        if not isinstance(properties, dict):
            problems.append(ImportProblem(position, "", "properties", _("properties 应为对象")))
            continue
        code, level = _text(properties, "code"), _text(properties, "level")
        if level not in AreaLevel.values:
            problems.append(
                ImportProblem(
                    position,
                    code,
                    "level",
                    _("层级应为 district/street/community/grid，而不是“%(level)s”") % {"level": level},
                )
            )
            continue
        given_parent = _text(properties, "parent_code") or None
        area = IncomingArea(
            code=code,
            name=_text(properties, "name"),
            level=level,
            parent_code=given_parent,
            grid_kind=_text(properties, "grid_kind") or (GridKind.COMPREHENSIVE if level == AreaLevel.GRID else ""),
            management_level=_text(properties, "management_level") or ManagementLevel.GENERAL,
            department_code=_text(properties, "department_code"),
            shape=None,
            position=position,
        )
        if not area.name and level != AreaLevel.GRID:  # an unnamed grid is named after its community
            problems.append(ImportProblem(position, code, "name", _("缺少名称")))
        if level == AreaLevel.DISTRICT and given_parent:
            problems.append(ImportProblem(position, code, "parent_code", _("区县没有上级编码")))
        if level != AreaLevel.DISTRICT and not given_parent:
            problems.append(ImportProblem(position, code, "parent_code", _("缺少上级编码")))
        if code or level != AreaLevel.GRID:
            problem = code_problem(code, level, given_parent)
            if problem:
                problems.append(ImportProblem(position, code, "code", problem))
        if level == AreaLevel.GRID and area.grid_kind not in GridKind.values:
            problems.append(
                ImportProblem(position, code, "grid_kind", _("未知的网格类型“%(kind)s”") % {"kind": area.grid_kind})
            )
        if level != AreaLevel.GRID and area.grid_kind:
            problems.append(ImportProblem(position, code, "grid_kind", _("只有网格才有网格类型")))
        if area.management_level not in ManagementLevel.values:
            problems.append(
                ImportProblem(
                    position,
                    code,
                    "management_level",
                    _("未知的管理等级“%(value)s”") % {"value": area.management_level},
                )
            )
        try:
            shape = polygon_from_geojson(feature.get("geometry"))
            if datum != Datum.WGS84:
                shape = shapely.transform(shape, lambda xy: np.column_stack(coords.to_wgs84(xy[:, 0], xy[:, 1], datum)))
                if not shape.is_valid:
                    raise GeometryProblem(
                        _("坐标转换后多边形无效：%(reason)s") % {"reason": shapely.is_valid_reason(shape)}
                    )
            area.shape = shape
        except GeometryProblem as problem:
            problems.append(ImportProblem(position, code, "geometry", str(problem)))
        incoming.append(area)
    return incoming, problems


def _check_tree(incoming: list[IncomingArea], replace: bool) -> list[ImportProblem]:
    problems: list[ImportProblem] = []
    seen: dict[str, int] = {}
    for area in incoming:
        if area.code in seen:
            problems.append(
                ImportProblem(
                    area.position, area.code, "code", _("编码与第 %(other)d 个要素重复") % {"other": seen[area.code]}
                )
            )
        elif area.code:
            seen[area.code] = area.position
    in_file = {area.code: area for area in incoming if area.code}
    parent_codes = {area.parent_code for area in incoming if area.parent_code} - set(in_file)
    existing = (
        {} if replace else dict(Area.objects.current().filter(code__in=parent_codes).values_list("code", "level"))
    )
    for area in incoming:
        if not area.parent_code or area.level == AreaLevel.DISTRICT:
            continue
        expected = PARENT_LEVEL[AreaLevel(area.level)]
        parent_level = (
            in_file[area.parent_code].level if area.parent_code in in_file else existing.get(area.parent_code)
        )
        if parent_level is None:
            problems.append(
                ImportProblem(
                    area.position, area.code, "parent_code", _("上级“%(parent)s”不存在") % {"parent": area.parent_code}
                )
            )
        elif parent_level != expected:
            problems.append(
                ImportProblem(
                    area.position,
                    area.code,
                    "parent_code",
                    _("上级“%(parent)s”应为%(level)s")
                    % {"parent": area.parent_code, "level": AreaLevel(expected).label},
                )
            )
    return problems


def grid_sequence_order(shapes: list[BaseGeometry]) -> list[int]:
    """Reading order of grids inside a community: north→south in rows, west→east within a row.

    Rows are bands of the typical grid height; a grid belongs to the row of its interior point.
    Returns the positions of ``shapes`` in numbering order.
    """
    if not shapes:
        return []
    points = shapely.get_coordinates(shapely.point_on_surface(np.asarray(shapes, dtype=object)))
    bounds = shapely.bounds(np.asarray(shapes, dtype=object))
    row_height = float(np.median(bounds[:, 3] - bounds[:, 1])) or 1e-9
    top = points[:, 1].max()
    rows = np.floor((top - points[:, 1]) / row_height + 0.5)
    return [int(position) for position in np.lexsort((points[:, 0], rows))]


def _number_grids(incoming: list[IncomingArea], taken: dict[str, set[str]]) -> None:
    """Give uncoded grids the next free codes of their community, in reading order."""
    uncoded: dict[str, list[IncomingArea]] = {}
    for area in incoming:
        if area.level == AreaLevel.GRID and not area.code and area.parent_code and area.shape is not None:
            uncoded.setdefault(area.parent_code, []).append(area)
    for community, grids in uncoded.items():
        used = taken.get(community, set())
        sequence = 0
        for position in grid_sequence_order([grid.shape for grid in grids]):
            sequence += 1
            while f"{community}{sequence:03d}" in used:
                sequence += 1
            grids[position].code = f"{community}{sequence:03d}"


def areas_import(
    collection: Any,
    *,
    datum: str = Datum.WGS84,
    replace: bool = False,
    effective_from: dt.datetime | None = None,
    name: str = "",
    user: Any = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportSummary:
    """Import a GeoJSON FeatureCollection of areas (properties: code, name, level, parent_code, grid_kind,
    management_level, department_code). Grids without a code are numbered automatically.

    ``replace``: the file is the whole tree; current areas missing from it are retired.
    Raises :class:`AreaImportError` listing every problem; nothing is written then.
    """
    incoming, problems = _parse_features(collection, datum, progress)
    if not problems:
        file_codes: dict[str, set[str]] = {}
        for area in incoming:
            if area.level == AreaLevel.GRID and area.code and area.parent_code:
                file_codes.setdefault(area.parent_code, set()).add(area.code)
        taken = {community: codes | _existing_grid_codes(community) for community, codes in file_codes.items()}
        for community in {
            area.parent_code for area in incoming if area.level == AreaLevel.GRID and not area.code and area.parent_code
        }:
            taken.setdefault(community, _existing_grid_codes(community))
        _number_grids(incoming, taken)
        problems = _check_tree(incoming, replace)
    departments: dict[str, Department] = {}
    wanted_departments = {area.department_code for area in incoming if area.department_code}
    if wanted_departments:
        departments = Department.objects.in_bulk(wanted_departments, field_name="code")
        for area in incoming:
            if area.department_code and area.department_code not in departments:
                problems.append(
                    ImportProblem(
                        area.position,
                        area.code,
                        "department_code",
                        _("部门“%(code)s”不存在") % {"code": area.department_code},
                    )
                )
    if problems:
        raise AreaImportError(problems)
    with transaction.atomic():
        summary = _apply(incoming, departments, replace, effective_from, name, user)
        if dry_run:
            summary.dry_run = True
            transaction.set_rollback(True)
    return summary


def _existing_grid_codes(community: str) -> set[str]:
    return set(Area.objects.filter(code__startswith=community, level=AreaLevel.GRID).values_list("code", flat=True))


def _apply(
    incoming: list[IncomingArea],
    departments: dict[str, Department],
    replace: bool,
    effective_from: dt.datetime | None,
    name: str,
    user: Any,
) -> ImportSummary:
    # Lock the version sequence: one import at a time.
    last = BoundaryVersion.objects.select_for_update().order_by("-number").first()
    current_number = last.number if last else 0
    new_number = current_number + 1
    existing = {area.code: area for area in Area.objects.filter(code__in=[area.code for area in incoming])}
    outside_parents = {item.parent_code for item in incoming if item.parent_code} - {item.code for item in incoming}
    saved: dict[str, Area] = Area.objects.in_bulk(list(outside_parents), field_name="code")
    boundaries = {
        boundary.area_id: boundary
        for boundary in AreaBoundary.objects.filter(area__code__in=list(existing), valid_to__isnull=True)
    }
    summary = ImportSummary(version=None)
    geometry_changed = False
    new_boundaries: list[tuple[Area, BaseGeometry]] = []
    closed: list[AreaBoundary] = []
    for level in LEVEL_ORDER:  # parents are saved before their children
        created: list[tuple[Area, BaseGeometry]] = []
        for item in (item for item in incoming if item.level == level):
            parent = saved.get(item.parent_code) if item.parent_code else None
            attributes = {
                "name": item.name
                or _("%(community)s第%(number)d网格")
                % {
                    "community": parent.name if parent else "",
                    "number": int(item.code[-3:]),
                },
                "level": item.level,
                "parent": parent,
                "grid_kind": item.grid_kind,
                "management_level": item.management_level,
                "department": departments.get(item.department_code),
            }
            area = existing.get(item.code)
            if area is None:
                created.append((Area(code=item.code, introduced_in=new_number, **attributes), item.shape))
                summary.created.append(item.code)
                continue
            revived = area.retired_in is not None
            changed = revived or any(getattr(area, key) != value for key, value in attributes.items())
            if changed:
                for key, value in attributes.items():
                    setattr(area, key, value)
                area.retired_in = None
                area.save()
                summary.updated.append(item.code)
            current = boundaries.get(area.pk)
            if current is None or not _same_shape(current.geometry, item.shape):
                if current is not None:
                    closed.append(current)
                    summary.redrawn.append(item.code)
                new_boundaries.append((area, item.shape))
            elif not changed:
                summary.unchanged += 1
            geometry_changed = geometry_changed or revived
            saved[item.code] = area
        Area.objects.bulk_create([area for area, _shape in created], batch_size=2000)
        for area, shape in created:
            saved[area.code] = area
            new_boundaries.append((area, shape))
    geometry_changed = geometry_changed or bool(new_boundaries)
    if replace:
        in_file = {item.code for item in incoming}
        missing = list(Area.objects.current().exclude(code__in=in_file).order_by("-code"))
        if missing:
            geometry_changed = True
            for area in missing:
                summary.retired.append(area.code)
            Area.objects.filter(pk__in=[area.pk for area in missing]).update(retired_in=new_number)
            closed.extend(AreaBoundary.objects.filter(area__in=missing, valid_to__isnull=True))
    if not geometry_changed:
        return summary
    BoundaryVersion.objects.create(
        number=new_number,
        name=name or _("导入 %(time)s") % {"time": timezone.localtime().strftime("%Y-%m-%d %H:%M")},
        effective_from=effective_from or timezone.now(),
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    AreaBoundary.objects.filter(pk__in=[boundary.pk for boundary in closed]).update(valid_to=new_number)
    AreaBoundary.objects.bulk_create(
        [boundary_row(area, shape, new_number) for area, shape in new_boundaries], batch_size=2000
    )
    summary.version = new_number
    return summary


def boundary_row(area: Area, shape: BaseGeometry, version: int) -> AreaBoundary:
    """An unsaved boundary row of ``shape`` for ``area`` from ``version`` on, with its measures."""
    measured = measures(shape)
    return AreaBoundary(
        area=area,
        valid_from=version,
        geometry=measured.geojson,
        min_lon=measured.min_lon,
        min_lat=measured.min_lat,
        max_lon=measured.max_lon,
        max_lat=measured.max_lat,
        centroid_lon=measured.centroid_lon,
        centroid_lat=measured.centroid_lat,
        area_m2=measured.area_m2,
    )


def _same_shape(stored: str, shape: BaseGeometry) -> bool:
    return bool(shapely.equals_exact(shapely.normalize(shapely.from_geojson(stored)), shapely.normalize(shape), 2e-7))


def latest_version_number() -> int:
    return BoundaryVersion.objects.aggregate(number=Max("number"))["number"] or 0


def areas_export(areas: Iterable[Area], version: int | None = None) -> dict[str, Any]:
    """A re-importable FeatureCollection of ``areas`` with their boundaries at ``version`` (latest by default)."""
    number = version if version is not None else latest_version_number()
    area_list = list(areas)
    department_codes: dict[int | None, str] = dict(
        Department.objects.filter(pk__in={area.department_id for area in area_list}).values_list("pk", "code")
    )
    shapes = dict(AreaBoundary.objects.at_version(number).filter(area__in=area_list).values_list("area_id", "geometry"))
    features = []
    for area in sorted(area_list, key=lambda item: item.code):
        if area.pk not in shapes:
            continue
        features.append(
            {
                "type": "Feature",
                "id": area.code,
                "properties": {
                    "code": area.code,
                    "name": area.name,
                    "level": area.level,
                    "parent_code": parent_code(area.code),
                    "grid_kind": area.grid_kind,
                    "management_level": area.management_level,
                    "department_code": department_codes.get(area.department_id, ""),
                },
                "geometry": json.loads(shapes[area.pk]),
            }
        )
    return {"type": "FeatureCollection", "boundary_version": number, "features": features}
