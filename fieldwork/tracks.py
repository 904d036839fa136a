"""Track arithmetic over arrays of fixes (one worker, ordered by device time): the read-time filters, distances,
stops and time spent inside a fence. Pure functions of numbers; the selectors and the metrics job read the rows.

Times are seconds since the epoch (floats), positions WGS-84 degrees.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

EARTH_RADIUS_M = 6_371_008.8
METRES_PER_DEGREE = EARTH_RADIUS_M * np.pi / 180

# Why a fix was left out (the first reason that applies, in this order).
INVALID, MOCK, FUTURE, INACCURATE, DUPLICATE, TOO_FAST = "invalid", "mock", "future", "inaccurate", "duplicate", "fast"
REASONS = (INVALID, MOCK, FUTURE, INACCURATE, DUPLICATE, TOO_FAST)

Floats = NDArray[np.float64]
Bools = NDArray[np.bool_]


@dataclass(frozen=True)
class Filters:
    max_accuracy_m: float = 50
    max_speed_kmh: float = 15
    min_period_s: float = 5
    future_s: float = 600
    drop_mock: bool = True

    @classmethod
    def of(cls, values: dict[str, Any]) -> Filters:
        return cls(**{name: values[name] for name in cls.__dataclass_fields__ if name in values})


@dataclass
class Fixes:
    """Columns of one worker's fixes, ordered by time."""

    times: Floats
    lons: Floats
    lats: Floats
    accuracy: Floats  # NaN where the device sent none
    mock: Bools
    arrived: Floats  # server time

    def __len__(self) -> int:
        return len(self.times)

    def take(self, mask: Bools) -> Fixes:
        return Fixes(
            self.times[mask], self.lons[mask], self.lats[mask], self.accuracy[mask], self.mock[mask], self.arrived[mask]
        )


def haversine_m(lon1: Floats, lat1: Floats, lon2: Floats, lat2: Floats) -> Floats:
    """Great-circle distances in metres, element by element (within 0.5 % of the ellipsoid's)."""
    phi1, phi2 = np.radians(lat1), np.radians(lat2)
    dphi, dlambda = phi2 - phi1, np.radians(lon2 - lon1)
    a = np.sin(dphi / 2) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


def local_xy(lons: Floats, lats: Floats, lat0: float) -> tuple[Floats, Floats]:
    """Metres east and north of (0°, ``lat0``) on a plane tangent at ``lat0`` (a city is flat to 0.1 %)."""
    return lons * METRES_PER_DEGREE * np.cos(np.radians(lat0)), lats * METRES_PER_DEGREE


def filter_fixes(fixes: Fixes, filters: Filters) -> tuple[Bools, NDArray[np.object_]]:
    """Which fixes to keep, and for each left out the reason (``REASONS``; ``""`` for kept ones).

    Per fix: invalid positions (0,0 or out of range), mock locations, fixes from the future (device time more than
    ``future_s`` after arrival), poor accuracy. Then in order against the last kept fix: too soon after it
    (duplicates) and too fast from it (a jump no walker makes)."""
    count = len(fixes)
    reasons = np.full(count, "", dtype=object)
    invalid = (
        ~np.isfinite(fixes.lons)
        | ~np.isfinite(fixes.lats)
        | (np.abs(fixes.lons) > 180)
        | (np.abs(fixes.lats) > 90)
        | ((fixes.lons == 0) & (fixes.lats == 0))
    )
    checks: list[tuple[str, Bools]] = [(INVALID, invalid)]
    if filters.drop_mock:
        checks.append((MOCK, fixes.mock))
    checks.append((FUTURE, fixes.times > fixes.arrived + filters.future_s))
    checks.append((INACCURATE, np.nan_to_num(fixes.accuracy, nan=0.0) > filters.max_accuracy_m))
    for reason, bad in checks:
        reasons[(reasons == "") & bad] = reason
    candidates = np.flatnonzero(reasons == "")
    if len(candidates):
        lat0 = float(np.mean(fixes.lats[candidates]))
        xs, ys = local_xy(fixes.lons, fixes.lats, lat0)
        times = fixes.times.tolist()
        xs_list, ys_list = xs.tolist(), ys.tolist()
        max_speed = filters.max_speed_kmh / 3.6
        min_period = filters.min_period_s
        last = int(candidates[0])
        for index in candidates[1:].tolist():
            elapsed = times[index] - times[last]
            if elapsed < min_period:
                reasons[index] = DUPLICATE
                continue
            metres = ((xs_list[index] - xs_list[last]) ** 2 + (ys_list[index] - ys_list[last]) ** 2) ** 0.5
            if metres > max_speed * elapsed:
                reasons[index] = TOO_FAST
                continue
            last = index
    return reasons == "", reasons


