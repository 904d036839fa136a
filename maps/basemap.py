"""The offline base map: a PMTiles archive of vector tiles (MVT) made from the site's own data, so that no map is
ever blank where no tile server is configured. The demo build writes it (``demo_seed``); ``manage.py
basemap_build`` rebuilds it after the areas or buildings change.

Its layers follow the names of the Protomaps base map schema, so one set of paint rules
(``maps/static/maps/basemap.js``) draws this archive and a Protomaps archive a deployment provides alike:

- ``earth``: the district's land (one polygon);
- ``roads``: street lines along the area boundaries (``kind`` ``major_road`` between streets, ``minor_road``
  between communities, ``path`` between grids);
- ``buildings``: a footprint around each registered building;
- ``places``: street and community names at a point inside each (``kind`` ``locality`` / ``neighbourhood``).
"""

from __future__ import annotations

import gzip
import math
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import mapbox_vector_tile
import numpy as np
import shapely
from pmtiles.tile import Compression, MagicNumberNotFound, TileType, deserialize_header, zxy_to_tileid
from pmtiles.writer import Writer
from shapely.geometry.base import BaseGeometry

from areas.choices import AreaLevel
from areas.models import AreaBoundary
from registry.models import Building

MIN_ZOOM = 10
MAX_ZOOM = 16
EXTENT = 4096
#: Geometry reaching this far (in tile units) past a tile's edge is kept, so lines join across tiles.
BUFFER = 64
#: A building's footprint when the registry has only its point: about 24 m × 12 m.
FOOTPRINT_M = (24.0, 12.0)
EARTH_RADIUS_M = 6378137.0
ROAD_KINDS: dict[str, str] = {AreaLevel.STREET: "major_road", AreaLevel.COMMUNITY: "minor_road", AreaLevel.GRID: "path"}
PLACE_KINDS: dict[str, str] = {AreaLevel.STREET: "locality", AreaLevel.COMMUNITY: "neighbourhood"}
#: The zoom from which each layer is written (a district on one screen is about zoom 12).
LAYER_MIN_ZOOM = {"earth": MIN_ZOOM, "roads": MIN_ZOOM, "buildings": 14, "places": 11}


def mercator(shape: BaseGeometry) -> BaseGeometry:
    """WGS-84 lon/lat → Web Mercator metres (EPSG:3857), the plane of the tiles."""

    def forward(coords: np.ndarray) -> np.ndarray:
        lon = np.radians(coords[:, 0])
        lat = np.radians(np.clip(coords[:, 1], -85.05112878, 85.05112878))
        return np.column_stack((EARTH_RADIUS_M * lon, EARTH_RADIUS_M * np.log(np.tan(np.pi / 4 + lat / 2))))

    return shapely.transform(shape, forward)


def tile_bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """A tile's (west, south, east, north) in Web Mercator metres."""
    size = 2 * math.pi * EARTH_RADIUS_M / (1 << z)
    west = -math.pi * EARTH_RADIUS_M + x * size
    north = math.pi * EARTH_RADIUS_M - y * size
    return west, north - size, west + size, north


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 1 << z
    x = int((lon + 180.0) / 360.0 * n)
    rad = math.radians(lat)
    y = int((1.0 - math.asinh(math.tan(rad)) / math.pi) / 2.0 * n)
    return min(max(x, 0), n - 1), min(max(y, 0), n - 1)


@dataclass
class Layer:
    name: str
    shapes: list[BaseGeometry] = field(default_factory=list)  # in Web Mercator
    properties: list[dict[str, Any]] = field(default_factory=list)

    def add(self, shape: BaseGeometry, **properties: Any) -> None:
        if not shape.is_empty:
            self.shapes.append(mercator(shape))
            self.properties.append(properties)


def footprint(lon: float, lat: float) -> BaseGeometry:
    width, depth = FOOTPRINT_M
    dx = width / 2 / (111_320.0 * math.cos(math.radians(lat)))
    dy = depth / 2 / 110_540.0
    return shapely.box(lon - dx, lat - dy, lon + dx, lat + dy)


