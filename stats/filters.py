"""The filters every statistic of a page, the API and the drill-down share, read from query parameters and checked
against the viewer's scope.

``period`` (a key: ``2026-11``) or ``start``/``end`` (dates, both inclusive); ``area`` (an area code: its subtree)
and ``grid`` (an area id); ``category`` (a class covers its subclasses); ``source``; ``department``; ``person``.
A malformed value is refused with ``filter_invalid`` (or ``period_invalid``) naming the field; an area, department
or person outside the viewer's scope answers 404 like one that does not exist.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import user_scope
from accounts.models import Department, User
from areas.models import Area
from cases.choices import Source
from cases.models import Category
from gridgov.errors import NotFound, PermissionDenied, ValidationFailed
from stats.facts import Measure
from stats.indicators import facts_in, facts_visible, grids_under
from stats.models import StatFact
from stats.periods import Period, PeriodKind, period_current, period_parse

#: Who reads statistics (and the drill-down); a role without it is refused with 403.
VIEW_STATS = "stats.view_statfact"
#: Who reads other people's figures (the person filter), within their scope.
EVALUATE_PEOPLE = "evaluation.evaluate_people"
#: The longest window a request may cover (a little more than three years).
MAX_DAYS = 3 * 366 + 1
#: The parameters of the filters, in the order links write them.
PARAMETERS = ("period", "start", "end", "area", "grid", "category", "source", "department", "person")
MAX_ID = 2**31 - 1
#: Areas one filter may name together (a person's grids, for the cases behind their grid-based figures).
MAX_AREAS = 50


def filter_invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, code="filter_invalid", details=[{"field": field, "message": message}])


def stats_reader(user: Any) -> None:
    """Refuse (403) a user who may not read statistics."""
    if not getattr(user, "is_authenticated", False) or not user.has_perm(VIEW_STATS):
        raise PermissionDenied(_("没有查看统计分析的权限"), code="forbidden")


@dataclass(frozen=True)
class StatFilter:
    """One window of days and the dimensions to keep. ``grid_ids`` is ``None`` when no area was chosen (the
    viewer's whole scope); ``category_ids`` is ``None`` when no category was. A class (大类) covers its subclasses
    and a department (大队) its units (中队): ``category_ids`` and ``department_ids`` hold them all. ``areas``: the
    areas chosen, when more than one (a person's grids); their grids together are ``grid_ids``."""

    start: dt.date
    end: dt.date
    period: Period | None = None
    area: Area | None = None
    grid: Area | None = None
    grid_ids: tuple[int, ...] | None = None
    category: Category | None = None
    category_ids: tuple[int, ...] | None = None
    source: str = ""
    department: Department | None = None
    department_ids: tuple[int, ...] | None = None
    person: User | None = None
    areas: tuple[Area, ...] = ()

    @property
    def label(self) -> str:
        if self.period is not None:
            return self.period.label
        return f"{self.start:%Y-%m-%d} — {self.end:%Y-%m-%d}"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def instants(self) -> tuple[dt.datetime, dt.datetime]:
        """The window as [start, end) instants in the site's time zone."""
        zone = timezone.get_current_timezone()
        return (
            dt.datetime.combine(self.start, dt.time.min, zone),
            dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, zone),
        )

    def previous(self) -> StatFilter:
        """The same filters over the window just before (环比): the previous period, or as many days before."""
        if self.period is not None:
            before = self.period.previous()
            return replace(self, start=before.start, end=before.end, period=before)
        length = dt.timedelta(days=self.days)
        return replace(self, start=self.start - length, end=self.end - length)

    def window(self, start: dt.date, end: dt.date) -> StatFilter:
        """The same filters over another window of days (a bar of a trend)."""
        return replace(self, start=start, end=end, period=None)

    def query(self, **more: Any) -> dict[str, str | list[str]]:
        """The filters as query parameters (for links to the cases behind a number and to the exports; encode with
        ``urlencode(…, doseq=True)``: several areas are one list)."""
        params: dict[str, str | list[str]] = {}
        if self.areas:
            params["area"] = [area.code for area in self.areas]
        if self.period is not None:
            params["period"] = self.period.key
        else:
            params["start"], params["end"] = self.start.isoformat(), self.end.isoformat()
        if self.area is not None and not self.areas:
            params["area"] = self.area.code
        if self.grid is not None:
            params["grid"] = str(self.grid.pk)
        if self.category is not None:
            params["category"] = str(self.category.pk)
        if self.source:
            params["source"] = self.source
        if self.department is not None:
            params["department"] = str(self.department.pk)
        if self.person is not None:
            params["person"] = str(self.person.pk)
        params.update({key: str(value) for key, value in more.items() if value not in (None, "")})
        return params

    def facts(self, user: Any) -> QuerySet[StatFact]:
        """The viewer's facts under these filters. With an area chosen (always inside the viewer's scope) the
        area's grids alone bound the rows; otherwise the viewer's scope does (:func:`facts_visible`)."""
        base = StatFact.objects.all() if self.grid_ids is not None else facts_visible(user)
        return facts_in(
            base=base,
            start=self.start,
            end=self.end,
            grid_ids=self.grid_ids,
            department_ids=self.department_ids,
            person_ids=[self.person.pk] if self.person is not None else None,
            category_ids=self.category_ids,
            sources=[self.source] if self.source else None,
        )


def _id(params: Mapping[str, Any], field: str) -> int | None:
    raw = str(params.get(field) or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_ID:
        raise filter_invalid(field, _("%(field)s 应为正整数编号") % {"field": field})
    return int(raw)


def _day(params: Mapping[str, Any], field: str) -> dt.date | None:
    raw = str(params.get(field) or "").strip()
    if not raw:
        return None
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        raise filter_invalid(field, _("日期格式应为 YYYY-MM-DD")) from None
    if not 2000 <= day.year <= 2100:
        raise filter_invalid(field, _("日期超出范围"))
    return day


def _window(params: Mapping[str, Any], default_kind: str) -> tuple[dt.date, dt.date, Period | None]:
    key = str(params.get("period") or "").strip()
    start, end = _day(params, "start"), _day(params, "end")
    if key and (start or end):
        raise filter_invalid("period", _("统计周期与起止日期只能选其一"))
    if key:
        period = period_parse(key)
        return period.start, period.end, period
    if start is None and end is None:
        period = period_current(default_kind)
        return period.start, period.end, period
    if start is None or end is None:
        missing = "start" if start is None else "end"
        raise filter_invalid(missing, _("请同时给出开始日期和结束日期"))
    if end < start:
        raise filter_invalid("end", _("结束日期不能早于开始日期"))
    if (end - start).days + 1 > MAX_DAYS:
        raise filter_invalid("end", _("统计区间最长三年"))
    return start, end, None


def person_visible(user: Any, person: User) -> bool:
    """Whether ``user`` may read ``person``'s own figures: their own, or with the evaluator's permission when their
    scope covers one of the person's areas (or the area of the person's department)."""
    if person.pk == user.pk:
        return True
    if not user.has_perm(EVALUATE_PEOPLE):
        return False
    scope = user_scope(user)
    if scope.everything:
        return True
    return any(scope.covers(code) for code in user_scope(person).codes)


def _area(
    user: Any, params: Mapping[str, Any]
) -> tuple[Area | None, Area | None, tuple[int, ...] | None, tuple[Area, ...]]:
    """The chosen area (``area``: a code; repeated, the areas together), the chosen grid (``grid``: an id) and the
    grids they hold."""
    codes = [str(code).strip() for code in _values(params, "area") if str(code).strip()]
    for code in codes:
        if not code.isdigit() or len(code) > 15:
            raise filter_invalid("area", _("区域编码应为不超过 15 位的数字"))
    if len(codes) > MAX_AREAS:
        raise filter_invalid("area", _("最多选择 %(count)d 个区域") % {"count": MAX_AREAS})
    grid_id = _id(params, "grid")
    visible = Area.objects.visible_to(user)
    grid = None
    chosen: list[Area] = []
    grid_ids: set[int] | None = None
    if codes:
        found = {area.code: area for area in visible.filter(code__in=codes)}
        for code in codes:
            if code not in found:
                raise NotFound(_("区域 %(code)s 不存在") % {"code": code}, code="area_not_found")
        chosen = [found[code] for code in dict.fromkeys(codes)]
        grid_ids = {grid_id for area in chosen for grid_id in grids_under(area)}
    if grid_id is not None:
        grid = visible.filter(pk=grid_id).first()
        if grid is None:
            raise NotFound(_("网格不存在"), code="area_not_found")
        under = set(grids_under(grid))
        grid_ids = under if grid_ids is None else grid_ids & under
    area = chosen[0] if chosen else None
    return area, grid, None if grid_ids is None else tuple(sorted(grid_ids)), tuple(chosen) if len(chosen) > 1 else ()


def _values(params: Mapping[str, Any], field: str) -> list[Any]:
    """Every value of a repeated query parameter (a QueryDict's list; a plain mapping's one value)."""
    getlist = getattr(params, "getlist", None)
    if getlist is not None:
        return list(getlist(field))
    value = params.get(field)
    return list(value) if isinstance(value, list | tuple) else [] if value is None else [value]


def _category(params: Mapping[str, Any]) -> tuple[Category | None, tuple[int, ...] | None]:
    category_id = _id(params, "category")
    if category_id is None:
        return None, None
    category = Category.objects.filter(pk=category_id).first()
    if category is None:
        raise filter_invalid("category", _("类别不存在"))
    children = Category.objects.filter(parent=category).values_list("pk", flat=True)
    return category, (category.pk, *children)


def _department(user: Any, params: Mapping[str, Any]) -> Department | None:
    department_id = _id(params, "department")
    if department_id is None:
        return None
    department = Department.objects.filter(pk=department_id).first()
    scope = user_scope(user)
    # A viewer without areas reads their own department's figures only.
    own_only = not scope.everything and not scope.codes
    if department is not None and own_only and department.pk != getattr(user, "department_id", None):
        department = None
    if department is None:
        raise NotFound(_("部门不存在"), code="department_not_found")
    return department


def department_members(department: Department) -> tuple[int, ...]:
    """A department and its units (a 大队 and its 中队): the departments whose figures are its own."""
    return (department.pk, *Department.objects.filter(parent=department).order_by("pk").values_list("pk", flat=True))


def _person(user: Any, params: Mapping[str, Any]) -> User | None:
    person_id = _id(params, "person")
    if person_id is None:
        return None
    person = User.objects.filter(pk=person_id).first()
    if person is None or not person_visible(user, person):
        raise NotFound(_("人员不存在"), code="person_not_found")
    return person


def stat_filter(user: Any, params: Mapping[str, Any], *, default_kind: str = PeriodKind.MONTH) -> StatFilter:
    """The filters of a request (``params``: its query parameters), checked against ``user``'s scope. Without a
    window, the current period of ``default_kind``."""
    start, end, period = _window(params, default_kind)
    area, grid, grid_ids, areas = _area(user, params)
    category, category_ids = _category(params)
    source = str(params.get("source") or "").strip()
    if source and source not in Source.values:
        raise filter_invalid("source", _("未知的来源"))
    department = _department(user, params)
    return StatFilter(
        start=start,
        end=end,
        period=period,
        area=area,
        grid=grid,
        grid_ids=grid_ids,
        category=category,
        category_ids=category_ids,
        source=source,
        department=department,
        department_ids=None if department is None else department_members(department),
        person=_person(user, params),
        areas=areas,
    )


def measure_parse(params: Mapping[str, Any], field: str = "measure", default: str | None = None) -> str:
    measure = str(params.get(field) or "").strip() or (default or "")
    if measure not in Measure.ALL:
        raise filter_invalid(field, _("未知的统计度量"))
    return measure


def flag_parse(params: Mapping[str, Any], field: str) -> bool:
    raw = str(params.get(field) or "").strip()
    if raw not in ("", "0", "1"):
        raise filter_invalid(field, _("%(field)s 应为 0 或 1") % {"field": field})
    return raw == "1"
