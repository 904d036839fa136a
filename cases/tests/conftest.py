import datetime as dt
from dataclasses import dataclass

import pytest

from accounts.models import Department, DepartmentKind
from audit.services import Origin
from cases.models import Category
from cases.photos import photo_check
from cases.seed import categories_ensure
from cases.services import ReportData, report_submit
from cases.worktime import calendar_forget
from gridgov.testing import IN_A, World, jpeg


def photo():
    return photo_check(jpeg())


@dataclass
class Desk:
    world: World
    category: Category
    sanitation: Department
    enforcement: Department

    def origin(self, persona: str) -> Origin:
        return Origin(self.world.users[persona], "api")

    def report(self, persona: str = "grid_worker_a", point=IN_A, **fields):
        source = fields.pop("source", "grid_worker")
        data = ReportData(
            source=source,
            description=fields.pop("description", "路边有暴露垃圾"),
            longitude=point[0],
            latitude=point[1],
            category_id=fields.pop("category_id", self.category.pk),
            **fields,
        )
        return report_submit(self.origin(persona), data).case


@pytest.fixture(autouse=True)
def _fresh_calendar():
    calendar_forget()
    yield
    calendar_forget()


@pytest.fixture
def desk(world) -> Desk:
    categories_ensure()  # a live-server test run earlier may have flushed the seeded categories
    enforcement = Department.objects.create(code="CG", name="城管执法队", kind=DepartmentKind.ENFORCEMENT)
    return Desk(world, Category.objects.get(kind="event", code="0102"), world.department, enforcement)


WEEKDAY_MORNING = dt.datetime(2026, 11, 18, 9, 0)  # a Wednesday
