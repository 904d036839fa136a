"""Field work endpoints under /api/v1/ (contract §C): patrols, GPS tracks (the app's batches and OsmAnd/Traccar
requests), check-ins, planned points, a worker's track of a day and the daily metrics."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from audit.models import Channel
from audit.services import Origin
from fieldwork import services
from fieldwork.models import CheckIn, CheckPoint, DailyMetric, Patrol
from fieldwork.selectors import (
    checkpoints_of,
    daily_metrics_list,
    patrols_list,
    track_of_day,
)
from gridgov.apikit import ERRORS, BodyIn, PathId, RecordId, Window, absent
from gridgov.errors import Unprocessable, ValidationFailed

router = Router(tags=["fieldwork"])

GridCode = Annotated[str, Field(pattern=r"^[0-9]{1,15}$")]
Digest = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


def _origin(request: HttpRequest) -> Origin:
    return Origin.of_request(request, Channel.API)


# --- Patrols --------------------------------------------------------------------------------------------------
class PatrolOut(Schema):
    id: int
    worker_id: int
    grid_code: str
    started_at: dt.datetime
    ended_at: dt.datetime | None

    @staticmethod
    def of(patrol: Patrol) -> dict[str, Any]:
        return {
            "id": patrol.pk,
            "worker_id": patrol.worker_id,
            "grid_code": patrol.grid.code,
            "started_at": patrol.started_at,
            "ended_at": patrol.ended_at,
        }


class PatrolStartIn(BodyIn):
    grid_code: GridCode | None = absent()
    started_at: dt.datetime | None = absent()


class PatrolEndIn(BodyIn):
    ended_at: dt.datetime | None = absent()


@router.post(
    "/patrols", response={201: PatrolOut, **ERRORS}, summary="Start a patrol (the worker's own grid by default)"
)
def patrol_start(request: HttpRequest, payload: PatrolStartIn) -> tuple[int, dict[str, Any]]:
    patrol = services.patrol_start(_origin(request), grid_code=payload.grid_code, started_at=payload.started_at)
    return 201, PatrolOut.of(patrol)


@router.post("/patrols/{patrol_id}/end", response={200: PatrolOut, **ERRORS}, summary="End one's own patrol")
def patrol_end(request: HttpRequest, patrol_id: PathId, payload: PatrolEndIn | None = None) -> dict[str, Any]:
    ended_at = payload.ended_at if payload is not None else None
    return PatrolOut.of(services.patrol_end(_origin(request), patrol_id, ended_at=ended_at))


class PatrolFilter(Schema):
    mine: bool = True
    date: dt.date | None = None


@router.get("/patrols", response={200: list[PatrolOut], **ERRORS}, summary="Patrols: one's own, or those in scope")
def patrol_list(request: HttpRequest, filters: Query[PatrolFilter], window: Query[Window]) -> list[dict[str, Any]]:
    rows = patrols_list(request.user, mine=filters.mine, day=filters.date)
    return [PatrolOut.of(patrol) for patrol in window.of(rows)]


# --- Tracks ---------------------------------------------------------------------------------------------------
class FixIn(Schema):
    time: dt.datetime = Field(description="ISO 8601 with offset, or epoch milliseconds")
    lon: float = Field(ge=-180, le=180, allow_inf_nan=False)
    lat: float = Field(ge=-90, le=90, allow_inf_nan=False)
    accuracy: float | None = Field(None, ge=0, le=100_000, allow_inf_nan=False)
    speed: float | None = Field(None, ge=0, le=1000, description="m/s", allow_inf_nan=False)
    bearing: float | None = Field(None, ge=0, le=360, allow_inf_nan=False)
    altitude: float | None = Field(None, ge=-1000, le=10_000, allow_inf_nan=False)
    battery: float | None = Field(None, ge=0, le=100, allow_inf_nan=False)
    mock: bool = False


class TrackIn(BodyIn):
    patrol_id: RecordId | None = absent()
    points: list[FixIn] = Field(min_length=1, max_length=services.MAX_BATCH)


class IngestOut(Schema):
    stored: int
    duplicates: int


@router.post("/tracks", response={200: IngestOut, **ERRORS}, summary="Send a batch of GPS fixes (each stored once)")
def track_upload(request: HttpRequest, payload: TrackIn) -> dict[str, int]:
    fixes = [services.FixIn(**point.model_dump()) for point in payload.points]
    result = services.track_ingest(services.field_worker(request.user), fixes, patrol_id=payload.patrol_id)
    return {"stored": result.stored, "duplicates": result.duplicates}


def _osmand_params(request: HttpRequest) -> dict[str, Any]:
    params: dict[str, Any] = dict(request.GET.items())
    if request.method == "POST":
        if request.content_type == "application/json":
            try:
                body = json.loads(request.body or b"{}")
            except (ValueError, UnicodeDecodeError):
                raise ValidationFailed("请求体无法解析（应为 JSON 对象）", code="bad_request_body") from None
            if not isinstance(body, dict):
                raise ValidationFailed("请求体无法解析（应为 JSON 对象）", code="bad_request_body")
            params.update(body)
        else:
            params.update(request.POST.items())
    return params


@router.api_operation(
    ["GET", "POST"],
    "/tracks/osmand",
    auth=None,
    response={200: IngestOut, **ERRORS},
    summary="One fix in the OsmAnd protocol (Traccar Client): id = the device's tracker id; speed in knots",
)
def track_osmand(request: HttpRequest) -> dict[str, int]:
    result = services.osmand_ingest(_osmand_params(request))
    return {"stored": result.stored, "duplicates": result.duplicates}


class TrackFixOut(Schema):
    time: dt.datetime
    lon: float
    lat: float
    accuracy: float | None


class StopOut(Schema):
    started_at: dt.datetime
    ended_at: dt.datetime
    seconds: int
    lon: float
    lat: float


class TrackDayOut(Schema):
    worker_id: int
    worker_name: str
    date: dt.date
    distance_m: float
    fixes: list[TrackFixOut]
    dropped: dict[str, int]
    stops: list[StopOut]


def _moment(seconds: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, tz=dt.UTC)


@router.get(
    "/workers/{worker_id}/track",
    response={200: TrackDayOut, **ERRORS},
    summary="A worker's filtered track of a day with stops (one's own; leaders: their area's, audited)",
)
def worker_track(request: HttpRequest, worker_id: PathId, date: dt.date) -> dict[str, Any]:
    track = track_of_day(_origin(request), worker_id, date)
    kept = track.kept
    return {
        "worker_id": track.worker.pk,
        "worker_name": str(track.worker),
        "date": track.day,
        "distance_m": round(track.distance_m, 1),
        "fixes": [
            {"time": _moment(time), "lon": lon, "lat": lat, "accuracy": None if accuracy != accuracy else accuracy}
            for time, lon, lat, accuracy in zip(
                kept.times.tolist(), kept.lons.tolist(), kept.lats.tolist(), kept.accuracy.tolist(), strict=True
            )
        ],
        "dropped": track.dropped,
        "stops": [
            {
                "started_at": _moment(stop.started),
                "ended_at": _moment(stop.ended),
                "seconds": round(stop.seconds),
                "lon": stop.lon,
                "lat": stop.lat,
            }
            for stop in track.stops
        ],
    }


# --- Check-ins and planned points -------------------------------------------------------------------------------
class CheckInIn(BodyIn):
    kind: Literal["shift_start", "shift_end", "point"]
    point_id: RecordId | None = absent()
    lon: float = Field(ge=-180, le=180, allow_inf_nan=False)
    lat: float = Field(ge=-90, le=90, allow_inf_nan=False)
    accuracy: float = Field(ge=0, le=100_000, allow_inf_nan=False)
    device_time: dt.datetime
    photo_sha256: Digest | None = absent()


class CheckInOut(Schema):
    id: int
    accepted: bool
    kind: str
    grid_code: str
    point_id: int | None
    distance_m: float | None
    clock_skew_s: int
    flagged_clock: bool

    @staticmethod
    def of(checkin: CheckIn) -> dict[str, Any]:
        return {
            "id": checkin.pk,
            "accepted": True,
            "kind": checkin.kind,
            "grid_code": checkin.grid.code,
            "point_id": checkin.point_id,
            "distance_m": checkin.distance_m,
            "clock_skew_s": checkin.clock_skew_s,
            "flagged_clock": checkin.flagged_clock,
        }


def _uploaded_photo(request: HttpRequest, digest: str) -> bytes:
    """The bytes of the user's upload with this digest (``POST /api/v1/uploads``)."""
    raise Unprocessable("照片尚未上传", code="photo_missing", details={"field": "photo_sha256", "message": digest})


