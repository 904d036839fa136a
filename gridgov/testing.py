"""The permission test kit: a small fixed world with one persona per role, and an access-matrix check.

Every view and API test inherits these personas: a grid worker of grid A, a grid worker of grid B,
community staff, a street leader, a dispatcher, a department handler, an administrator and anonymous.

    district 110101 ─┬─ street 110101001 ── community 110101001001 ─┬─ grid A 110101001001001 (west)
                     │                                                └─ grid B 110101001001002 (east)
                     └─ street 110101002 ── community 110101002001 ─── grid C 110101002001001
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import Group
from django.test import Client

from accounts.models import Department, DepartmentKind, User
from accounts.roles import Role
from areas.models import Area
from areas.services import areas_import

PERSONAS = (
    "grid_worker_a",
    "grid_worker_b",
    "community_staff",
    "street_leader",
    "dispatcher",
    "department_handler",
    "administrator",
    "anonymous",
)
WEST, MIDDLE, EAST = 116.40, 116.42, 116.44
SOUTH, NORTH = 39.90, 39.92
EPOCH = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def box(west: float, south: float, east: float, north: float) -> dict[str, Any]:
    return {
        "type": "Polygon",
        "coordinates": [[[west, south], [east, south], [east, north], [west, north], [west, south]]],
    }


def feature(code: str, name: str, level: str, geometry: dict[str, Any], **properties: Any) -> dict[str, Any]:
    parent = {"district": None, "street": code[:6], "community": code[:9], "grid": code[:12]}[level]
    return {
        "type": "Feature",
        "properties": {"code": code, "name": name, "level": level, "parent_code": parent, **properties},
        "geometry": geometry,
    }


def world_collection() -> dict[str, Any]:
    half = (WEST + MIDDLE) / 2
    return {
        "type": "FeatureCollection",
        "features": [
            feature("110101", "测试区", "district", box(WEST, SOUTH, EAST, NORTH)),
            feature("110101001", "一街道", "street", box(WEST, SOUTH, MIDDLE, NORTH)),
            feature("110101002", "二街道", "street", box(MIDDLE, SOUTH, EAST, NORTH)),
            feature("110101001001", "一社区", "community", box(WEST, SOUTH, MIDDLE, NORTH)),
            feature("110101002001", "二社区", "community", box(MIDDLE, SOUTH, EAST, NORTH)),
            feature("110101001001001", "网格A", "grid", box(WEST, SOUTH, half, NORTH), grid_kind="comprehensive"),
            feature("110101001001002", "网格B", "grid", box(half, SOUTH, MIDDLE, NORTH), grid_kind="comprehensive"),
            feature("110101002001001", "网格C", "grid", box(MIDDLE, SOUTH, EAST, NORTH), grid_kind="comprehensive"),
        ],
    }


@dataclass
class World:
    areas: dict[str, Area]
    department: Department
    users: dict[str, User | None] = field(default_factory=dict)

    @property
    def grid_a(self) -> Area:
        return self.areas["110101001001001"]

    @property
    def grid_b(self) -> Area:
        return self.areas["110101001001002"]

    @property
    def grid_c(self) -> Area:
        return self.areas["110101002001001"]

    def client(self, persona: str) -> Client:
        client = Client()
        user = self.users[persona]
        if user is not None:
            client.force_login(user)
        return client


def make_user(username: str, role: Role, scope: Iterable[Area] = (), **fields: Any) -> User:
    user = User.objects.create_user(username=username, password="test-password-1", **fields)
    user.groups.add(Group.objects.get(name=role))
    user.areas.set(list(scope))
    return user


def world_build() -> World:
    areas_import(world_collection(), effective_from=EPOCH, name="test world")
    areas = {area.code: area for area in Area.objects.all()}
    centre = Department.objects.create(code="CC", name="指挥中心", kind=DepartmentKind.COMMAND_CENTRE)
    sanitation = Department.objects.create(code="HW", name="环卫所", kind=DepartmentKind.SANITATION)
    world = World(areas=areas, department=sanitation)
    world.users = {
        "grid_worker_a": make_user("worker_a", Role.GRID_WORKER, [world.grid_a]),
        "grid_worker_b": make_user("worker_b", Role.GRID_WORKER, [world.grid_b]),
        "community_staff": make_user("community", Role.COMMUNITY_STAFF, [areas["110101001001"]]),
        "street_leader": make_user("street", Role.STREET_LEADER, [areas["110101001"]]),
        "dispatcher": make_user("dispatcher", Role.DISPATCHER, [areas["110101"]], department=centre),
        "department_handler": make_user("handler", Role.DEPARTMENT_HANDLER, [], department=sanitation),
        "administrator": make_user("administrator", Role.ADMINISTRATOR, [areas["110101"]], is_staff=True),
        "anonymous": None,
        # Command-centre roles beside the dispatcher (not in PERSONAS: the generic access matrix stays the same).
        "intake_clerk": make_user("intake", Role.INTAKE_CLERK, [areas["110101"]], department=centre),
        "shift_leader": make_user("shift", Role.SHIFT_LEADER, [areas["110101"]], department=centre),
        "grid_leader": make_user("grid_leader", Role.GRID_LEADER, [areas["110101001001"]]),
    }
    return world


def check_access(
    world: World,
    url: str,
    allowed: Iterable[str],
    *,
    method: str = "get",
    denied_status: int = 404,
    anonymous_status: int | None = None,
    check: Callable[[Any], None] | None = None,
    **request: Any,
) -> dict[str, int]:
    """Request ``url`` as every persona: allowed ones get 200 (and pass ``check``), the others
    ``denied_status`` (404: "not yours" looks like "does not exist"); anonymous is sent to log in
    (302) on pages and gets 401 from the API. Returns the status per persona."""
    allowed = set(allowed)
    statuses = {}
    for persona in PERSONAS:
        response = getattr(world.client(persona), method)(url, **request)
        statuses[persona] = response.status_code
        if persona in allowed:
            expected = 200
        elif persona == "anonymous":
            expected = anonymous_status or (401 if url.startswith("/api/") else 302)
        else:
            expected = denied_status
        assert response.status_code == expected, (
            f"{persona} {method.upper()} {url}: {response.status_code} != {expected}"
        )
        if persona in allowed and check:
            check(response)
    return statuses
