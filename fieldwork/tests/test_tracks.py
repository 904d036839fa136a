"""GPS tracks end to end: batches through the API, the filtered track of a day, daily metrics with known answers."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import ApiToken, TokenKind
from audit.models import AuditAction, AuditEntry
from fieldwork.metrics import day_metrics_compute, metric_values
from fieldwork.models import DailyMetric, Patrol, TrackPoint
from fieldwork.services import FixIn, osmand_decode, track_ingest
from fieldwork.tracks import METRES_PER_DEGREE
from gridgov.errors import ValidationFailed
from gridgov.testing import World
from registry.tests.factories import BuildingFactory, HouseholdFactory

DAY = dt.date(2026, 1, 5)  # a Monday, a working day: the default shift 08:30–17:30 applies
ZONE = dt.timezone(dt.timedelta(hours=8))
TEN_AM = dt.datetime(2026, 1, 5, 10, tzinfo=ZONE)
NORTH_STEP = 36 / METRES_PER_DEGREE  # 36 m of latitude: 1.2 m/s at one fix every 30 s


def fix(seconds: float, lon: float, lat: float, **extra: Any) -> dict[str, Any]:
    return {
        "time": (TEN_AM + dt.timedelta(seconds=seconds)).isoformat(),
        "lon": lon,
        "lat": lat,
        "accuracy": 8,
        **extra,
    }


def walk_north(metres: float, *, lon: float = 116.405, lat: float = 39.902, step_s: int = 30) -> list[dict[str, Any]]:
    """A straight walk north at 1.2 m/s, one fix every ``step_s`` seconds, ``metres`` long."""
    steps = round(metres / 36)
    return [fix(index * step_s, lon, lat + index * NORTH_STEP) for index in range(steps + 1)]


def send(client: Client, points: list[dict[str, Any]], **body: Any) -> Any:
    return client.post("/api/v1/tracks", json.dumps({"points": points, **body}), content_type="application/json")


def track(client: Client, worker_id: int, day: dt.date = DAY) -> dict[str, Any]:
    response = client.get(f"/api/v1/workers/{worker_id}/track?date={day.isoformat()}")
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def worker_a(world: World) -> Any:
    return world.user("grid_worker_a")


def test_a_straight_kilometre_at_30_s_fixes_measures_1000_m(world: World, worker_a: Any) -> None:
    client = world.client("grid_worker_a")
    response = send(client, walk_north(1000))
    assert response.status_code == 200, response.content
    assert response.json() == {"stored": 29, "duplicates": 0}
    body = track(client, worker_a.pk)
    assert len(body["fixes"]) == 29 and body["dropped"] == {}
    assert body["distance_m"] == pytest.approx(1000, rel=0.01)
    assert day_metrics_compute(DAY, [worker_a.pk]) == 1
    assert DailyMetric.objects.get(worker=worker_a, day=DAY).distance_m == pytest.approx(1000, rel=0.01)


def test_a_5_km_jump_in_10_s_is_filtered_out(world: World, worker_a: Any) -> None:
    points = walk_north(500)
    jump = fix(30 * 5 + 10, 116.405 + 5000 / (METRES_PER_DEGREE * 0.7672), 39.902)  # 5 km east, 10 s after a fix
    client = world.client("grid_worker_a")
    assert send(client, [*points, jump]).json()["stored"] == len(points) + 1
    body = track(client, worker_a.pk)
    assert body["dropped"] == {"fast": 1}
    assert body["distance_m"] == pytest.approx(36 * (len(points) - 1), rel=0.01)


def test_poor_accuracy_mock_and_future_fixes_are_left_out_when_read(world: World, worker_a: Any) -> None:
    points = walk_north(360)
    points[2]["accuracy"] = 80
    points[4]["mock"] = True
    later = timezone.now() + dt.timedelta(hours=3)
    today = timezone.localdate()
    client = world.client("grid_worker_a")
    send(client, points)
    send(client, [{"time": later.isoformat(), "lon": 116.405, "lat": 39.91, "accuracy": 5}])
    assert track(client, worker_a.pk)["dropped"] == {"inaccurate": 1, "mock": 1}
    if timezone.localdate(later) == today:  # the future fix is read on its own day
        assert track(client, worker_a.pk, today)["dropped"] == {"future": 1}


def test_a_batch_sent_twice_stores_once(world: World, worker_a: Any) -> None:
    client = world.client("grid_worker_a")
    points = walk_north(300)
    assert send(client, points).json() == {"stored": 9, "duplicates": 0}
    assert send(client, points).json() == {"stored": 0, "duplicates": 9}
    assert send(client, [*points[-2:], fix(400, 116.405, 39.91)]).json() == {"stored": 1, "duplicates": 2}
    assert TrackPoint.objects.filter(worker=worker_a).count() == 10


def test_fixes_sent_out_of_order_are_stored_in_time_order(world: World, worker_a: Any) -> None:
    points = walk_north(180)
    shuffled = [points[3], points[0], points[5], points[1], points[4], points[2], points[0]]
    client = world.client("grid_worker_a")
    assert send(client, shuffled).json() == {"stored": 6, "duplicates": 1}
    stored = list(TrackPoint.objects.filter(worker=worker_a).order_by("id").values_list("device_time", flat=True))
    assert stored == sorted(stored)
    times = [item["time"] for item in track(client, worker_a.pk)["fixes"]]
    assert times == sorted(times) and len(times) == 6


def test_a_bad_fix_refuses_the_whole_batch_naming_it(world: World, worker_a: Any) -> None:
    points = walk_north(180)
    points[3]["time"] = "2026-01-05T10:00:00"  # no offset
    response = send(world.client("grid_worker_a"), points)
    assert response.status_code == 400
    assert response.json()["code"] == "time_without_offset"
    assert response.json()["details"][0]["field"] == "points.3.time"
    assert not TrackPoint.objects.exists()
    too_many = [fix(index * 10, 116.405, 39.902) for index in range(501)]
    assert send(world.client("grid_worker_a"), too_many).status_code == 422


def test_a_batch_names_only_the_workers_own_patrol(world: World, worker_a: Any) -> None:
    other = Patrol.objects.create(worker=world.user("grid_worker_b"), grid=world.grid_b, started_at=TEN_AM)
    response = send(world.client("grid_worker_a"), walk_north(100), patrol_id=other.pk)
    assert response.status_code == 404 and response.json()["code"] == "patrol_not_found"
    own = Patrol.objects.create(worker=worker_a, grid=world.grid_a, started_at=TEN_AM)
    assert send(world.client("grid_worker_a"), walk_north(100), patrol_id=own.pk).status_code == 200
    assert set(TrackPoint.objects.values_list("patrol_id", flat=True)) == {own.pk}


def test_only_field_roles_send_tracks(world: World) -> None:
    response = send(world.client("dispatcher"), walk_north(100))
    assert response.status_code == 403 and response.json()["code"] == "not_field_worker"


def test_twenty_minutes_outside_the_grid_is_one_off_grid_event_of_1200_s(world: World, worker_a: Any) -> None:
    """Grid A's west edge is 116.40: 17 m inside, then 68 m outside (beyond the 50 m buffer) for 20 minutes."""
    inside, outside = 116.4002, 116.3992
    points = [fix(second, inside, 39.91) for second in range(0, 600, 30)]
    points += [fix(second, outside, 39.91) for second in range(600, 1800, 30)]
    points += [fix(second, inside, 39.91) for second in range(1800, 2400, 30)]
    track_ingest(
        worker_a,
        [FixIn(time=dt.datetime.fromisoformat(p["time"]), lon=p["lon"], lat=p["lat"], accuracy=8) for p in points],
    )
    day_metrics_compute(DAY, [worker_a.pk])
    row = DailyMetric.objects.get(worker=worker_a, day=DAY)
    assert (row.off_grid_events, row.off_grid_s) == (1, 1200)
    assert row.on_duty_s == 20 * 30 + 19 * 30  # gaps starting inside: 20 before leaving, 19 after coming back
    assert row.scheduled_s == 9 * 3600 and row.on_duty_rate == round(1170 / (9 * 3600), 4)
    assert row.grid_id == world.grid_a.pk


