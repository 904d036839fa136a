"""The partition rules pinned one at a time: a gap counts from 0.5 m² (the documented tolerance) and each single
fault alone makes the check fail."""

import math

import pytest
import shapely

from areas.geometry import area_m2
from areas.partition import PartitionChild, partition_check

PARENT = (116.40, 39.90, 116.42, 39.92)
CODE = "110101001001"
METRE_LAT = 1 / 111_320  # degrees of latitude in a metre
METRE_LON = METRE_LAT / math.cos(math.radians(39.91))


def child(code, shape):
    return PartitionChild(code=code, name=code, level="grid", grid_kind="comprehensive", shape=shape)


def square_hole(side_m: float) -> shapely.Polygon:
    x, y = 116.41, 39.91
    return shapely.box(x, y, x + side_m * METRE_LON, y + side_m * METRE_LAT)


def with_square_hole(side_m: float) -> shapely.Polygon:
    """The whole parent, less a square hole ``side_m`` metres wide in its middle."""
    return shapely.box(*PARENT).difference(square_hole(side_m))


def check(children):
    return partition_check(CODE, "一社区", shapely.box(*PARENT), children, bounds={})


@pytest.mark.parametrize(("side_m", "reported"), [(0.6, False), (0.8, True), (5.0, True)])
def test_rule_gaps_from_half_a_square_metre_are_reported(side_m, reported):
    hole_m2 = area_m2(square_hole(side_m))
    assert hole_m2 == pytest.approx(side_m**2, rel=0.05)  # 0.36 m² (below 0.5), 0.64 m², 25 m²
    report = check([child(CODE + "001", with_square_hole(side_m))])
    assert report.ok is not reported
    assert len(report.gaps["features"]) == (1 if reported else 0)
    if reported:
        assert report.gap_m2 == pytest.approx(side_m**2, rel=0.1)
    assert report.overlaps == [] and report.outside == []


def halves(west_east: float = 116.41, east_west: float = 116.41, north: float = 39.92):
    return (116.40, 39.90, west_east, 39.92), (east_west, 39.90, 116.42, north)


SINGLE_FAULTS = {
    "overlap": ([CODE + "001", CODE + "002"], halves(west_east=116.411)),
    "gap": ([CODE + "001", CODE + "002"], halves(west_east=116.409)),
    "outside": ([CODE + "001", CODE + "002"], halves(north=39.921)),
    "duplicate_code": ([CODE + "001", CODE + "001"], halves()),
    "bad_code": ([CODE + "001", "110101002001002"], halves()),
}


@pytest.mark.parametrize("fault", SINGLE_FAULTS)
def test_rule_each_fault_alone_makes_the_partition_not_ok(fault):
    codes, boxes = SINGLE_FAULTS[fault]
    report = check([child(code, shapely.box(*bounds)) for code, bounds in zip(codes, boxes, strict=True)])
    found = {
        "overlap": bool(report.overlaps),
        "gap": bool(report.gaps["features"]),
        "outside": bool(report.outside),
        "duplicate_code": bool(report.duplicate_codes),
        "bad_code": bool(report.bad_codes),
    }
    assert [name for name, present in found.items() if present] == [fault]
    assert report.ok is False and report.as_dict()["ok"] is False


def test_rule_a_clean_tiling_of_two_halves_is_ok():
    report = check([child(CODE + "001", shapely.box(*halves()[0])), child(CODE + "002", shapely.box(*halves()[1]))])
    assert report.ok is True and report.missing_codes == []
