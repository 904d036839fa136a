"""Changes of field work: patrols started and ended, GPS fixes taken in (the app's batches and OsmAnd/Traccar
requests), check-ins against their fence."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import shapely
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import ApiToken, User
from accounts.selectors import token_of_tracker
from areas.geometry import distance_m
from audit.models import AuditAction
from audit.services import Origin, audit_record
from diary.services import entry_for_patrol
from fieldwork.choices import CheckInKind, TrackSource
from fieldwork.models import CheckIn, CheckPoint, Patrol, TrackPoint
from fieldwork.selectors import access_checkpoint, access_own_patrol, grid_of_worker, worker_fences
from fieldwork.tracks import buffered_fence
from gridgov.errors import Conflict, NotFound, PermissionDenied, Unprocessable, ValidationFailed

MAX_BATCH = 500
KNOT_M_S = 1852 / 3600
#: Device times accepted at all (anything else is a broken clock or a broken client, refused with the batch).
EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
LATEST_AHEAD = dt.timedelta(days=2)


def field_worker(user: Any) -> User:
    if not getattr(user, "is_authenticated", False) or not user.works_in_field:
        raise PermissionDenied(_("只有一线巡查人员（网格员、监督员等）可以进行此操作"), code="not_field_worker")
    return user


def _bounded_time(value: dt.datetime, field: str, now: dt.datetime) -> dt.datetime:
    if timezone.is_naive(value):
        raise ValidationFailed(_("时间须带时区（ISO 8601 偏移）"), code="time_without_offset", details={"field": field})
    if not EARLIEST <= value <= now + LATEST_AHEAD:
        raise ValidationFailed(_("时间超出可接受范围"), code="time_out_of_range", details={"field": field})
    return value


# --- Patrols --------------------------------------------------------------------------------------------------
def patrol_start(origin: Origin, *, grid_code: str | None = None, started_at: dt.datetime | None = None) -> Patrol:
    """Start a patrol of the worker in ``grid_code`` (their own grid when left out). One open patrol at a time."""
    worker = field_worker(origin.actor)
    now = timezone.now()
    started_at = _bounded_time(started_at, "started_at", now) if started_at else now
    grid = grid_of_worker(worker, grid_code)
    with transaction.atomic():
        # Lock the worker's row: two starts at once must not both find no open patrol.
        User.objects.select_for_update().filter(pk=worker.pk).first()
        open_patrol = Patrol.objects.filter(worker=worker, ended_at__isnull=True).first()
        if open_patrol is not None:
            raise Conflict(
                _("已有进行中的巡查，请先结束"),
                code="patrol_open",
                details={"field": "patrol_id", "message": str(open_patrol.pk)},
            )
        patrol = Patrol.objects.create(worker=worker, grid=grid, started_at=started_at, source=TrackSource.APP)
        audit_record(
            origin,
            AuditAction.CREATE,
            patrol,
            area_code=grid.code,
            changes={"started_at": [None, started_at.isoformat()]},
        )
    return patrol


def patrol_end(origin: Origin, patrol_id: int, *, ended_at: dt.datetime | None = None) -> Patrol:
    """End the worker's own patrol; ending it again with the same end answers the same patrol."""
    now = timezone.now()
    ended_at = _bounded_time(ended_at, "ended_at", now) if ended_at else now
    with transaction.atomic():
        patrol = access_own_patrol(origin.actor, patrol_id, for_update=True)
        if patrol.ended_at is not None:
            raise Conflict(_("巡查已结束"), code="patrol_ended")
        if ended_at < patrol.started_at:
            raise ValidationFailed(_("结束时间早于开始时间"), code="ended_before_start", details={"field": "ended_at"})
        patrol.ended_at = ended_at
        patrol.save(update_fields=["ended_at"])
        audit_record(
            origin,
            AuditAction.UPDATE,
            patrol,
            area_code=patrol.grid.code,
            changes={"ended_at": [None, ended_at.isoformat()]},
        )
        entry_for_patrol(origin, patrol)
    return patrol


# --- Track ingest ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FixIn:
    """One fix as a device sent it (speed in m/s, battery 0–100)."""

    time: dt.datetime
    lon: float
    lat: float
    accuracy: float | None = None
    speed: float | None = None
    bearing: float | None = None
    altitude: float | None = None
    battery: float | None = None
    mock: bool = False


@dataclass(frozen=True)
class IngestResult:
    stored: int
    duplicates: int