@router.post("/checkins", response={201: CheckInOut, **ERRORS}, summary="签到 at a planned point or a shift start/end")
def checkin_create(request: HttpRequest, payload: CheckInIn) -> tuple[int, dict[str, Any]]:
    photo = _uploaded_photo(request, payload.photo_sha256) if payload.photo_sha256 else None
    data = services.CheckInData(
        kind=payload.kind,
        lon=payload.lon,
        lat=payload.lat,
        accuracy=payload.accuracy,
        device_time=payload.device_time,
        point_id=payload.point_id,
        photo=photo,
    )
    return 201, CheckInOut.of(services.checkin_make(_origin(request), data))


class CheckPointOut(Schema):
    id: int
    name: str
    grid_code: str
    lon: float
    lat: float
    radius_m: int
    kind: str

    @staticmethod
    def of(point: CheckPoint) -> dict[str, Any]:
        return {
            "id": point.pk,
            "name": point.name,
            "grid_code": point.grid.code,
            "lon": point.lon,
            "lat": point.lat,
            "radius_m": point.radius_m,
            "kind": point.kind,
        }


@router.get(
    "/checkpoints", response={200: list[CheckPointOut], **ERRORS}, summary="The planned check-in points in scope"
)
def checkpoint_list(request: HttpRequest, window: Query[Window]) -> list[dict[str, Any]]:
    return [CheckPointOut.of(point) for point in window.of(checkpoints_of(request.user).select_related("grid"))]


