"""The periodic sweep: reports written through the case services on top of a history become one alert per grid ×
category × day; the leaders covering the grid are told once; a re-run writes nothing, a higher count later the
same day updates the alert without telling anyone again."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings

from alerts.models import AlertMethod, WarningAlert
from alerts.tasks import alerts_sweep
from alerts.tests.conftest import DAY, NOW, SHANGHAI, STEADY, weeks_before
from audit.services import Origin
from cases.services import ReportData, report_submit
from gridgov import timesource
from gridgov.testing import IN_A, IN_C
from notifications.models import Delivery


def reports_submit(world, category, count, *, point=IN_A, at=None):
    """``count`` reports of ``category`` by the grid's worker (or the hotline for grid C) through intake."""
    moment = at or dt.datetime.combine(DAY, dt.time(9, 0), tzinfo=SHANGHAI)
    persona, source = ("grid_worker_a", "grid_worker") if point == IN_A else ("intake_clerk", "hotline")
    for index in range(count):
        with timesource.acting_at(moment + dt.timedelta(minutes=index)):
            data = ReportData(source=source, description=f"暴露垃圾{index}", longitude=point[0], latitude=point[1],
                              category_id=category.pk)  # fmt: skip
            report_submit(Origin(world.users[persona], "api"), data)


def told(alert):
    return set(
        Delivery.objects.filter(cause=f"warning_alert:{alert.pk}", channel="inapp").values_list(
            "user__username", flat=True
        )
    )


def test_the_sweep_is_a_periodic_job():
    assert "alerts.tasks.alerts_sweep" in settings.PERIODIC_JOBS


def test_reports_over_the_baseline_become_one_alert_and_the_grids_leaders_are_told(world, garbage, facts_write,
                                                                                   leaders):  # fmt: skip
    facts_write(world.grid_a, garbage, weeks_before(DAY, STEADY))
    reports_submit(world, garbage, 9)
    counts = alerts_sweep(NOW)
    assert counts["created"] == 1 and counts["updated"] == 0 and counts["notified"] > 0
    alert = WarningAlert.objects.get()
    assert (alert.grid, alert.category, alert.day) == (world.grid_a, garbage, DAY)
    assert alert.observed == 9 and alert.expected == 2.0 and alert.threshold == 9
    assert alert.method == AlertMethod.POISSON and alert.baseline == STEADY
    assert alert.created_at == NOW and alert.acknowledged_at is None
    # The leaders covering grid A: street 1's leader, the community's staff, the district leader; not street 2's.
    assert told(alert) == {"street", "community", "district"}
    message = Delivery.objects.filter(cause=f"warning_alert:{alert.pk}").first()
    assert "网格A" in message.title and "暴露垃圾" in message.title and "上报 9 件" in message.title
    assert message.link == f"/alerts/{alert.pk}/" and "基线下出现概率约 1/4200" in message.body


def test_a_rerun_writes_nothing_and_a_higher_count_updates_the_alert_without_telling_again(
    world, garbage, facts_write, leaders
):
    facts_write(world.grid_a, garbage, weeks_before(DAY, STEADY))
    reports_submit(world, garbage, 9)
    alerts_sweep(NOW)
    alert = WarningAlert.objects.get()
    messages = Delivery.objects.count()

    assert alerts_sweep(NOW + dt.timedelta(minutes=1)) == {"created": 0, "updated": 0, "notified": 0}
    assert Delivery.objects.count() == messages

    reports_submit(world, garbage, 3, at=NOW + dt.timedelta(minutes=5))
    later = NOW + dt.timedelta(minutes=10)
    assert alerts_sweep(later) == {"created": 0, "updated": 1, "notified": 0}
    grown = WarningAlert.objects.get()
    assert grown.pk == alert.pk and grown.observed == 12 and grown.probability < alert.probability
    assert grown.updated_at == later and grown.created_at == NOW
    assert Delivery.objects.count() == messages
    assert WarningAlert.objects.count() == 1


def test_a_handled_alert_takes_a_higher_count_and_stays_handled(world, garbage, facts_write):
    facts_write(world.grid_a, garbage, {**weeks_before(DAY, STEADY), DAY: 9})
    alerts_sweep(NOW)
    WarningAlert.objects.update(acknowledged_at=NOW, acknowledged_by=world.user("street_leader"), note="已核实")
    facts_write(world.grid_a, garbage, {DAY: 2})
    assert alerts_sweep(NOW + dt.timedelta(hours=1))["updated"] == 1
    alert = WarningAlert.objects.get()
    assert alert.observed == 11 and alert.acknowledged_at == NOW and alert.note == "已核实"


def test_yesterday_is_tested_again_after_midnight(world, garbage, facts_write):
    yesterday = DAY - dt.timedelta(days=1)
    facts_write(world.grid_a, garbage, {**weeks_before(yesterday, STEADY), yesterday: 10})
    alerts_sweep(NOW)
    assert list(WarningAlert.objects.values_list("day", "observed")) == [(yesterday, 10)]


def test_only_the_leaders_covering_the_alerts_grid_are_told(world, garbage, facts_write, leaders):
    facts_write(world.grid_c, garbage, weeks_before(DAY, STEADY))
    reports_submit(world, garbage, 9, point=IN_C)
    alerts_sweep(NOW)
    alert = WarningAlert.objects.get()
    assert alert.grid == world.grid_c
    assert told(alert) == {"street2", "district"}  # not street 1's leader, not community 1's staff, no worker


@pytest.mark.parametrize("count", [0, 5])
def test_usual_counts_make_no_alert(world, garbage, facts_write, leaders, count):
    facts_write(world.grid_a, garbage, {**weeks_before(DAY, STEADY), DAY: count})
    assert alerts_sweep(NOW) == {"created": 0, "updated": 0, "notified": 0}
    assert not WarningAlert.objects.exists() and not Delivery.objects.exists()
