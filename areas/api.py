from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from accounts.access import user_scope
from areas.choices import AreaLevel, Datum
from areas.codes import parent_code
from areas.locate import grid_locate, grid_locate_many
from areas.models import Area
from areas.partition import partition_check_area
from areas.selectors import access_area, area_boundaries_geojson, area_children, area_roots
from areas.services import areas_export, areas_import, latest_version_number
from gridgov.apikit import ERRORS, AreaCode, BodyIn, BoundedInt
from gridgov.errors import NotFound, PermissionDenied, ValidationFailed

router = Router(tags=["areas"])


class AreaOut(Schema):
    code: str
    name: str
    level: str
    parent_code: str | None
    grid_kind: str
    management_level: str
    department: str | None

    @staticmethod
    def from_area(area: Area) -> dict[str, Any]:
        return {
            "code": area.code,
            "name": area.name,
            "level": area.level,
            "parent_code": parent_code(area.code),
            "grid_kind": area.grid_kind,
            "management_level": area.management_level,
            "department": area.department.name if area.department else None,
        }


class AreaNode(AreaOut):
    children: list[AreaNode] = []


def _require(request: HttpRequest, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied("没有权限执行此操作", code="forbidden")


@router.get(
    "/areas", response={200: list[AreaOut], **ERRORS}, summary="List visible areas (optionally the children of one)"
)
def area_list(request: HttpRequest, parent: str | None = None, level: AreaLevel | None = None) -> list[dict]:
    if parent:
        areas = area_children(access_area(request.user, parent))
    else:
        queryset = Area.objects.visible_to(request.user).current().select_related("department")
        areas = list(queryset.filter(level=level) if level else area_roots(request.user))
    return [AreaOut.from_area(area) for area in areas]


@router.get("/areas/tree", response={200: list[AreaNode], **ERRORS}, summary="The visible area tree, nested")
def area_tree(request: HttpRequest, root: str | None = None, depth: int = Query(4, ge=1, le=4)) -> list[dict]:
    visible = list(Area.objects.visible_to(request.user).current().select_related("department").order_by("code"))
    by_parent: dict[int | None, list[Area]] = {}
    for area in visible:
        by_parent.setdefault(area.parent_id, []).append(area)
    visible_ids = {area.pk for area in visible}
    roots = [access_area(request.user, root)] if root else [a for a in visible if a.parent_id not in visible_ids]

    def node(area: Area, level: int) -> dict[str, Any]:
        children = by_parent.get(area.pk, []) if level < depth else []
        return {**AreaOut.from_area(area), "children": [node(child, level + 1) for child in children]}

    return [node(area, 1) for area in roots]


@router.get(
    "/areas/export",
    response={200: dict[str, Any], **ERRORS},
    summary="Export areas and boundaries as re-importable GeoJSON",
)
def area_export(request: HttpRequest, root: str | None = None, version: BoundedInt | None = None) -> dict[str, Any]:
    queryset = Area.objects.visible_to(request.user).select_related("department")
    if root:
        queryset = queryset.filter(code__startswith=access_area(request.user, root).code)
    number = version if version is not None else latest_version_number()
    return areas_export(queryset.at_version(number), number)


class ImportOut(Schema):
    version: int | None
    created: int
    updated: int
    redrawn: int
    retired: int
    unchanged: int
    dry_run: bool


@router.post(
    "/areas/import", response={200: ImportOut, **ERRORS}, summary="Import a GeoJSON FeatureCollection of areas"
)
def area_import(
    request: HttpRequest,
    datum: str = Datum.WGS84,
    replace: bool = False,
    dry_run: bool = False,
    effective_from: dt.datetime | None = None,
    name: str = "",
) -> dict[str, Any]:
    _require(request, "areas.import_areas")
    try:
        collection = json.loads(request.body)
    except (ValueError, UnicodeDecodeError) as error:
        raise ValidationFailed(f"请求体不是有效的 JSON：{error}", code="invalid_json") from None
    summary = areas_import(
        collection,
        datum=datum,
        replace=replace,
        dry_run=dry_run,
        effective_from=effective_from,
        name=name,
        user=request.user,
    )
    return summary.as_dict()


@router.get("/areas/{code}", response={200: AreaOut, **ERRORS}, summary="One area")
def area_detail(request: HttpRequest, code: AreaCode) -> dict[str, Any]:
    return AreaOut.from_area(access_area(request.user, code))


@router.get(
    "/areas/{code}/geojson",
    response={200: dict[str, Any], **ERRORS},
    summary="The area's boundary, or its children's, as GeoJSON",
)
def area_geojson(
    request: HttpRequest, code: AreaCode, children: bool = False, version: BoundedInt | None = None
) -> dict[str, Any]:
    area = access_area(request.user, code)
    number = version if version is not None else latest_version_number()
    areas = list(Area.objects.at_version(number).filter(parent=area).order_by("code")) if children else [area]
    return area_boundaries_geojson(areas, number)


@router.get(
    "/areas/{code}/partition",
    response={200: dict[str, Any], **ERRORS},
    summary="Partition check of the area's children",
)
def area_partition(request: HttpRequest, code: AreaCode, version: BoundedInt | None = None) -> dict[str, Any]:
    _require(request, "areas.check_partition")
    return partition_check_area(access_area(request.user, code), version=version).as_dict()


class LocateOut(Schema):
    inside: bool
    lon: float
    lat: float
    boundary_version: int | None
    grid: AreaOut | None
    ancestors: list[AreaOut]
    nearest: AreaOut | None
    distance_m: float | None


@router.get("/locate", response={200: LocateOut, **ERRORS}, summary="Which grid covers a point (网格空间定位)")
def locate(
    request: HttpRequest,
    lon: float,
    lat: float,
    datum: str = Datum.WGS84,
    at: dt.datetime | None = None,
) -> dict[str, Any]:
    result = grid_locate(lon, lat, datum=datum, at=at)
    found = result.grid or result.nearest
    if found is not None and not user_scope(request.user).covers(found.code):
        raise NotFound("该位置不在您的管辖范围内", code="outside_scope")
    return {
        "inside": result.inside,
        "lon": result.lon,
        "lat": result.lat,
        "boundary_version": result.version,
        "grid": AreaOut.from_area(result.grid) if result.grid else None,
        "ancestors": [AreaOut.from_area(area) for area in result.ancestors],
        "nearest": AreaOut.from_area(result.nearest) if result.nearest else None,
        "distance_m": round(result.distance_m, 1) if result.distance_m is not None else None,
    }


class BatchIn(BodyIn):
    points: list[tuple[float, float]] = Field(..., max_length=100_000, description="[[lon, lat], …]")
    datum: str = Datum.WGS84
    at: dt.datetime | None = None
    nearest: bool = False


class BatchOut(Schema):
    boundary_version: int | None
    codes: list[str | None]
    nearest_codes: list[str | None] | None
    distances_m: list[float | None] | None


@router.post("/locate/batch", response={200: BatchOut, **ERRORS}, summary="Locate up to 100,000 points at once")
def locate_batch(request: HttpRequest, payload: BatchIn) -> dict[str, Any]:
    lons = [point[0] for point in payload.points]
    lats = [point[1] for point in payload.points]
    result = grid_locate_many(lons, lats, datum=payload.datum, at=payload.at, with_nearest=payload.nearest)
    scope = Area.objects.visible_to(request.user)
    found = {code for code in [*result.codes, *(result.nearest_codes or [])] if code}
    visible = set(scope.filter(code__in=found).values_list("code", flat=True))
    codes = [code if code in visible else None for code in result.codes]
    nearest_codes = [code if code in visible else None for code in result.nearest_codes or []]
    distances = None
    if result.distances_m is not None:
        distances = [None if value != value else round(float(value), 1) for value in result.distances_m]
    return {
        "boundary_version": result.version,
        "codes": codes,
        "nearest_codes": nearest_codes if result.nearest_codes is not None else None,
        "distances_m": distances,
    }
