"""The test kit: a small fixed world with one persona per role, an access-matrix check and the access kit's rule
lines, points inside its grids, photos (JPEG with or without an EXIF location, a PNG decompression bomb) and a case
walked through the whole loop.

Every view and API test inherits these personas: a grid worker of grid A, a grid worker of grid B,
community staff, a street leader, a dispatcher, a department handler, an administrator and anonymous.

    district 110101 ─┬─ street 110101001 ── community 110101001001 ─┬─ grid A 110101001001001 (west)
                     │                                                └─ grid B 110101001001002 (east)
                     └─ street 110101002 ── community 110101002001 ─── grid C 110101002001001
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import struct
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLResolver, get_resolver
from PIL import Image

from accounts.models import Department, DepartmentKind, User
from accounts.roles import Role
from areas.codes import parent_code
from areas.models import Area
from areas.services import areas_import
from audit.services import Origin
from cases import services
from cases.models import Case
from cases.photos import CheckedPhoto

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
# A point inside grid A (west half of street 1), one inside grid B and one inside grid C (street 2).
IN_A = (116.405, 39.91)
IN_B = (116.415, 39.91)
IN_C = (116.43, 39.91)


def box(west: float, south: float, east: float, north: float) -> dict[str, Any]:
    return {
        "type": "Polygon",
        "coordinates": [[[west, south], [east, south], [east, north], [west, north], [west, south]]],
    }


def feature(code: str, name: str, level: str, geometry: dict[str, Any], **properties: Any) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": {"code": code, "name": name, "level": level, "parent_code": parent_code(code), **properties},
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

    def user(self, persona: str) -> User:
        """The signed-in user of ``persona`` (every persona but ``anonymous``)."""
        user = self.users[persona]
        assert user is not None, f"{persona} is not signed in"
        return user

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


# --- The access kit over every endpoint ---------------------------------------------------------------------------
#
# Every URL pattern of the project has an access rule (``gridgov/tests/access_rules.py``); a test fails when a new
# pattern has none. The rules we keep, checked for every endpoint:
#
# - anonymous: pages redirect to the login page (302), the API answers 401; public endpoints (the portal, Open311
#   reads) are marked ``public`` and answer everyone alike;
# - a role that may never use an endpoint is refused with 403 (a missing permission) or 404 (desks and queues that
#   do not exist for that role, such as the 12345 seat's pages, answer like a missing page);
# - an object outside the user's areas answers 404, exactly like one that does not exist ("not yours" is 404);
# - a refused state-changing request (POST/PATCH/DELETE) changes no row of any table of the project's apps.

PROJECT_APPS = (
    "accounts",
    "areas",
    "audit",
    "cases",
    "notifications",
    "registry",
    "open311",
    "portal",
    "hotline",
    "fieldwork",
    "visits",
    "diary",
    "bulletins",
    "alerts",
)
#: Personas whose areas cover the whole test district: objects of grid C are theirs too.
DISTRICT_WIDE = frozenset({"dispatcher", "administrator", "intake_clerk", "shift_leader"})


@dataclass(frozen=True)
class Rule:
    """Who may use one URL pattern. ``url`` (and ``outside``, the same endpoint on an object of grid C) are
    formatted with the kit's scene, e.g. ``"/registry/persons/{person_a}/"``, and so are the values of
    ``data`` (``"{photo}"`` becomes a small JPEG upload). ``allowed`` personas get an answer
    that is not a refusal (``ok``); the others one of ``refused``. ``public``: anonymous is allowed too."""

    url: str
    allowed: frozenset[str]
    method: str = "get"
    outside: str = ""
    public: bool = False
    data: dict[str, Any] = field(default_factory=dict)
    form: bool = False  # send ``data`` as a form (multipart where it names "{photo}") even to the API
    ok: frozenset[int] = frozenset({200})
    refused: frozenset[int] = frozenset({403, 404})
    outside_allowed: frozenset[str] = DISTRICT_WIDE
    anonymous: int | None = None  # anonymous's refusal when not the default (302 to log in; 401 from the API)

    @property
    def changes_state(self) -> bool:
        return self.method in ("post", "put", "patch", "delete")


def rule(url: str, allowed: Iterable[str], **options: Any) -> Rule:
    """One line per endpoint: ``"registry:person-detail": rule("/registry/persons/{person_a}/", REGISTRY_A)``."""
    for name in ("ok", "refused", "outside_allowed"):
        if name in options:
            options[name] = frozenset(options[name])
    return Rule(url=url, allowed=frozenset(allowed), **options)


def url_names(patterns: Iterable[Any] | None = None, namespace: str = "", prefix: str = "") -> dict[str, str]:
    """Every URL pattern of the project by name (``namespace:name``; unnamed ones by their route), each with
    its route; the admin's patterns are one entry, ``admin``, since the admin site guards them all alike."""
    found: dict[str, str] = {}
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin":
                found["admin"] = route
                continue
            inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            found.update(url_names(pattern.url_patterns, inner, route))
        else:
            found[namespace + (pattern.name or route)] = route
    return found


