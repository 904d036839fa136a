from dataclasses import dataclass

import pytest

from registry.choices import TagCategory
from registry.models import Person
from registry.tests.factories import HouseholdFactory, PersonFactory, PersonTagFactory


@dataclass
class Residents:
    a: Person  # grid A, tagged 社区矫正 (sensitive) and 残疾人
    b: Person  # grid B
    c: Person  # grid C (other street)


@pytest.fixture
def residents(world) -> Residents:
    people: list[Person] = []
    for grid, name in ((world.grid_a, "张三"), (world.grid_b, "李四"), (world.grid_c, "王五")):
        household = HouseholdFactory(house__building__grid=grid)
        people.append(PersonFactory.create(name=name, grid=grid, house=household.house, household=household))
    PersonTagFactory(person=people[0], category=TagCategory.COMMUNITY_CORRECTION)
    PersonTagFactory(person=people[0], category=TagCategory.DISABLED)
    return Residents(*people)
