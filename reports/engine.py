"""Running a custom report: one grouped query over the daily facts, then the table in Python.

The query reads only the facts the viewer may see (:func:`stats.indicators.facts_visible`), within the spec's
filters and for the fact measures its indicators need, grouped by what the dimensions need. Grids are rolled up to
their street or community (by the prefix of the grid's code), categories to their class (大类) and days to the
period in the same query, so that a year of a district's facts comes back as a few thousand groups rather than a
row per day and grid. Labels are then read in one query per kind (areas, categories, departments).

Each cell keeps what it was computed from: a rate its numerator and denominator, a mean its minutes and count.
The totals row and column are computed from the summed facts, so a total rate is the rate of the totals.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import product
from operator import itemgetter
from typing import Any

from django.db import connection
from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.access import user_scope
from accounts.models import Department
from areas.choices import CODE_LENGTH, AreaLevel
from areas.models import Area
from cases.choices import Source
from cases.models import Category
from gridgov.errors import NotFound, ValidationFailed
from reports.spec import (
    DIMENSIONS,
    MEASURES,
    STATE_LABELS,
    MeasureInfo,
    Spec,
    family_of,
    grain_of,
    spec_parse,
)
from stats.facts import Measure as M
from stats.indicators import INDICATORS, ZERO, Total, facts_in, facts_visible, grids_under, value_of
from stats.periods import Period, period_of, periods_between

#: The largest table a report may produce (rows; column members × measures; cells). Larger ones are refused with
#: ``report_too_large`` and a hint to narrow them.
MAX_ROWS = 100_000
MAX_COLUMNS = 400
MAX_CELLS = 2_000_000

ON_TIME, LATE = "on_time", "late"


@dataclass(frozen=True)
class Member:
    """One value of a dimension: its key, its label and the drill-down filters of the cases behind it."""

    key: Any
    label: str
    filters: tuple[tuple[str, str], ...] = ()
    order: Any = 0


@dataclass(frozen=True)
class Cell:
    """A figure: for a rate, ``value`` is numerator / denominator (0–1) and both are kept; for a mean, the minutes
    and the count; ``None`` when there is no denominator."""

    value: float | None
    numerator: float | None = None
    denominator: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"value": self.value, "numerator": self.numerator, "denominator": self.denominator}


@dataclass
class Row:
    members: tuple[Member, ...]
    cells: list[list[Cell]]  # per column, per measure
    total: list[Cell]  # per measure


@dataclass
class Table:
    spec: Spec
    measures: list[MeasureInfo]
    columns: list[tuple[Member, ...]]
    rows: list[Row]
    totals: Row
    facts_read: int = 0  # grouped rows the query returned
    base_filters: tuple[tuple[str, str], ...] = field(default=())

    @property
    def row_dimensions(self) -> list[tuple[str, str]]:
        return [(name, str(DIMENSIONS[name])) for name in self.spec.rows]

    @property
    def column_dimensions(self) -> list[tuple[str, str]]:
        return [(name, str(DIMENSIONS[name])) for name in self.spec.columns]

    def headers(self) -> list[str]:
        """One header per column of a flat sheet: the row dimensions, then each column × measure, then totals."""
        heads = [label for _name, label in self.row_dimensions]
        many = len(self.measures) > 1
        for column in self.columns:
            prefix = " · ".join(member.label for member in column)
            for measure in self.measures:
                label = str(measure.label)
                heads.append(f"{prefix} · {label}" if prefix and many else prefix or label)
        if self.columns and self.columns != [()]:
            for measure in self.measures:
                heads.append(_("合计 · %(measure)s") % {"measure": measure.label} if many else _("合计"))
        return heads

    def as_dict(self, limit: int | None = None) -> dict[str, Any]:
        rows = self.rows if limit is None else self.rows[:limit]

        def members(values: Sequence[Member]) -> list[dict[str, Any]]:
            return [{"key": member.key, "label": member.label, "filters": dict(member.filters)} for member in values]

        def row(line: Row) -> dict[str, Any]:
            return {
                "members": members(line.members),
                "cells": [[cell.as_dict() for cell in column] for column in line.cells],
                "total": [cell.as_dict() for cell in line.total],
            }

        return {
            "spec": self.spec.as_dict(),
            "start": self.spec.filters.start,
            "end": self.spec.filters.end,
            "row_dimensions": [{"code": code, "label": label} for code, label in self.row_dimensions],
            "column_dimensions": [{"code": code, "label": label} for code, label in self.column_dimensions],
            "measures": [{"code": info.code, "label": str(info.label), "unit": info.unit} for info in self.measures],
            "columns": [members(column) for column in self.columns],
            "rows": [row(line) for line in rows],
            "row_count": len(self.rows),
            "truncated": limit is not None and len(self.rows) > limit,
            "totals": row(self.totals),
        }


# --- Cells --------------------------------------------------------------------------------------------------------
Sums = Mapping[str, Total]


def cell_of(info: MeasureInfo, sums: Sums) -> Cell:
    if info.group == "state":
        return _state_cell(info.code, sums)
    kind, _colon, name = info.code.partition(":")
    if kind == "count":
        return Cell(float(sums.get(name, ZERO).count))
    if kind == "rate":
        value = value_of(INDICATORS[name], sums)
        return Cell(value.rate, value.numerator, value.denominator)
    if kind == "minutes":
        total = sums.get(name, ZERO)
        return Cell(total.minutes / total.count if total.count else None, total.minutes, float(total.count))
    raise ValueError(f"unknown measure {info.code}")


def _state_cell(code: str, sums: Sums) -> Cell:
    """The state dimension's measures, over whatever states the sums hold (one in a cell, all in a total)."""
    count = sum(total.count for total in sums.values())
    if code == "count":
        return Cell(float(count))
    if code == "on_time_rate":
        in_time = sum(total.on_time for total in sums.values())
        return Cell(in_time / count if count else None, float(in_time), float(count))
    minutes = sum(total.minutes for total in sums.values())
    return Cell(minutes / count if count else None, minutes, float(count))