# --- Daily metrics ----------------------------------------------------------------------------------------------
class DailyMetricOut(Schema):
    worker_id: int
    worker_name: str
    day: dt.date
    grid_code: str | None
    fixes: int
    distance_m: float
    on_duty_s: int
    scheduled_s: int
    on_duty_rate: float | None
    off_grid_events: int
    off_grid_s: int
    coverage_buildings: list[int]
    coverage_points: list[int]
    coverage_households: list[int]
    reports: int
    computed_at: dt.datetime

    @staticmethod
    def of(row: DailyMetric) -> dict[str, Any]:
        return {
            "worker_id": row.worker_id,
            "worker_name": str(row.worker),
            "day": row.day,
            "grid_code": row.grid.code if row.grid else None,
            "fixes": row.fixes,
            "distance_m": row.distance_m,
            "on_duty_s": row.on_duty_s,
            "scheduled_s": row.scheduled_s,
            "on_duty_rate": row.on_duty_rate,
            "off_grid_events": row.off_grid_events,
            "off_grid_s": row.off_grid_s,
            "coverage_buildings": [row.coverage_buildings_num, row.coverage_buildings_den],
            "coverage_points": [row.coverage_points_num, row.coverage_points_den],
            "coverage_households": [row.coverage_households_num, row.coverage_households_den],
            "reports": row.reports,
            "computed_at": row.computed_at,
        }


@router.get(
    "/daily-metrics",
    response={200: list[DailyMetricOut], **ERRORS},
    summary="Daily field metrics of a day: one's own; leaders: their area's",
)
def daily_metric_list(request: HttpRequest, date: dt.date, window: Query[Window]) -> list[dict[str, Any]]:
    return [DailyMetricOut.of(row) for row in window.of(daily_metrics_list(request.user, date))]
