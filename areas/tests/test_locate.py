import datetime as dt

import numpy as np
import pytest
import shapely

from areas import coords
from areas.locate import GridIndex, grid_index, grid_locate, grid_locate_many
from areas.models import BoundaryVersion
from areas.services import areas_import
from gridgov.errors import ValidationFailed
from gridgov.testing import EPOCH, MIDDLE, NORTH, SOUTH, WEST, box, feature

HALF = (WEST + MIDDLE) / 2
MID_LAT = (SOUTH + NORTH) / 2


def test_points_strictly_inside_return_their_grid_and_ancestors(world):
    result = grid_locate(WEST + 0.001, MID_LAT)
    assert result.inside and result.grid == world.grid_a
    assert [area.code for area in result.ancestors] == ["110101", "110101001", "110101001001"]
    assert grid_locate(MIDDLE - 0.001, MID_LAT).grid == world.grid_b
    assert grid_locate(MIDDLE + 0.001, MID_LAT).grid == world.grid_c


def test_shared_edge_and_corner_resolve_to_the_same_grid_every_time(world):
    on_edge = [grid_locate(HALF, MID_LAT).grid.code for _ in range(5)]
    assert set(on_edge) == {world.grid_a.code}  # the smaller code of the two grids sharing the edge
    on_corner = grid_locate(MIDDLE, NORTH).grid  # B and C meet here
    assert on_corner == world.grid_b
    batch = grid_locate_many([HALF, MIDDLE, HALF], [MID_LAT, MID_LAT, SOUTH])
    assert batch.codes == [world.grid_a.code, world.grid_b.code, world.grid_a.code]


def test_outside_points_say_so_with_the_nearest_grid(world):
    result = grid_locate(WEST - 0.01, MID_LAT)  # ≈ 853 m west of grid A at this latitude
    assert not result.inside and result.grid is None
    assert result.nearest == world.grid_a
    assert result.distance_m == pytest.approx(853.5, abs=2)
    batch = grid_locate_many([WEST - 0.01, WEST + 0.001], [MID_LAT, MID_LAT], with_nearest=True)
    assert batch.codes == [None, world.grid_a.code]
    assert batch.nearest_codes == [world.grid_a.code, None]


def test_other_datums_are_converted_first(world):
    lon, lat = coords.from_wgs84(MIDDLE - 0.0005, MID_LAT, "gcj02")
    assert float(lon) > MIDDLE  # in GCJ-02 the point looks like it is in grid C
    assert grid_locate(float(lon), float(lat), datum="gcj02").grid == world.grid_b
    lon, lat = coords.from_wgs84(MIDDLE - 0.0005, MID_LAT, "bd09")
    assert grid_locate(float(lon), float(lat), datum="bd09").grid == world.grid_b


@pytest.mark.parametrize(
    ("lon", "lat", "datum", "code"),
    [
        (200, 39.9, "wgs84", "lon_out_of_range"),
        (116.4, -91, "wgs84", "lat_out_of_range"),
        (float("nan"), 39.9, "wgs84", "lon_out_of_range"),
        (116.4, 39.9, "mars", "unknown_datum"),
    ],
)
def test_bad_input_is_refused_with_a_code(world, lon, lat, datum, code):
    with pytest.raises(ValidationFailed) as raised:
        grid_locate(lon, lat, datum=datum)
    assert raised.value.code == code


def test_redrawn_grids_open_a_new_version_and_as_of_lookups_use_the_old_one(world):
    point = (HALF + 0.002, MID_LAT)  # in B today
    assert grid_locate(*point).grid == world.grid_b
    first_index = grid_index()
    moved = HALF + 0.004  # A grows east
    redraw = {
        "type": "FeatureCollection",
        "features": [
            feature("110101001001001", "网格A", "grid", box(WEST, SOUTH, moved, NORTH), grid_kind="comprehensive"),
            feature("110101001001002", "网格B", "grid", box(moved, SOUTH, MIDDLE, NORTH), grid_kind="comprehensive"),
        ],
    }
    summary = areas_import(redraw, effective_from=EPOCH + dt.timedelta(days=30), name="redraw")
    assert summary.version == 2 and sorted(summary.redrawn) == [world.grid_a.code, world.grid_b.code]
    assert grid_locate(*point).grid == world.grid_a
    assert grid_index() is not first_index  # rebuilt because the version changed
    assert grid_locate(*point, at=EPOCH + dt.timedelta(days=1)).grid == world.grid_b
    assert grid_locate(*point, at=EPOCH + dt.timedelta(days=1)).version == 1


def test_a_version_published_elsewhere_is_picked_up(world):
    """Another process publishing a version is seen as a new row; no in-process signal is needed."""
    index = grid_index()
    BoundaryVersion.objects.create(number=2, name="from another process", effective_from=EPOCH + dt.timedelta(days=2))
    rebuilt = grid_index()
    assert rebuilt is not index and rebuilt.version == 2 and rebuilt.codes == index.codes


def test_raster_shortcut_agrees_with_exact_geometry_everywhere():
    rng = np.random.default_rng(7)
    frame = shapely.box(116.3, 39.8, 116.4, 39.9)
    seeds = shapely.multipoints(rng.uniform((116.3, 39.8), (116.4, 39.9), (3000, 2)))
    cells = shapely.intersection(shapely.get_parts(shapely.voronoi_polygons(seeds, extend_to=frame)), frame)
    cells = cells[rng.permutation(len(cells))][:2800]  # leave holes: gaps must come out as outside
    index = GridIndex.build(1, list(range(len(cells))), [f"{n:015d}" for n in range(len(cells))], cells)
    assert index.raster is not None and (index.raster.labels >= 0).mean() > 0.5
    points = rng.uniform((116.29, 39.79), (116.41, 39.91), (200_000, 2))
    vertices = shapely.get_coordinates(cells)  # every vertex lies on 2–3 grids' edges
    lons = np.concatenate([points[:, 0], vertices[:, 0]])
    lats = np.concatenate([points[:, 1], vertices[:, 1]])
    assert np.array_equal(index.locate(lons, lats), index.locate_exact(lons, lats))