def db_fingerprint() -> dict[str, tuple[int, str]]:
    """Row count and a checksum of every row of every table of the project's apps: equal before and after a
    refused request means it changed nothing."""
    prints = {}
    for label in PROJECT_APPS:
        for model in apps.get_app_config(label).get_models():
            rows = list(model._base_manager.order_by("pk").values_list())
            prints[model._meta.label] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return prints


def csrf_token(page: str) -> str:
    """The CSRF token of the first form of an HTML page (for tests that post over real HTTP)."""
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert found is not None, "the page has no form with a CSRF token"
    return found.group(1)


# --- Photos ---------------------------------------------------------------------------------------------------------

# 39°54'36" N, 116°24'18" E: inside grid A of the test world.
GPS_EXIF = {1: "N", 2: (39.0, 54.0, 36.0), 3: "E", 4: (116.0, 24.0, 18.0)}


def jpeg_bytes(
    size: tuple[int, int] = (64, 48),
    gps: bool = False,
    *,
    color: tuple[int, int, int] = (40, 120, 200),
    exif: Image.Exif | None = None,
) -> bytes:
    """A plain JPEG; with ``gps``, its EXIF puts it inside grid A (:data:`GPS_EXIF`); or with the given ``exif``."""
    image = Image.new("RGB", size, color)
    if gps:
        exif = Image.Exif()
        exif.get_ifd(0x8825).update(GPS_EXIF)
    buffer = io.BytesIO()
    if exif is not None:
        image.save(buffer, "JPEG", exif=exif)
    else:
        image.save(buffer, "JPEG")
    return buffer.getvalue()


def jpeg(
    size: tuple[int, int] = (64, 48), color: tuple[int, int, int] = (200, 30, 30), exif: Image.Exif | None = None
) -> SimpleUploadedFile:
    """A JPEG as uploaded in a form (``photo.jpg``)."""
    return SimpleUploadedFile("photo.jpg", jpeg_bytes(size, color=color, exif=exif), content_type="image/jpeg")


def png_of_pixels(width: int, height: int) -> bytes:
    """A valid black 1-bit PNG of ``width`` × ``height`` pixels written row by row without building the image in
    memory: 13,000 × 13,000 pixels compress to about 20 KB (the shape of a decompression bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" * (1 + (width + 7) // 8)  # filter byte "none", then the packed bits
    compressor = zlib.compressobj(9)
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def has_gps(content: bytes) -> bool:
    with Image.open(io.BytesIO(content)) as image:
        return bool(image.getexif().get_ifd(0x8825))


# --- Cases ----------------------------------------------------------------------------------------------------------


def case_run_to_closed(world: World, case: Case) -> Case:
    """File, dispatch to the world's department, handle with an after photo (the check goes to the grid's worker
    by rule), check and close."""

    def origin(persona: str) -> Origin:
        return Origin(world.users[persona], "api")

    after = CheckedPhoto(jpeg_bytes(), "jpg", None, None, None)
    case = services.case_file(origin("shift_leader"), case)
    case = services.case_dispatch(origin("dispatcher"), case, world.department)
    case = services.case_accept_task(origin("department_handler"), case)
    case = services.case_report_result(origin("department_handler"), case, "已处理", photos=[after])
    persona = "grid_worker_a" if case.grid == world.grid_a else "grid_worker_b"
    assert case.assignee == world.user(persona), "the check goes to the grid's worker by rule"
    case = services.case_check(origin(persona), case, passed=True, note="已核查", photos=[after])
    return services.case_close(origin("shift_leader"), case)
