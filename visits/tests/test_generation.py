"""Due-visit generation: days on the working calendar (holidays, 调休), first windows and the next ones, the
worker chosen, people leaving the group, idempotence and parallel runs."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.conf import settings
from django.db import connection

from accounts.roles import Role
from cases.worktime import calendar_forget
from gridgov.testing import make_user
from registry.models import PersonTag
from visits.choices import DueLight, DueStatus, IntervalUnit, PlanSubject
from visits.models import DueVisit, VisitPlan
from visits.plans import DEFAULT_PLANS, due_date, due_light, due_visits_generate, visit_plans_ensure
from visits.tests.conftest import floating_person, plan_make, tagged_person

D = dt.date


@pytest.fixture(autouse=True)
def _statutory_calendar(db):
    calendar_forget()


@pytest.mark.parametrize(
    ("start", "days", "unit", "expected"),
    [
        # 国庆 2026: 10-01..10-07 off, Saturday 10-10 an adjusted working day (调休).
        (D(2026, 9, 24), 7, IntervalUnit.NATURAL, D(2026, 10, 8)),  # falls on 10-01 → next working day
        (D(2026, 10, 3), 7, IntervalUnit.NATURAL, D(2026, 10, 10)),  # the working Saturday stays
        (D(2026, 10, 4), 7, IntervalUnit.NATURAL, D(2026, 10, 12)),  # Sunday 10-11 → Monday
        (D(2026, 9, 29), 3, IntervalUnit.WORKING, D(2026, 10, 9)),  # 9-30, 10-08, 10-09
        (D(2026, 10, 8), 3, IntervalUnit.WORKING, D(2026, 10, 12)),  # 10-09, Saturday 10-10, 10-12
        # 春节 2026: 02-15..02-23 off, Saturdays 02-14 and 02-28 working days.
        (D(2026, 2, 9), 7, IntervalUnit.NATURAL, D(2026, 2, 24)),
        (D(2026, 2, 9), 5, IntervalUnit.NATURAL, D(2026, 2, 14)),
        (D(2026, 2, 12), 2, IntervalUnit.WORKING, D(2026, 2, 14)),  # 02-13, Saturday 02-14
        (D(2026, 2, 21), 30, IntervalUnit.NATURAL, D(2026, 3, 23)),  # Sunday 03-22 → Monday
        (D(2026, 3, 7), 7, IntervalUnit.NATURAL, D(2026, 3, 16)),  # an ordinary weekend
        (D(2026, 3, 9), 4, IntervalUnit.NATURAL, D(2026, 3, 13)),  # a working day stays
    ],
)
def test_due_date_on_the_working_calendar(start, days, unit, expected):
    assert due_date(start, days, unit) == expected


@pytest.mark.parametrize(
    ("due_on", "interval", "light"),
    [
        (D(2026, 10, 7), 7, DueLight.RED),  # overdue
        (D(2026, 10, 8), 7, DueLight.YELLOW),  # due today
        (D(2026, 10, 10), 7, DueLight.YELLOW),  # within 2 days
        (D(2026, 10, 11), 7, DueLight.GREEN),  # 2 days is larger than 20 % of 7
        (D(2026, 10, 14), 30, DueLight.YELLOW),  # 20 % of 30 = 6 days
        (D(2026, 10, 15), 30, DueLight.GREEN),
    ],
)
def test_lights(due_on, interval, light):
    assert due_light(due_on, D(2026, 10, 8), interval) == light


def test_default_plans_are_seeded_once(db):
    assert VisitPlan.objects.count() == len(DEFAULT_PLANS)
    assert visit_plans_ensure() == 0
    sensitive = set(VisitPlan.objects.filter(sensitive=True).values_list("tag_category", flat=True))
    assert sensitive == {
        "released_prisoner",
        "community_correction",
        "severe_mental_illness",
        "drug_user",
        "petitioner",
        "at_risk_youth",
    }
    weekly = VisitPlan.objects.get(tag_category="community_correction")
    assert (weekly.interval, weekly.subject) == (7, PlanSubject.TAG)


def test_generation_creates_one_open_due_visit_per_person_and_a_second_run_writes_nothing(plans_world):
    plan = plan_make("elderly_alone", interval=7)
    sensitive = plan_make("community_correction", interval=7)
    elder = tagged_person(plans_world.grid_a, since=D(2026, 9, 24))
    watched = tagged_person(plans_world.grid_a, "community_correction", since=D(2026, 10, 3))
    tagged_person(plans_world.grid_a, "disabled")  # no plan of this group
    counts = due_visits_generate(D(2026, 10, 3))
    assert (counts.created, counts.cancelled) == (2, 0)
    due = DueVisit.objects.get(plan=plan)
    assert (due.person_id, due.window_start, due.due_on, due.status) == (
        elder.pk,
        D(2026, 9, 24),
        D(2026, 10, 8),
        "open",
    )
    assert due.worker == plans_world.user("grid_worker_a") and not due.sensitive
    key = DueVisit.objects.get(plan=sensitive)
    assert (key.person_id, key.due_on, key.sensitive) == (watched.pk, D(2026, 10, 10), True)
    assert key.worker is not None and key.worker.username in {"community", "grid_leader"}  # they may see 重点人员

    before = list(DueVisit.objects.order_by("pk").values_list())
    again = due_visits_generate(D(2026, 10, 3))
    assert (again.created, again.cancelled) == (0, 0)
    assert list(DueVisit.objects.order_by("pk").values_list()) == before


def test_the_next_window_opens_with_the_last_visit(plans_world):
    plan = plan_make("elderly_alone", interval=7)
    person = tagged_person(plans_world.grid_a, since=D(2026, 9, 1))
    due_visits_generate(D(2026, 9, 1))
    DueVisit.objects.filter(plan=plan).update(status=DueStatus.DONE, done_on=D(2026, 9, 27))
    assert due_visits_generate(D(2026, 9, 28)).created == 1
    following = DueVisit.objects.get(plan=plan, status=DueStatus.OPEN)
    assert (following.window_start, following.due_on) == (D(2026, 9, 27), D(2026, 10, 8))  # 10-04 is a holiday
    assert following.person_id == person.pk
    assert due_visits_generate(D(2026, 9, 28)).created == 0


def test_a_visit_on_the_day_its_window_opened_still_opens_the_next_window(plans_world):
    plan = plan_make("elderly_alone", interval=7, unit=IntervalUnit.WORKING)
    tagged_person(plans_world.grid_a, since=D(2026, 10, 8))
    due_visits_generate(D(2026, 10, 8))
    DueVisit.objects.filter(plan=plan).update(status=DueStatus.DONE, done_on=D(2026, 10, 8))
    assert due_visits_generate(D(2026, 10, 8)).created == 1
    following = DueVisit.objects.get(plan=plan, status=DueStatus.OPEN)
    # seven working days after 10-08: 10-09, Saturday 10-10 (调休), 10-12 … 10-16
    assert (following.window_start, following.due_on) == (D(2026, 10, 9), D(2026, 10, 16))


def test_people_who_leave_the_group_have_their_open_due_visits_cancelled(plans_world):
    plan = plan_make("elderly_alone", interval=7, area=plans_world.areas["110101001001"])
    stays = tagged_person(plans_world.grid_a)
    untagged = tagged_person(plans_world.grid_a)
    moves = tagged_person(plans_world.grid_b)
    due_visits_generate(D(2026, 9, 28))
    assert DueVisit.objects.filter(plan=plan, status="open").count() == 3
    PersonTag.objects.filter(person=untagged).update(until=D(2026, 9, 30))
    moves.grid = plans_world.grid_c  # moved to another street, outside the plan's community
    moves.save()
    counts = due_visits_generate(D(2026, 10, 9))
    assert counts.cancelled == 2 and counts.created == 0
    statuses = dict(DueVisit.objects.values_list("person_id", "status"))
    assert statuses == {stays.pk: "open", untagged.pk: "cancelled", moves.pk: "cancelled"}


def test_worker_from_the_tag_then_the_assignment_then_the_least_loaded_grid_worker(plans_world):
    plan_make("elderly_alone", interval=7)
    worker_a = plans_world.user("grid_worker_a")
    second = make_user("worker_a2", Role.GRID_WORKER, [plans_world.grid_a])
    leader = plans_world.user("grid_leader")
    named = tagged_person(plans_world.grid_a, responsible=leader)
    gone = make_user("gone", Role.GRID_WORKER, [plans_world.grid_a], is_active=False)
    named_inactive = tagged_person(plans_world.grid_a, responsible=gone)
    plain = [tagged_person(plans_world.grid_a) for _ in range(3)]
    due_visits_generate(D(2026, 9, 28))
    workers = dict(DueVisit.objects.values_list("person_id", "worker_id"))
    assert workers[named.pk] == leader.pk
    # the rest spread over the two workers, the lower id first on a tie
    spread = [workers[person.pk] for person in [named_inactive, *plain]]
    assert sorted(spread) == sorted([worker_a.pk, worker_a.pk, second.pk, second.pk])
    assert workers[named_inactive.pk] == min(worker_a.pk, second.pk)

    # an explicit assignment is kept for the next window
    reassigned = DueVisit.objects.get(person=plain[0])
    reassigned.worker, reassigned.assigned = leader, True
    reassigned.save()
    DueVisit.objects.filter(pk=reassigned.pk).update(status=DueStatus.DONE, done_on=D(2026, 10, 8))
    due_visits_generate(D(2026, 10, 9))
    following = DueVisit.objects.get(person=plain[0], status="open")
    assert (following.worker_id, following.assigned) == (leader.pk, True)


def test_floating_residents_new_and_expired(plans_world):
    new = plan_make(subject=PlanSubject.NEW_FLOATING, interval=30, first_within=7)
    expired = plan_make(subject=PlanSubject.EXPIRED_FLOATING, interval=30, first_within=7)
    arrived = floating_person(plans_world.grid_a, arrival=D(2026, 10, 5))
    long_ago = floating_person(plans_world.grid_a, arrival=D(2026, 6, 1))
    ran_out = floating_person(plans_world.grid_a, arrival=D(2026, 3, 1), until=D(2026, 9, 28))
    floating_person(plans_world.grid_a, arrival=D(2026, 3, 1), until=D(2026, 12, 31))  # still valid
    due_visits_generate(D(2026, 10, 9))
    rows = {(due.plan_id, due.person_id): (due.window_start, due.due_on) for due in DueVisit.objects.all()}
    assert rows == {
        (new.pk, arrived.pk): (D(2026, 10, 5), D(2026, 10, 12)),
        (expired.pk, ran_out.pk): (D(2026, 9, 28), D(2026, 10, 8)),  # 10-05 is a holiday
    }
    assert (new.pk, long_ago.pk) not in rows
    # done once: a one-off window is not opened again
    DueVisit.objects.update(status=DueStatus.DONE, done_on=D(2026, 10, 10))
    assert due_visits_generate(D(2026, 10, 11)).created == 0
    # a renewal ends the expired one's group: its open visit (if any) is cancelled
    DueVisit.objects.filter(plan=expired).update(status=DueStatus.OPEN, done_on=None)
    ran_out.floating_registrations.create(
        house=ran_out.house, arrival_date=D(2026, 10, 9), expected_until=D(2027, 10, 9), reason="work"
    )
    assert due_visits_generate(D(2026, 10, 11)).cancelled == 1


def test_generation_is_registered_as_a_periodic_job():
    assert "visits.tasks.due_visits_sweep" in settings.PERIODIC_JOBS


@pytest.mark.django_db(transaction=True)
def test_two_runs_in_parallel_create_each_due_visit_once(world):
    if connection.vendor != "postgresql":
        pytest.skip("parallel writers need PostgreSQL (run with DATABASE_URL)")
    VisitPlan.objects.all().delete()
    plan_make("elderly_alone", interval=7)
    people = [tagged_person(world.grid_a) for _ in range(40)]
    errors: list[BaseException] = []

    def run() -> None:
        try:
            due_visits_generate(D(2026, 9, 28))
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert DueVisit.objects.filter(status="open").count() == len(people)


def test_a_key_persons_visit_goes_to_the_grid_worker_where_no_leader_or_staff_covers_the_grid(plans_world):
    plan_make("community_correction", interval=7)
    watched = tagged_person(plans_world.grid_a, "community_correction", since=D(2026, 9, 24))
    for persona in ("community_staff", "grid_leader"):
        user = plans_world.user(persona)
        user.is_active = False
        user.save(update_fields=["is_active"])
    due_visits_generate(D(2026, 10, 1))
    key = DueVisit.objects.get(person=watched)
    assert key.worker == plans_world.user("grid_worker_a") and key.sensitive
