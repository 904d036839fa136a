from __future__ import annotations

from typing import Any, Self

from accounts.access import ScopedQuerySet, user_scope
from areas.models import Area


class RegistryQuerySet(ScopedQuerySet):
    """Rows placed in a grid. Scope filters on the grid id through a subquery of the areas in scope, so the
    (grid, …) indexes serve scoped searches on both SQLite and PostgreSQL."""

    scope_code_field = "grid__code"
    grid_field = "grid"

    def visible_to(self, user: Any) -> Self:
        scope = user_scope(user)
        if scope.everything:
            return self.all()
        grids = Area.objects.filter(scope.q("code")).values("pk")
        return self.filter(**{f"{self.grid_field}__in": grids})


class PersonLinkedQuerySet(RegistryQuerySet):
    """Rows that belong to a person (tags, moves, registrations): scoped by the person's grid."""

    scope_code_field = "person__grid__code"
    grid_field = "person__grid"


class HouseLinkedQuerySet(RegistryQuerySet):
    """Rows that belong to a house (tenancies): scoped by the house's grid."""

    scope_code_field = "house__grid__code"
    grid_field = "house__grid"