#: The bounds of a fix's optional numbers (the API's schema says the same).
BOUNDS = (
    ("accuracy", 0, 100_000),
    ("speed", 0, 1000),
    ("bearing", 0, 360),
    ("altitude", -1000, 10_000),
    ("battery", 0, 100),
)
_COLUMNS = (
    "worker_id",
    "token_id",
    "patrol_id",
    "device_time",
    "server_time",
    "lon",
    "lat",
    "accuracy",
    "speed",
    "bearing",
    "altitude",
    "battery",
    "mock",
    "source",
)


def _fix_check(fix: FixIn, index: int, now: dt.datetime) -> None:
    problems = []
    if not (math.isfinite(fix.lon) and -180 <= fix.lon <= 180):
        problems.append(("lon", _("经度超出范围 [-180, 180]")))
    if not (math.isfinite(fix.lat) and -90 <= fix.lat <= 90):
        problems.append(("lat", _("纬度超出范围 [-90, 90]")))
    for name, low, high in BOUNDS:
        value = getattr(fix, name)
        if value is not None and not (math.isfinite(value) and low <= value <= high):
            problems.append(
                (name, _("%(field)s 应在 %(low)s 与 %(high)s 之间") % {"field": name, "low": low, "high": high})
            )
    if problems:
        _field, message = problems[0]
        raise ValidationFailed(
            _("第 %(number)d 个定位点无效：%(message)s") % {"number": index + 1, "message": message},
            code="fix_invalid",
            details=[{"field": f"points.{index}.{name}", "message": text} for name, text in problems],
        )
    try:
        _bounded_time(fix.time, f"points.{index}.time", now)
    except ValidationFailed as error:
        raise ValidationFailed(
            _("第 %(number)d 个定位点的时间无效：%(message)s") % {"number": index + 1, "message": error.message},
            code=error.code,
            details=error.details,
        ) from None


def track_ingest(
    worker: User,
    fixes: list[FixIn],
    *,
    token_id: int | None = None,
    patrol_id: int | None = None,
    source: str = TrackSource.APP,
    now: dt.datetime | None = None,
) -> IngestResult:
    """Store a batch of fixes, each once: a fix is identified by (worker, device time), so a batch sent again, or
    overlapping one already sent, stores only what is new. The whole batch goes in one INSERT … ON CONFLICT DO
    NOTHING (per chunk the database allows); a bad fix refuses the whole batch, naming it."""
    if not 1 <= len(fixes) <= MAX_BATCH:
        raise ValidationFailed(
            _("每批定位点应为 1 到 %(limit)d 个") % {"limit": MAX_BATCH}, code="batch_size", details={"field": "points"}
        )
    now = now or timezone.now()
    for index, fix in enumerate(fixes):
        _fix_check(fix, index, now)
    if patrol_id is not None and not Patrol.objects.filter(pk=patrol_id, worker=worker).exists():
        raise NotFound(_("巡查不存在"), code="patrol_not_found")
    unique = {fix.time: fix for fix in reversed(fixes)}  # the first of equal times wins
    ordered = sorted(unique.values(), key=lambda fix: fix.time)
    stored = _insert(worker.pk, ordered, token_id=token_id, patrol_id=patrol_id, source=source, now=now)
    return IngestResult(stored=stored, duplicates=len(fixes) - stored)


def _insert(
    worker_id: int, fixes: list[FixIn], *, token_id: int | None, patrol_id: int | None, source: str, now: dt.datetime
) -> int:
    table = connection.ops.quote_name(TrackPoint._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(column) for column in _COLUMNS)
    adapt = connection.ops.adapt_datetimefield_value
    arrived = adapt(now)
    rows = [
        (worker_id, token_id, patrol_id, adapt(fix.time), arrived, fix.lon, fix.lat, fix.accuracy, fix.speed,
         fix.bearing, fix.altitude, fix.battery, fix.mock, source)
        for fix in fixes
    ]  # fmt: skip
    chunk = max(1, (connection.features.max_query_params or 999_999) // len(_COLUMNS))
    placeholders = "(" + ", ".join(["%s"] * len(_COLUMNS)) + ")"
    stored = 0
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, len(rows), chunk):
            part = rows[start : start + chunk]
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {', '.join([placeholders] * len(part))} "
                "ON CONFLICT (worker_id, device_time) DO NOTHING",
                [value for row in part for value in row],
            )
            stored += max(cursor.rowcount, 0)
    return stored


# --- OsmAnd / Traccar Client ----------------------------------------------------------------------------------
def _number(params: Mapping[str, Any], *names: str) -> float | None:
    for name in names:
        raw = params.get(name)
        if raw is None or raw == "":
            continue
        try:
            value = float(raw)
        except (TypeError, ValueError):
            raise ValidationFailed(
                _("参数 %(name)s 应为数字") % {"name": name}, code="osmand_invalid", details={"field": name}
            ) from None
        if not math.isfinite(value):
            raise ValidationFailed(
                _("参数 %(name)s 应为数字") % {"name": name}, code="osmand_invalid", details={"field": name}
            )
        return value
    return None


