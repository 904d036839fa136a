"""The partition rules pinned one at a time: a gap, overlap or piece outside counts from 0.5 m² (the documented
tolerance, exactly) once slivers narrower than 0.1 m are dropped; each single fault alone makes the check fail;
codes are the parent's code and three digits, once each, numbered from 001; balance measures are compared with
their bounds (inclusive) and named with their value; an area is checked at the version asked for."""

import datetime as dt
import json
import math

import pytest
import shapely

from areas.geometry import area_m2
from areas.models import Area
from areas.partition import PartitionChild, partition_check, partition_check_area
from areas.services import areas_import
from gridgov.testing import EPOCH, MIDDLE, NORTH, SOUTH, WEST, box, feature

PARENT = (116.40, 39.90, 116.42, 39.92)
CODE = "110101001001"
GRID_A, GRID_B = "110101001001001", "110101001001002"
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


# --- The exact boundaries of the noise filters ----------------------------------------------------------------


def test_rule_a_gap_of_exactly_the_tolerance_is_reported_and_one_just_smaller_is_not():
    hole_m2 = area_m2(square_hole(1.0))
    children = [child(CODE + "001", with_square_hole(1.0))]
    at_tolerance = partition_check(CODE, "一社区", shapely.box(*PARENT), children, bounds={}, tolerance_m2=hole_m2)
    assert len(at_tolerance.gaps["features"]) == 1
    above = partition_check(
        CODE, "一社区", shapely.box(*PARENT), children, bounds={}, tolerance_m2=math.nextafter(hole_m2, math.inf)
    )
    assert above.gaps["features"] == [] and above.ok


@pytest.mark.parametrize(("side_m", "reported"), [(0.70, False), (0.71, True)])  # 0.49 m² and 0.504 m²
def test_rule_the_default_tolerance_is_half_a_square_metre(side_m, reported):
    assert (area_m2(square_hole(side_m)) >= 0.5) is reported
    report = check([child(CODE + "001", with_square_hole(side_m))])
    assert len(report.gaps["features"]) == (1 if reported else 0)


def north_and_south(gap_m: float) -> list[PartitionChild]:
    """The parent cut east–west at 39.91, the northern half moved ``gap_m`` metres north: a gap 0.02° long."""
    return [
        child(CODE + "001", shapely.box(116.40, 39.90, 116.42, 39.91)),
        child(CODE + "002", shapely.box(116.40, 39.91 + gap_m * METRE_LAT, 116.42, 39.92)),
    ]


@pytest.mark.parametrize(
    ("gap_m", "reported"),
    [
        (0.066, False),
        (0.0999996, False),  # narrower than the default 0.1 m: a rounding sliver, though ≈ 170 m² in all
        (0.1000004, True),
        (0.2, True),
    ],
)
def test_rule_slivers_narrower_than_a_tenth_of_a_metre_are_noise(gap_m, reported):
    report = check(north_and_south(gap_m))
    assert len(report.gaps["features"]) == (1 if reported else 0)
    if reported:
        length_m = area_m2(shapely.box(116.40, 39.91, 116.42, 39.91 + METRE_LAT)) / 1.0  # one metre wide
        assert report.gap_m2 == pytest.approx(gap_m * length_m, rel=0.01)
        assert report.ok is False


@pytest.mark.parametrize(("sliver_width_m", "reported"), [(0.3, False), (0.25, True)])
def test_rule_the_sliver_width_is_a_parameter(sliver_width_m, reported):
    report = partition_check(
        CODE, "一社区", shapely.box(*PARENT), north_and_south(0.27), bounds={}, sliver_width_m=sliver_width_m
    )
    assert len(report.gaps["features"]) == (1 if reported else 0)


def test_rule_an_overlap_smaller_than_the_tolerance_is_noise_and_a_larger_one_is_reported():
    def overlapping(side_m: float) -> list[PartitionChild]:
        west, east = halves()
        corner = shapely.box(116.41, 39.91, 116.41 + side_m * METRE_LON, 39.91 + side_m * METRE_LAT)
        return [child(CODE + "001", shapely.box(*west).union(corner)), child(CODE + "002", shapely.box(*east))]

    assert check(overlapping(0.6)).overlaps == [] and check(overlapping(0.6)).ok
    report = check(overlapping(2.3))
    expected = area_m2(shapely.box(116.41, 39.91, 116.41 + 2.3 * METRE_LON, 39.91 + 2.3 * METRE_LAT))  # 5.28 m²
    assert [(item["a"], item["b"]) for item in report.overlaps] == [(CODE + "001", CODE + "002")]
    assert report.overlaps[0]["area_m2"] == round(expected, 1) == report.overlap_m2
    assert not report.ok


