"""The deadline job's rules (cases.deadlines): the supervision card an overdue count earns, escalation one level up
and no further than the district, every chunk of a large run counted, and summonses that turn red only while nobody
has reported."""

import datetime as dt
import threading

import pytest
from django.db import connection, transaction

from cases import deadlines, services
from cases.choices import CaseLevel, Light, Supervision
from cases.deadlines import deadlines_sweep, supervision_after
from cases.models import Case, CaseEvent
from cases.tests.test_lifecycle import assert_replays, run_to_dispatched
from cases.tests.test_rules_pinned import local
from gridgov.timesource import acting_at


@pytest.mark.parametrize(
    ("overdue_count", "current", "expected"),
    [
        (1, Supervision.NONE, Supervision.NONE),
        (1, Supervision.NORMAL, Supervision.NORMAL),
        (2, Supervision.NONE, Supervision.YELLOW),  # the yellow card after two overdue steps
        (2, Supervision.NORMAL, Supervision.YELLOW),
        (2, Supervision.RED, Supervision.RED),  # a card is never lowered
        (3, Supervision.NONE, Supervision.RED),  # the red card after three
        (3, Supervision.YELLOW, Supervision.RED),
        (7, Supervision.NONE, Supervision.RED),
    ],
)
def test_rule_overdue_steps_earn_a_yellow_then_a_red_card_and_never_lower_one(
    settings, overdue_count, current, expected
):
    settings.CASE_YELLOW_CARD_AFTER, settings.CASE_RED_CARD_AFTER = 2, 3
    assert supervision_after(overdue_count, current) == expected


def test_rule_an_overdue_step_keeps_the_card_a_leader_gave(desk):
    case = run_to_dispatched(desk)
    case = services.case_supervise(desk.origin("shift_leader"), case, Supervision.RED, "限期办结")
    assert deadlines_sweep(case.due_at).red == 1
    case.refresh_from_db()
    assert (case.light, case.overdue_count, case.supervision) == (Light.RED, 1, Supervision.RED)
    assert_replays(case)


def test_rule_escalation_goes_one_level_up_and_stops_at_the_district(desk):
    at_street = run_to_dispatched(desk)
    at_street = services.case_escalate(desk.origin("shift_leader"), at_street, "社区无法解决")
    at_district = run_to_dispatched(desk)
    for _ in range(2):
        at_district = services.case_escalate(desk.origin("shift_leader"), at_district, "需要区级协调")
    assert (at_street.level, at_district.level) == (CaseLevel.STREET, CaseLevel.DISTRICT)
    events = CaseEvent.objects.count()

    result = deadlines_sweep(max(at_street.escalate_at, at_district.escalate_at))
    assert result.escalated == 1  # only the case that could go up
    at_street.refresh_from_db()
    at_district.refresh_from_db()
    assert (at_street.level, at_street.escalate_at) == (CaseLevel.DISTRICT, None)
    assert (at_district.level, at_district.escalate_at) == (CaseLevel.DISTRICT, None)  # not selected again
    escalations = CaseEvent.objects.filter(action="auto_escalate")
    assert [(event.case_id, event.payload) for event in escalations] == [
        (at_street.pk, {"set": {"level": CaseLevel.DISTRICT}})
    ]
    assert CaseEvent.objects.count() == events + 3  # two overdue steps and one escalation
    assert_replays(at_street)
    assert_replays(at_district)


def test_rule_a_run_counts_every_chunk_of_cases(desk, monkeypatch):
    monkeypatch.setattr(deadlines, "CHUNK", 2)
    with acting_at(local(2026, 11, 18, 9, 0)):  # three cases with the same instants
        cases = [run_to_dispatched(desk) for _ in range(3)]
    first = cases[0]
    assert all((case.yellow_at, case.due_at) == (first.yellow_at, first.due_at) for case in cases)
    assert deadlines_sweep(first.yellow_at).yellow == 3
    result = deadlines_sweep(first.escalate_at)
    assert (result.yellow, result.red, result.escalated) == (0, 3, 3)
    assert set(Case.objects.values_list("light", "overdue_count", "level")) == {(Light.RED, 1, CaseLevel.STREET)}


def test_rule_every_unconfirmed_summons_of_a_case_turns_red_with_its_own_event(desk):
    case = run_to_dispatched(desk)
    summonses = services.case_summon(
        desk.origin("street_leader"), case, [desk.enforcement, desk.sanitation], "联合执法"
    )
    due = max(summons.due_at for summons in summonses)
    assert deadlines_sweep(due).summons_red == 2
    assert {summons.department_id: summons.light for summons in case.summonses.all()} == {
        desk.enforcement.pk: Light.RED,
        desk.sanitation.pk: Light.RED,
    }
    overdue = case.events.filter(action="summons_overdue")
    assert sorted((event.payload["department"], event.payload["summons"]) for event in overdue) == sorted(
        (summons.department_id, summons.pk) for summons in summonses
    )
    assert {(event.from_status, event.to_status) for event in overdue} == {(case.status, case.status)}
    assert_replays(case)  # events without columns to set (吹哨, 报到超时) leave the replay alone


def test_rule_a_summons_reported_in_time_does_not_turn_red(desk):
    case = run_to_dispatched(desk)
    [summons] = services.case_summon(desk.origin("street_leader"), case, [desk.sanitation], "联合执法")
    services.case_summons_confirm(desk.origin("department_handler"), case)
    assert deadlines_sweep(summons.due_at + dt.timedelta(days=1)).summons_red == 0
    summons.refresh_from_db()
    assert summons.light == Light.GREEN
    assert not case.events.filter(action="summons_overdue").exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite locks the whole database, not rows")
def test_rule_a_run_skips_the_cases_another_run_holds(transactional_db, desk):
    with acting_at(local(2026, 11, 18, 9, 0)):
        held, free = run_to_dispatched(desk), run_to_dispatched(desk)
    locked, release = threading.Event(), threading.Event()

    def other_run() -> None:
        try:
            with transaction.atomic():
                list(Case.objects.select_for_update().filter(pk=held.pk))
                locked.set()
                release.wait(timeout=10)  # a run that waited for this lock would wait this long, then see both
        finally:
            connection.close()

    thread = threading.Thread(target=other_run)
    thread.start()
    try:
        assert locked.wait(timeout=10)
        result = deadlines_sweep(held.due_at)
    finally:
        release.set()
        thread.join()
    assert result.red == 1
    held.refresh_from_db()
    free.refresh_from_db()
    assert (held.light, held.overdue_count, free.light, free.overdue_count) == (Light.GREEN, 0, Light.RED, 1)