# --- The grouped query --------------------------------------------------------------------------------------------
def _period_sql(kind: str, column: str) -> str:
    """The first day of the period of ``column`` (a date), in the database's own functions; the day itself where
    the database is neither SQLite nor PostgreSQL (Python rolls it up then)."""
    if kind == "day":
        return column
    if connection.vendor == "postgresql":  # on a timestamp without time zone: no zone conversion per row
        return f"CAST(date_trunc('{kind}', CAST({column} AS timestamp)) AS date)"
    if connection.vendor != "sqlite":
        return column
    if kind == "week":
        return f"date({column}, '-' || ((CAST(strftime('%%w', {column}) AS INTEGER) + 6) %% 7) || ' days')"
    if kind == "month":
        return f"substr({column}, 1, 7) || '-01'"
    if kind == "quarter":
        month = f"substr({column}, 6, 2)"
        return (
            f"substr({column}, 1, 5) || CASE WHEN {month} <= '03' THEN '01' WHEN {month} <= '06' THEN '04' "
            f"WHEN {month} <= '09' THEN '07' ELSE '10' END || '-01'"
        )
    return f"substr({column}, 1, 4) || '-01-01'"


def _quoted(name: str) -> str:
    return connection.ops.quote_name(name)


@dataclass(frozen=True)
class _Key:
    """How one dimension is grouped: a plain expression over the facts (alias ``f``), and what is grouped in the
    end, written over ``{key}`` (the plain expression's value), with the join that needs."""

    family: str
    plain: str
    final: str = "{key}"
    join: str = ""
    many: bool = False  # hundreds of values or more (a grid, a category, a day): summing by it reduces little