def basemap_layers() -> list[Layer]:
    """The layers of the base map from the current area boundaries and the registered buildings."""
    boundaries = (
        AreaBoundary.objects.filter(valid_to__isnull=True, area__retired_in__isnull=True)
        .select_related("area")
        .order_by("area__code")
    )
    earth, roads, buildings, places = Layer("earth"), Layer("roads"), Layer("buildings"), Layer("places")
    outlines: dict[str, list[BaseGeometry]] = {level: [] for level in ROAD_KINDS}
    for boundary in boundaries:
        area = boundary.area
        shape = shapely.from_geojson(boundary.geometry)
        if area.level == AreaLevel.DISTRICT:
            earth.add(shape, kind="earth")
        if area.level in outlines:
            outlines[area.level].append(shape.boundary)
        if area.level in PLACE_KINDS:
            places.add(shape.representative_point(), kind=PLACE_KINDS[area.level], name=area.name)
    drawn: BaseGeometry = shapely.GeometryCollection()
    for level in (AreaLevel.STREET, AreaLevel.COMMUNITY, AreaLevel.GRID):  # a line between streets is drawn once
        if outlines[level]:
            lines = shapely.difference(shapely.line_merge(shapely.unary_union(outlines[level])), drawn.buffer(1e-7))
            roads.add(lines, kind=ROAD_KINDS[level])
            drawn = shapely.union(drawn, lines)
    for lon, lat, name, floors in Building.objects.values_list("lon", "lat", "estate", "floors").iterator():
        buildings.add(footprint(lon, lat), kind="building", name=name, floors=floors)
    if not earth.shapes and boundaries:  # no district polygon: the land is the union of what there is
        earth.add(shapely.unary_union([shapely.from_geojson(b.geometry) for b in boundaries]), kind="earth")
    return [earth, roads, buildings, places]


def _to_tile(shape: BaseGeometry, bounds: tuple[float, float, float, float]) -> BaseGeometry:
    """Web Mercator metres → the tile's own units (0…EXTENT, y up; the encoder turns y down)."""
    west, south, east, north = bounds
    scale = np.array([EXTENT / (east - west), EXTENT / (north - south)])
    return shapely.transform(shape, lambda coords: (coords - np.array([west, south])) * scale)


def _tile_features(layer: Layer, tree: shapely.STRtree, bounds: tuple[float, float, float, float]) -> list[dict]:
    """The layer's features on one tile, clipped a little past its edges, in the tile's units."""
    pad = (bounds[2] - bounds[0]) * BUFFER / EXTENT
    clip = (bounds[0] - pad, bounds[1] - pad, bounds[2] + pad, bounds[3] + pad)
    features = []
    for index in tree.query(shapely.box(*clip)):
        shape = layer.shapes[index]
        if shape.geom_type != "Point":
            shape = shapely.clip_by_rect(shape, *clip)
        elif not (bounds[0] <= shape.x < bounds[2] and bounds[1] < shape.y <= bounds[3]):
            continue  # a label point belongs to one tile only
        if not shape.is_empty:
            features.append({"geometry": _to_tile(shape, bounds), "properties": layer.properties[index]})
    return features


