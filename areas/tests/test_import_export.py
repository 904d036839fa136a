import json

import pytest
import shapely
from django.core.management import call_command
from django.core.management.base import CommandError

from areas.models import Area, AreaBoundary, BoundaryVersion
from areas.services import AreaImportError, areas_export, areas_import, grid_sequence_order
from gridgov.testing import MIDDLE, NORTH, SOUTH, WEST, box, feature


def _counts():
    return Area.objects.count(), AreaBoundary.objects.count(), BoundaryVersion.objects.count()


def test_export_is_reimportable_and_a_reimport_changes_nothing(world):
    exported = areas_export(Area.objects.all())
    assert len(exported["features"]) == 8
    assert exported["features"][-1]["properties"]["parent_code"] == "110101002001"
    before = _counts()
    summary = areas_import(json.loads(json.dumps(exported)))
    assert summary.version is None and summary.unchanged == 8
    assert _counts() == before


def _problems(collection, **options):
    with pytest.raises(AreaImportError) as raised:
        areas_import(collection, **options)
    return raised.value.problems


def test_bad_features_are_named_and_nothing_is_written(world):
    bowtie = {
        "type": "Polygon",
        "coordinates": [[[116.40, 39.90], [116.41, 39.91], [116.41, 39.90], [116.40, 39.91], [116.40, 39.90]]],
    }
    collection = {
        "type": "FeatureCollection",
        "features": [
            feature("110101002002", "新社区", "community", box(MIDDLE, SOUTH, MIDDLE + 0.01, NORTH)),  # valid
            feature("110101002003", "自相交", "community", bowtie),
            feature("110101003001", "错上级", "community", box(MIDDLE, SOUTH, MIDDLE + 0.01, NORTH))
            | {
                "properties": {
                    "code": "110101003001",
                    "name": "错上级",
                    "level": "community",
                    "parent_code": "110101002",
                }
            },
            feature("110101002004", "越界", "community", box(MIDDLE, SOUTH, 181, NORTH)),
            {
                "type": "Feature",
                "properties": {"code": "110101002005", "name": "x", "level": "village"},
                "geometry": None,
            },
        ],
    }
    before = _counts()
    problems = _problems(collection)
    by_feature = {problem.feature: problem for problem in problems}
    assert 1 not in by_feature
    assert by_feature[2].field == "geometry" and "Self-intersection" in by_feature[2].message
    assert by_feature[3].field == "code" and "110101002" in by_feature[3].message
    assert by_feature[4].field == "geometry" and "181" in by_feature[4].message
    assert by_feature[5].field == "level" and "village" in by_feature[5].message
    assert _counts() == before


@pytest.mark.parametrize(
    ("collection", "field"),
    [
        ({"type": "Feature"}, "type"),
        ({"type": "FeatureCollection", "features": []}, "features"),
        (
            {"type": "FeatureCollection", "features": [feature("110101002009", "", "community", box(1, 1, 2, 2))]},
            "name",
        ),
        (
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {
                            "code": "110101002009",
                            "name": "a",
                            "level": "community",
                            "parent_code": "110101002",
                        },
                        "geometry": {"type": "Polygon", "coordinates": [[[1, 1], [2, 1], [2, 2], [1, 2]]]},
                    }
                ],
            },
            "geometry",
        ),
        (
            {"type": "FeatureCollection", "features": [feature("110101009001", "孤儿", "community", box(1, 1, 2, 2))]},
            "parent_code",
        ),
    ],
)
def test_malformed_input_gets_a_precise_field(world, collection, field):
    assert [problem.field for problem in _problems(collection)] == [field]


def test_duplicate_codes_in_one_file(world):
    collection = {
        "type": "FeatureCollection",
        "features": [
            feature("110101002002", "甲", "community", box(1, 1, 2, 2)),
            feature("110101002002", "乙", "community", box(2, 1, 3, 2)),
        ],
    }
    problems = _problems(collection)
    assert problems[0].feature == 2 and "重复" in problems[0].message


def test_replace_retires_areas_missing_from_the_file_but_old_records_keep_them(world):
    exported = areas_export(Area.objects.all())
    exported["features"] = [item for item in exported["features"] if item["properties"]["code"] != "110101002001001"]
    summary = areas_import(exported, replace=True)
    assert summary.retired == ["110101002001001"] and summary.version == 2
    retired = Area.objects.get(code="110101002001001")
    assert retired.retired_in == 2 and world.grid_c.pk == retired.pk  # still there for records that point to it
    assert not Area.objects.current().filter(pk=retired.pk).exists()
    assert Area.objects.at_version(1).filter(pk=retired.pk).exists()


def test_grids_without_codes_are_numbered_west_to_east_north_to_south(world):
    cells = [
        box(WEST + x * 0.005, NORTH - (y + 1) * 0.01, WEST + (x + 1) * 0.005, NORTH - y * 0.01)
        for y in range(2)
        for x in range(2)
    ]
    shuffled = [cells[3], cells[0], cells[2], cells[1]]  # SE, NW, SW, NE
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": "", "level": "grid", "parent_code": "110101002001"},
                "geometry": shape,
            }
            for shape in shuffled
        ],
    }
    areas_import(collection)
    codes = {
        json.dumps(shape): code
        for code, shape in (
            (area.code, json.loads(area.boundaries.get().geometry))
            for area in Area.objects.filter(code__startswith="110101002001")
            .exclude(code="110101002001001")
            .filter(level="grid")
        )
    }
    numbered = sorted(codes.values())
    assert numbered == ["110101002001002", "110101002001003", "110101002001004", "110101002001005"]  # 001 is taken
    order = grid_sequence_order([shapely.from_geojson(json.dumps(cell)) for cell in cells])
    assert order == [0, 1, 2, 3]


def test_dry_run_reports_without_writing(world):
    collection = {
        "type": "FeatureCollection",
        "features": [feature("110101002002", "新社区", "community", box(1, 1, 2, 2))],
    }
    before = _counts()
    summary = areas_import(collection, dry_run=True)
    assert summary.created == ["110101002002"] and summary.dry_run
    assert _counts() == before


def test_commands_export_and_import_with_gcj02(world, tmp_path):
    path = tmp_path / "areas.geojson"
    call_command("areas_export", str(path), "--root", "110101001")
    exported = json.loads(path.read_text(encoding="utf-8"))
    assert {item["properties"]["code"] for item in exported["features"]} == {
        "110101001",
        "110101001001",
        "110101001001001",
        "110101001001002",
    }
    bad = tmp_path / "bad.geojson"
    bad.write_text('{"type": "FeatureCollection", "features": [1]}', encoding="utf-8")
    with pytest.raises(CommandError, match="第 1 个要素"):
        call_command("areas_import", str(bad))
    call_command("areas_import", str(path), "--datum", "gcj02")  # the same file read as GCJ-02 moves every area
    assert BoundaryVersion.objects.count() == 2
    assert sorted(Area.objects.filter(boundaries__valid_from=2).values_list("code", flat=True)) == sorted(
        item["properties"]["code"] for item in exported["features"]
    )
