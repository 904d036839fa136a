"""The visits' test scene: the test world with categories, a person in grid A (tagged 独居老人), one tagged 社区矫正
(sensitive) in grid A, one in grid B, a place in grid A, and a plan with an open due visit for the first."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.test import Client

from audit.services import Origin
from cases.models import Category
from cases.seed import categories_ensure
from gridgov.testing import World
from registry.choices import TagCategory
from registry.models import Person, Place
from registry.tests.factories import HouseholdFactory, PersonFactory, PersonTagFactory, PlaceFactory
from visits.models import DueVisit, VisitPlan

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
