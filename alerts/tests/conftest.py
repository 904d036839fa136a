"""The alerts' test kit: a fixed Wednesday, facts written for chosen days (the detector reads only the fact table),
alerts made directly, and leaders of street 2 and of the whole district beside the world's personas."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable, Iterable

import factory
import pytest

from accounts.models import User
from accounts.roles import Role
from alerts.models import AlertMethod, WarningAlert
from areas.models import Area
from cases.models import Category
from gridgov.testing import World, make_user
from stats.facts import Measure
from stats.models import StatFact

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
#: A Wednesday; the job runs at 15:00 on it (today so far) and tests yesterday with it.
DAY = dt.date(2026, 11, 25)
NOW = dt.datetime(2026, 11, 25, 15, 0, tzinfo=SHANGHAI)
#: A steady series: the same weekday of the eight weeks before, oldest first (mean 2, variance below the mean).
STEADY = [2, 3, 2, 1, 2, 3, 2, 1]


def weeks_before(day: dt.date, counts: Iterable[int]) -> dict[dt.date, int]:
    """``counts`` (oldest first) on the same weekday of the weeks before ``day``."""
    counts = list(counts)
    return {day - dt.timedelta(days=7 * (len(counts) - index)): count for index, count in enumerate(counts)}


FactsWrite = Callable[..., None]


@pytest.fixture
def facts_write() -> FactsWrite:
    """Report facts of one grid and category: ``facts_write(grid, category, {day: count})`` (added to what is there,
    as a report written through the services adds one)."""

    def write(grid: Area, category: Category, counts: dict[dt.date, int], source: str = "grid_worker") -> None:
        for day, count in counts.items():
            fact, _created = StatFact.objects.get_or_create(
                day=day, grid_id=grid.pk, category_id=category.pk, source=source, measure=Measure.REPORT
            )
            fact.count += count
            fact.save(update_fields=["count"])

    return write


@pytest.fixture
def garbage() -> Category:
    return Category.objects.get(kind="event", code="0102")


@pytest.fixture
def litter() -> Category:
    return Category.objects.get(kind="event", code="0103")


@pytest.fixture
def leaders(world: World) -> dict[str, User]:
    """A street leader of street 2 and a district leader, beside the world's street 1 leader and community staff."""
    made = {
        "street2": make_user("street2", Role.STREET_LEADER, [world.areas["110101002"]]),
        "district": make_user("district", Role.DISTRICT_LEADER, [world.areas["110101"]]),
    }
    world.users.update(made)  # world.client("street2") signs them in
    return made


class WarningAlertFactory(factory.django.DjangoModelFactory[WarningAlert]):
    class Meta:
        model = WarningAlert

    day = DAY
    observed = 9
    expected = 1.2
    probability = 0.0002
    threshold = 6
    method = AlertMethod.POISSON
    baseline = factory.LazyFunction(lambda: [1, 2, 1, 0, 2, 1, 1, 2])
    created_at = NOW
