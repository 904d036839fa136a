"""The lookup rules of ``areas.locate`` pinned one at a time: a boundary version is in force from its moment on;
before any, nothing is found; an index is built once per version and at most four are kept; the smallest code wins
a shared edge whatever order the grids come in; points on the range limits are accepted and the first bad one is
named; outside every grid the nearest grid and the geodesic distance to its edge are given."""

import datetime as dt

import numpy as np
import pytest
import shapely

from areas.geometry import distance_m
from areas.locate import OUTSIDE, GridIndex, grid_index, grid_locate, grid_locate_many, version_in_force
from areas.models import BoundaryVersion
from gridgov.errors import ValidationFailed
from gridgov.testing import EAST, EPOCH, IN_A, IN_B, IN_C, MIDDLE, NORTH, SOUTH, WEST

GRID_A, GRID_B, GRID_C = "110101001001001", "110101001001002", "110101002001001"
HALF = (WEST + MIDDLE) / 2
MID_LAT = (SOUTH + NORTH) / 2
BEFORE = EPOCH - dt.timedelta(seconds=1)


def test_rule_a_version_is_in_force_from_its_moment_on(world):
    first = BoundaryVersion.objects.get(number=1)
    assert version_in_force(EPOCH) == (1, first.token)
    assert version_in_force(BEFORE) is None
    later = BoundaryVersion.objects.create(number=2, name="v2", effective_from=EPOCH + dt.timedelta(days=3))
    assert version_in_force(EPOCH + dt.timedelta(days=3)) == (2, later.token)
    assert version_in_force(EPOCH + dt.timedelta(days=3) - dt.timedelta(microseconds=1)) == (1, first.token)
    assert version_in_force() == (2, later.token)  # now


def test_rule_before_any_version_nothing_is_found_and_nothing_is_near(world):
    result = grid_locate(*IN_A, at=BEFORE)
    assert (result.version, result.grid, result.ancestors, result.nearest, result.distance_m) == (
        None,
        None,
        [],
        None,
        None,
    )
    assert result.inside is False and (result.lon, result.lat) == IN_A
    batch = grid_locate_many([IN_A[0], IN_C[0]], [IN_A[1], IN_C[1]], at=BEFORE, with_nearest=True)
    assert batch.version is None and batch.codes == [None, None]
    assert batch.grid_ids.tolist() == [OUTSIDE, OUTSIDE]
    assert batch.lons.tolist() == [IN_A[0], IN_C[0]] and batch.lats.tolist() == [IN_A[1], IN_C[1]]


def test_rule_a_version_without_grids_finds_nothing_and_nothing_near(world):
    BoundaryVersion.objects.create(number=0, name="empty", effective_from=BEFORE - dt.timedelta(days=1))
    # version 0, in force before version 1, holds no grid boundary
    batch = grid_locate_many([IN_A[0], WEST - 0.01], [IN_A[1], MID_LAT], at=BEFORE, with_nearest=True)
    assert batch.version == 0 and batch.codes == [None, None] and batch.grid_ids.tolist() == [OUTSIDE, OUTSIDE]
    assert batch.nearest_codes == [None, None] and np.isnan(batch.distances_m).all()
    result = grid_locate(WEST - 0.01, MID_LAT, at=BEFORE)
    assert (result.version, result.grid, result.nearest, result.distance_m) == (0, None, None, None)


def test_rule_a_grid_is_found_with_its_ancestors_from_the_district_down(world):
    result = grid_locate(*IN_C)
    assert result.inside and result.version == 1 and result.grid == world.grid_c
    assert [area.code for area in result.ancestors] == ["110101", "110101002", "110101002001"]
    assert result.nearest is None and result.distance_m is None
    batch = grid_locate_many([IN_A[0], IN_B[0], IN_C[0]], [IN_A[1], IN_B[1], IN_C[1]])
    assert batch.version == 1 and batch.codes == [GRID_A, GRID_B, GRID_C]
    assert batch.grid_ids.tolist() == [world.grid_a.pk, world.grid_b.pk, world.grid_c.pk]
    assert batch.nearest_codes is None and batch.distances_m is None


def test_rule_outside_the_nearest_grid_is_named_with_the_geodesic_distance_to_its_edge(world):
    points = [(WEST - 0.01, MID_LAT), (EAST + 0.02, SOUTH + 0.001), (HALF, NORTH + 0.005)]
    result = grid_locate(*points[0])
    assert result.nearest == world.grid_a
    assert result.distance_m == pytest.approx(distance_m(WEST, MID_LAT, WEST - 0.01, MID_LAT), rel=1e-9)
    lons, lats = zip(*[*points, IN_B], strict=True)
    batch = grid_locate_many(lons, lats, with_nearest=True)
    assert batch.codes == [None, None, None, GRID_B]
    assert batch.nearest_codes == [GRID_A, GRID_C, GRID_A, None]  # on the edge A and B share: the smaller code
    expected = [
        distance_m(WEST, MID_LAT, WEST - 0.01, MID_LAT),
        distance_m(EAST, SOUTH + 0.001, EAST + 0.02, SOUTH + 0.001),
        distance_m(HALF, NORTH, HALF, NORTH + 0.005),
    ]
    assert batch.distances_m[:3] == pytest.approx(expected, rel=1e-6)
    assert np.isnan(batch.distances_m[3])


@pytest.mark.parametrize(("lon", "lat"), [(-180, -90), (180, 90), (180.0, -90.0)])
def test_rule_the_range_limits_are_valid_coordinates(world, lon, lat):
    result = grid_locate(lon, lat)
    assert result.grid is None and result.nearest is not None and result.distance_m > 1_000_000