def test_rule_a_piece_outside_smaller_than_the_tolerance_is_noise():
    def sticking_out(side_m: float) -> list[PartitionChild]:
        west, east = halves()
        nose = shapely.box(116.405, 39.92, 116.405 + side_m * METRE_LON, 39.92 + side_m * METRE_LAT)
        return [child(CODE + "001", shapely.box(*west).union(nose)), child(CODE + "002", shapely.box(*east))]

    assert check(sticking_out(0.6)).outside == [] and check(sticking_out(0.6)).ok
    report = check(sticking_out(3.3))
    expected = area_m2(shapely.box(116.405, 39.92, 116.405 + 3.3 * METRE_LON, 39.92 + 3.3 * METRE_LAT))  # 10.88 m²
    assert report.outside == [{"code": CODE + "001", "area_m2": round(expected, 1)}]
    assert report.outside_m2 == round(expected, 1)


# --- What the report holds ------------------------------------------------------------------------------------


def test_rule_a_gap_is_a_geojson_feature_with_its_area():
    report = check([child(CODE + "001", shapely.box(116.40, 39.90, 116.4133, 39.92))])  # the east uncovered
    east_m2 = area_m2(shapely.box(116.4133, 39.90, 116.42, 39.92))  # 1,272,191.18 m²
    [gap] = report.gaps["features"]
    assert report.gaps["type"] == "FeatureCollection"
    assert gap["type"] == "Feature" and gap["properties"] == {"area_m2": round(east_m2, 1)}
    assert gap["geometry"]["type"] == "Polygon"
    assert shapely.from_geojson(json.dumps(gap["geometry"])).equals(shapely.box(116.4133, 39.90, 116.42, 39.92))
    assert report.gap_m2 == round(east_m2, 1)


def test_rule_a_gap_keeps_its_outline_inner_corners_included():
    ell = shapely.Polygon(
        [
            (116.41, 39.91),
            (116.411, 39.91),
            (116.411, 39.9105),
            (116.4105, 39.9105),
            (116.4105, 39.911),
            (116.41, 39.911),
        ]
    )  # an L about 85 m × 111 m, with one inner corner
    report = check([child(CODE + "001", shapely.box(*PARENT).difference(ell))])
    [gap] = report.gaps["features"]
    outline = shapely.from_geojson(json.dumps(gap["geometry"]))
    assert outline.equals(ell) and len(outline.exterior.coords) == 7


def test_rule_without_children_the_whole_parent_is_a_gap():
    report = check([])
    assert report.children == 0 and not report.ok
    assert report.gap_m2 == round(area_m2(shapely.box(*PARENT)), 1)
    assert report.overlaps == [] and report.outside == [] and report.missing_codes == [] and report.balance == []


def test_rule_without_a_parent_shape_only_overlaps_and_codes_are_checked():
    west, east = halves(west_east=116.411)
    children = [child(CODE + "001", shapely.box(*west)), child(CODE + "003", shapely.box(*east))]
    report = partition_check(CODE, "一社区", None, children, bounds={})
    assert report.gaps == {"type": "FeatureCollection", "features": []} and report.gap_m2 == 0
    assert report.outside == [] and report.outside_m2 == 0
    assert [(item["a"], item["b"]) for item in report.overlaps] == [(CODE + "001", CODE + "003")]
    assert report.missing_codes == [CODE + "002"]
    assert partition_check(CODE, "一社区", None, [child(CODE + "001", shapely.box(*west))], bounds={}).ok


def test_rule_each_overlapping_pair_is_named_once_in_code_order():
    thirds = [(116.40, 116.4075), (116.4065, 116.4145), (116.4135, 116.42)]  # each overlaps the next only
    children = [
        child(f"{CODE}00{n + 1}", shapely.box(west, 39.90, east, 39.92)) for n, (west, east) in enumerate(thirds)
    ]
    report = check(children)
    assert [(item["a"], item["b"]) for item in report.overlaps] == [
        (CODE + "001", CODE + "002"),
        (CODE + "002", CODE + "003"),
    ]
    assert report.overlap_m2 == round(sum(item["area_m2"] for item in report.overlaps), 1)