def test_a_short_spell_outside_is_no_event(world: World, worker_a: Any) -> None:
    points = [fix(second, 116.4002, 39.91) for second in range(0, 300, 30)]
    points += [fix(second, 116.3992, 39.91) for second in range(300, 900, 30)]  # 10 minutes
    points += [fix(second, 116.4002, 39.91) for second in range(900, 1200, 30)]
    send(world.client("grid_worker_a"), points)
    day_metrics_compute(DAY, [worker_a.pk])
    row = DailyMetric.objects.get(worker=worker_a, day=DAY)
    assert (row.off_grid_events, row.off_grid_s) == (0, 0)


def test_recomputing_a_day_gives_identical_rows(world: World, worker_a: Any) -> None:
    near = BuildingFactory.create(grid=world.grid_a, lon=116.4052, lat=39.9025)  # ~20 m from the walk
    BuildingFactory.create(grid=world.grid_a, lon=116.409, lat=39.915)  # far from it
    HouseholdFactory.create(house__building=near, house__grid=world.grid_a, grid=world.grid_a)
    send(world.client("grid_worker_a"), walk_north(1000))
    send(world.client("grid_worker_b"), walk_north(500, lon=116.415))
    workers = [worker_a.pk, world.user("grid_worker_b").pk]
    assert day_metrics_compute(DAY) >= 2
    first = {row.worker_id: metric_values(row) for row in DailyMetric.objects.filter(day=DAY)}
    assert day_metrics_compute(DAY) == len(first)
    again = {row.worker_id: metric_values(row) for row in DailyMetric.objects.filter(day=DAY)}
    assert again == first and DailyMetric.objects.filter(day=DAY).count() == len(first)
    row_a = first[worker_a.pk]
    buildings_a = world.grid_a.buildings.count()
    assert (row_a["coverage_buildings_num"], row_a["coverage_buildings_den"]) == (1, buildings_a)
    assert (row_a["coverage_households_num"], row_a["coverage_households_den"]) == (1, 1)
    assert first[workers[1]]["distance_m"] == pytest.approx(500, rel=0.02)