@pytest.mark.parametrize(
    ("lons", "lats", "code", "message", "details"),
    [
        ([116.4, 180.000001], [39.9, 39.9], "lon_out_of_range", "经度超出范围 [-180, 180]（第 2 个点）", 1),
        ([116.4, 116.4, -180.1], [39.9, 39.9, 39.9], "lon_out_of_range", "经度超出范围 [-180, 180]（第 3 个点）", 2),
        ([float("inf")], [39.9], "lon_out_of_range", "经度超出范围 [-180, 180]（第 1 个点）", 0),
        ([116.4, 116.4], [39.9, 90.000001], "lat_out_of_range", "纬度超出范围 [-90, 90]（第 2 个点）", 1),
        ([116.4], [-90.5], "lat_out_of_range", "纬度超出范围 [-90, 90]（第 1 个点）", 0),
        ([116.4], [float("-inf")], "lat_out_of_range", "纬度超出范围 [-90, 90]（第 1 个点）", 0),
        ([116.4], [float("nan")], "lat_out_of_range", "纬度超出范围 [-90, 90]（第 1 个点）", 0),
    ],
)
def test_rule_the_first_bad_coordinate_is_named(world, lons, lats, code, message, details):
    with pytest.raises(ValidationFailed) as refused:
        grid_locate_many(lons, lats)
    assert refused.value.code == code and str(refused.value.message) == message
    assert refused.value.details == [{"field": f"{code[:3]}.{details}", "message": message}]


def test_rule_longitudes_and_latitudes_come_in_pairs(world):
    with pytest.raises(ValidationFailed) as refused:
        grid_locate_many([116.4, 116.41], [39.9])
    assert refused.value.code == "shape_mismatch" and str(refused.value.message) == "经度与纬度的个数不一致"


def test_rule_an_unknown_datum_is_named(world):
    with pytest.raises(ValidationFailed) as refused:
        grid_locate(*IN_A, datum="WGS84")
    assert refused.value.code == "unknown_datum"
    assert str(refused.value.message) == "未知的坐标系“WGS84”，可选：wgs84、gcj02、bd09"
    assert refused.value.details == [{"field": "datum", "message": str(refused.value.message)}]


def test_rule_an_index_is_built_once_per_version_and_four_are_kept(world):
    moments = [EPOCH + dt.timedelta(days=number) for number in range(1, 6)]
    for number, moment in enumerate(moments[1:], start=2):
        BoundaryVersion.objects.create(number=number, name=f"v{number}", effective_from=moment)
    built = [grid_index(moment) for moment in moments]
    assert [index.version for index in built] == [1, 2, 3, 4, 5]
    assert all(grid_index(moment) is index for moment, index in zip(moments[1:], built[1:], strict=True))
    rebuilt = grid_index(moments[0])  # the fifth version pushed the first out
    assert rebuilt is not built[0] and rebuilt.version == 1 and rebuilt.codes == built[0].codes


def squares() -> tuple[list[str], list[shapely.Polygon]]:
    """Three unit squares side by side, given out of code order."""
    codes = ["300", "100", "200"]
    shapes = [shapely.box(2, 0, 3, 1), shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)]
    return codes, shapes


def test_rule_an_index_holds_its_grids_in_code_order_and_ties_go_to_the_smallest_code():
    codes, shapes = squares()
    index = GridIndex.build(9, [30, 10, 20], codes, shapes)
    assert index.version == 9 and index.codes == ["100", "200", "300"] and index.grid_ids.tolist() == [10, 20, 30]
    points = ([0.5, 1.0, 2.0, 2.0, 3.0, 1.5, 3.5], [0.5, 0.5, 0.5, 1.0, 0.0, 0.99, 0.5])
    expected = [0, 0, 1, 1, 2, 1, OUTSIDE]  # on the edge of 100 and 200 → 100; of 200 and 300 → 200
    assert index.locate(*points).tolist() == expected
    assert index.locate_exact(np.asarray(points[0]), np.asarray(points[1])).tolist() == expected
    assert index.locate([], []).tolist() == []


def test_rule_the_nearest_grid_of_an_index_ties_to_the_smallest_code():
    # Codes not in west-to-east order: 100 at x 0–1, 300 at x 1–2, 200 at x 2–3.
    index = GridIndex.build(9, [10, 20, 30], ["100", "200", "300"], [shapely.box(x, 0, x + 1, 1) for x in (0, 2, 1)])
    nearest, distances = index.nearest([1.0, 2.0, 1.5, -1.0], [-2.0, -2.0, 3.0, 0.5])
    assert nearest.tolist() == [0, 1, 2, 0]  # below the corner of 100 and 300; of 300 and 200; above 300; west of 100
    assert distances[1] == pytest.approx(distance_m(2.0, 0.0, 2.0, -2.0), rel=1e-9)
    assert distances[2] == pytest.approx(distance_m(1.5, 1.0, 1.5, 3.0), rel=1e-9)
    assert distances[3] == pytest.approx(distance_m(0.0, 0.5, -1.0, 0.5), rel=1e-9)


def test_rule_an_empty_index_finds_nothing():
    index = GridIndex.build(3, [], [], [])
    assert index.raster is None and index.codes == []
    assert index.locate([0.5, 1.0], [0.5, 1.0]).tolist() == [OUTSIDE, OUTSIDE]
    nearest, distances = index.nearest([0.5], [0.5])
    assert nearest.tolist() == [OUTSIDE] and np.isnan(distances).all()