def test_rule_touching_children_do_not_overlap():
    west, east = halves()
    report = check([child(CODE + "001", shapely.box(*west)), child(CODE + "002", shapely.box(*east))])
    assert report.overlaps == [] and report.overlap_m2 == 0


def strips(codes: list[str]) -> list[PartitionChild]:
    return [
        child(code, shapely.box(116.40 + 0.0025 * n, 39.90, 116.4025 + 0.0025 * n, 39.92))
        for n, code in enumerate(codes)
    ]


def test_rule_a_code_is_the_parents_code_and_three_digits_and_appears_once():
    codes = [CODE + "001", CODE + "002", CODE + "002", CODE + "01", CODE + "0003", "110101002001003", "", ""]
    report = check(strips(codes))
    assert report.duplicate_codes == [CODE + "002"]  # an empty code twice is no duplicate code
    assert report.bad_codes == sorted([CODE + "01", CODE + "0003", "110101002001003", "（无编码）"])
    assert not report.ok


def test_rule_a_code_ends_in_three_ascii_digits():
    codes = [CODE + "001", CODE + "0a2", CODE + "a03", CODE + "００４", CODE + "00²"]  # ００４: full-width digits
    report = check(strips(codes))
    assert report.bad_codes == sorted(codes[1:])
    assert report.missing_codes == [] and not report.ok


def test_rule_codes_are_numbered_from_001_without_holes():
    report = check(strips([CODE + "002", CODE + "005", CODE + "005", "110101002001009", ""]))
    assert report.missing_codes == [CODE + "001", CODE + "003", CODE + "004"]  # another community's 009 is not ours


def test_rule_a_bad_code_takes_no_part_in_the_numbering():
    report = check(strips([CODE + "002", CODE + "07", CODE + "0009", CODE + "x006"]))
    assert report.missing_codes == [CODE + "001"]
    assert report.bad_codes == sorted([CODE + "07", CODE + "0009", CODE + "x006"])


def test_rule_codes_numbered_without_holes_miss_nothing():
    codes = [CODE + "001", CODE + "002", CODE + "003", "110101002001009"]
    report = check([child(code, shapely.box(116.40, 39.90, 116.401, 39.901)) for code in codes])
    assert report.missing_codes == [] and report.bad_codes == ["110101002001009"] and report.duplicate_codes == []


# --- Balance --------------------------------------------------------------------------------------------------


WEST_PART = (116.40, 39.90, 116.4133, 39.92)  # 2,525,394.43 m²


def balanced(counts: dict[str, int], kind: str = "comprehensive") -> PartitionChild:
    return PartitionChild(
        code=CODE + "001", name="网格一", level="grid", grid_kind=kind, shape=shapely.box(*WEST_PART), counts=counts
    )


@pytest.mark.parametrize(
    ("bounds", "problems"),
    [
        ({"households": (300, 500)}, []),
        ({"households": (320, 500)}, ["户数 300 低于下限 320"]),
        ({"households": (300, 300)}, []),  # a bound is allowed
        ({"households": (200, 299)}, ["户数 300 高于上限 299"]),
        ({"households": (None, 299)}, ["户数 300 高于上限 299"]),
        ({"households": (301, None)}, ["户数 300 低于下限 301"]),
        ({"households": (None, None)}, []),
        ({"population": (None, 900)}, ["人口 901 高于上限 900"]),
        ({"buildings": (13, None)}, ["楼栋数 12 低于下限 13"]),
        ({"elders": (1, 2)}, []),  # not measured: nothing to say
        ({"elders": (1, 2), "households": (400, None)}, ["户数 300 低于下限 400"]),  # …and the next is still checked
        ({"lifts": (5, None)}, ["lifts 3 低于下限 5"]),  # a measure without a label is named as it is
        ({"households": (400, None), "population": (None, 800)}, ["户数 300 低于下限 400", "人口 901 高于上限 800"]),
    ],
)
def test_rule_a_measure_outside_its_bounds_is_a_problem_named_with_its_value(bounds, problems):
    counts = {"households": 300, "population": 901, "buildings": 12, "lifts": 3}
    report = partition_check(
        CODE, "一社区", shapely.box(*WEST_PART), [balanced(counts)], bounds={"comprehensive": bounds}
    )
    [row] = report.balance
    assert row["problems"] == problems
    assert report.outliers == ([row] if problems else [])
    assert report.ok  # balance is advice: it never fails the partition


