"""What the field app reads from the case API: the active subclasses a report may name, a grid worker's own
核实/核查 tasks (``queue=mine``) and the cases of their own reports (``reported_by_me``)."""

from __future__ import annotations

import pytest

from audit.services import Origin
from cases import services
from cases.models import Category
from cases.services import ReportData, report_submit
from gridgov.testing import IN_A
from notifications.models import Notification

pytestmark = pytest.mark.django_db


def _report(world, persona: str, text: str):
    return report_submit(
        Origin(world.users[persona], "api"),
        ReportData(source="grid_worker" if persona.startswith("grid") else "hotline", description=text,
                   longitude=IN_A[0], latitude=IN_A[1]),
    ).case  # fmt: skip


def test_categories_are_the_active_subclasses_with_their_class(world, django_assert_max_num_queries):
    garbage = Category.objects.get(kind="event", code="0102")
    Category.objects.filter(kind="event", code="0103").update(is_active=False)
    client = world.client("grid_worker_a")
    client.get("/api/v1/me")  # the session's first request writes its times
    with django_assert_max_num_queries(3):  # the session, the user, the categories
        response = client.get("/api/v1/categories")
    assert response.status_code == 200
    rows = response.json()
    by_id = {row["id"]: row for row in rows}
    assert by_id[garbage.pk] == {
        "id": garbage.pk,
        "kind": "event",
        "code": "0102",
        "name": garbage.name,
        "parent_code": "01",
        "parent_name": garbage.parent.name,
        "service_code": "E0102",
    }
    assert all(row["parent_code"] for row in rows)  # classes themselves are not offered
    assert not any(row["kind"] == "event" and row["code"] == "0103" for row in rows)
    assert len(rows) == Category.objects.filter(parent__isnull=False, is_active=True, parent__is_active=True).count()


def test_a_workers_own_tasks_and_reports(world, django_assert_max_num_queries):
    worker = world.users["grid_worker_a"]
    dispatcher = Origin(world.users["dispatcher"], "api")
    task = _report(world, "dispatcher", "待核实")
    services.case_verify_request(dispatcher, task, worker.pk)
    _report(world, "dispatcher", "不是我的任务")
    mine = _report(world, "grid_worker_a", "我上报的")
    client = world.client("grid_worker_a")
    client.get("/api/v1/categories")  # the session's first request writes its times
    with django_assert_max_num_queries(6):  # the session, the user, their areas and roles, the count, the page
        tasks = client.get("/api/v1/cases", {"queue": "mine"}).json()
    assert [row["number"] for row in tasks["results"]] == [task.number]
    reports = client.get("/api/v1/cases", {"reported_by_me": "true"}).json()
    assert [row["number"] for row in reports["results"]] == [mine.number]
    assert client.get("/api/v1/cases").json()["count"] == 3
    other = world.client("grid_worker_b").get("/api/v1/cases", {"queue": "mine"}).json()
    assert other["count"] == 0


def test_an_unknown_tab_is_the_whole_list_and_a_long_one_is_refused(world):
    client = world.client("grid_worker_a")
    _report(world, "grid_worker_a", "一件")
    assert client.get("/api/v1/cases", {"queue": "nope"}).json()["count"] == 1
    response = client.get("/api/v1/cases", {"queue": "x" * 17})
    assert response.status_code == 422 and response.json()["code"] == "validation_failed"


def test_the_message_count_is_the_badge(world):
    user = world.users["grid_worker_a"]
    Notification.objects.create(user=user, title="通知", link="/", cause="test:one")
    Notification.objects.create(user=world.users["grid_worker_b"], title="别人的", link="/", cause="test:two")
    response = world.client("grid_worker_a").get("/api/v1/messages/count")
    assert response.status_code == 200 and response.json() == {"waiting": 1}
