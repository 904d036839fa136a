"""Facts and field rows made by hand, so a test knows every figure a bulletin must show."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from accounts.models import Department
from areas.models import Area
from cases.models import Category
from gridgov.testing import World
from stats.facts import Measure as M
from stats.models import StatFact


@dataclass
class Facts:
    world: World

    def add(
        self,
        day: dt.date,
        measure: str,
        count: int = 1,
        *,
        on_time: int = 0,
        grid: Area | None = None,
        category: Category | None = None,
        source: str = "grid_worker",
        department: Department | None = None,
        person: Any = None,
        minutes: float = 0.0,
    ) -> StatFact:
        fact, _created = StatFact.objects.get_or_create(
            day=day,
            grid_id=(grid or self.world.grid_a).pk,
            category_id=category.pk if category else 0,
            source=source,
            department_id=department.pk if department else 0,
            person_id=getattr(person, "pk", person or 0),
            measure=measure,
        )
        fact.count += count
        fact.on_time += on_time
        fact.minutes += minutes
        fact.save()
        return fact

    def cases(
        self,
        day: dt.date,
        filed: int,
        *,
        closed: int = 0,
        closed_on_time: int = 0,
        reworks: int = 0,
        reports: int | None = None,
        **where: Any,
    ) -> None:
        """``filed`` cases filed on ``day`` (each reported that day), of which ``closed`` are closed by now
        (``closed_on_time`` of them in time), with ``reworks`` failed checks: the event and the cohort facts."""
        self.add(day, M.REPORT, filed if reports is None else reports, **where)
        if filed:
            self.add(day, M.FILED, filed, on_time=filed, **where)
        if closed:
            self.add(day, M.CLOSED, closed, on_time=closed_on_time, **where)
            self.add(day, M.C_CLOSED, closed, on_time=closed_on_time, **where)
        if reworks:
            self.add(day, M.REWORK, reworks, **where)
            self.add(day, M.C_REWORK, reworks, **where)


def category(kind: str, code: str) -> Category:
    return Category.objects.get(kind=kind, code=code)
