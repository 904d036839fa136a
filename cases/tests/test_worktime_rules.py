"""The working calendar's rules (cases.worktime): the length of a working day, where a deadline falls at the edge
of a period, elapsed time that cannot be negative, whose working hours apply, how long a process keeps the calendar
it loaded, and the fallback for years the statutory table does not know."""

import datetime as dt
import logging
import types

import pytest

from cases import worktime
from cases.models import CalendarDay, WorkingHours
from cases.tests.test_rules_pinned import local
from cases.worktime import WorkCalendar, calendar_for, calendar_forget, deadline_after, minutes_between

CAL = WorkCalendar()  # 08:30–12:00, 13:30–17:30


def hours_of(department, morning: tuple[dt.time, dt.time], afternoon: tuple[dt.time, dt.time]) -> WorkingHours:
    return WorkingHours.objects.create(
        department=department,
        morning_start=morning[0],
        morning_end=morning[1],
        afternoon_start=afternoon[0],
        afternoon_end=afternoon[1],
    )


def test_rule_a_working_day_is_the_sum_of_its_periods_to_the_minute():
    assert CAL.day_minutes == 210 + 240
    quarter_past = WorkCalendar(((dt.time(8, 15), dt.time(11, 45)), (dt.time(13, 5), dt.time(17, 50))))
    assert quarter_past.day_minutes == 210 + 285


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (local(2026, 11, 18, 7, 0), local(2026, 11, 18, 8, 30)),  # before work: when work starts
        (local(2026, 11, 18, 12, 0), local(2026, 11, 18, 13, 30)),  # the morning's end: the afternoon's start
        (local(2026, 11, 20, 17, 30), local(2026, 11, 23, 8, 30)),  # Friday's end: Monday morning
        (local(2026, 11, 18, 10, 0), local(2026, 11, 18, 10, 0)),  # inside a period: that instant
    ],
)
def test_rule_no_working_minutes_after_an_instant_is_the_next_working_instant(start, expected):
    assert CAL.add(start, 0) == expected


def test_rule_a_deadline_at_the_very_end_of_a_period_stays_there():
    assert CAL.add(local(2026, 11, 18, 11, 0), 60) == local(2026, 11, 18, 12, 0)


def test_rule_no_working_time_for_ten_years_is_an_error():
    with pytest.raises(ValueError, match=r"^no working time in the next ten years"):
        WorkCalendar(periods=()).add(local(2026, 11, 18, 9, 0), 1)


def test_rule_elapsed_working_minutes_are_never_negative():
    nine, ten = local(2026, 11, 18, 9, 0), local(2026, 11, 18, 10, 0)
    assert CAL.between(nine, nine) == 0
    assert CAL.between(ten, nine) == 0
    assert CAL.between(nine, ten) == 60


def test_rule_elapsed_natural_minutes_are_never_negative_and_count_seconds():
    nine = local(2026, 11, 18, 9, 0)
    assert minutes_between(nine, nine + dt.timedelta(seconds=30), natural=True) == 0.5
    assert minutes_between(nine, nine - dt.timedelta(minutes=5), natural=True) == 0


def test_rule_a_department_with_its_own_hours_counts_them_and_others_count_the_default(desk):
    hours_of(desk.sanitation, (dt.time(7, 0), dt.time(12, 0)), (dt.time(12, 0), dt.time(19, 0)))
    calendar_forget()
    evening, later = local(2026, 11, 18, 17, 0), local(2026, 11, 18, 18, 0)
    assert minutes_between(evening, later, natural=False, department_id=desk.sanitation.pk) == 60
    assert minutes_between(evening, later, natural=False, department_id=desk.enforcement.pk) == 30
    assert minutes_between(evening, later, natural=False) == 30
    assert deadline_after(evening, 90, natural=False, department_id=desk.sanitation.pk) == local(2026, 11, 18, 18, 30)
    assert calendar_for(None).day_minutes == 450  # a department's row does not change the default
    CalendarDay.objects.create(date=dt.date(2026, 11, 19), is_workday=False, note="本地假日")
    calendar_forget()
    assert not calendar_for(desk.sanitation.pk).is_workday(dt.date(2026, 11, 19))  # its days off are everyone's


def test_rule_the_row_without_a_department_sets_the_default_hours(desk):
    hours_of(None, (dt.time(9, 0), dt.time(12, 0)), (dt.time(14, 0), dt.time(18, 0)))
    hours_of(desk.sanitation, (dt.time(7, 0), dt.time(12, 0)), (dt.time(12, 0), dt.time(19, 0)))
    calendar_forget()
    assert calendar_for(None).periods == ((dt.time(9, 0), dt.time(12, 0)), (dt.time(14, 0), dt.time(18, 0)))
    assert calendar_for(desk.enforcement.pk).day_minutes == 180 + 240  # no hours of its own: the default
    assert calendar_for(desk.sanitation.pk).day_minutes == 720


@pytest.mark.django_db
def test_rule_an_administrators_workday_on_a_sunday_counts():
    CalendarDay.objects.create(date=dt.date(2026, 11, 22), is_workday=True, note="补班")
    calendar_forget()
    assert deadline_after(local(2026, 11, 20, 17, 0), 60, natural=False) == local(2026, 11, 22, 9, 0)


@pytest.mark.django_db
def test_rule_a_new_process_loads_the_calendar_on_first_use():
    hours_of(None, (dt.time(9, 0), dt.time(12, 0)), (dt.time(14, 0), dt.time(18, 0)))
    CalendarDay.objects.create(date=dt.date(2026, 11, 19), is_workday=False, note="本地假日")
    fresh = worktime._Cache()
    calendar = fresh.get(None)
    assert calendar.day_minutes == 180 + 240 and not calendar.is_workday(dt.date(2026, 11, 19))


@pytest.mark.django_db
def test_rule_a_process_reloads_the_calendar_a_minute_after_loading_it(monkeypatch):
    clock = types.SimpleNamespace(seconds=10_000.0)
    monkeypatch.setattr(worktime, "time", types.SimpleNamespace(monotonic=lambda: clock.seconds))
    calendar_forget()
    friday = dt.date(2026, 11, 20)
    assert calendar_for().is_workday(friday)  # loaded at 10 000 s
    CalendarDay.objects.create(date=friday, is_workday=False, note="本地假日")
    clock.seconds += 60
    assert calendar_for().is_workday(friday)  # exactly a minute later: still the calendar loaded before
    clock.seconds += 0.5
    assert not calendar_for().is_workday(friday)  # past a minute: reloaded


def test_rule_an_unknown_year_falls_back_to_weekdays_and_is_reported_once(monkeypatch, caplog):
    monkeypatch.setattr(worktime, "_unknown_years_warned", set())
    with caplog.at_level(logging.WARNING, logger="cases.worktime"):
        assert worktime.statutory_workday(dt.date(2099, 1, 2))  # a Friday
        assert not worktime.statutory_workday(dt.date(2099, 1, 3))  # a Saturday
    assert ["2099" in record.getMessage() for record in caplog.records if record.name == "cases.worktime"] == [True]