def osmand_time(raw: Any) -> dt.datetime:
    """OsmAnd's ``timestamp``: seconds or milliseconds since the epoch, or ISO 8601 (UTC when it names no zone)."""
    text = str(raw).strip()
    try:
        if text.replace(".", "", 1).isdigit():
            value = float(text)
            return dt.datetime.fromtimestamp(value / 1000 if value > 1e11 else value, tz=dt.UTC)
        moment = dt.datetime.fromisoformat(text.replace(" ", "T"))
    except (ValueError, OverflowError, OSError):
        raise ValidationFailed(
            _("无法识别的时间戳：%(value)s") % {"value": text[:40]},
            code="osmand_invalid",
            details={"field": "timestamp"},
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def osmand_decode(params: Mapping[str, Any]) -> tuple[str, FixIn]:
    """The tracker id and the fix of one OsmAnd request (query or form fields; ``speed`` in knots) or of the JSON
    body Traccar Client sends (``device_id`` and ``location.coords``, speed in m/s)."""
    location = params.get("location")
    if isinstance(location, Mapping):
        coords: Mapping[str, Any] = location["coords"] if isinstance(location.get("coords"), Mapping) else {}
        battery: Mapping[str, Any] = location["battery"] if isinstance(location.get("battery"), Mapping) else {}
        level = _number(battery, "level")
        tracker = str(params.get("device_id") or "")
        flat: dict[str, Any] = {"timestamp": location.get("timestamp"), **coords}
        speed = _number(flat, "speed")
        fix_params: dict[str, Any] = {
            "time": flat.get("timestamp"),
            "lat": _number(flat, "latitude"),
            "lon": _number(flat, "longitude"),
            "speed": speed if speed is None or speed >= 0 else None,
            "bearing": _number(flat, "heading"),
            "altitude": _number(flat, "altitude"),
            "accuracy": _number(flat, "accuracy"),
            "battery": level * 100 if level is not None and 0 <= level <= 1 else None,
            "mock": bool(location.get("mock")),
        }
    else:
        tracker = str(params.get("id") or params.get("deviceid") or "")
        knots = _number(params, "speed")
        fix_params = {
            "time": params.get("timestamp"),
            "lat": _number(params, "lat"),
            "lon": _number(params, "lon"),
            "speed": knots * KNOT_M_S if knots is not None else None,
            "bearing": _number(params, "bearing", "heading"),
            "altitude": _number(params, "altitude"),
            "accuracy": _number(params, "accuracy", "hdop"),
            "battery": _number(params, "batt", "battery"),
            "mock": str(params.get("mock", "")).lower() in ("1", "true"),
        }
    if not tracker or len(tracker) > 64:
        raise ValidationFailed(_("缺少设备标识 id"), code="osmand_invalid", details={"field": "id"})
    missing = [name for name in ("time", "lat", "lon") if fix_params[name] is None]
    if missing:
        raise ValidationFailed(
            _("缺少参数：%(names)s") % {"names": ", ".join(missing)},
            code="osmand_invalid",
            details=[{"field": name, "message": _("必填")} for name in missing],
        )
    fix_params["time"] = osmand_time(fix_params["time"])
    return tracker, FixIn(**fix_params)


def osmand_ingest(params: Mapping[str, Any], *, now: dt.datetime | None = None) -> IngestResult:
    """One OsmAnd fix, stored for the worker whose live device token carries its tracker id. An unknown tracker
    (``device_unknown``), a revoked or idle token or an inactive worker (``device_revoked``) is refused with 403."""
    tracker, fix = osmand_decode(params)
    token = token_of_tracker(tracker)
    if token is None:
        if ApiToken.objects.filter(tracker_id=tracker).exists():
            raise PermissionDenied(_("设备已注销或长期未用，请在网格助手中重新配对"), code="device_revoked")
        raise PermissionDenied(_("设备未登记，请在网格助手中查看配对信息"), code="device_unknown")
    return track_ingest(token.user, [fix], token_id=token.pk, source=TrackSource.OSMAND, now=now)


# --- Check-ins ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CheckInData:
    kind: str
    lon: float
    lat: float
    accuracy: float
    device_time: dt.datetime
    point_id: int | None = None
    photo: bytes | None = None
    photo_extension: str = "jpg"


def checkin_make(origin: Origin, data: CheckInData, *, now: dt.datetime | None = None) -> CheckIn:
    """签到 at a planned point (within its radius) or at shift start/end (inside the worker's grid plus the buffer),
    with an accuracy no worse than the limit. The device clock's difference from the server's is kept and flagged
    beyond ``CHECKIN_CLOCK_SKEW_SECONDS``."""
    worker = field_worker(origin.actor)
    now = now or timezone.now()
    if data.kind not in CheckInKind.values:
        raise ValidationFailed(_("未知的签到类型"), code="checkin_kind_unknown", details={"field": "kind"})
    if not (-180 <= data.lon <= 180 and -90 <= data.lat <= 90 and math.isfinite(data.lon + data.lat)):
        raise ValidationFailed(_("坐标超出范围"), code="coordinates_out_of_range", details={"field": "lon"})
    if timezone.is_naive(data.device_time):
        raise ValidationFailed(
            _("时间须带时区（ISO 8601 偏移）"), code="time_without_offset", details={"field": "device_time"}
        )
    limit = settings.CHECKIN_MAX_ACCURACY_M
    if not math.isfinite(data.accuracy) or data.accuracy < 0 or data.accuracy > limit:
        raise Unprocessable(
            _("定位精度 %(accuracy).0f 米，需优于 %(limit)d 米，请到开阔处重试")
            % {"accuracy": data.accuracy, "limit": limit},
            code="accuracy_too_low",
            details={"accuracy_m": round(data.accuracy, 1), "limit_m": limit},
        )
    point: CheckPoint | None = None
    if data.kind == CheckInKind.POINT and data.point_id is None:
        raise ValidationFailed(_("点位签到须指明签到点"), code="point_required", details={"field": "point_id"})
    if data.point_id is not None:
        point = access_checkpoint(worker, data.point_id)
        distance = distance_m(data.lon, data.lat, point.lon, point.lat)
        if distance > point.radius_m:
            raise Unprocessable(
                _("距签到点 %(distance).0f 米，超出 %(radius)d 米范围")
                % {"distance": distance, "radius": point.radius_m},
                code="outside_geofence",
                details={"distance_m": round(distance, 1), "radius_m": point.radius_m},
            )
        grid = point.grid
    else:
        grid, distance = _shift_fence(worker, data.lon, data.lat)
    skew = round((data.device_time - now).total_seconds())
    skew = max(-(2**31 - 1), min(2**31 - 1, skew))
    checkin = CheckIn(
        worker=worker,
        kind=data.kind,
        point=point,
        grid=grid,
        lon=data.lon,
        lat=data.lat,
        accuracy=data.accuracy,
        device_time=data.device_time,
        server_time=now,
        clock_skew_s=skew,
        flagged_clock=abs(skew) > settings.CHECKIN_CLOCK_SKEW_SECONDS,
        distance_m=round(distance, 1),
    )
    if data.photo:
        checkin.photo_sha256 = hashlib.sha256(data.photo).hexdigest()
        checkin.photo.save(f"photo.{data.photo_extension}", ContentFile(data.photo), save=False)
    try:
        with transaction.atomic():
            checkin.save()
            audit_record(
                origin,
                AuditAction.CREATE,
                checkin,
                area_code=grid.code,
                detail={"kind": data.kind, "flagged_clock": checkin.flagged_clock},
            )
    except Exception:
        if checkin.photo:
            checkin.photo.delete(save=False)
        raise
    return checkin


def _shift_fence(worker: User, lon: float, lat: float) -> tuple[Any, float]:
    """The worker's area holding the point (within the buffer) and the distance to it; refused outside."""
    fences = worker_fences(worker)
    if not fences:
        raise Unprocessable(_("未分配网格，无法签到"), code="no_grid")
    buffer_m = settings.FIELD_GRID_BUFFER_M
    best: tuple[Any, float] | None = None
    for area, shape in fences:
        if shapely.contains_xy(buffered_fence(shape, buffer_m), lon, lat):
            inside = shapely.contains_xy(shape, lon, lat)
            return area, 0.0 if inside else _distance_to_shape_m(shape, lon, lat)
        gap = _distance_to_shape_m(shape, lon, lat)
        if best is None or gap < best[1]:
            best = (area, gap)
    assert best is not None
    raise Unprocessable(
        _("不在网格范围内（距网格 %(distance).0f 米）") % {"distance": best[1]},
        code="outside_geofence",
        details={"distance_m": round(best[1], 1), "radius_m": buffer_m},
    )


def _distance_to_shape_m(shape: Any, lon: float, lat: float) -> float:
    nearest = shapely.shortest_line(shapely.Point(lon, lat), shape).coords[-1]
    return distance_m(lon, lat, nearest[0], nearest[1])
