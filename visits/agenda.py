"""A worker's agenda (今日走访): the day's due visits — overdue, due, and due within the yellow window — in the
order of a walking route from where the worker is (the last fix of the day) or the grid's centre.

The route is nearest-neighbour from the start, improved by 2-opt, on metric coordinates of a local
equirectangular projection (exact enough within a grid); stops without a location come last.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from areas.models import AreaBoundary
from fieldwork.models import TrackPoint
from fieldwork.selectors import day_bounds
from visits.choices import DueLight, DueStatus
from visits.models import DueVisit
from visits.plans import due_location, due_row, due_visits_visible, light_q, plan_intervals

EARTH_RADIUS_M = 6_371_008.8
TWO_OPT_ROUNDS = 50
#: Beyond this many stops the nearest-neighbour walk is kept as it is (2-opt grows with the square of the stops).
TWO_OPT_MAX_STOPS = 150

Point = tuple[float, float]


def project(points: Sequence[Point], origin: Point) -> list[tuple[float, float]]:
    """Lon/lat to metres east/north of ``origin`` (equirectangular at the origin's latitude)."""
    scale = math.cos(math.radians(origin[1]))
    return [
        (
            math.radians(lon - origin[0]) * EARTH_RADIUS_M * scale,
            math.radians(lat - origin[1]) * EARTH_RADIUS_M,
        )
        for lon, lat in points
    ]


def _distance(a: tuple[float, float], b: tuple[float, float]) -> float:
    return math.hypot(a[0] - b[0], a[1] - b[1])


def route_order(start: Point, stops: Sequence[Point]) -> list[int]:
    """The order (indices into ``stops``) of an open walk from ``start`` through every stop: nearest neighbour,
    then 2-opt until no reversal shortens it (ties keep the given order)."""
    if not stops:
        return []
    xy = project([start, *stops], start)
    here, left = xy[0], list(range(len(stops)))
    order: list[int] = []
    while left:
        nearest = min(left, key=lambda index: (_distance(here, xy[index + 1]), index))
        order.append(nearest)
        left.remove(nearest)
        here = xy[nearest + 1]

    def at(position: int) -> tuple[float, float]:
        return xy[0] if position < 0 else xy[order[position] + 1]

    for _round in range(TWO_OPT_ROUNDS if len(order) <= TWO_OPT_MAX_STOPS else 0):
        improved = False
        for i in range(len(order) - 1):
            for j in range(i + 1, len(order)):
                # reverse order[i..j]: edges (i-1,i) and (j,j+1) become (i-1,j) and (i,j+1); the walk is open
                before = _distance(at(i - 1), at(i))
                after = _distance(at(i - 1), at(j))
                if j + 1 < len(order):
                    before += _distance(at(j), at(j + 1))
                    after += _distance(at(i), at(j + 1))
                if after < before - 1e-6:
                    order[i : j + 1] = reversed(order[i : j + 1])
                    improved = True
        if not improved:
            break
    return order


@dataclass
class Agenda:
    date: dt.date
    start: Point | None
    stops: list[dict[str, Any]]
    total_m: float

    @property
    def route(self) -> dict[str, Any]:
        coordinates = [list(self.start)] if self.start else []
        coordinates += [[stop["lon"], stop["lat"]] for stop in self.stops if stop["lon"] is not None]
        return {"type": "LineString", "coordinates": coordinates}

    def as_dict(self) -> dict[str, Any]:
        return {
            "date": self.date,
            "start": {"lon": self.start[0], "lat": self.start[1]} if self.start else None,
            "stops": self.stops,
            "route": self.route,
            "total_m": self.total_m,
        }


def agenda_due(user: Any, day: dt.date) -> list[DueVisit]:
    """The worker's open due visits for ``day``: overdue, due, or due within the yellow window."""
    lights = light_q([DueLight.RED, DueLight.YELLOW], day, plan_intervals())
    return list(
        due_visits_visible(user).filter(worker=user, status=DueStatus.OPEN).filter(lights).order_by("due_on", "id")
    )


def agenda_start(user: Any, day: dt.date, dues: Sequence[DueVisit]) -> Point | None:
    """The worker's last fix of the day, else the centre of the grid of their first visit (or their own grid)."""
    start, end = day_bounds(day)
    fix = (
        TrackPoint.objects.filter(worker=user, device_time__gte=start, device_time__lt=end)
        .order_by("-device_time")
        .values_list("lon", "lat")
        .first()
    )
    if fix is not None:
        return fix
    grid_id = dues[0].grid_id if dues else user.areas.filter(level="grid").values_list("pk", flat=True).first()
    if grid_id is None:
        return None
    return (
        AreaBoundary.objects.filter(area_id=grid_id, valid_to__isnull=True)
        .values_list("centroid_lon", "centroid_lat")
        .first()
    )


def agenda_of(user: Any, day: dt.date) -> Agenda:
    dues = agenda_due(user, day)
    start = agenda_start(user, day, dues)
    located = [(due, location) for due in dues if (location := due_location(due)) is not None]
    unlocated = [due for due in dues if due_location(due) is None]
    origin = start or (located[0][1] if located else None)
    order = route_order(origin, [location for _due, location in located]) if origin else []
    stops: list[dict[str, Any]] = []
    total = 0.0
    here = origin
    for index in order:
        due, location = located[index]
        assert here is not None  # an order exists only from an origin
        leg = _distance(*project([here, location], here))
        total += leg
        here = location
        stops.append({**due_row(due, day, user), "order": len(stops) + 1, "leg_m": round(leg, 1)})
    for due in unlocated:
        stops.append({**due_row(due, day, user), "order": len(stops) + 1, "leg_m": None})
    return Agenda(date=day, start=start, stops=stops, total_m=round(total, 1))
