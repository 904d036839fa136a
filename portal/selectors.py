"""What the portal lists: open problems in public categories, with their street (never a person or a grid)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from areas.choices import CODE_LENGTH, AreaLevel
from areas.models import Area
from cases.choices import ACTIVE_STATUSES
from cases.models import Case
from cases.public import public_cases

STREET_CODE_LENGTH = CODE_LENGTH[AreaLevel.STREET]


def public_open_problems(group: int | None = None) -> QuerySet[Case]:
    """Open cases in public categories that have a point, newest first; ``group`` narrows to one category class."""
    found = public_cases().filter(status__in=ACTIVE_STATUSES, longitude__isnull=False, latitude__isnull=False)
    if group is not None:
        found = found.filter(category__parent_id=group)
    return found.select_related("category", "grid").order_by("-created_at", "-id")


def street_names(cases: Iterable[Case]) -> dict[str, str]:
    """Street name by street code for the cases' grids (one query; the grid's code begins with its street's)."""
    codes = {case.grid.code[:STREET_CODE_LENGTH] for case in cases}
    if not codes:
        return {}
    streets = Area.objects.current().filter(level=AreaLevel.STREET, code__in=codes)
    return {street.code: street.name for street in streets}


def street_of(case: Case, names: dict[str, str]) -> str:
    return names.get(case.grid.code[:STREET_CODE_LENGTH], "")
