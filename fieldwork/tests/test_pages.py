"""The watching pages: live positions (在岗监控), a worker's day played back (轨迹回放) and the day's statistics
(巡查统计) with their export — who may open them, what they show, the audit of another person's track."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from accounts.roles import Role
from audit.models import AuditAction, AuditEntry
from fieldwork.models import CheckIn, DailyMetric, Patrol, Roster, TrackPoint
from gridgov.testing import IN_A, IN_B, World, check_access, make_user

WATCHERS = {"community_staff", "street_leader", "dispatcher", "administrator"}


def fixes(worker, start: dt.datetime, count: int, *, at=IN_A, step_s: int = 30, east_m: float = 1.0, **extra):
    """A walk east at ``east_m`` metres a fix from ``at``, one fix every ``step_s`` seconds."""
    rows = []
    for k in range(count):
        time = start + dt.timedelta(seconds=k * step_s)
        rows.append(
            TrackPoint(
                worker=worker,
                device_time=time,
                server_time=time + dt.timedelta(seconds=3),
                lon=at[0] + k * east_m / 85_400,
                lat=at[1],
                accuracy=8,
                speed=east_m / step_s,
                battery=80 - k * 0.1,
                **extra,
            )
        )
    return TrackPoint.objects.bulk_create(rows)


@pytest.fixture
def day(world: World) -> dt.date:
    return timezone.localdate()


def test_the_pages_open_for_watching_roles_only(world: World) -> None:
    for url in ("/fieldwork/live/", "/fieldwork/live.json", "/fieldwork/stats/", "/fieldwork/stats.xlsx"):
        check_access(world, url, WATCHERS)


def test_a_workers_day_opens_for_the_worker_and_those_watching_their_grid(world: World) -> None:
    worker_a = world.user("grid_worker_a")
    check_access(world, f"/fieldwork/workers/{worker_a.pk}/track/", {"grid_worker_a", *WATCHERS})
    # A worker of the other street is nobody's business in street 1.
    worker_c = make_user("worker_c", Role.GRID_WORKER, [world.grid_c])
    check_access(world, f"/fieldwork/workers/{worker_c.pk}/track/", {"dispatcher", "administrator"})
    # A user who is not a field worker is not watched.
    handler = world.user("department_handler")
    check_access(world, f"/fieldwork/workers/{handler.pk}/track/", {"department_handler"})


def test_live_positions_mark_stale_fixes_and_workers_outside_their_grid(world: World) -> None:
    now = timezone.now()
    worker_a, worker_b = world.user("grid_worker_a"), world.user("grid_worker_b")
    worker_c = make_user("worker_c", Role.GRID_WORKER, [world.grid_c])
    fixes(worker_a, now - dt.timedelta(minutes=5), 5)  # fresh, inside grid A
    fixes(worker_b, now - dt.timedelta(minutes=30), 3, at=IN_B)  # last fix 29 minutes ago: stale
    fixes(worker_c, now - dt.timedelta(minutes=2), 2, at=IN_A)  # fresh, but in grid A: outside grid C
    Patrol.objects.create(worker=worker_a, grid=world.grid_a, started_at=now - dt.timedelta(minutes=6))
    Roster.objects.create(
        worker=worker_a,
        day=timezone.localdate(now),
        start=dt.time(0, 0),
        end=dt.time(23, 59, 59),
        grid=world.grid_a,
    )
    data = world.client("dispatcher").get("/fieldwork/live.json").json()
    rows = {row["name"]: row for row in data["workers"]}
    assert rows["worker_a"]["online"] and not rows["worker_a"]["stale"] and not rows["worker_a"]["outside"]
    assert rows["worker_a"]["patrolling"] and rows["worker_a"]["scheduled"] and rows["worker_a"]["battery"] == 79.6
    assert rows["worker_b"]["stale"] and not rows["worker_b"]["online"] and 1700 < rows["worker_b"]["age_s"] < 1800
    assert rows["worker_c"]["outside"] and rows["worker_c"]["online"]
    assert rows["grid_leader"]["time"] is None  # the grid leader (a field role too) sent nothing today
    assert data["counts"] == {"workers": 4, "scheduled": 1, "online": 2, "outside": 1, "stale": 1, "offline": 1}
    # The street leader of street 1 watches only its workers.
    street = world.client("street_leader").get("/fieldwork/live.json").json()
    assert {row["name"] for row in street["workers"]} == {"worker_a", "worker_b", "grid_leader"}
    page = world.client("street_leader").get("/fieldwork/live/")
    assert page.status_code == 200 and "worker_c" not in page.content.decode()


def test_the_live_list_reads_a_fixed_number_of_queries(world: World, django_assert_max_num_queries) -> None:
    now = timezone.now()
    client = world.client("dispatcher")
    with django_assert_max_num_queries(12) as few:  # the session, the user, their roles and scope, then the list
        client.get("/fieldwork/live.json")
    for number in range(12):
        worker = make_user(f"extra_{number}", Role.GRID_WORKER, [world.grid_a if number % 2 else world.grid_b])
        fixes(worker, now - dt.timedelta(minutes=3), 3)
    with django_assert_max_num_queries(len(few)):
        data = client.get("/fieldwork/live.json").json()
    assert data["counts"]["online"] == 12 and data["counts"]["workers"] == 15


def test_the_playback_shows_the_filtered_track_with_stops_checkins_and_the_fixes_dropped(world: World) -> None:
    worker = world.user("grid_worker_a")
    start = timezone.make_aware(dt.datetime.combine(timezone.localdate() - dt.timedelta(days=1), dt.time(9)))
    fixes(worker, start, 20, east_m=60)  # 1,140 m east in 9.5 minutes
    fixes(worker, start + dt.timedelta(seconds=750), 10, at=(IN_A[0] + 1500 / 85_400, IN_A[1]), east_m=0.5)
    TrackPoint.objects.create(
        worker=worker,
        device_time=start + dt.timedelta(minutes=5, seconds=10),
        server_time=start + dt.timedelta(minutes=5, seconds=12),
        lon=IN_A[0],
        lat=IN_A[1] + 0.02,
        accuracy=120,
    )
    CheckIn.objects.create(
        worker=worker,
        kind="shift_start",
        grid=world.grid_a,
        lon=IN_A[0],
        lat=IN_A[1],
        accuracy=10,
        device_time=start,
        server_time=start,
    )
    response = world.client("grid_worker_a").get(f"/fieldwork/workers/{worker.pk}/track/?date={start.date()}")
    assert response.status_code == 200
    data = response.context["data"]
    assert len(data["points"]) == 30 and len(data["rejected"]) == 1
    assert data["rejected"][0][-1] == "精度差" and data["rejected"][0][3] == 120
    assert 1495 < data["summary"]["distance_m"] < 1515
    assert [stop["duration_s"] for stop in data["stops"]] == [270]  # the ten slow fixes, 4.5 minutes
    assert [checkin["kind"] for checkin in data["checkins"]] == ["上班签到"]
    assert not AuditEntry.objects.filter(object_type="accounts.user").exists()  # one's own day: no audit


def test_viewing_another_workers_day_is_audited(world: World, day: dt.date) -> None:
    worker = world.user("grid_worker_a")
    fixes(worker, timezone.now() - dt.timedelta(minutes=20), 5)
    response = world.client("street_leader").get(f"/fieldwork/workers/{worker.pk}/track/?date={day}")
    assert response.status_code == 200
    entry = AuditEntry.objects.get(object_type="accounts.user", object_id=str(worker.pk))
    assert entry.action == AuditAction.VIEW and entry.actor_id == world.user("street_leader").pk
    assert entry.detail == {"track_day": day.isoformat(), "fixes": 5} and entry.fields == ["track"]
    # A refused look writes nothing.
    assert world.client("grid_worker_b").get(f"/fieldwork/workers/{worker.pk}/track/").status_code == 404
    assert AuditEntry.objects.filter(object_type="accounts.user").count() == 1


def test_a_bad_date_is_refused_with_a_message(world: World) -> None:
    worker = world.user("grid_worker_a")
    client = world.client("grid_worker_a")
    for value in ("2026-13-01", "yesterday", (timezone.localdate() + dt.timedelta(days=1)).isoformat()):
        response = client.get(f"/fieldwork/workers/{worker.pk}/track/?date={value}")
        assert response.status_code == 400 and "YYYY-MM-DD" in response.content.decode()


def metric(world: World, persona: str, grid, day: dt.date, **values) -> DailyMetric:
    defaults = {"on_duty_s": 3600, "scheduled_s": 7200, "on_duty_rate": 0.5, "distance_m": 2000.0}
    return DailyMetric.objects.create(
        worker=world.user(persona), grid=grid, day=day, computed_at=timezone.now(), **{**defaults, **values}
    )


def test_the_statistics_list_the_days_metrics_of_the_scope_sorted(world: World, day: dt.date) -> None:
    metric(world, "grid_worker_a", world.grid_a, day, distance_m=5200.0, reports=3)
    metric(world, "grid_worker_b", world.grid_b, day, distance_m=800.0, on_duty_rate=0.2)
    worker_c = make_user("worker_c", Role.GRID_WORKER, [world.grid_c])
    DailyMetric.objects.create(worker=worker_c, grid=world.grid_c, day=day, computed_at=timezone.now())
    metric(world, "grid_worker_a", world.grid_a, day - dt.timedelta(days=1))  # another day
    response = world.client("street_leader").get(f"/fieldwork/stats/?date={day}&sort=-distance")
    names = [row.worker.username for row in response.context["rows"]]
    assert names == ["worker_a", "worker_b"]
    assert f"/fieldwork/workers/{world.user('grid_worker_a').pk}/track/?date={day}" in response.content.decode()
    ascending = world.client("dispatcher").get(f"/fieldwork/stats/?date={day}&sort=distance").context["rows"]
    assert [row.worker.username for row in ascending] == ["worker_c", "worker_b", "worker_a"]
    only_c = world.client("dispatcher").get(f"/fieldwork/stats/?date={day}&area=110101002")  # street 2
    assert [row.worker.username for row in only_c.context["rows"]] == ["worker_c"]
    unknown = world.client("dispatcher").get(f"/fieldwork/stats/?date={day}&sort=password")  # not a sort key
    assert [row.worker.username for row in unknown.context["rows"]] == ["worker_a", "worker_b", "worker_c"]


def test_the_statistics_read_a_fixed_number_of_queries(world: World, day, django_assert_max_num_queries) -> None:
    for number in range(15):
        worker = make_user(f"extra_{number}", Role.GRID_WORKER, [world.grid_a])
        DailyMetric.objects.create(worker=worker, grid=world.grid_a, day=day, computed_at=timezone.now())
    client = world.client("dispatcher")
    client.get(f"/fieldwork/stats/?date={day}")
    with django_assert_max_num_queries(10) as few:
        client.get(f"/fieldwork/stats/?date={day - dt.timedelta(days=1)}")  # no rows
    with django_assert_max_num_queries(len(few)):
        response = client.get(f"/fieldwork/stats/?date={day}")
    assert len(response.context["rows"]) == 15


def test_the_statistics_export_is_the_pages_rows_and_is_audited(world: World, day: dt.date) -> None:
    metric(world, "grid_worker_a", world.grid_a, day, distance_m=5200.0, reports=3, off_grid_events=1)
    worker_c = make_user("worker_c", Role.GRID_WORKER, [world.grid_c])
    DailyMetric.objects.create(worker=worker_c, grid=world.grid_c, day=day, computed_at=timezone.now())
    response = world.client("street_leader").get(f"/fieldwork/stats.xlsx?date={day}")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.getvalue())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:6] == ("日期", "街道", "社区", "网格编码", "网格", "人员")
    assert len(rows) == 2 and rows[1][3] == world.grid_a.code and rows[1][9] == 5.2 and rows[1][15] == 3
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT, object_type="fieldwork.dailymetric")
    assert entry.detail["count"] == 1 and entry.detail["query"]["date"] == day.isoformat()
    assert entry.actor_id == world.user("street_leader").pk


def test_the_navigation_and_the_workbench_link_the_pages_for_those_who_watch(world: World) -> None:
    for persona in ("dispatcher", "street_leader", "community_staff"):
        home = world.client(persona).get("/").content.decode()
        assert home.count('href="/fieldwork/live/"') == 2 and home.count('href="/fieldwork/stats/"') == 2, persona
    leader = world.users["grid_leader"]
    assert leader is not None
    client = world.client("grid_worker_a")
    client.force_login(leader)
    assert 'href="/fieldwork/live/"' in client.get("/").content.decode()
    for persona in ("grid_worker_a", "department_handler"):
        home = world.client(persona).get("/").content.decode()
        assert "/fieldwork/live/" not in home and "/fieldwork/stats/" not in home, persona
    worker = world.user("grid_worker_a")
    assert f'href="/fieldwork/workers/{worker.pk}/track/"' in world.client("grid_worker_a").get("/").content.decode()


def test_the_statistics_open_on_the_last_worked_day_of_the_scope(world: World, day: dt.date) -> None:
    leader = world.client("street_leader")
    assert leader.get("/fieldwork/stats/").context["selection"].day == day  # nothing yet: today
    metric(world, "grid_worker_a", world.grid_a, day - dt.timedelta(days=3))
    DailyMetric.objects.create(
        worker=world.user("grid_worker_a"), grid=world.grid_a, day=day, computed_at=timezone.now()
    )
    worker_c = make_user("worker_c", Role.GRID_WORKER, [world.grid_c])  # another street: not the leader's
    DailyMetric.objects.create(
        worker=worker_c, grid=world.grid_c, day=day - dt.timedelta(days=1), computed_at=timezone.now(), fixes=40
    )
    response = leader.get("/fieldwork/stats/")
    assert response.context["selection"].day == day - dt.timedelta(days=3)  # today's row is empty (not rostered)
    assert [row.worker.username for row in response.context["rows"]] == ["worker_a"]
    assert leader.get(f"/fieldwork/stats/?date={day}").context["selection"].day == day
