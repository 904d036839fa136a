"""Deadlines in working time across weekends, statutory holidays and 调休 workdays (fixed 2026 dates)."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Department, DepartmentKind
from cases.models import CalendarDay, WorkingHours
from cases.worktime import WorkCalendar, calendar_for, calendar_forget, deadline_after, minutes_between


def local(*parts):
    return timezone.make_aware(dt.datetime(*parts))


CAL = WorkCalendar()  # 08:30–12:00, 13:30–17:30: 7.5 working hours a day


@pytest.mark.parametrize(
    ("start", "minutes", "expected", "why"),
    [
        (local(2026, 11, 18, 9, 0), 120, local(2026, 11, 18, 11, 0), "inside the morning"),
        (local(2026, 11, 18, 11, 0), 120, local(2026, 11, 18, 14, 30), "across lunch"),
        (local(2026, 11, 18, 7, 0), 30, local(2026, 11, 18, 9, 0), "before work starts"),
        (local(2026, 11, 20, 17, 0), 60, local(2026, 11, 23, 9, 0), "Friday evening → Monday"),
        (local(2026, 11, 21, 10, 0), 30, local(2026, 11, 23, 9, 0), "reported on Saturday"),
        (
            local(2026, 9, 30, 17, 0),
            30 + 450 + 210,
            local(2026, 10, 9, 12, 0),
            "National Day 10-01..10-07 is off, 10-08 and 10-09 count",
        ),
        (local(2026, 10, 9, 17, 0), 60, local(2026, 10, 10, 9, 0), "Saturday 10-10 is an adjusted workday (调休)"),
        (local(2026, 2, 13, 17, 0), 60, local(2026, 2, 14, 9, 0), "Saturday 02-14 is an adjusted workday"),
        (local(2026, 2, 14, 17, 0), 60, local(2026, 2, 24, 9, 0), "Spring Festival 02-15..02-23 is off"),
        (local(2026, 11, 18, 9, 0), 450 * 3, local(2026, 11, 21 + 2, 9, 0), "three working days, same time"),
    ],
)
def test_working_deadlines(start, minutes, expected, why):
    assert CAL.add(start, minutes) == expected, why
    assert CAL.between(start, expected) == pytest.approx(minutes), why


def test_natural_time_ignores_the_calendar():
    start = local(2026, 10, 1, 9, 0)
    assert deadline_after(start, 60, natural=True) == local(2026, 10, 1, 10, 0)
    assert minutes_between(start, local(2026, 10, 2, 9, 0), natural=True) == 24 * 60


def test_administrator_overrides_and_department_hours(db):
    start = local(2026, 11, 18, 17, 0)
    assert deadline_after(start, 60, natural=False) == local(2026, 11, 19, 9, 0)
    CalendarDay.objects.create(date=dt.date(2026, 11, 19), is_workday=False, note="本地假日")
    calendar_forget()
    assert deadline_after(start, 60, natural=False) == local(2026, 11, 20, 9, 0)
    water = Department.objects.create(code="W", name="供水", kind=DepartmentKind.WATER)
    WorkingHours.objects.create(
        department=water,
        morning_start=dt.time(8, 0),
        morning_end=dt.time(12, 0),
        afternoon_start=dt.time(12, 0),
        afternoon_end=dt.time(20, 0),
    )
    calendar_forget()
    assert calendar_for(water.pk).day_minutes == 12 * 60
    assert deadline_after(start, 60, natural=False, department_id=water.pk) == local(2026, 11, 18, 18, 0)


def test_years_beyond_the_statutory_table_fall_back_to_weekdays():
    assert CAL.add(local(2030, 1, 4, 17, 0), 60) == local(2030, 1, 7, 9, 0)  # Friday → Monday
