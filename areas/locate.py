"""Exact grid lookup (网格空间定位): which grid covers a point, through an in-process STRtree.

The index holds the grid polygons of one boundary version, sorted by code. A point covered by several grids
(on a shared edge or corner) resolves to the one with the smallest code, so the answer never changes between
calls or processes. Every lookup first asks the database which version is in force (one indexed query), so a
new version published by any process is picked up by all of them.
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from dataclasses import dataclass, field

import numpy as np
import shapely
from django.utils import timezone
from django.utils.translation import gettext as _
from numpy.typing import ArrayLike, NDArray
from scipy import ndimage

from areas import coords
from areas.choices import AreaLevel, Datum
from areas.codes import ancestor_codes
from areas.geometry import _geod, shapes_from_geojson_texts
from areas.models import Area, AreaBoundary, BoundaryVersion
from gridgov.errors import ValidationFailed

OUTSIDE = -1


@dataclass
class GridIndex:
    """Grid polygons of one boundary version with their STRtree."""

    version: int
    grid_ids: NDArray[np.int64]
    codes: list[str]
    shapes: NDArray[np.object_]
    tree: shapely.STRtree = field(repr=False)
    raster: InteriorRaster | None = field(default=None, repr=False)

    @classmethod
    def build(cls, version: int, grid_ids: list[int], codes: list[str], shapes: ArrayLike) -> GridIndex:
        order = np.argsort(np.asarray(codes, dtype=object), kind="stable")
        shape_array = np.asarray(shapes, dtype=object)[order]
        shapely.prepare(shape_array)
        return cls(
            version=version,
            grid_ids=np.asarray(grid_ids, dtype=np.int64)[order],
            codes=[codes[position] for position in order],
            shapes=shape_array,
            tree=shapely.STRtree(shape_array),
            raster=InteriorRaster.build(shape_array) if len(shape_array) else None,
        )

    def locate(self, lons: ArrayLike, lats: ArrayLike) -> NDArray[np.int64]:
        """Index (into ``grid_ids``/``codes``) of the grid covering each point, or -1 (vectorised)."""
        lon_array, lat_array = np.asarray(lons, dtype=float), np.asarray(lats, dtype=float)
        result = np.full(len(lon_array), OUTSIDE, dtype=np.int64)
        if not len(self.codes) or not len(lon_array):
            return result
        undecided = np.arange(len(lon_array))
        if self.raster is not None:
            labels = self.raster.lookup(lon_array, lat_array)
            decided = labels >= 0
            result[decided] = labels[decided]
            undecided = np.flatnonzero(~decided)
        if len(undecided):
            result[undecided] = self.locate_exact(lon_array[undecided], lat_array[undecided])
        return result

    def locate_exact(self, lons: NDArray[np.float64], lats: NDArray[np.float64]) -> NDArray[np.int64]:
        """The GEOS path: STRtree candidates tested with *covers*; ties go to the smallest code."""
        points = shapely.points(lons, lats)
        result = np.full(len(points), OUTSIDE, dtype=np.int64)
        point_index, grid_index = self.tree.query(points, predicate="covered_by")
        if len(point_index):
            order = np.lexsort((grid_index, point_index))
            point_index, grid_index = point_index[order], grid_index[order]
            first = np.concatenate(([True], point_index[1:] != point_index[:-1]))
            result[point_index[first]] = grid_index[first]
        return result

    def nearest(self, lons: ArrayLike, lats: ArrayLike) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
        """Nearest grid and geodesic distance in metres to its edge, for each point."""
        lon_array, lat_array = np.asarray(lons, dtype=float), np.asarray(lats, dtype=float)
        points = shapely.points(lon_array, lat_array)
        if not len(self.codes) or not len(points):
            return np.full(len(points), OUTSIDE, dtype=np.int64), np.full(len(points), np.nan)
        point_index, grid_index = self.tree.query_nearest(points, all_matches=True)
        order = np.lexsort((grid_index, point_index))
        point_index, grid_index = point_index[order], grid_index[order]
        first = np.concatenate(([True], point_index[1:] != point_index[:-1]))
        nearest = np.full(len(points), OUTSIDE, dtype=np.int64)
        nearest[point_index[first]] = grid_index[first]
        lines = shapely.shortest_line(self.shapes[nearest], points)
        ends = shapely.get_coordinates(shapely.get_point(lines, 0))
        _az1, _az2, distances = _geod().inv(ends[:, 0], ends[:, 1], lon_array, lat_array)
        return nearest, np.asarray(distances, dtype=float)


@dataclass
class InteriorRaster:
    """An exact shortcut for most points: a raster whose cells no grid boundary touches.

    Every polygon edge is rasterised conservatively (samples at most one cell apart; the piece of the edge
    between two samples lies in their bounding box, so the block of cells spanning both, widened by a
    rounding margin, is marked), so an
    unmarked cell lies wholly in one grid's interior or wholly outside all grids. Unmarked cells are grouped
    into connected components; a component holding a grid's interior point takes that grid's label. Points in
    labelled cells need no geometric test; all others (boundary cells, gaps, outside) take the exact path.
    """

    min_lon: float
    min_lat: float
    cell: float
    labels: NDArray[np.int32]  # (rows, columns); -1 = undecided

    CELLS_PER_GRID = 256
    MAX_CELLS = 8_000_000
    MARGIN = 1e-6  # in cells: a sample this close to a cell edge marks the cells on both sides

    @classmethod
    def build(cls, shapes: NDArray[np.object_]) -> InteriorRaster:
        min_lon, min_lat, max_lon, max_lat = shapely.total_bounds(shapes)
        mean_area = float(np.mean(shapely.area(shapes)))
        cell = max(np.sqrt(mean_area / cls.CELLS_PER_GRID), 1e-7)
        extent = (max_lon - min_lon) * (max_lat - min_lat)
        if extent / cell**2 > cls.MAX_CELLS:
            cell = np.sqrt(extent / cls.MAX_CELLS)
        columns = int(np.floor((max_lon - min_lon) / cell)) + 2
        rows = int(np.floor((max_lat - min_lat) / cell)) + 2
        boundary = np.zeros((rows, columns), dtype=bool)

        coordinates, ring_index = shapely.get_coordinates(shapely.get_rings(shapes), return_index=True)
        x = (coordinates[:, 0] - min_lon) / cell
        y = (coordinates[:, 1] - min_lat) / cell
        same_ring = ring_index[1:] == ring_index[:-1]
        x0, y0, x1, y1 = x[:-1][same_ring], y[:-1][same_ring], x[1:][same_ring], y[1:][same_ring]
        steps = np.maximum(np.ceil(np.maximum(np.abs(x1 - x0), np.abs(y1 - y0))), 1).astype(np.int64)
        segment = np.repeat(np.arange(len(steps)), steps + 1)
        starts = np.cumsum(np.concatenate(([0], steps[:-1] + 1)))
        t = (np.arange(len(segment)) - starts[segment]) / steps[segment]
        sample_x = x0[segment] + (x1 - x0)[segment] * t
        sample_y = y0[segment] + (y1 - y0)[segment] * t
        low_x, high_x = np.floor(sample_x - cls.MARGIN), np.floor(sample_x + cls.MARGIN)
        low_y, high_y = np.floor(sample_y - cls.MARGIN), np.floor(sample_y + cls.MARGIN)
        # Consecutive samples of one segment: mark the block of cells spanning both (at most 3 x 3).
        pair = segment[1:] == segment[:-1]
        block_low_x = np.minimum(low_x[:-1], low_x[1:])[pair].astype(np.int64)
        block_high_x = np.maximum(high_x[:-1], high_x[1:])[pair].astype(np.int64)
        block_low_y = np.minimum(low_y[:-1], low_y[1:])[pair].astype(np.int64)
        block_high_y = np.maximum(high_y[:-1], high_y[1:])[pair].astype(np.int64)
        for dx in range(3):
            for dy in range(3):
                mask = (block_low_x + dx <= block_high_x) & (block_low_y + dy <= block_high_y)
                column = np.clip(block_low_x[mask] + dx, 0, columns - 1)
                row = np.clip(block_low_y[mask] + dy, 0, rows - 1)
                boundary[row, column] = True

        components, _count = ndimage.label(~boundary)
        inner = shapely.get_coordinates(shapely.point_on_surface(shapes))
        inner_column = np.floor((inner[:, 0] - min_lon) / cell).astype(np.int64)
        inner_row = np.floor((inner[:, 1] - min_lat) / cell).astype(np.int64)
        component_of_grid = components[inner_row, inner_column]
        label_of_component = np.full(_count + 1, np.iinfo(np.int32).max, dtype=np.int64)
        claimed = component_of_grid > 0
        np.minimum.at(label_of_component, component_of_grid[claimed], np.flatnonzero(claimed))
        label_of_component[label_of_component == np.iinfo(np.int32).max] = OUTSIDE
        label_of_component[0] = OUTSIDE  # component 0 = boundary cells
        return cls(min_lon=min_lon, min_lat=min_lat, cell=cell, labels=label_of_component[components].astype(np.int32))

    def lookup(self, lons: NDArray[np.float64], lats: NDArray[np.float64]) -> NDArray[np.int64]:
        rows, columns = self.labels.shape
        column = np.floor((lons - self.min_lon) / self.cell)
        row = np.floor((lats - self.min_lat) / self.cell)
        within = (column >= 0) & (column < columns) & (row >= 0) & (row < rows)
        result = np.full(len(lons), OUTSIDE, dtype=np.int64)
        result[within] = self.labels[row[within].astype(np.int64), column[within].astype(np.int64)]
        return result


_indexes: dict[uuid.UUID, GridIndex] = {}
_lock = threading.Lock()


def version_in_force(at: dt.datetime | None = None) -> tuple[int, uuid.UUID] | None:
    """Number and token of the boundary version in force at ``at`` (now by default)."""
    row = (
        BoundaryVersion.objects.filter(effective_from__lte=at or timezone.now())
        .order_by("-number")
        .values_list("number", "token")
        .first()
    )
    return row


def grid_index_load(version: int) -> GridIndex:
    """Read the grid polygons of ``version`` from the database and build their index."""
    rows = list(
        AreaBoundary.objects.at_version(version)
        .filter(area__level=AreaLevel.GRID)
        .values_list("area_id", "area__code", "geometry")
    )
    if not rows:
        return GridIndex.build(version, [], [], [])
    ids, codes, texts = zip(*rows, strict=True)
    return GridIndex.build(version, list(ids), list(codes), shapes_from_geojson_texts(list(texts)))


def grid_index(at: dt.datetime | None = None) -> GridIndex | None:
    """The index of the version in force at ``at``, built once per process and version."""
    in_force = version_in_force(at)
    if in_force is None:
        return None
    number, token = in_force
    index = _indexes.get(token)
    if index is None:
        with _lock:
            index = _indexes.get(token)
            if index is None:
                index = grid_index_load(number)
                if len(_indexes) >= 4:
                    _indexes.pop(next(iter(_indexes)))
                _indexes[token] = index
    return index


def _validated_wgs84(lons: ArrayLike, lats: ArrayLike, datum: str) -> tuple[NDArray, NDArray]:
    if datum not in Datum.values:
        raise ValidationFailed(
            _("未知的坐标系“%(datum)s”，可选：wgs84、gcj02、bd09") % {"datum": datum},
            code="unknown_datum",
            details={"field": "datum"},
        )
    lon_array = np.atleast_1d(np.asarray(lons, dtype=float))
    lat_array = np.atleast_1d(np.asarray(lats, dtype=float))
    if lon_array.shape != lat_array.shape:
        raise ValidationFailed(_("经度与纬度的个数不一致"), code="shape_mismatch")
    bad_lon = np.flatnonzero(~np.isfinite(lon_array) | (lon_array < -180) | (lon_array > 180))
    if len(bad_lon):
        raise ValidationFailed(
            _("经度超出范围 [-180, 180]（第 %(index)d 个点）") % {"index": bad_lon[0] + 1},
            code="lon_out_of_range",
            details={"field": "lon", "index": int(bad_lon[0])},
        )
    bad_lat = np.flatnonzero(~np.isfinite(lat_array) | (lat_array < -90) | (lat_array > 90))
    if len(bad_lat):
        raise ValidationFailed(
            _("纬度超出范围 [-90, 90]（第 %(index)d 个点）") % {"index": bad_lat[0] + 1},
            code="lat_out_of_range",
            details={"field": "lat", "index": int(bad_lat[0])},
        )
    return coords.to_wgs84(lon_array, lat_array, datum)


@dataclass
class LocateResult:
    lon: float
    lat: float
    version: int | None
    grid: Area | None
    ancestors: list[Area]
    nearest: Area | None = None
    distance_m: float | None = None

    @property
    def inside(self) -> bool:
        return self.grid is not None


def grid_locate(lon: float, lat: float, datum: str = Datum.WGS84, at: dt.datetime | None = None) -> LocateResult:
    """The grid covering a point and its ancestors; outside every grid, the nearest grid and its distance."""
    lons, lats = _validated_wgs84([lon], [lat], datum)
    index = grid_index(at)
    result = LocateResult(lon=float(lons[0]), lat=float(lats[0]), version=None, grid=None, ancestors=[])
    if index is None:
        return result
    result.version = index.version
    found = index.locate(lons, lats)[0]
    if found != OUTSIDE:
        code = index.codes[found]
        wanted = [*ancestor_codes(code), code]
        areas = {area.code: area for area in Area.objects.filter(code__in=wanted).select_related("department")}
        result.grid = areas[code]
        result.ancestors = [areas[ancestor] for ancestor in ancestor_codes(code) if ancestor in areas]
        return result
    nearest, distances = index.nearest(lons, lats)
    if nearest[0] != OUTSIDE:
        result.nearest = Area.objects.select_related("department").get(pk=index.grid_ids[nearest[0]])
        result.distance_m = float(distances[0])
    return result


@dataclass
class BatchLocateResult:
    version: int | None
    lons: NDArray[np.float64]
    lats: NDArray[np.float64]
    grid_ids: NDArray[np.int64]  # -1 outside
    codes: list[str | None]
    nearest_codes: list[str | None] | None = None
    distances_m: NDArray[np.float64] | None = None


def grid_locate_many(
    lons: ArrayLike,
    lats: ArrayLike,
    datum: str = Datum.WGS84,
    at: dt.datetime | None = None,
    *,
    with_nearest: bool = False,
) -> BatchLocateResult:
    """Vectorised :func:`grid_locate` for many points: grid ids and codes, -1/None outside."""
    lon_array, lat_array = _validated_wgs84(lons, lats, datum)
    index = grid_index(at)
    count = len(lon_array)
    if index is None:
        return BatchLocateResult(None, lon_array, lat_array, np.full(count, OUTSIDE), [None] * count)
    found = index.locate(lon_array, lat_array)
    inside = found != OUTSIDE
    grid_ids = np.where(inside, index.grid_ids[np.where(inside, found, 0)] if len(index.codes) else OUTSIDE, OUTSIDE)
    codes = [index.codes[position] if position != OUTSIDE else None for position in found.tolist()]
    result = BatchLocateResult(index.version, lon_array, lat_array, grid_ids, codes)
    if with_nearest:
        result.nearest_codes = [None] * count
        result.distances_m = np.full(count, np.nan)
        outside = np.flatnonzero(~inside)
        if len(outside):
            nearest, distances = index.nearest(lon_array[outside], lat_array[outside])
            for position, grid_position, distance in zip(outside, nearest, distances, strict=True):
                if grid_position != OUTSIDE:
                    result.nearest_codes[position] = index.codes[grid_position]
                    result.distances_m[position] = distance
    return result