def test_osmand_requests_are_decoded_in_seconds_milliseconds_and_iso() -> None:
    expected = dt.datetime(2026, 1, 5, 2, 0, tzinfo=dt.UTC)
    base = {"id": "abc123", "lat": "39.91", "lon": "116.405", "speed": "2", "bearing": "90", "batt": "77"}
    for stamp in ("1767578400", "1767578400000", "2026-01-05T02:00:00Z", "2026-01-05T10:00:00+08:00"):
        tracker, decoded = osmand_decode({**base, "timestamp": stamp})
        assert tracker == "abc123" and decoded.time == expected, stamp
    assert decoded.speed == pytest.approx(2 * 1852 / 3600)  # knots to m/s
    assert (decoded.lon, decoded.lat, decoded.bearing, decoded.battery) == (116.405, 39.91, 90, 77)
    _tracker, json_fix = osmand_decode(
        {
            "device_id": "abc123",
            "location": {
                "timestamp": "2026-01-05T02:00:00.000Z",
                "coords": {"latitude": 39.91, "longitude": 116.405, "speed": 1.5, "accuracy": 6},
                "battery": {"level": 0.5},
                "mock": True,
            },
        }
    )
    assert (json_fix.time, json_fix.speed, json_fix.battery, json_fix.mock) == (expected, 1.5, 50, True)
    for broken in ({**base}, {**base, "timestamp": "yesterday"}, {**base, "timestamp": "1767578400", "lat": "x"}):
        with pytest.raises(ValidationFailed):
            osmand_decode(broken)


def test_a_worker_sees_only_their_own_track_leaders_their_areas(world: World, worker_a: Any) -> None:
    send(world.client("grid_worker_a"), walk_north(300))
    url = f"/api/v1/workers/{worker_a.pk}/track?date={DAY.isoformat()}"
    assert world.client("grid_worker_a").get(url).status_code == 200
    assert not AuditEntry.objects.filter(action=AuditAction.VIEW, object_type="accounts.user").exists()
    for persona in ("grid_worker_b", "department_handler"):
        response = world.client(persona).get(url)
        assert response.status_code == 404 and response.json()["code"] == "worker_not_found", persona
    for persona in ("community_staff", "street_leader", "dispatcher", "administrator"):
        body = world.client(persona).get(url).json()
        assert len(body["fixes"]) == 9, persona
    views = AuditEntry.objects.filter(action=AuditAction.VIEW, object_type="accounts.user", object_id=str(worker_a.pk))
    assert sorted(views.values_list("actor__username", flat=True)) == [
        "administrator",
        "community",
        "dispatcher",
        "street",
    ]
    assert {entry.detail["track_day"] for entry in views} == {DAY.isoformat()}
    assert {entry.area_code for entry in views} == {world.grid_a.code}


