import shapely

from areas.partition import PartitionChild, partition_check, partition_check_area
from registry.tests.factories import BuildingFactory, HouseholdFactory


def _child(code, geometry, kind="comprehensive", **counts):
    return PartitionChild(
        code=code, name=code, level="grid", grid_kind=kind, shape=shapely.box(*geometry), counts=counts
    )


def test_a_clean_tiling_passes(world):
    report = partition_check_area(world.areas["110101001001"])
    assert report.ok and report.children == 2
    assert report.gap_m2 == 0 and report.overlap_m2 == 0 and report.outside == [] and report.missing_codes == []


def test_overlaps_gaps_outside_and_codes_are_reported_with_areas():
    parent = shapely.box(116.40, 39.90, 116.42, 39.92)
    children = [
        _child("110101001001001", (116.40, 39.90, 116.411, 39.92)),  # overlaps the next by 0.001°
        _child("110101001001002", (116.410, 39.90, 116.418, 39.92)),  # leaves a 0.002° gap on the east
        _child("110101001001004", (116.40, 39.92, 116.41, 39.925)),  # sticks out to the north; 003 missing
        _child("110101001001004", (116.40, 39.925, 116.41, 39.93)),  # duplicate code, wholly outside
        _child("110101002001001", (116.418, 39.90, 116.419, 39.901)),  # code of another community
    ]
    report = partition_check("110101001001", "一社区", parent, children, bounds={})
    assert not report.ok
    assert [(item["a"], item["b"]) for item in report.overlaps] == [("110101001001001", "110101001001002")]
    assert 185_000 < report.overlap_m2 < 195_000  # 0.001° × 0.02° ≈ 85 m × 2,220 m
    assert len(report.gaps["features"]) == 1 and 370_000 < report.gap_m2 < 385_000
    assert {item["code"] for item in report.outside} == {"110101001001004"}
    assert report.duplicate_codes == ["110101001001004"]
    assert report.missing_codes == ["110101001001003"]
    assert report.bad_codes == ["110101002001001"]


def test_slivers_from_rounding_are_not_gaps():
    parent = shapely.box(116.40, 39.90, 116.42, 39.92)
    children = [_child("110101001001001", (116.40, 39.90, 116.42 - 4e-8, 39.92))]  # a 3 mm sliver
    report = partition_check("110101001001", "一社区", parent, children, bounds={})
    assert report.ok and report.gap_m2 == 0


def test_balance_uses_registry_counts_and_configurable_bounds(world):
    building = BuildingFactory(grid=world.grid_a)
    HouseholdFactory.create_batch(3, house__building=building)
    bounds = {"comprehensive": {"households": (2, 4)}}
    report = partition_check_area(world.areas["110101001001"], bounds=bounds)
    rows = {row["code"]: row for row in report.balance}
    assert rows[world.grid_a.code]["households"] == 3 and rows[world.grid_a.code]["buildings"] == 1
    assert rows[world.grid_a.code]["problems"] == []
    assert [row["code"] for row in report.outliers] == [world.grid_b.code]
    assert "户数 0 低于下限 2" in rows[world.grid_b.code]["problems"][0]
