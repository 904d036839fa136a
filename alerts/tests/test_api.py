"""The alerts API: the list by state, grid and days within the user's areas; marking one handled."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from alerts.models import WarningAlert
from alerts.tests.conftest import DAY, NOW, WarningAlertFactory


@pytest.fixture
def alerts(world, garbage, litter):
    return {
        "a": WarningAlertFactory.create(grid=world.grid_a, category=garbage),
        "a_old": WarningAlertFactory.create(grid=world.grid_a, category=litter, day=DAY - dt.timedelta(days=9)),
        "b": WarningAlertFactory.create(
            grid=world.grid_b,
            category=garbage,
            acknowledged_at=NOW,
            note="已核实",
            acknowledged_by=world.user("street_leader"),
        ),
        "c": WarningAlertFactory.create(grid=world.grid_c, category=garbage),
    }


def post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_the_list_is_the_users_open_alerts_with_their_numbers(world, alerts, django_assert_max_num_queries):
    client = world.client("street_leader")
    client.get("/api/v1/alerts")  # the first request saves the session
    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/alerts")
    assert response.status_code == 200
    rows = response.json()
    assert [row["id"] for row in rows] == [alerts["a"].pk, alerts["a_old"].pk]
    first = rows[0]
    assert first["grid_code"] == world.grid_a.code and first["category_name"] == "暴露垃圾"
    assert first["observed"] == 9 and first["expected"] == 1.2 and first["threshold"] == 6
    assert first["probability_text"] == "基线下出现概率约 1/5000" and first["method"] == "poisson"
    assert first["baseline"] == [1, 2, 1, 0, 2, 1, 1, 2] and first["handled"] is False
    assert first["url"] == f"/alerts/{alerts['a'].pk}/"
    assert first["cases_url"].startswith("/stats/cases/?measure=report")


def test_the_list_filters_by_state_grid_and_days(world, alerts):
    client = world.client("dispatcher")
    ids = lambda query: [row["id"] for row in client.get("/api/v1/alerts" + query).json()]  # noqa: E731
    assert ids("") == [alerts["c"].pk, alerts["a"].pk, alerts["a_old"].pk]  # newest day, least likely, newest
    assert ids("?state=handled") == [alerts["b"].pk]
    assert set(ids(f"?grid_code={world.grid_a.code}")) == {alerts["a"].pk, alerts["a_old"].pk}
    assert ids("?grid_code=110101002") == [alerts["c"].pk]
    assert set(ids("?day_from=2026-11-20")) == {alerts["a"].pk, alerts["c"].pk}
    assert ids("?day_to=2026-11-20") == [alerts["a_old"].pk]
    assert ids("?limit=1&offset=1") == [alerts["a"].pk]


@pytest.mark.parametrize("query", ["?state=all", "?grid_code=abc", "?day_from=2026-13-01", "?limit=0"])
def test_bad_filters_are_refused_with_a_code(world, alerts, query):
    response = world.client("street_leader").get("/api/v1/alerts" + query)
    assert response.status_code == 422 and response.json()["code"] == "validation_failed"


def test_roles_without_alerts_are_refused(world, alerts):
    response = world.client("grid_worker_a").get("/api/v1/alerts")
    assert response.status_code == 403 and response.json()["code"] == "alerts_not_permitted"


def test_acknowledging_through_the_api(world, alerts):
    client = world.client("community_staff")
    alert = alerts["a"]
    response = post(client, f"/api/v1/alerts/{alert.pk}/acknowledge", {"note": "已协调环卫所清运"})
    assert response.status_code == 200
    body = response.json()
    assert body["handled"] is True and body["note"] == "已协调环卫所清运"
    assert body["acknowledged_by_name"] == "community"
    again = post(client, f"/api/v1/alerts/{alert.pk}/acknowledge", {"note": "再次"})
    assert again.status_code == 409 and again.json()["code"] == "alert_already_handled"
    assert WarningAlert.objects.get(pk=alert.pk).note == "已协调环卫所清运"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [({}, 422, "validation_failed"), ({"note": ""}, 422, "validation_failed"),
     ({"note": "   "}, 400, "alert_note_required"), ({"note": "长" * 501}, 422, "validation_failed")],
)  # fmt: skip
def test_acknowledging_needs_a_note(world, alerts, body, status, code):
    response = post(world.client("street_leader"), f"/api/v1/alerts/{alerts['a'].pk}/acknowledge", body)
    assert response.status_code == status and response.json()["code"] == code
    assert WarningAlert.objects.get(pk=alerts["a"].pk).acknowledged_at is None


def test_another_streets_alert_is_not_found(world, alerts):
    response = post(world.client("street_leader"), f"/api/v1/alerts/{alerts['c'].pk}/acknowledge", {"note": "已核实"})
    assert response.status_code == 404 and response.json()["code"] == "alert_not_found"
    assert WarningAlert.objects.get(pk=alerts["c"].pk).acknowledged_at is None