@dataclass(frozen=True)
class _Grouping:
    """What the query groups by, one key per family of the spec's dimensions (state and on_time need none: the
    measure is always grouped, and on time / late is a split of each group's count)."""

    keys: tuple[_Key, ...]

    @property
    def families(self) -> tuple[str, ...]:
        return tuple(key.family for key in self.keys)

    def sql(self, facts_sql: str) -> str:
        """Grouped by the plain keys first where that leaves far fewer rows for the joins (one key of many values
        at most), by the final keys over the joined facts otherwise."""
        sums = "SUM(f.count), SUM(f.on_time), SUM(f.minutes)"
        joins = [key for key in self.keys if key.join]
        if joins and sum(key.many for key in self.keys) <= 1:
            plain = [f"{key.plain} AS k{index}" for index, key in enumerate(self.keys)]
            group = ", ".join([*(key.plain for key in self.keys), "f.measure"])
            named = "SUM(f.count) AS n, SUM(f.on_time) AS t, SUM(f.minutes) AS m"
            first = f"SELECT {', '.join([*plain, 'f.measure', named])} FROM ({facts_sql}) f GROUP BY {group}"
            final = [key.final.format(key=f"g.k{index}") for index, key in enumerate(self.keys)]
            tables = " ".join(key.join.format(key=f"g.k{index}") for index, key in enumerate(self.keys) if key.join)
            group = ", ".join([*final, "g.measure"])
            return f"SELECT {group}, SUM(g.n), SUM(g.t), SUM(g.m) FROM ({first}) g {tables} GROUP BY {group}"
        final = [key.final.format(key=key.plain) for key in self.keys]
        tables = " ".join(key.join.format(key=key.plain) for key in joins)
        group = ", ".join([*final, "f.measure"])
        return f"SELECT {group}, {sums} FROM ({facts_sql}) f {tables} GROUP BY {group}"


def _grouping(spec: Spec) -> _Grouping:
    keys: list[_Key] = []
    for dimension in spec.dimensions:
        family, grain = family_of(dimension), grain_of(dimension)
        if family == "area":
            length = CODE_LENGTH[AreaLevel(grain)]
            join = f"LEFT JOIN {_quoted(Area._meta.db_table)} a ON a.id = {{key}}"
            keys.append(_Key(family, "f.grid_id", f"substr(a.code, 1, {length})", join, many=True))
        elif family == "category":
            join = f"LEFT JOIN {_quoted(Category._meta.db_table)} c ON c.id = {{key}}"
            if grain == "class":
                keys.append(_Key(family, "f.category_id", "COALESCE(c.parent_id, {key})", join, many=True))
            else:
                keys.append(_Key(family, "f.category_id", many=True))
        elif family == "source":
            keys.append(_Key(family, "f.source"))
        elif family == "department":
            keys.append(_Key(family, "f.department_id"))
        elif family == "period":
            keys.append(_Key(family, _period_sql(grain, "f.day"), many=grain in ("day", "week")))
    return _Grouping(tuple(keys))


def _facts_query(spec: Spec, user: Any) -> Any:
    """The viewer's facts within the spec's filters, for the measures it reads (a queryset, not yet run)."""
    filters = spec.filters
    grid_ids = None
    if filters.area:
        area = Area.objects.filter(code=filters.area).first()
        if area is None or not user_scope(user).covers(area.code):
            raise NotFound(_("区域不存在或不在您的管辖范围内"), code="area_not_found")
        grid_ids = grids_under(area)
    category_ids = None
    if filters.category is not None:
        chosen = list(
            Category.objects.filter(Q(pk=filters.category) | Q(parent_id=filters.category)).values_list("pk", flat=True)
        )
        if not chosen:
            raise ValidationFailed(_("类别不存在"), code="report_spec_invalid", details={"field": "filters.category"})
        category_ids = chosen
    department_ids = None
    if filters.department is not None:
        if not Department.objects.filter(pk=filters.department).exists():
            raise ValidationFailed(_("部门不存在"), code="report_spec_invalid", details={"field": "filters.department"})
        department_ids = [filters.department]
    queryset = facts_in(
        base=facts_visible(user),
        start=filters.start,
        end=filters.end,
        grid_ids=grid_ids,
        category_ids=category_ids,
        sources=[filters.source] if filters.source else None,
        department_ids=department_ids,
    )
    return queryset.filter(measure__in=sorted(spec.fact_measures()))


def _grouped(spec: Spec, user: Any) -> tuple[_Grouping, list[tuple[Any, ...]]]:
    """One query: the facts grouped by the dimensions and the measure, with their three sums."""
    grouping = _grouping(spec)
    facts = _facts_query(spec, user).order_by()
    facts_sql, params = facts.values("grid_id", "category_id", "source", "department_id", "day", "measure",
                                     "count", "on_time", "minutes").query.sql_with_params()  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(grouping.sql(facts_sql), params)
        return grouping, cursor.fetchall()


