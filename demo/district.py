"""A believable demo district: 北京市东城区's real outline cut into its 17 streets, communities and grids,
with departments, one user per role, buildings, households and residents. Deterministic for a given seed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from django.contrib.auth.models import Group
from shapely.geometry.base import BaseGeometry

from accounts.models import Department, DepartmentKind, User
from accounts.roles import Role
from areas import coords
from areas.choices import GridKind, ManagementLevel
from areas.models import Area
from areas.services import grid_sequence_order

DATA = Path(__file__).resolve().parent / "data"
DISTRICT_CODE = "110101"
DEMO_PASSWORD = "Gridgov-2026"
STREETS = [
    "东华门街道", "景山街道", "交道口街道", "安定门街道", "北新桥街道", "东四街道", "朝阳门街道", "建国门街道",
    "东直门街道", "和平里街道", "前门街道", "崇文门外街道", "东花市街道", "龙潭街道", "体育馆路街道", "天坛街道",
    "永定门外街道",
]  # fmt: skip
COMMUNITY_WORDS = [
    "东厂",
    "南池子",
    "北池子",
    "韶九",
    "灯市口",
    "智德",
    "多福巷",
    "钟鼓",
    "大兴",
    "府学",
    "国子监",
    "分司厅",
    "方家",
    "青龙",
    "交东",
    "小经厂",
    "新太仓",
    "民安",
    "北官厅",
    "东四",
    "演乐",
    "东堂子",
    "史家",
    "内务",
    "豆瓣",
    "本司",
    "朝西",
    "竹杆",
    "新鲜",
    "礼士",
    "西总布",
    "外交部",
    "建国里",
    "赵家楼",
    "苏州",
    "东总布",
    "北池",
    "和平里",
    "安德里",
    "兴化",
    "青年湖",
    "草厂",
    "鲜鱼口",
    "西河沿",
    "长巷",
    "崇文门",
    "新怡家园",
    "花市",
    "幸福",
    "龙潭",
    "法华寺",
    "天坛",
    "先农坛",
    "永外",
    "桃园",
    "景泰",
    "宝华里",
    "光明",
    "北矶",
]
DEPARTMENTS = [
    ("DC-CC", "东城区城市管理指挥中心", DepartmentKind.COMMAND_CENTRE),
    ("DC-HW", "东城区环境卫生服务中心", DepartmentKind.SANITATION),
    ("DC-CG", "东城区城市管理综合行政执法局", DepartmentKind.ENFORCEMENT),
    ("DC-SZ", "东城区市政市容管理委员会", DepartmentKind.MUNICIPAL),
    ("DC-YL", "东城区园林绿化局", DepartmentKind.LANDSCAPING),
    ("DC-GS", "东城区供水管理所", DepartmentKind.WATER),
    ("DC-ZJ", "东城区住房和城乡建设委员会", DepartmentKind.HOUSING),
    ("DC-GA", "东城公安分局", DepartmentKind.POLICE),
    ("DC-SJ", "东城区市场监督管理局", DepartmentKind.MARKET),
    ("DC-MZ", "东城区民政局", DepartmentKind.CIVIL_AFFAIRS),
]


@dataclass
class DemoUser:
    username: str
    full_name: str
    role: Role
    scope: str  # area code, "" = department's area or none
    department: str = ""


def _outline() -> BaseGeometry:
    data = json.loads((DATA / "dongcheng.geojson").read_text(encoding="utf-8"))
    shape = shapely.from_geojson(json.dumps(data["features"][0]["geometry"]))
    return shapely.transform(shape, lambda xy: np.column_stack(coords.to_wgs84(xy[:, 0], xy[:, 1], data["datum"])))


def points_inside(shape: BaseGeometry, count: int, rng: np.random.Generator) -> np.ndarray:
    min_x, min_y, max_x, max_y = shape.bounds
    shapely.prepare(shape)
    found: list[np.ndarray] = []
    total = 0
    while total < count:
        candidates = rng.uniform((min_x, min_y), (max_x, max_y), (max(count * 3, 64), 2))
        inside = candidates[shapely.contains_xy(shape, candidates[:, 0], candidates[:, 1])]
        found.append(inside)
        total += len(inside)
    return np.concatenate(found)[:count]


def divide(shape: BaseGeometry, parts: int, rng: np.random.Generator) -> list[BaseGeometry]:
    """Cut ``shape`` into ``parts`` balanced cells that tile it exactly (Lloyd-relaxed Voronoi, clipped)."""
    if parts == 1:
        return [shape]
    samples = points_inside(shape, parts * 60, rng)
    seeds = samples[rng.choice(len(samples), parts, replace=False)]
    for _round in range(8):  # Lloyd relaxation on the samples: cells of similar size
        nearest = np.argmin(((samples[:, None, :] - seeds[None, :, :]) ** 2).sum(axis=2), axis=1)
        seeds = np.array(
            [samples[nearest == k].mean(axis=0) if np.any(nearest == k) else seeds[k] for k in range(parts)]
        )
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=shape))
    pieces = [shapely.intersection(cell, shape) for cell in cells]
    result = []
    for piece in pieces:
        polygons = [part for part in shapely.get_parts(piece) if part.geom_type == "Polygon" and part.area > 0]
        if polygons:
            result.append(polygons[0] if len(polygons) == 1 else shapely.MultiPolygon(polygons))
    return result


def _feature(shape: BaseGeometry, **properties: Any) -> dict[str, Any]:
    return {"type": "Feature", "properties": properties, "geometry": json.loads(shapely.to_geojson(shape))}


def district_collection(scale: float, rng: np.random.Generator) -> dict[str, Any]:
    """The area tree as an importable FeatureCollection; grids come without codes (numbered on import)."""
    outline = _outline()
    side = max(2, round(2 * scale**0.5))
    features = [_feature(outline, code=DISTRICT_CODE, name="东城区", level="district", department_code="DC-CC")]
    streets = divide(outline, len(STREETS), rng)
    street_order = grid_sequence_order(streets)
    words = iter(COMMUNITY_WORDS * 50)
    for street_number, position in enumerate(street_order, start=1):
        street_code = f"{DISTRICT_CODE}{street_number:03d}"
        street_name = STREETS[street_number - 1]
        features.append(
            _feature(
                streets[position],
                code=street_code,
                name=street_name,
                level="street",
                parent_code=DISTRICT_CODE,
                department_code=f"JD{street_number:03d}",
            )
        )
        communities = divide(streets[position], side, rng)
        for community_number, community_position in enumerate(grid_sequence_order(communities), start=1):
            community_code = f"{street_code}{community_number:03d}"
            features.append(
                _feature(
                    communities[community_position],
                    code=community_code,
                    name=f"{next(words)}社区",
                    level="community",
                    parent_code=street_code,
                    management_level=ManagementLevel.KEY if rng.random() < 0.2 else ManagementLevel.GENERAL,
                )
            )
            for grid_shape in divide(communities[community_position], side, rng):
                features.append(
                    _feature(
                        grid_shape, name="", level="grid", parent_code=community_code, grid_kind=GridKind.COMPREHENSIVE
                    )
                )
    return {"type": "FeatureCollection", "features": features}


DEMO_USERS = [
    DemoUser("admin", "马骏", Role.ADMINISTRATOR, DISTRICT_CODE),
    DemoUser("district_leader", "王建国", Role.DISTRICT_LEADER, DISTRICT_CODE),
    DemoUser("intake", "李娜", Role.INTAKE_CLERK, DISTRICT_CODE, "DC-CC"),
    DemoUser("shift_leader", "张伟", Role.SHIFT_LEADER, DISTRICT_CODE, "DC-CC"),
    DemoUser("dispatcher", "刘洋", Role.DISPATCHER, DISTRICT_CODE, "DC-CC"),
    DemoUser("handler", "陈刚", Role.DEPARTMENT_HANDLER, "", "DC-HW"),
    DemoUser("street_leader", "赵敏", Role.STREET_LEADER, f"{DISTRICT_CODE}001", "JD001"),
    DemoUser("community", "孙丽", Role.COMMUNITY_STAFF, f"{DISTRICT_CODE}001001"),
    DemoUser("grid_leader", "周强", Role.GRID_LEADER, f"{DISTRICT_CODE}001001"),
    DemoUser("gridworker", "吴芳", Role.GRID_WORKER, f"{DISTRICT_CODE}001001001"),
    DemoUser("gridworker2", "郑磊", Role.GRID_WORKER, f"{DISTRICT_CODE}001001002"),
    DemoUser("supervisor", "冯涛", Role.SUPERVISOR, f"{DISTRICT_CODE}001"),
    DemoUser("building_head", "何静", Role.BUILDING_HEAD, f"{DISTRICT_CODE}001001001"),
]


def departments_create() -> None:
    """The district's departments and one office per street (areas are set by :func:`departments_place`)."""
    rows = [Department(code=code, name=name, kind=kind) for code, name, kind in DEPARTMENTS]
    rows += [
        Department(code=f"JD{number:03d}", name=f"{name}办事处", kind=DepartmentKind.STREET_OFFICE)
        for number, name in enumerate(STREETS, start=1)
    ]
    Department.objects.bulk_create(rows)


def users_create() -> list[DemoUser]:
    """One user per role (:data:`DEMO_USERS`), each with their group and data scope."""
    groups = {group.name: group for group in Group.objects.all()}
    departments = {department.code: department for department in Department.objects.all()}
    for demo in DEMO_USERS:
        user = User(username=demo.username, full_name=demo.full_name, department=departments.get(demo.department))
        user.set_password(DEMO_PASSWORD)
        user.is_staff = demo.role == Role.ADMINISTRATOR
        user.is_superuser = demo.role == Role.ADMINISTRATOR
        user.save()
        user.groups.add(groups[demo.role])
        if demo.scope:
            user.areas.add(Area.objects.get(code=demo.scope))
    return DEMO_USERS


def departments_place() -> None:
    """Give the command centre the district and each street office its street."""
    departments = {department.code: department for department in Department.objects.all()}
    departments["DC-CC"].area = Area.objects.get(code=DISTRICT_CODE)
    departments["DC-CC"].save()
    for number in range(1, len(STREETS) + 1):
        department = departments[f"JD{number:03d}"]
        department.area = Area.objects.get(code=f"{DISTRICT_CODE}{number:03d}")
        department.save()
