"""Fixtures of the visit-plan tests: the test world without the default plans, and helpers to make plans,
tagged people and floating registrations in its grids."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from areas.models import Area
from registry.models import FloatingRegistration, Person, PersonTag
from registry.tests.factories import HouseFactory, PersonFactory
from visits.choices import IntervalUnit, PlanSubject
from visits.models import VisitPlan
from visits.plans import plan_is_sensitive


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