def test_rule_the_area_is_measured_in_square_metres_and_rounded_to_a_tenth():
    west_m2 = area_m2(shapely.box(*WEST_PART))
    report = partition_check(
        CODE, "一社区", shapely.box(*WEST_PART), [balanced({"households": 3})], bounds={"unit": {"area_m2": (1, 2)}}
    )
    assert report.balance == [
        {
            "code": CODE + "001",
            "name": "网格一",
            "level": "grid",
            "grid_kind": "comprehensive",
            "area_m2": round(west_m2, 1),
            "households": 3,
            "problems": [],  # bounds of another kind of grid
        }
    ]
    unit = partition_check(
        CODE, "一社区", shapely.box(*WEST_PART), [balanced({}, kind="unit")], bounds={"unit": {"area_m2": (1, 2)}}
    )
    assert unit.balance[0]["problems"] == [f"面积 {round(west_m2)} 高于上限 2"]


def test_rule_without_bounds_given_the_configured_ones_apply(settings):
    settings.PARTITION_BOUNDS = {"comprehensive": {"households": (300, 500)}}
    report = partition_check(CODE, "一社区", shapely.box(*WEST_PART), [balanced({"households": 3})])
    assert report.balance[0]["problems"] == ["户数 3 低于下限 300"]
    assert report.bounds == {"comprehensive": {"households": [300, 500]}}
    assert (
        partition_check(CODE, "一社区", shapely.box(*WEST_PART), [balanced({"households": 3})], bounds={}).bounds == {}
    )


def test_rule_the_report_names_its_parent_and_version_and_says_ok_in_its_dict():
    report = partition_check(CODE, "一社区", shapely.box(*WEST_PART), [balanced({})], bounds={}, version=7)
    as_dict = report.as_dict()
    assert (as_dict["parent_code"], as_dict["parent_name"], as_dict["version"], as_dict["children"]) == (
        CODE,
        "一社区",
        7,
        1,
    )
    assert as_dict["ok"] is True and report.ok is True


# --- Checking an area from the database -----------------------------------------------------------------------


def test_rule_an_area_is_checked_at_the_version_asked_for_and_the_latest_by_default(world):
    half = (WEST + MIDDLE) / 2
    shrunk = feature(GRID_A, "网格A", "grid", box(WEST, SOUTH, half - 0.001, NORTH), grid_kind="comprehensive")
    summary = areas_import(
        {"type": "FeatureCollection", "features": [shrunk]}, effective_from=EPOCH + dt.timedelta(days=30), name="redraw"
    )
    assert summary.version == 2
    community = world.areas["110101001001"]
    latest = partition_check_area(community, bounds={})
    expected_gap = area_m2(shapely.box(half - 0.001, SOUTH, half, NORTH))
    assert (latest.version, latest.children, latest.ok) == (2, 2, False)
    assert latest.gap_m2 == pytest.approx(expected_gap, rel=0.001)
    before = partition_check_area(community, version=1, bounds={})
    assert (before.version, before.children, before.ok, before.gap_m2) == (1, 2, True, 0)
    assert (before.parent_code, before.parent_name) == ("110101001001", "一社区")


def test_rule_only_grids_carry_registry_counts(world):
    report = partition_check_area(world.areas["110101001"], bounds={})  # a street: its child is a community
    [row] = report.balance
    assert row["code"] == "110101001001" and row["level"] == "community"
    assert set(row) == {"code", "name", "level", "grid_kind", "area_m2", "problems"}
    assert report.ok and report.children == 1
    grids = partition_check_area(world.areas["110101001001"], bounds={})
    assert [
        (row["code"], row["name"], row["grid_kind"], row["buildings"], row["households"], row["population"])
        for row in grids.balance
    ] == [(GRID_A, "网格A", "comprehensive", 0, 0, 0), (GRID_B, "网格B", "comprehensive", 0, 0, 0)]


def test_rule_an_area_without_a_boundary_at_the_version_is_checked_without_a_parent_shape(world):
    street = Area.objects.create(code="110101003", name="三街道", level="street", parent=world.areas["110101"])
    report = partition_check_area(street, bounds={})
    assert (report.children, report.ok, report.gaps["features"], report.outside) == (0, True, [], [])
    community = Area.objects.create(code="110101003001", name="三社区", level="community", parent=street)
    Area.objects.filter(pk=community.pk).update(introduced_in=1)
    assert partition_check_area(street, bounds={}).children == 0  # a child without a boundary is left out
