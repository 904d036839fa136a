"""Check-ins against their fence, patrols started and ended, the lists with bounded queries."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from audit.models import AuditEntry
from fieldwork.metrics import day_metrics_compute
from fieldwork.models import CheckIn, CheckPoint, DailyMetric, Patrol
from gridgov.testing import IN_A, IN_B, IN_C, World


def post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def checkin(client: Client, **fields: Any) -> Any:
    lon, lat = fields.pop("at", IN_A)
    body = {"kind": "shift_start", "lon": lon, "lat": lat, "accuracy": 10, "device_time": timezone.now().isoformat()}
    return post(client, "/api/v1/checkins", {**body, **fields})


@pytest.fixture
def point_a(world: World) -> CheckPoint:
    return CheckPoint.objects.create(name="东四北大街9号", grid=world.grid_a, lon=IN_A[0], lat=IN_A[1], radius_m=50)


def test_shift_checkin_inside_the_grid_is_accepted(world: World) -> None:
    response = checkin(world.client("grid_worker_a"))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["accepted"] is True and body["grid_code"] == world.grid_a.code
    assert body["flagged_clock"] is False and abs(body["clock_skew_s"]) <= 5
    row = CheckIn.objects.get(pk=body["id"])
    assert row.worker == world.user("grid_worker_a") and row.distance_m == 0
    assert AuditEntry.objects.filter(object_type="fieldwork.checkin", object_id=str(row.pk)).exists()


def test_shift_checkin_outside_the_grid_is_refused_with_the_distance(world: World) -> None:
    response = checkin(world.client("grid_worker_a"), at=IN_C)  # grid C, another street
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "outside_geofence"
    details = {item["field"]: float(item["message"]) for item in body["details"]}
    assert details["radius_m"] == 50
    assert details["distance_m"] == pytest.approx(0.02 * 85_400, rel=0.02)  # 116.41 → 116.43 at 39.91° N
    assert not CheckIn.objects.exists()


def test_within_the_buffer_outside_the_grid_is_accepted_with_its_distance(world: World) -> None:
    just_out = (116.41 + 30 / 85_400, 39.91)  # 30 m east of grid A, inside the 50 m buffer
    response = checkin(world.client("grid_worker_a"), at=just_out)
    assert response.status_code == 201, response.content
    assert CheckIn.objects.get().distance_m == pytest.approx(30, abs=1)


def test_point_checkin_within_the_radius_and_beyond_it(world: World, point_a: CheckPoint) -> None:
    client = world.client("grid_worker_a")
    near = (IN_A[0] + 30 / 85_400, IN_A[1])
    response = checkin(client, kind="point", point_id=point_a.pk, at=near)
    assert response.status_code == 201, response.content
    assert response.json()["distance_m"] == pytest.approx(30, abs=1)
    far = (IN_A[0] + 80 / 85_400, IN_A[1])
    response = checkin(client, kind="point", point_id=point_a.pk, at=far)
    assert response.status_code == 422 and response.json()["code"] == "outside_geofence"
    assert checkin(client, kind="point", at=near).json()["code"] == "point_required"
    # Another grid's point is not the worker's: 404 like a point that does not exist.
    assert checkin(world.client("grid_worker_b"), kind="point", point_id=point_a.pk, at=near).status_code == 404


def test_poor_accuracy_is_refused(world: World) -> None:
    response = checkin(world.client("grid_worker_a"), accuracy=80)
    assert response.status_code == 422 and response.json()["code"] == "accuracy_too_low"
    assert not CheckIn.objects.exists()


def test_a_device_clock_off_by_more_than_five_minutes_is_flagged(world: World) -> None:
    late = (timezone.now() - dt.timedelta(minutes=10)).isoformat()
    body = checkin(world.client("grid_worker_a"), device_time=late).json()
    assert body["flagged_clock"] is True and body["clock_skew_s"] == pytest.approx(-600, abs=5)
    on_time = (timezone.now() - dt.timedelta(minutes=4)).isoformat()
    assert checkin(world.client("grid_worker_a"), device_time=on_time).json()["flagged_clock"] is False


def test_only_field_roles_check_in(world: World) -> None:
    response = checkin(world.client("community_staff"))
    assert response.status_code == 403 and response.json()["code"] == "not_field_worker"


def test_point_checkins_count_towards_coverage(world: World, point_a: CheckPoint) -> None:
    CheckPoint.objects.create(name="网格A北口", grid=world.grid_a, lon=116.405, lat=39.915)
    CheckPoint.objects.create(name="网格C", grid=world.grid_c, lon=IN_C[0], lat=IN_C[1])
    checkin(world.client("grid_worker_a"), kind="point", point_id=point_a.pk)
    worker = world.user("grid_worker_a")
    day_metrics_compute(timezone.localdate(), [worker.pk])
    row = DailyMetric.objects.get(worker=worker)
    assert (row.coverage_points_num, row.coverage_points_den) == (1, 2)


def test_a_patrol_starts_in_the_workers_grid_and_ends_once(world: World) -> None:
    client = world.client("grid_worker_a")
    response = post(client, "/api/v1/patrols", {})
    assert response.status_code == 201, response.content
    patrol = response.json()
    assert patrol["grid_code"] == world.grid_a.code and patrol["ended_at"] is None
    again = post(client, "/api/v1/patrols", {})
    assert again.status_code == 409 and again.json()["code"] == "patrol_open"
    ended = post(client, f"/api/v1/patrols/{patrol['id']}/end", {})
    assert ended.status_code == 200 and ended.json()["ended_at"] is not None
    assert post(client, f"/api/v1/patrols/{patrol['id']}/end", {}).json()["code"] == "patrol_ended"
    other = post(world.client("grid_worker_b"), f"/api/v1/patrols/{patrol['id']}/end", {})
    assert other.status_code == 404


def test_a_patrol_names_only_a_grid_of_the_worker(world: World) -> None:
    client = world.client("grid_worker_a")
    response = post(client, "/api/v1/patrols", {"grid_code": world.grid_b.code})
    assert response.status_code == 404 and response.json()["code"] == "grid_not_found"
    early = post(client, "/api/v1/patrols", {"started_at": "2026-01-05T09:00:00"})
    assert early.status_code == 400 and early.json()["code"] == "time_without_offset"
    assert not Patrol.objects.exists()


def test_patrol_list_mine_and_in_scope_in_bounded_queries(world: World, django_assert_max_num_queries: Any) -> None:
    started = dt.datetime(2026, 1, 5, 1, tzinfo=dt.UTC)  # 09:00 in Beijing, eight patrols within the day
    for offset in range(8):
        for persona, grid in (("grid_worker_a", world.grid_a), ("grid_worker_b", world.grid_b)):
            moment = started + dt.timedelta(hours=offset)
            Patrol.objects.create(worker=world.user(persona), grid=grid, started_at=moment, ended_at=moment)
    leader = world.client("street_leader")
    leader.get("/api/v1/patrols?mine=false")  # the session is read once
    with django_assert_max_num_queries(6):
        rows = leader.get("/api/v1/patrols?mine=false&date=2026-01-05").json()
    assert len(rows) == 16
    mine = world.client("grid_worker_a").get("/api/v1/patrols").json()
    assert len(mine) == 8 and {row["grid_code"] for row in mine} == {world.grid_a.code}
    # Without the permission to read others' field work, "not mine" is still only one's own.
    assert len(world.client("grid_worker_b").get("/api/v1/patrols?mine=false").json()) == 8


def test_checkpoint_list_is_the_users_grids_in_bounded_queries(
    world: World, django_assert_max_num_queries: Any
) -> None:
    for index in range(10):
        CheckPoint.objects.create(name=f"A{index}", grid=world.grid_a, lon=IN_A[0], lat=IN_A[1])
        CheckPoint.objects.create(name=f"B{index}", grid=world.grid_b, lon=IN_B[0], lat=IN_B[1])
    CheckPoint.objects.create(name="停用", grid=world.grid_a, lon=IN_A[0], lat=IN_A[1], active=False)
    client = world.client("grid_worker_a")
    client.get("/api/v1/checkpoints")
    with django_assert_max_num_queries(6):
        rows = client.get("/api/v1/checkpoints").json()
    assert len(rows) == 10 and {row["grid_code"] for row in rows} == {world.grid_a.code}
    assert rows[0].keys() == {"id", "name", "grid_code", "lon", "lat", "radius_m", "kind"}


def test_daily_metric_list_in_bounded_queries(world: World, django_assert_max_num_queries: Any) -> None:
    day = dt.date(2026, 1, 5)
    day_metrics_compute(day)
    count = DailyMetric.objects.filter(day=day).count()
    assert count >= 2
    client = world.client("administrator")
    client.get(f"/api/v1/daily-metrics?date={day}")
    with django_assert_max_num_queries(6):
        rows = client.get(f"/api/v1/daily-metrics?date={day}").json()
    assert len(rows) == count


def test_a_checkin_keeps_the_original_bytes_of_a_photo_uploaded_ahead(world: World) -> None:
    import hashlib

    from django.core.files.uploadedfile import SimpleUploadedFile

    from gridgov.testing import jpeg_bytes

    client = world.client("grid_worker_a")
    content = jpeg_bytes()
    digest = hashlib.sha256(content).hexdigest()
    missing = checkin(client, photo_sha256=digest)
    assert missing.status_code == 422 and missing.json()["code"] == "photo_missing"
    assert not CheckIn.objects.exists()
    uploaded = client.post("/api/v1/uploads", {"file": SimpleUploadedFile("p.jpg", content, "image/jpeg")})
    assert uploaded.status_code == 201 and uploaded.json()["sha256"] == digest
    response = checkin(client, photo_sha256=digest)
    assert response.status_code == 201, response.content
    row = CheckIn.objects.get()
    assert row.photo_sha256 == digest
    with row.photo.open("rb") as stored:
        assert hashlib.sha256(stored.read()).hexdigest() == digest
    assert "p.jpg" not in str(row.photo.name)
    other = world.client("grid_worker_b")  # someone else's upload is not theirs to name
    assert checkin(other, at=(116.415, 39.91), photo_sha256=digest).json()["code"] == "photo_missing"
