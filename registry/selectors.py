from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count

from registry.models import Building, Household, Person


def grid_counts(grid_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """Buildings, households and population per grid id, in three grouped queries."""
    ids = list(grid_ids)
    counts: dict[int, dict[str, int]] = {grid_id: {"buildings": 0, "households": 0, "population": 0} for grid_id in ids}
    for model, key in ((Building, "buildings"), (Household, "households"), (Person, "population")):
        rows = model.objects.filter(grid_id__in=ids).values("grid_id").annotate(total=Count("id"))
        for row in rows:
            counts[row["grid_id"]][key] = row["total"]
    return counts
