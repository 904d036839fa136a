"""The alert pages and the leader's workbench card: open and handled alerts of the viewer's grids with their
numbers in words, sparklines and the cases behind them; marking one handled with a note; "not yours" is 404."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from alerts.models import WarningAlert
from alerts.selectors import probability_words, sparklines
from alerts.tests.conftest import DAY, NOW, STEADY, WarningAlertFactory, weeks_before
from audit.models import AuditEntry


@pytest.fixture
def alerts(world, garbage, litter):
    """Open alerts in grid A (two days) and grid C, a handled one in grid B."""
    return {
        "a": WarningAlertFactory.create(grid=world.grid_a, category=garbage, observed=9, probability=0.0002),
        "a_before": WarningAlertFactory.create(grid=world.grid_a, category=litter, day=DAY - dt.timedelta(days=2)),
        "b": WarningAlertFactory.create(
            grid=world.grid_b,
            category=garbage,
            acknowledged_at=NOW,
            acknowledged_by=world.user("street_leader"),
            note="系周末集市产生，已安排清运",
        ),
        "c": WarningAlertFactory.create(grid=world.grid_c, category=garbage, observed=14),
    }


@pytest.mark.parametrize(
    ("probability", "words"),
    [
        (0.0002, "基线下出现概率约 1/5000"),
        (0.000193, "基线下出现概率约 1/5200"),
        (0.0011, "基线下出现概率约 1/910"),
        (0.5, "基线下出现概率约 1/2"),
        (3e-9, "基线下出现概率不到百万分之一"),
    ],
)
def test_a_probability_in_plain_words(probability, words):
    assert probability_words(probability) == words


def test_the_list_shows_the_viewers_open_alerts_newest_first(world, alerts, django_assert_max_num_queries):
    client = world.client("street_leader")
    client.get("/alerts/")
    with django_assert_max_num_queries(12):
        response = client.get("/alerts/")
    assert response.status_code == 200
    page = response.content.decode()
    shown = [int(pk) for pk in re.findall(r'<article [^>]*data-alert="(\d+)"', page)]
    assert shown == [alerts["a"].pk, alerts["a_before"].pk]  # grid C is street 2's; grid B's is handled
    assert "基线下出现概率约 1/5000" in page and "基线约 1.2 件，预警线 6 件" in page and "泊松分布" in page
    assert "（今日截至目前）" not in page  # 2026-11-25 is not today
    cases = f"/stats/cases/?measure=report&amp;grid={world.grid_a.pk}&amp;category={alerts['a'].category_id}"
    assert cases + "&amp;start=2026-11-25&amp;end=2026-11-25" in page
    assert 'data-tab="open"' in page and '>待处理 <span class="badge text-bg-warning">2<' in page
    assert page.count('action="/alerts/') == 2 and "csrfmiddlewaretoken" in page
    assert 'id="alert-series"' in page and "alerts/sparklines.js" in page and "echarts.min.js" in page


def test_the_handled_tab_shows_who_handled_each_alert_and_their_note(world, alerts):
    page = world.client("community_staff").get("/alerts/?tab=handled").content.decode()
    assert f'data-alert="{alerts["b"].pk}"' in page and "系周末集市产生，已安排清运" in page and "已处理" in page
    assert f'data-alert="{alerts["a"].pk}"' not in page and 'action="/alerts/' not in page


def test_an_unknown_tab_is_refused_in_words(world, alerts):
    response = world.client("street_leader").get("/alerts/?tab=all")
    assert response.status_code == 400 and "请选择“待处理”或“已处理”" in response.content.decode()


def test_roles_without_alerts_are_refused(world, alerts):
    for persona in ("grid_worker_a", "department_handler"):
        assert world.client(persona).get("/alerts/").status_code == 403
        assert world.client(persona).get(f"/alerts/{alerts['a'].pk}/").status_code == 404


def test_another_streets_alert_is_not_found_for_a_street_leader(world, alerts, leaders):
    street_1 = world.client("street_leader")
    c = alerts["c"].pk
    assert street_1.get(f"/alerts/{c}/").status_code == 404
    response = street_1.post(f"/alerts/{c}/acknowledge/", {"note": "已核实"})
    assert response.status_code == 404 and WarningAlert.objects.get(pk=c).acknowledged_at is None
    street_2 = world.client("street2")
    page = street_2.get("/alerts/").content.decode()
    assert f'data-alert="{c}"' in page and f'data-alert="{alerts["a"].pk}"' not in page
    assert street_2.get(f"/alerts/{c}/").status_code == 200


def test_the_sparkline_draws_eight_weeks_with_the_baseline(world, garbage, facts_write, alerts):
    facts_write(world.grid_a, garbage, {**weeks_before(DAY, STEADY), DAY: 9, DAY - dt.timedelta(days=3): 4})
    series = sparklines([alerts["a"], alerts["c"]])
    line = series[str(alerts["a"].pk)]
    assert len(line["counts"]) == 57 and line["days"][-1] == "11-25" and line["days"][0] == "09-30"
    assert line["counts"][-1] == 9 and line["counts"][-4] == 4
    assert [line["counts"][index] for index in range(0, 57, 7)] == [*STEADY, 9]
    assert line["expected"] == 1.2 and line["threshold"] == 6
    assert series[str(alerts["c"].pk)]["counts"] == [0] * 57
    page = world.client("street_leader").get(f"/alerts/{alerts['a'].pk}/").content.decode()
    data = json.loads(re.search(r'<script id="alert-series" type="application/json">(.*?)</script>', page).group(1))
    assert data[str(alerts["a"].pk)]["counts"] == line["counts"]
    assert "此前各周同一星期几的上报数（由远及近）：1、2、1、0、2、1、1、2" in page


def test_acknowledging_an_alert_with_a_note(world, alerts):
    client = world.client("street_leader")
    alert = alerts["a"]
    response = client.post(f"/alerts/{alert.pk}/acknowledge/", {"note": "  系垃圾清运车故障，已协调环卫所  ",
                                                                 "next": "/alerts/?tab=open"})  # fmt: skip
    assert response.status_code == 302 and response["Location"] == "/alerts/?tab=open"
    alert.refresh_from_db()
    assert alert.acknowledged_by == world.user("street_leader") and alert.acknowledged_at is not None
    assert alert.note == "系垃圾清运车故障，已协调环卫所"
    entry = AuditEntry.objects.get(object_type="alerts.warningalert", object_id=str(alert.pk))
    assert entry.actor == world.user("street_leader") and entry.area_code == world.grid_a.code
    page = client.get("/alerts/?tab=handled").content.decode()
    assert "系垃圾清运车故障，已协调环卫所" in page and "预警已标记为已处理" in page


def test_acknowledging_needs_a_note_and_happens_once(world, alerts):
    client = world.client("community_staff")
    alert = alerts["a"]
    blank = client.post(f"/alerts/{alert.pk}/acknowledge/", {"note": "   "})
    assert blank.status_code == 400 and "请填写处理说明" in blank.content.decode()
    too_long = client.post(f"/alerts/{alert.pk}/acknowledge/", {"note": "长" * 501})
    assert too_long.status_code == 400
    assert WarningAlert.objects.get(pk=alert.pk).acknowledged_at is None
    assert client.post(f"/alerts/{alert.pk}/acknowledge/", {"note": "已核实"}).status_code == 302
    again = client.post(f"/alerts/{alert.pk}/acknowledge/", {"note": "再次处理"})
    assert again.status_code == 409 and "该预警已处理" in again.content.decode()
    assert WarningAlert.objects.get(pk=alert.pk).note == "已核实"


def test_a_next_address_elsewhere_is_not_followed(world, alerts):
    alert = alerts["a"]
    response = world.client("street_leader").post(
        f"/alerts/{alert.pk}/acknowledge/", {"note": "已核实", "next": "https://example.com/"}
    )
    assert response.status_code == 302 and response["Location"] == f"/alerts/{alert.pk}/"


def test_the_leaders_workbench_card_counts_open_alerts_and_shows_the_latest_three(world, garbage, litter):
    for offset in range(5):
        WarningAlertFactory.create(grid=world.grid_a, category=garbage, day=DAY - dt.timedelta(days=offset))
    WarningAlertFactory.create(grid=world.grid_b, category=litter, acknowledged_at=NOW)
    WarningAlertFactory.create(grid=world.grid_c, category=litter)
    page = world.client("street_leader").get("/").content.decode()
    card = page[page.index('data-queue="alerts"') :]
    card = card[: card.index("</div>\n</div>") if "</div>\n</div>" in card else len(card)]
    assert re.search(r'data-stat="alerts">5<', page)
    assert card.count('class="list-group-item list-group-item-action small"') == 3
    assert "11-25" in card and "11-23" in card and "11-22" not in card
    assert 'href="/alerts/"' in card


def test_the_workbench_card_is_for_who_reads_alerts(world, alerts):
    assert 'data-queue="alerts"' not in world.client("grid_worker_a").get("/").content.decode()
    empty = world.client("community_staff")
    WarningAlert.objects.update(acknowledged_at=NOW)
    page = empty.get("/").content.decode()
    assert 'data-stat="alerts">0<' in page and "没有待处理的预警" in page