# --- Members ------------------------------------------------------------------------------------------------------
def _day(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def _area_members(spec: Spec, user: Any, level: str, codes: set[str]) -> dict[Any, Member]:
    """The areas of ``level`` the data names, and the others of the viewer's scope (within the area filter), so that
    an area without any fact shows as a row of zeros."""
    length = CODE_LENGTH[AreaLevel(level)]
    scope = user_scope(user)
    wanted = Q(code__in=[code for code in codes if code])
    if not spec.hide_empty:
        within = Q(retired_in__isnull=True, level=level)
        if spec.filters.area:
            within &= Q(code__startswith=spec.filters.area[:length])
        if not scope.everything:
            # Areas inside the scope, and the one area of this level that holds a narrower scope.
            around = scope.q("code") | Q(code__in=[code[:length] for code in scope.codes if len(code) > length])
            within &= around
        wanted |= within
    members: dict[Any, Member] = {}
    for area in Area.objects.filter(wanted, level=level).only("pk", "code", "name"):
        drill = ("grid", str(area.pk)) if level == AreaLevel.GRID else ("area", area.code)
        members[area.code] = Member(area.code, area.name, (drill,), area.code)
    for code in codes - members.keys():  # a grid no longer in the area table keeps its facts
        members[code] = Member(code, _("未知区域 %(code)s") % {"code": code or ""}, (), f"~{code or ''}")
    return members


def _category_members(ids: set[int]) -> dict[Any, Member]:
    found = {
        category.pk: category for category in Category.objects.filter(pk__in=ids).only("pk", "kind", "code", "name")
    }
    members: dict[Any, Member] = {}
    for pk in ids:
        category = found.get(pk)
        if category is not None:
            members[pk] = Member(pk, category.name, (("category", str(pk)),), (0, category.kind, category.code))
        elif pk == 0:
            members[pk] = Member(pk, _("未分类"), (("category", "0"),), (1, "", ""))
        else:
            members[pk] = Member(pk, _("类别 #%(id)s") % {"id": pk}, (("category", str(pk)),), (2, "", str(pk)))
    return members


def _department_members(ids: set[int]) -> dict[Any, Member]:
    found = {
        department.pk: department for department in Department.objects.filter(pk__in=ids).only("pk", "code", "name")
    }
    members: dict[Any, Member] = {}
    for pk in ids:
        department = found.get(pk)
        if department is not None:
            members[pk] = Member(pk, department.name, (("department", str(pk)),), (0, department.code))
        elif pk == 0:
            members[pk] = Member(pk, _("未指定部门"), (("department", "0"),), (1, ""))
        else:
            members[pk] = Member(pk, _("部门 #%(id)s") % {"id": pk}, (("department", str(pk)),), (2, str(pk)))
    return members


SOURCE_ORDER = {value: index for index, value in enumerate(Source.values)}
STATE_ORDER = {value: index for index, value in enumerate(M.EVENT)}


def _source_members(values: set[str]) -> dict[Any, Member]:
    labels = dict(Source.choices)
    return {
        value: Member(value, str(labels.get(value, value)), (("source", value),), SOURCE_ORDER.get(value, 99))
        for value in values
    }


def _state_members(values: set[str]) -> dict[Any, Member]:
    return {
        value: Member(value, str(STATE_LABELS.get(value, value)), (("measure", value),), STATE_ORDER.get(value, 99))
        for value in values
    }


def _period_members(kind: str, spec: Spec, periods: set[Period]) -> dict[Any, Member]:
    wanted = set(periods)
    if not spec.hide_empty:
        wanted.update(periods_between(kind, spec.filters.start, spec.filters.end))
    return {period: Member(period.key, period.label, (("period", period.key),), period.start) for period in wanted}


def _on_time_members() -> dict[Any, Member]:
    return {
        ON_TIME: Member(ON_TIME, _("按时"), (("late", "0"),), 0),
        LATE: Member(LATE, _("超时"), (("late", "1"),), 1),
    }


# --- The table ----------------------------------------------------------------------------------------------------
Key = tuple[Any, ...]
Accumulator = dict[str, list[float]]


def _add(into: Accumulator, measure: str, count: float, on_time: float, minutes: float) -> None:
    totals = into.get(measure)
    if totals is None:
        into[measure] = [count, on_time, minutes]
    else:
        totals[0] += count
        totals[1] += on_time
        totals[2] += minutes


def _sums(accumulated: Accumulator | None) -> dict[str, Total]:
    if not accumulated:
        return {}
    return {measure: Total(int(values[0]), int(values[1]), float(values[2])) for measure, values in accumulated.items()}


def _keys(
    dimensions: Sequence[str], members: Mapping[str, dict[Any, Member]], present: Iterable[Key], hide: bool
) -> list[Key]:
    """The rows (or columns) of the table: every combination of the dimensions' members, or with ``hide`` only
    those holding facts; ordered by each dimension's order."""
    if not dimensions:
        return [()]
    if hide:
        keys = set(present)
    else:
        size = 1
        for dimension in dimensions:
            size *= len(members[dimension])
            if size > MAX_ROWS:
                raise _too_large(size)
        keys = set(product(*(members[dimension].keys() for dimension in dimensions)))
    return sorted(
        keys, key=lambda key: tuple(members[d][value].order for d, value in zip(dimensions, key, strict=True))
    )


def _too_large(rows: int) -> ValidationFailed:
    return ValidationFailed(
        _("报表共 %(rows)s 行，超过上限 %(limit)s 行：请缩短时间范围、选择更粗的层级或勾选「隐藏空行」")
        % {"rows": rows, "limit": MAX_ROWS},
        code="report_too_large",
        details={"field": "rows"},
    )


Resolved = tuple[Key, str, float, float, float]  # the dimensions' values, the measure and its three sums


def _resolve(spec: Spec, grouping: _Grouping, groups: list[tuple[Any, ...]]) -> tuple[list[Resolved], list[set[Any]]]:
    """Each group's value of every dimension (a period for a period's first day; on time / late split apart), and
    the values the data names of each dimension."""
    dimensions = spec.dimensions
    position = {family: index for index, family in enumerate(grouping.families)}
    measure_at = len(grouping.families)
    periods: dict[Any, Period] = {}

    def reader(dimension: str) -> Callable[[tuple[Any, ...]], Any]:
        family, grain = family_of(dimension), grain_of(dimension)
        if family == "state":
            return itemgetter(measure_at)
        if family == "on_time":
            return lambda group: None  # filled by the split below
        at = position[family]
        if family == "period":

            def period(group: tuple[Any, ...]) -> Period:
                found = periods.get(group[at])
                if found is None:
                    found = periods[group[at]] = period_of(grain, _day(group[at]))
                return found

            return period
        if family in ("category", "department"):
            return lambda group: int(group[at] or 0)
        return itemgetter(at)

    readers = [reader(dimension) for dimension in dimensions]
    families = [family_of(dimension) for dimension in dimensions]
    split_at = families.index("on_time") if "on_time" in families else None
    seen: list[set[Any]] = [set() for _dimension in dimensions]
    resolved: list[Resolved] = []
    for group in groups:
        measure = group[measure_at]
        count, on_time, minutes = float(group[-3] or 0), float(group[-2] or 0), float(group[-1] or 0)
        values = [read(group) for read in readers]
        for index, value in enumerate(values):
            seen[index].add(value)
        if split_at is None:
            resolved.append((tuple(values), measure, count, on_time, minutes))
            continue
        for member, part in ((ON_TIME, on_time), (LATE, count - on_time)):
            if part:
                values[split_at] = member
                resolved.append((tuple(values), measure, part, part if member == ON_TIME else 0.0, 0.0))
    return resolved, seen


def report_run(spec: Spec | Mapping[str, Any], user: Any) -> Table:
    """The table of ``spec`` (a :class:`Spec`, or its JSON, checked first) over the facts ``user`` may see."""
    if not isinstance(spec, Spec):
        spec = spec_parse(dict(spec))
    grouping, groups = _grouped(spec, user)
    resolved, seen = _resolve(spec, grouping, groups)
    members = _members(spec, user, dict(zip(spec.dimensions, seen, strict=True)))

    row_count = len(spec.rows)
    cells: dict[tuple[Key, Key], Accumulator] = defaultdict(dict)
    row_totals: dict[Key, Accumulator] = defaultdict(dict)
    column_totals: dict[Key, Accumulator] = defaultdict(dict)
    grand: Accumulator = {}
    for combination, measure, count, on_time, minutes in resolved:
        row_key, column_key = combination[:row_count], combination[row_count:]
        _add(cells[(row_key, column_key)], measure, count, on_time, minutes)
        _add(row_totals[row_key], measure, count, on_time, minutes)
        _add(column_totals[column_key], measure, count, on_time, minutes)
        _add(grand, measure, count, on_time, minutes)

    row_keys = _keys(spec.rows, members, row_totals, spec.hide_empty)
    column_keys = _keys(spec.columns, members, column_totals, spec.hide_empty)
    measures = [MEASURES[code] for code in spec.measures]
    if len(row_keys) > MAX_ROWS:
        raise _too_large(len(row_keys))
    if len(column_keys) * len(measures) > MAX_COLUMNS or len(row_keys) * len(column_keys) * len(measures) > MAX_CELLS:
        raise ValidationFailed(
            _("报表共 %(columns)s 列，超过上限 %(limit)s 列：请减少列维度或指标")
            % {"columns": len(column_keys) * len(measures), "limit": MAX_COLUMNS},
            code="report_too_large",
            details={"field": "columns"},
        )

    nothing = [cell_of(info, {}) for info in measures]  # shared by every empty cell of a sparse table

    def figures(accumulated: Accumulator | None) -> list[Cell]:
        if not accumulated:
            return nothing
        sums = _sums(accumulated)
        return [cell_of(info, sums) for info in measures]

    def members_of(dimension_names: Sequence[str], key: Key) -> tuple[Member, ...]:
        return tuple(members[d][value] for d, value in zip(dimension_names, key, strict=True))

    # Steps (环节) are not added to one another: no total across the state dimension.
    blank = [Cell(None) for _info in measures]
    states_in_rows, states_in_columns = "state" in map(family_of, spec.rows), "state" in map(family_of, spec.columns)
    rows = [
        Row(
            members_of(spec.rows, key),
            [figures(cells.get((key, column_key))) for column_key in column_keys],
            blank if states_in_columns else figures(row_totals.get(key)),
        )
        for key in row_keys
    ]
    totals = Row(
        (),
        [blank if states_in_rows else figures(column_totals.get(column_key)) for column_key in column_keys],
        blank if states_in_rows or states_in_columns else figures(grand),
    )
    return Table(
        spec=spec,
        measures=measures,
        columns=[members_of(spec.columns, key) for key in column_keys],
        rows=rows,
        totals=totals,
        facts_read=len(groups),
        base_filters=_base_filters(spec),
    )


def _members(spec: Spec, user: Any, seen: Mapping[str, set[Any]]) -> dict[str, dict[Any, Member]]:
    members: dict[str, dict[Any, Member]] = {}
    for dimension in spec.dimensions:
        family, grain = family_of(dimension), grain_of(dimension)
        values = seen[dimension]
        if family == "area":
            members[dimension] = _area_members(spec, user, grain, values)
        elif family == "category":
            members[dimension] = _category_members(values)
        elif family == "department":
            members[dimension] = _department_members(values)
        elif family == "source":
            members[dimension] = _source_members(values)
        elif family == "state":
            members[dimension] = _state_members(values | (set(spec.filters.states) if not spec.hide_empty else set()))
        elif family == "on_time":
            members[dimension] = _on_time_members()
        else:
            members[dimension] = _period_members(grain, spec, values)
    return members


def _base_filters(spec: Spec) -> tuple[tuple[str, str], ...]:
    """The drill-down filters every cell shares: the spec's own."""
    filters = spec.filters
    found: list[tuple[str, str]] = []
    if not spec.has("period"):
        whole = filters.whole_period()
        if whole is not None:
            found.append(("period", whole.key))
        else:
            found += [("start", filters.start.isoformat()), ("end", filters.end.isoformat())]
    if filters.area:
        found.append(("area", filters.area))
    if filters.category is not None:
        found.append(("category", str(filters.category)))
    if filters.source:
        found.append(("source", filters.source))
    if filters.department is not None:
        found.append(("department", str(filters.department)))
    return tuple(found)


def drill_filters(table: Table, row: Row, column: Sequence[Member], measure: str) -> Iterator[tuple[str, str]]:
    """The filters of the cases behind one count: the spec's, the row's and the column's, and the measure."""
    own = {name for member in (*row.members, *column) for name, _value in member.filters}
    if "measure" not in own:
        yield "measure", measure
    for name, value in table.base_filters:
        if name not in own and not (name == "area" and ("grid" in own or "area" in own)):
            yield name, value
    for member in (*row.members, *column):
        yield from member.filters
