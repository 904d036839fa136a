"""Reporting periods: a day, an ISO week, a month, a quarter or a year; the one before it (环比) and the same one a
year before (同比). A period is written as a key in URLs and the API: ``2026-11-28``, ``2026-W48``, ``2026-11``,
``2026-Q4``, ``2026``."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from gridgov.errors import ValidationFailed


class PeriodKind(models.TextChoices):
    DAY = "day", pgettext_lazy("period", "日")
    WEEK = "week", pgettext_lazy("period", "周")
    MONTH = "month", pgettext_lazy("period", "月")
    QUARTER = "quarter", pgettext_lazy("period", "季度")
    YEAR = "year", pgettext_lazy("period", "年")


@dataclass(frozen=True)
class Period:
    kind: str
    start: dt.date
    end: dt.date  # inclusive

    @property
    def key(self) -> str:
        if self.kind == PeriodKind.DAY:
            return self.start.isoformat()
        if self.kind == PeriodKind.WEEK:
            year, week, _day = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        if self.kind == PeriodKind.MONTH:
            return f"{self.start:%Y-%m}"
        if self.kind == PeriodKind.QUARTER:
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return str(self.start.year)

    @property
    def label(self) -> str:
        if self.kind == PeriodKind.DAY:
            return _("%(year)s年%(month)s月%(day)s日") % {
                "year": self.start.year,
                "month": self.start.month,
                "day": self.start.day,
            }
        if self.kind == PeriodKind.WEEK:
            year, week, _day = self.start.isocalendar()
            return _("%(year)s年第%(week)s周（%(start)s—%(end)s）") % {
                "year": year,
                "week": week,
                "start": f"{self.start:%m.%d}",
                "end": f"{self.end:%m.%d}",
            }
        if self.kind == PeriodKind.MONTH:
            return _("%(year)s年%(month)s月") % {"year": self.start.year, "month": self.start.month}
        if self.kind == PeriodKind.QUARTER:
            return _("%(year)s年第%(quarter)s季度") % {
                "year": self.start.year,
                "quarter": (self.start.month - 1) // 3 + 1,
            }
        return _("%(year)s年") % {"year": self.start.year}

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period just before (环比)."""
        return period_of(self.kind, self.start - dt.timedelta(days=1))

    def year_ago(self) -> Period:
        """The same period a year before (同比): the same week number, month, quarter or day."""
        if self.kind == PeriodKind.WEEK:
            year, week, _day = self.start.isocalendar()
            try:
                return period_of(self.kind, dt.date.fromisocalendar(year - 1, week, 1))
            except ValueError:  # week 53 of a year whose year before had 52
                return period_of(self.kind, dt.date.fromisocalendar(year - 1, 52, 1))
        try:
            day = self.start.replace(year=self.start.year - 1)
        except ValueError:  # 29 February
            day = self.start.replace(year=self.start.year - 1, day=28)
        return period_of(self.kind, day)

    def next(self) -> Period:
        return period_of(self.kind, self.end + dt.timedelta(days=1))

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.start <= day <= self.end

    def instants(self) -> tuple[dt.datetime, dt.datetime]:
        """The period as [start, end) instants in the site's time zone."""
        from django.utils import timezone

        zone = timezone.get_current_timezone()
        start = dt.datetime.combine(self.start, dt.time.min, zone)
        end = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, zone)
        return start, end


def period_of(kind: str, day: dt.date) -> Period:
    """The period of ``kind`` that contains ``day``."""
    if kind == PeriodKind.DAY:
        return Period(kind, day, day)
    if kind == PeriodKind.WEEK:
        start = day - dt.timedelta(days=day.weekday())
        return Period(kind, start, start + dt.timedelta(days=6))
    if kind == PeriodKind.MONTH:
        start = day.replace(day=1)
        following = (start + dt.timedelta(days=32)).replace(day=1)
        return Period(kind, start, following - dt.timedelta(days=1))
    if kind == PeriodKind.QUARTER:
        first_month = (day.month - 1) // 3 * 3 + 1
        start = day.replace(month=first_month, day=1)
        following = (start + dt.timedelta(days=95)).replace(day=1)
        return Period(kind, start, following - dt.timedelta(days=1))
    if kind == PeriodKind.YEAR:
        return Period(kind, day.replace(month=1, day=1), day.replace(month=12, day=31))
    raise ValidationFailed(_("未知的统计周期"), code="period_invalid", details={"field": "period"})


_PATTERNS = {
    PeriodKind.DAY: re.compile(r"^(\d{4})-(\d{2})-(\d{2})$"),
    PeriodKind.WEEK: re.compile(r"^(\d{4})-W(\d{2})$"),
    PeriodKind.MONTH: re.compile(r"^(\d{4})-(\d{2})$"),
    PeriodKind.QUARTER: re.compile(r"^(\d{4})-Q([1-4])$"),
    PeriodKind.YEAR: re.compile(r"^(\d{4})$"),
}


def period_parse(key: str) -> Period:
    """The period a key names; a key of no period is refused with ``period_invalid``."""
    key = (key or "").strip()
    for kind, pattern in _PATTERNS.items():
        match = pattern.match(key)
        if not match:
            continue
        numbers = [int(part) for part in match.groups()]
        try:
            if kind == PeriodKind.DAY:
                day = dt.date(*numbers)
            elif kind == PeriodKind.WEEK:
                day = dt.date.fromisocalendar(numbers[0], numbers[1], 1)
            elif kind == PeriodKind.MONTH:
                day = dt.date(numbers[0], numbers[1], 1)
            elif kind == PeriodKind.QUARTER:
                day = dt.date(numbers[0], (numbers[1] - 1) * 3 + 1, 1)
            else:
                day = dt.date(numbers[0], 1, 1)
        except ValueError:
            break
        if not 2000 <= day.year <= 2100:
            break
        return period_of(kind, day)
    raise ValidationFailed(
        _("统计周期格式不正确（如 2026-11-28、2026-W48、2026-11、2026-Q4、2026）"),
        code="period_invalid",
        details={"field": "period"},
    )


def period_current(kind: str, today: dt.date | None = None) -> Period:
    from django.utils import timezone

    return period_of(kind, today or timezone.localdate())


def periods_between(kind: str, start: dt.date, end: dt.date) -> list[Period]:
    """The periods of ``kind`` from the one containing ``start`` to the one containing ``end``."""
    out = []
    period = period_of(kind, start)
    while period.start <= end:
        out.append(period)
        period = period.next()
    return out
