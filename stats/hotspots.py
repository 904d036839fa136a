"""Hotspots: places where several cases of one category were reported close together.

The case points are projected onto a metric plane (an azimuthal equidistant projection centred on them, through
pyproj: distances across a city are true to a few parts in ten thousand) and, per category, clustered by density the
way DBSCAN does, with a k-d tree (``scipy.spatial.cKDTree``) answering "which points lie within r": a point with at
least ``min_cases`` points within ``radius_m`` (itself included) is a core; cores within ``radius_m`` of each other join
one hotspot (connected components of that graph), and a point within ``radius_m`` of a core joins its hotspot.
The work is O(n log n) per category, not a loop over every pair.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from pyproj import Transformer
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree


@dataclass(frozen=True)
class Hotspot:
    category_id: int
    case_ids: tuple[int, ...]
    lon: float  # the centre of its cases
    lat: float
    radius_m: float  # the farthest case from the centre


@lru_cache(maxsize=64)
def _plane(centre_lon: float, centre_lat: float) -> tuple[Transformer, Transformer]:
    """An azimuthal equidistant plane centred on a point (to a tenth of a degree: building one takes milliseconds),
    as the transformers there and back."""
    projection = f"+proj=aeqd +lat_0={centre_lat} +lon_0={centre_lon} +datum=WGS84 +units=m"
    return (
        Transformer.from_crs("EPSG:4326", projection, always_xy=True),
        Transformer.from_crs(projection, "EPSG:4326", always_xy=True),
    )


def metric_plane(lons: np.ndarray, lats: np.ndarray) -> tuple[np.ndarray, Transformer]:
    """Points in metres on an azimuthal equidistant plane centred near their mean (a city's distances come out true
    to a few parts in ten thousand), and the transformer back."""
    forward, backward = _plane(round(float(np.mean(lons)), 1), round(float(np.mean(lats)), 1))
    x, y = forward.transform(lons, lats)
    return np.column_stack((x, y)), backward


def density_clusters(xy: np.ndarray, min_cases: int, radius_m: float) -> list[np.ndarray]:
    """DBSCAN over ``xy`` (metres) with a k-d tree: the index arrays of each cluster, noise left out."""
    if len(xy) < min_cases:
        return []
    tree = cKDTree(xy)
    neighbours = tree.query_ball_point(xy, r=radius_m)
    core = np.fromiter((len(found) >= min_cases for found in neighbours), dtype=bool, count=len(xy))
    if not core.any():
        return []
    pairs = tree.query_pairs(radius_m, output_type="ndarray")
    linked = pairs[core[pairs[:, 0]] & core[pairs[:, 1]]] if len(pairs) else np.empty((0, 2), dtype=int)
    graph = coo_matrix((np.ones(len(linked), dtype=np.int8), (linked[:, 0], linked[:, 1])), shape=(len(xy), len(xy)))
    _count, labels = connected_components(graph, directed=False)
    members: dict[int, set[int]] = defaultdict(set)
    taken: set[int] = set()
    cores = np.flatnonzero(core)
    for index in cores:
        members[int(labels[index])].add(int(index))
        taken.add(int(index))
    for index in cores:  # border points join the hotspot of the first core that reaches them
        for other in neighbours[index]:
            if other not in taken:
                members[int(labels[index])].add(int(other))
                taken.add(int(other))
    return [np.array(sorted(indexes)) for indexes in members.values()]


def hotspots_find(points: Iterable[tuple[int, int, float, float]], *, min_cases: int, radius_m: float) -> list[Hotspot]:
    """The hotspots among ``points`` — (case id, category id, lon, lat) — most cases first."""
    rows = list(points)
    if len(rows) < min_cases:
        return []
    ids = np.array([row[0] for row in rows])
    categories = np.array([row[1] for row in rows])
    plane, backward = metric_plane(
        np.array([row[2] for row in rows], dtype=float), np.array([row[3] for row in rows], dtype=float)
    )
    found: list[Hotspot] = []
    for category_id in np.unique(categories):
        chosen = np.flatnonzero(categories == category_id)
        if len(chosen) < min_cases:
            continue
        xy = plane[chosen]
        for cluster in density_clusters(xy, min_cases, radius_m):
            centre = xy[cluster].mean(axis=0)
            lon, lat = backward.transform(centre[0], centre[1])
            radius = float(np.max(np.hypot(*(xy[cluster] - centre).T)))
            members = tuple(int(pk) for pk in ids[chosen[cluster]])
            found.append(Hotspot(int(category_id), members, float(lon), float(lat), radius))
    found.sort(key=lambda spot: (-len(spot.case_ids), spot.category_id, spot.lon))
    return found
