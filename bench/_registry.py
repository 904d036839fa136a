"""Synthetic district for registry benchmarks: 17 streets × 4 communities × 5 grids (boxes), houses and people."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"  # noqa: E501
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国建华玉兰志强文"
    "丹萍红玲飞鹏辉波宁欣怡浩然子涵雨轩梓涵一诺欣妍"
)


def district_build(streets: int = 17, communities: int = 4, grids: int = 5) -> list:
    # Imported once Django is set up (settings and app registry), as a benchmark script must.
    from areas.models import Area
    from areas.services import areas_import
    from gridgov.testing import EPOCH, box, feature

    features = [feature("110101", "基准区", "district", box(116.0, 39.0, 117.7, 40.0))]
    width = 0.1
    for s in range(streets):
        street = f"110101{s + 1:03d}"
        west = 116.0 + s * width
        features.append(feature(street, f"街道{s + 1}", "street", box(west, 39.0, west + width, 40.0)))
        for c in range(communities):
            community = f"{street}{c + 1:03d}"
            south = 39.0 + c * 0.25
            features.append(
                feature(community, f"社区{s + 1}-{c + 1}", "community", box(west, south, west + width, south + 0.25))
            )
            for g in range(grids):
                gw = west + g * width / grids
                features.append(
                    feature(
                        f"{community}{g + 1:03d}",
                        f"网格{g + 1}",
                        "grid",
                        box(gw, south, gw + width / grids, south + 0.25),
                        grid_kind="comprehensive",
                    )
                )
    areas_import({"type": "FeatureCollection", "features": features}, effective_from=EPOCH, name="bench")
    return list(Area.objects.filter(level="grid").order_by("code"))


def houses_build(grids: list, per_grid: int) -> list:
    # Imported once Django is set up (settings and app registry), as a benchmark script must.
    from registry.models import Building, House

    buildings = []
    for grid in grids:
        boundary = grid.boundaries.get()
        for number in range(max(1, per_grid // 24)):
            road, door = f"路{grid.code}", f"{number + 1}号"
            buildings.append(
                Building(
                    grid=grid,
                    road=road,
                    door_number=door,
                    address=Building.address_of(road, door, "", ""),
                    units=2,
                    floors=6,
                    lon=boundary.centroid_lon,
                    lat=boundary.centroid_lat,
                )
            )
    Building.objects.bulk_create(buildings, batch_size=2000)
    houses = [
        House(
            building=b,
            grid_id=b.grid_id,
            unit=unit,
            floor=floor,
            room=f"{floor}0{door}",
            address=House.address_of(b, unit, f"{floor}0{door}"),
        )
        for b in buildings
        for unit in (1, 2)
        for floor in range(1, 7)
        for door in (1, 2)
    ]
    House.objects.bulk_create(houses, batch_size=5000)
    return houses


def people(count: int, seed: int = 7) -> Iterator[tuple[str, str, str]]:
    """(name, ID number, phone), all valid and unique."""
    # Imported once Django is set up (settings and app registry), as a benchmark script must.
    from registry.idnumber import id_number_make

    rng = random.Random(seed)
    start = dt.date(1940, 1, 1)
    for index in range(count):
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")
        birth = start + dt.timedelta(days=index // 998)
        yield name, id_number_make("110101", birth, index % 998 + 1), f"13{index:09d}"