def test_daily_metrics_read_by_scope(world: World, worker_a: Any) -> None:
    send(world.client("grid_worker_a"), walk_north(300))
    send(world.client("grid_worker_b"), walk_north(300, lon=116.415))
    day_metrics_compute(DAY)
    url = f"/api/v1/daily-metrics?date={DAY.isoformat()}"
    own = world.client("grid_worker_a").get(url).json()
    assert [row["worker_id"] for row in own] == [worker_a.pk]
    street = {row["worker_id"] for row in world.client("street_leader").get(url).json()}
    assert {worker_a.pk, world.user("grid_worker_b").pk} <= street
    assert world.client("department_handler").get(url).json() == []


def test_osmand_fixes_are_stored_for_the_device_tokens_worker(world: World, worker_a: Any) -> None:
    token, _key = ApiToken.issue(worker_a, "手机", TokenKind.DEVICE)
    anonymous = Client()
    url = f"/api/v1/tracks/osmand?id={token.tracker_id}&lat=39.91&lon=116.405&timestamp=1767578400&speed=2&batt=60"
    assert anonymous.get(url).json() == {"stored": 1, "duplicates": 0}
    assert anonymous.post(url).json() == {"stored": 0, "duplicates": 1}  # Traccar Client's POST, resent
    body = {
        "device_id": token.tracker_id,
        "location": {"timestamp": "2026-01-05T02:00:30Z", "coords": {"latitude": 39.9103, "longitude": 116.405}},
    }
    assert anonymous.post("/api/v1/tracks/osmand", json.dumps(body), content_type="application/json").status_code == 200
    rows = list(TrackPoint.objects.filter(worker=worker_a).order_by("device_time"))
    assert [row.source for row in rows] == ["osmand", "osmand"] and {row.token_id for row in rows} == {token.pk}
    assert rows[0].speed == pytest.approx(2 * 1852 / 3600) and rows[0].battery == 60


def test_a_revoked_or_unknown_device_is_refused_with_a_clear_code(world: World, worker_a: Any) -> None:
    token, _key = ApiToken.issue(worker_a, "手机", TokenKind.DEVICE)
    token.revoke()
    anonymous = Client()
    query = "lat=39.91&lon=116.405&timestamp=1767578400"
    revoked = anonymous.get(f"/api/v1/tracks/osmand?id={token.tracker_id}&{query}")
    assert revoked.status_code == 403 and revoked.json()["code"] == "device_revoked"
    unknown = anonymous.get(f"/api/v1/tracks/osmand?id=zzzzzzzzzzzzzzzz&{query}")
    assert unknown.status_code == 403 and unknown.json()["code"] == "device_unknown"
    broken = anonymous.get(f"/api/v1/tracks/osmand?id={token.tracker_id}&lat=39.91&timestamp=1767578400")
    assert broken.status_code == 400 and broken.json()["code"] == "osmand_invalid"
    assert not TrackPoint.objects.exists()


def test_app_batches_record_the_device_token(world: World, worker_a: Any) -> None:
    token, key = ApiToken.issue(worker_a, "手机", TokenKind.DEVICE)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert send(client, walk_north(100)).status_code == 200
    assert set(TrackPoint.objects.values_list("token_id", flat=True)) == {token.pk}


def test_walking_is_no_stop_and_lingering_three_minutes_is_one() -> None:
    import numpy as np
    from django.conf import settings

    from fieldwork.tracks import Fixes, stops

    def track(steps_m: list[float]) -> Fixes:  # a fix every 30 s, eastwards by each step, along 39.91° N
        east = np.cumsum([0.0, *steps_m])
        count = len(east)
        return Fixes(
            times=np.arange(count, dtype=np.float64) * 30.0,
            lons=116.40 + east / (METRES_PER_DEGREE * np.cos(np.radians(39.91))),
            lats=np.full(count, 39.91),
            accuracy=np.full(count, 10.0),
            mock=np.zeros(count, dtype=bool),
            arrived=np.arange(count, dtype=np.float64) * 30.0,
        )

    radius, seconds = settings.FIELD_STOP_RADIUS_M, settings.FIELD_STOP_SECONDS
    assert (radius, seconds) == (50, 180)
    assert stops(track([30.0] * 40), radius, seconds) == []  # 1 m/s for 20 minutes
    lingering = stops(track([30.0] * 10 + [3.0] * 8 + [30.0] * 10), radius, seconds)
    assert len(lingering) == 1 and lingering[0].ended - lingering[0].started == 240  # 8 short steps: 4 minutes
