"""The working-time clock: deadlines in working minutes on China's calendar.

A day is a workday by, in order: an administrator's :class:`~cases.models.CalendarDay`, the statutory holidays
and adjusted workdays (调休) of the ``chinesecalendar`` package, and Monday–Friday for years that package does
not know yet. Working hours come from :class:`~cases.models.WorkingHours` (per department, or the default).
Urgent cases run in natural time and do not come here.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from dataclasses import dataclass, field

import chinese_calendar
from django.utils import timezone

from cases.models import CalendarDay, WorkingHours

logger = logging.getLogger(__name__)

DEFAULT_PERIODS = ((dt.time(8, 30), dt.time(12, 0)), (dt.time(13, 30), dt.time(17, 30)))
RELOAD_SECONDS = 60
MAX_DAYS = 3660
_unknown_years_warned: set[int] = set()


def statutory_workday(day: dt.date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        if day.year not in _unknown_years_warned:
            _unknown_years_warned.add(day.year)
            logger.warning("No statutory calendar for %s: using Monday–Friday plus the calendar overrides", day.year)
        return day.weekday() < 5


@dataclass
class WorkCalendar:
    periods: tuple[tuple[dt.time, dt.time], ...] = DEFAULT_PERIODS
    overrides: dict[dt.date, bool] = field(default_factory=dict)

    def is_workday(self, day: dt.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        return statutory_workday(day)

    @property
    def day_minutes(self) -> int:
        return sum(_minutes(start, end) for start, end in self.periods)

    def _windows(self, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        if not self.is_workday(day):
            return []
        zone = timezone.get_current_timezone()
        return [
            (dt.datetime.combine(day, start, zone), dt.datetime.combine(day, end, zone)) for start, end in self.periods
        ]

    def add(self, start: dt.datetime, minutes: float) -> dt.datetime:
        """The instant when ``minutes`` of working time have passed after ``start``."""
        cursor = timezone.localtime(start)
        remaining = dt.timedelta(minutes=minutes)
        day = cursor.date()
        for _ in range(MAX_DAYS):
            for window_start, window_end in self._windows(day):
                if cursor >= window_end:
                    continue
                begin = max(cursor, window_start)
                available = window_end - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
                cursor = window_end
            day += dt.timedelta(days=1)
        raise ValueError("no working time in the next ten years: check the calendar overrides")

    def between(self, start: dt.datetime, end: dt.datetime) -> float:
        """Working minutes between two instants (0 if ``end`` is not after ``start``: no overlap is positive)."""
        start, end = timezone.localtime(start), timezone.localtime(end)
        total = dt.timedelta()
        day = start.date()
        while day <= end.date():
            for window_start, window_end in self._windows(day):
                overlap = min(end, window_end) - max(start, window_start)
                if overlap > dt.timedelta():
                    total += overlap
            day += dt.timedelta(days=1)
        return total.total_seconds() / 60


def _minutes(start: dt.time, end: dt.time) -> int:
    return (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)


class _Cache:
    """Calendars per department, reloaded from the database at most every minute (and at once by ``forget``)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.loaded_at = 0.0
        self.calendars: dict[int | None, WorkCalendar] = {}

    def get(self, department_id: int | None) -> WorkCalendar:
        with self.lock:
            if time.monotonic() - self.loaded_at > RELOAD_SECONDS:
                self._load()
            return self.calendars.get(department_id) or self.calendars[None]

    def _load(self) -> None:
        overrides = dict(CalendarDay.objects.values_list("date", "is_workday"))
        rows = list(WorkingHours.objects.order_by("id"))
        defaults = [hours.periods() for hours in rows if hours.department_id is None]
        calendars: dict[int | None, WorkCalendar] = {
            None: WorkCalendar(defaults[0] if defaults else DEFAULT_PERIODS, overrides)
        }
        for hours in rows:
            if hours.department_id is not None:
                calendars[hours.department_id] = WorkCalendar(hours.periods(), overrides)
        self.calendars = calendars
        self.loaded_at = time.monotonic()

    def forget(self) -> None:
        with self.lock:
            self.loaded_at = 0.0


_cache = _Cache()


def calendar_for(department_id: int | None = None) -> WorkCalendar:
    return _cache.get(department_id)


def calendar_forget() -> None:
    """Call after changing calendar days or working hours so this process reloads them."""
    _cache.forget()


def deadline_after(
    start: dt.datetime, minutes: float, *, natural: bool, department_id: int | None = None
) -> dt.datetime:
    if natural:
        return start + dt.timedelta(minutes=minutes)
    return calendar_for(department_id).add(start, minutes)


def minutes_between(start: dt.datetime, end: dt.datetime, *, natural: bool, department_id: int | None = None) -> float:
    if natural:
        return max(0.0, (end - start).total_seconds() / 60)
    return calendar_for(department_id).between(start, end)
