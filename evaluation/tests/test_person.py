"""A person's figures: their own to read; others' only with evaluation.evaluate_people over one of the person's
areas, each read audited; anyone else gets 404 as for a person who does not exist. "我的考核" leads to one's own."""

from __future__ import annotations

import pytest

from accounts.roles import Role
from audit.models import AuditAction, AuditEntry
from gridgov.testing import make_user

from .conftest import MONTH

pytestmark = pytest.mark.django_db


def _views_of(person):
    return AuditEntry.objects.filter(action=AuditAction.VIEW, object_type="accounts.user", object_id=str(person.pk))


@pytest.mark.parametrize(
    ("persona", "status", "audited"),
    [
        ("grid_worker_a", 200, False),  # themself
        ("community_staff", 200, True),  # evaluates people in the community of grid A
        ("street_leader", 200, True),
        ("grid_worker_b", 404, False),
        ("dispatcher", 404, False),  # covers the district but does not evaluate people
        ("department_handler", 404, False),
    ],
)
def test_who_opens_a_workers_figures(office, persona, status, audited):
    world = office.world
    worker = world.user("grid_worker_a")
    response = world.client(persona).get(f"/evaluation/people/{worker.pk}/?period={MONTH}")
    assert response.status_code == status
    views = _views_of(worker)
    assert views.exists() == audited
    if audited:
        entry = views.get()
        assert entry.actor == world.user(persona) and entry.detail == {"what": "evaluation", "period": MONTH}


def test_an_evaluator_of_another_street_gets_404(office):
    world = office.world
    elsewhere = make_user("street_2", Role.STREET_LEADER, [world.areas["110101002"]])
    client = world.client("grid_worker_a")
    client.force_login(elsewhere)
    worker = world.user("grid_worker_a")
    assert client.get(f"/evaluation/people/{worker.pk}/").status_code == 404
    assert client.get(f"/api/v1/evaluation/people/{worker.pk}").status_code == 404
    assert client.get(f"/evaluation/people/{office.worker_c.pk}/").status_code == 200
    assert not _views_of(worker).exists()


def test_a_person_who_does_not_exist_answers_like_one_not_yours(world):
    client = world.client("street_leader")
    assert client.get("/evaluation/people/999999/").status_code == 404
    api = client.get("/api/v1/evaluation/people/999999")
    assert api.status_code == 404 and api.json()["code"] == "person_not_found"


def test_the_scorecard_shows_the_figures_the_period_before_and_the_trend(office):
    world = office.world
    worker = world.user("grid_worker_a")
    response = world.client("grid_worker_a").get(f"/evaluation/people/{worker.pk}/?period={MONTH}")
    (card,) = response.context["cards"]
    assert card.position == "field_worker"
    assert (card.line.now.composite, card.line.now.grade, card.line.before.composite) == (81.25, "B", 50.0)
    months = ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10", MONTH]
    assert [period.key for period, _value in card.trend] == months
    assert [value for _period, value in card.trend] == [None, None, None, None, 50.0, 81.25]
    html = response.content.decode()
    assert "我的考核" in html and "81.25" in html and 'id="trend-data"' in html
    assert "/stats/cases/?measure=valid_report" in html, "counts open the cases behind them"


def test_me_leads_to_ones_own_scorecard(world):
    client = world.client("dispatcher")
    response = client.get("/evaluation/me/?period=2026-Q4")
    dispatcher = world.user("dispatcher")
    assert response.status_code == 302 and response["Location"] == f"/evaluation/people/{dispatcher.pk}/?period=2026-Q4"
    page = client.get(response["Location"])
    assert page.status_code == 200 and page.context["own"] and page.context["period"].key == "2026-Q4"
    leader = world.client("street_leader").get("/evaluation/me/", follow=True)
    assert leader.status_code == 200 and leader.context["cards"] == []
    assert "没有适用于该岗位的个人考核指标" in leader.content.decode()


def test_the_api_gives_each_position_with_its_trend(office):
    world = office.world
    worker = world.user("grid_worker_a")
    response = world.client("street_leader").get(f"/api/v1/evaluation/people/{worker.pk}?period={MONTH}")
    body = response.json()
    assert response.status_code == 200 and body["id"] == worker.pk
    (position,) = body["positions"]
    assert position["position"] == "field_worker" and position["line"]["composite"] == 81.25
    valid = next(item for item in position["line"]["indicators"] if item["code"] == "valid_report_rate")
    assert (valid["numerator"], valid["denominator"], valid["rate"], valid["score"]) == (8, 10, 0.8, 80.0)
    assert [point["composite"] for point in position["trend"]][-2:] == [50.0, 81.25]
    assert _views_of(worker).get().channel == "api"
    bad = world.client("street_leader").get(f"/api/v1/evaluation/people/{worker.pk}?period=2026-00")
    assert bad.status_code == 400 and bad.json()["code"] == "period_invalid"
    assert _views_of(worker).count() == 1, "a refused read is not recorded as a view"
