"""Geometry helpers: GeoJSON in and out (RFC 7946, WGS-84 lon/lat), validation and metric measures."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import shapely
from pyproj import Geod
from shapely.geometry.base import BaseGeometry

POLYGON_TYPES = ("Polygon", "MultiPolygon")


@cache
def _geod() -> Geod:
    return Geod(ellps="WGS84")


class GeometryProblem(ValueError):
    """A geometry that cannot be used; the message says why, in Chinese."""


def _check_position(position: Any) -> None:
    if not isinstance(position, list | tuple) or len(position) < 2:
        raise GeometryProblem("坐标点应为 [经度, 纬度] 数组")
    lon, lat = position[0], position[1]
    if not all(isinstance(value, int | float) and not isinstance(value, bool) for value in (lon, lat)):
        raise GeometryProblem("坐标值应为数字")
    if not -180 <= lon <= 180:
        raise GeometryProblem(f"经度 {lon} 超出范围 [-180, 180]")
    if not -90 <= lat <= 90:
        raise GeometryProblem(f"纬度 {lat} 超出范围 [-90, 90]")


def _check_polygon_rings(rings: Any) -> None:
    if not isinstance(rings, list) or not rings:
        raise GeometryProblem("多边形应至少有一个环")
    for ring in rings:
        if not isinstance(ring, list) or len(ring) < 4:
            raise GeometryProblem("多边形的环至少需要 4 个坐标点")
        for position in ring:
            _check_position(position)
        if list(ring[0][:2]) != list(ring[-1][:2]):
            raise GeometryProblem("多边形的环未闭合（首尾坐标不同）")


def polygon_from_geojson(geometry: Any) -> BaseGeometry:
    """Validate a GeoJSON Polygon/MultiPolygon (a dict) and return it as a valid shapely geometry."""
    if not isinstance(geometry, dict):
        raise GeometryProblem("缺少几何对象（geometry）")
    kind = geometry.get("type")
    if kind not in POLYGON_TYPES:
        raise GeometryProblem(f"几何类型应为 Polygon 或 MultiPolygon，而不是 {kind!r}")
    coordinates = geometry.get("coordinates")
    if kind == "Polygon":
        _check_polygon_rings(coordinates)
    else:
        if not isinstance(coordinates, list) or not coordinates:
            raise GeometryProblem("MultiPolygon 至少需要一个多边形")
        for polygon in coordinates:
            _check_polygon_rings(polygon)
    shape = shapely.from_geojson(json.dumps(geometry))
    if not shape.is_valid:
        raise GeometryProblem(f"多边形无效：{shapely.is_valid_reason(shape)}")
    if shape.is_empty or shape.area == 0:
        raise GeometryProblem("多边形面积为零")
    return shape


def to_geojson(shape: BaseGeometry, precision: int = 7) -> str:
    """Compact GeoJSON text (7 decimals ≈ 1 cm)."""
    rounded = shapely.set_precision(shape, 10**-precision) if precision else shape
    if rounded.is_empty:
        rounded = shape
    return shapely.to_geojson(rounded)


def area_m2(shape: BaseGeometry) -> float:
    """Geodesic area on the WGS-84 ellipsoid, in square metres."""
    if shape.is_empty:
        return 0.0
    # Exterior rings counter-clockwise and holes clockwise, so holes subtract.
    area, _perimeter = _geod().geometry_area_perimeter(shapely.orient_polygons(shape))
    return abs(area)


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Geodesic distance on the WGS-84 ellipsoid, in metres."""
    _az1, _az2, distance = _geod().inv(lon1, lat1, lon2, lat2)
    return float(distance)


METRES_PER_DEGREE = 111_320  # of latitude, and of longitude at the equator


def box_around(lon: float, lat: float, radius_m: float) -> tuple[tuple[float, float], tuple[float, float]]:
    """``(lon range, lat range)`` of a box holding every point within ``radius_m`` of the point, for a first cut
    on indexed longitude/latitude columns before :func:`distance_m` decides."""
    dlat = radius_m / METRES_PER_DEGREE
    dlon = radius_m / (METRES_PER_DEGREE * max(math.cos(math.radians(lat)), 0.01))
    return (lon - dlon, lon + dlon), (lat - dlat, lat + dlat)


@dataclass(frozen=True)
class Measures:
    geojson: str
    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float
    centroid_lon: float
    centroid_lat: float
    area_m2: float


def measures(shape: BaseGeometry) -> Measures:
    min_lon, min_lat, max_lon, max_lat = shape.bounds
    point = shape.representative_point() if not shape.centroid.within(shape) else shape.centroid
    return Measures(
        geojson=to_geojson(shape),
        min_lon=min_lon,
        min_lat=min_lat,
        max_lon=max_lon,
        max_lat=max_lat,
        centroid_lon=point.x,
        centroid_lat=point.y,
        area_m2=area_m2(shape),
    )


def shapes_from_geojson_texts(texts: list[str]) -> np.ndarray:
    """Vectorised parse of stored GeoJSON texts."""
    return shapely.from_geojson(np.asarray(texts, dtype=object))