def segments_distance_m(fixes: Fixes, max_gap_s: float) -> float:
    """Metres walked over consecutive fixes at most ``max_gap_s`` apart (a longer gap is not walked)."""
    if len(fixes) < 2:
        return 0.0
    steps = haversine_m(fixes.lons[:-1], fixes.lats[:-1], fixes.lons[1:], fixes.lats[1:])
    gaps = np.diff(fixes.times)
    return float(steps[gaps <= max_gap_s].sum())


@dataclass(frozen=True)
class Stop:
    started: float
    ended: float
    lon: float
    lat: float

    @property
    def seconds(self) -> float:
        return self.ended - self.started


def stops(fixes: Fixes, radius_m: float, min_seconds: float) -> list[Stop]:
    """停留点: runs of fixes staying within ``radius_m`` of the run's first fix for at least ``min_seconds``."""
    if not len(fixes):
        return []
    xs, ys = local_xy(fixes.lons, fixes.lats, float(np.mean(fixes.lats)))
    found: list[Stop] = []
    start = 0
    count = len(fixes)
    for index in range(1, count + 1):
        if index < count and np.hypot(xs[index] - xs[start], ys[index] - ys[start]) <= radius_m:
            continue
        last = index - 1
        if fixes.times[last] - fixes.times[start] >= min_seconds:
            found.append(
                Stop(
                    float(fixes.times[start]),
                    float(fixes.times[last]),
                    float(np.mean(fixes.lons[start:index])),
                    float(np.mean(fixes.lats[start:index])),
                )
            )
        start = index
    return found


def inside_fence(fixes: Fixes, fence: BaseGeometry | None) -> Bools:
    """Whether each fix lies in ``fence`` (already buffered); all outside when there is no fence."""
    if fence is None or not len(fixes):
        return np.zeros(len(fixes), dtype=bool)
    shapely.prepare(fence)
    return shapely.contains_xy(fence, fixes.lons, fixes.lats)


def buffered_fence(shape: BaseGeometry, metres: float) -> BaseGeometry:
    """``shape`` (degrees) grown by ``metres`` on the ground: buffered on the local plane and mapped back."""
    if metres <= 0:
        return shape
    lat0 = shape.centroid.y
    scale_x = METRES_PER_DEGREE * np.cos(np.radians(lat0))
    planar = shapely.transform(shape, lambda xy: xy * np.array([scale_x, METRES_PER_DEGREE]))
    grown = shapely.buffer(planar, metres, quad_segs=4)
    return shapely.transform(grown, lambda xy: xy / np.array([scale_x, METRES_PER_DEGREE]))


def overlap_s(starts: Floats, ends: Floats, windows: list[tuple[float, float]]) -> Floats:
    """Seconds of each interval [start, end) that fall inside the (disjoint) ``windows``."""
    total = np.zeros(len(starts))
    for window_start, window_end in windows:
        total += np.clip(np.minimum(ends, window_end) - np.maximum(starts, window_start), 0, None)
    return total


def on_duty_s(fixes: Fixes, inside: Bools, windows: list[tuple[float, float]], max_gap_s: float) -> float:
    """在岗时长: the gaps between consecutive fixes up to ``max_gap_s`` long that start inside the fence, counted
    within the roster ``windows``."""
    if len(fixes) < 2:
        return 0.0
    gaps = np.diff(fixes.times)
    counted = (gaps <= max_gap_s) & inside[:-1]
    return float(overlap_s(fixes.times[:-1][counted], fixes.times[1:][counted], windows).sum())


def off_fence_spells(
    fixes: Fixes, inside: Bools, windows: list[tuple[float, float]], max_gap_s: float
) -> list[tuple[float, float]]:
    """Spells outside the fence, as (start, seconds within the roster ``windows``): from the first fix outside to
    the next fix back inside, or to the last fix outside when the track stops or breaks off for longer than
    ``max_gap_s``."""
    count = len(fixes)
    if not count:
        return []
    outside = ~inside
    gaps = np.diff(fixes.times)
    joined = gaps <= max_gap_s  # fix i and i + 1 belong to one stretch of track
    before_in = np.concatenate(([True], inside[:-1] | ~joined))
    after_in = np.concatenate((inside[1:] | ~joined, [True]))
    starts = np.flatnonzero(outside & before_in)
    ends = np.flatnonzero(outside & after_in)
    back_inside = np.zeros(count, dtype=bool)
    back_inside[:-1] = joined & inside[1:]
    end_times = np.where(back_inside[ends], fixes.times[np.minimum(ends + 1, count - 1)], fixes.times[ends])
    seconds = overlap_s(fixes.times[starts], end_times, windows)
    return [(float(start), float(length)) for start, length in zip(fixes.times[starts], seconds, strict=True)]
