"""The demo month of cases: run through the services, in the shape of a real district, and replayable."""

from collections import Counter

import pytest
from django.core.management import call_command

from cases.choices import CaseStatus
from cases.models import Case, CaseEvent
from cases.workflow import case_replay, case_state
from demo import build, residents
from demo.tests.test_demo import _short_patrols, _small_populate
from hotline.models import Ticket


@pytest.mark.slow
def test_demo_month_of_cases(db, monkeypatch):
    monkeypatch.setattr(residents, "populate", _small_populate(residents.populate))
    monkeypatch.setattr(build, "patrols_populate", _short_patrols(build.patrols_populate))
    call_command("demo_seed", "--scale", "0.25")
    cases = list(Case.objects.select_related("category"))
    filed = [case for case in cases if case.filed_at]
    assert 240 <= len(filed) <= 300
    statuses = Counter(case.status for case in cases)
    assert {"closed", "evaluated", "rejected", "merged"} <= set(statuses)
    assert statuses["dispatched"] + statuses["handling"] > 0  # work in progress at the end of the month
    closed = [case for case in filed if case.status in (CaseStatus.CLOSED, CaseStatus.EVALUATED)]
    assert 0.88 <= len(closed) / len(filed) <= 0.98
    on_time = [case for case in closed if case.overdue_count == 0]
    assert 0.65 <= len(on_time) / len(closed) <= 0.87
    kinds = Counter(case.category.kind for case in filed)
    assert kinds["event"] / len(filed) > 0.93
    assert Counter(case.source for case in cases).most_common(1)[0][0] == "grid_worker"
    assert Case.objects.filter(rework_count__gt=0).exists()
    assert CaseEvent.objects.filter(action="overdue").exists()
    # Every call taken at the 12345 desk is a ticket; hotline cases are its cases; questions were answered at once.
    hotline = {case.pk for case in cases if case.source == "hotline"}
    assert hotline and hotline <= set(Ticket.objects.filter(case__isnull=False).values_list("case_id", flat=True))
    assert Ticket.objects.filter(outcome="answered", case__isnull=True).count() >= 10
    # Every case replays from its events to its current state.
    for case in cases:
        assert case_replay(case.events.order_by("at", "id")) == case_state(case), case.number
