"""Fixtures of the visits tests.

* ``field``: the test world with categories, a person in grid A (tagged 独居老人), one tagged 社区矫正 (sensitive) in
  grid A, one in grid B, a place in grid A, and a plan with an open due visit for the first.
* ``plans_world`` and the ``plan_make``/``tagged_person``/``floating_person`` helpers: the world without the default
  plans, and plans, tagged people and floating registrations made by each test."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from areas.models import Area
from audit.services import Origin
from cases.models import Category
from cases.seed import categories_ensure
from gridgov.testing import World
from registry.choices import TagCategory
from registry.models import FloatingRegistration, Person, PersonTag, Place
from registry.tests.factories import HouseFactory, HouseholdFactory, PersonFactory, PersonTagFactory, PlaceFactory
from visits.choices import IntervalUnit, PlanSubject
from visits.models import DueVisit, VisitPlan
from visits.plans import plan_is_sensitive

#: Visits in the tests happen on Monday 5 January 2026 at 10:00 in Beijing.
VISITED_AT = dt.datetime(2026, 1, 5, 10, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@dataclass
class Field:
    world: World
    elderly: Person  # grid A, 独居老人
    watched: Person  # grid A, 社区矫正 (sensitive)
    other: Person  # grid B
    place: Place  # grid A
    due: DueVisit  # open, for ``elderly``, window from 2026-01-01
    category: Category

    def origin(self, persona: str = "grid_worker_a") -> Origin:
        return Origin(self.world.user(persona), "api")

    def client(self, persona: str = "grid_worker_a") -> Client:
        return self.world.client(persona)


def _resident(grid, name: str) -> Person:
    household = HouseholdFactory.create(house__building__grid=grid)
    return PersonFactory.create(name=name, grid=grid, house=household.house, household=household)


@pytest.fixture
def field(world) -> Field:
    categories_ensure()
    elderly = _resident(world.grid_a, "赵大爷")
    PersonTagFactory.create(person=elderly, category=TagCategory.ELDERLY_ALONE)
    watched = _resident(world.grid_a, "钱某")
    PersonTagFactory.create(person=watched, category=TagCategory.COMMUNITY_CORRECTION)
    other = _resident(world.grid_b, "孙阿姨")
    place = PlaceFactory.create(grid=world.grid_a)
    plan = VisitPlan.objects.create(name="独居老人每周走访", tag_category=TagCategory.ELDERLY_ALONE, interval=7)
    due = DueVisit.objects.create(
        plan=plan,
        person=elderly,
        grid=world.grid_a,
        worker=world.user("grid_worker_a"),
        window_start=dt.date(2026, 1, 1),
        due_on=dt.date(2026, 1, 8),
    )
    category = Category.objects.get(kind="event", code="0102")
    return Field(world, elderly, watched, other, place, due, category)


@pytest.fixture
def plans_world(world):
    """The kit's world with no plan but those a test makes."""
    VisitPlan.objects.all().delete()
    return world


def plan_make(
    tag_category: str = "elderly_alone",
    *,
    interval: int = 7,
    unit: str = IntervalUnit.NATURAL,
    subject: str = PlanSubject.TAG,
    area: Area | None = None,
    first_within: int = 7,
    name: str = "",
) -> VisitPlan:
    category = tag_category if subject == PlanSubject.TAG else ""
    return VisitPlan.objects.create(
        name=name or f"{subject}-{category}-{interval}",
        subject=subject,
        tag_category=category,
        interval=interval,
        interval_unit=unit,
        first_within=first_within,
        area=area,
        sensitive=plan_is_sensitive(subject, category),
    )


def tagged_person(
    grid: Area, category: str = "elderly_alone", since: dt.date = dt.date(2026, 9, 24), **tag: Any
) -> Person:
    house = HouseFactory.create(building__grid=grid)
    person = PersonFactory.create(grid=grid, house=house, name="王大爷")
    PersonTag.objects.create(person=person, category=category, since=since, **tag)
    return person


def floating_person(grid: Area, arrival: dt.date, until: dt.date | None = None) -> Person:
    house = HouseFactory.create(building__grid=grid)
    person = PersonFactory.create(grid=grid, house=house, name="刘小工", residency_type="floating")
    FloatingRegistration.objects.create(
        person=person, house=house, arrival_date=arrival, expected_until=until, reason="work"
    )
    return person