def _tiles(layers: list[Layer]) -> Iterator[tuple[int, int, int, bytes]]:
    """Every non-empty tile from ``MIN_ZOOM`` to ``MAX_ZOOM`` as (z, x, y, gzipped MVT bytes)."""
    trees = [(layer, shapely.STRtree(layer.shapes)) for layer in layers if layer.shapes]
    if not trees:
        return
    corners = np.vstack([shapely.bounds(np.array(layer.shapes, dtype=object)) for layer, _tree in trees])
    west, south = corners[:, 0].min(), corners[:, 1].min()
    east, north = corners[:, 2].max(), corners[:, 3].max()
    world = math.pi * EARTH_RADIUS_M
    for z in range(MIN_ZOOM, MAX_ZOOM + 1):
        size = 2 * world / (1 << z)
        for x in range(int((west + world) // size), int((east + world) // size) + 1):
            for y in range(int((world - north) // size), int((world - south) // size) + 1):
                bounds = tile_bounds(z, x, y)
                encoded = []
                for layer, tree in trees:
                    features = _tile_features(layer, tree, bounds) if z >= LAYER_MIN_ZOOM[layer.name] else []
                    if features:
                        encoded.append({"name": layer.name, "features": features})
                if encoded:
                    yield (
                        z,
                        x,
                        y,
                        gzip.compress(mapbox_vector_tile.encode(encoded, default_options={"extents": EXTENT}), mtime=0),
                    )


@dataclass
class Written:
    path: Path
    tiles: int
    size: int


def basemap_write(path: Path | str) -> Written:
    """Write the base map archive to ``path`` (atomically: a reader never sees half a file)."""
    path = Path(path)
    layers = basemap_layers()
    tiles = sorted(_tiles(layers), key=lambda tile: zxy_to_tileid(tile[0], tile[1], tile[2]))
    lons_lats = [shapely.bounds(shapely.union_all(layer.shapes)) for layer in layers if layer.shapes]
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".basemap-", suffix=".pmtiles")
    with os.fdopen(handle, "wb") as output:
        writer = Writer(output)
        for z, x, y, data in tiles:
            writer.write_tile(zxy_to_tileid(z, x, y), data)
        west, south, east, north = _lonlat_bounds(lons_lats)
        writer.finalize(
            {
                "tile_type": TileType.MVT,
                "tile_compression": Compression.GZIP,
                "min_lon_e7": int(west * 1e7),
                "min_lat_e7": int(south * 1e7),
                "max_lon_e7": int(east * 1e7),
                "max_lat_e7": int(north * 1e7),
                "center_zoom": 13,
                "center_lon_e7": int((west + east) / 2 * 1e7),
                "center_lat_e7": int((south + north) / 2 * 1e7),
            },
            {
                "name": "gridgov base map",
                "attribution": "gridgov",
                "vector_layers": [{"id": layer.name, "fields": {}} for layer in layers],
            },
        )
    os.replace(temporary, path)
    return Written(path=path, tiles=len(tiles), size=path.stat().st_size)


def _lonlat_bounds(mercator_bounds: list[np.ndarray]) -> tuple[float, float, float, float]:
    if not mercator_bounds:
        return -180.0, -85.0, 180.0, 85.0
    stacked = np.array(mercator_bounds)
    west, south = stacked[:, 0].min(), stacked[:, 1].min()
    east, north = stacked[:, 2].max(), stacked[:, 3].max()

    def lonlat(x: float, y: float) -> tuple[float, float]:
        return math.degrees(x / EARTH_RADIUS_M), math.degrees(2 * math.atan(math.exp(y / EARTH_RADIUS_M)) - math.pi / 2)

    (w, s), (e, n) = lonlat(west, south), lonlat(east, north)
    return w, s, e, n


_header_cache: dict[str, tuple[tuple[int, int], dict[str, Any] | None]] = {}


def header_of(path: Path | str) -> dict[str, Any] | None:
    """The archive's header (zoom range, bounds) as the ``pmtiles`` package decodes it, read again when the file
    changes; ``None`` when the file is not a PMTiles archive."""
    from_bytes = _header_cache.get(str(path))
    stat = os.stat(path)
    key = (stat.st_size, stat.st_mtime_ns)
    if from_bytes and from_bytes[0] == key:
        return from_bytes[1]
    with open(path, "rb") as archive:
        try:
            header: dict[str, Any] | None = dict(deserialize_header(archive.read(127)))
        except (MagicNumberNotFound, ValueError, IndexError):
            header = None
    _header_cache[str(path)] = (key, header)
    return header
