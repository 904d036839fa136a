"""A bulletin's document for (kind, period, area), built from the facts (:mod:`stats.indicators`) and the small
field tables only, so every number can be reproduced for the period:

- a headline paragraph: 上报, 立案, 结案 and 结案率, 按期结案率, 返工率, each beside 上期, 环比 and 同比;
- 主要指标 and the 基础指标 | 数 | 比率指标 | 值 table;
- tables by source, by 大类 with the top 5 事件 and top 5 部件 (小类), by area (the area's children) and by
  department in two levels, every rate with 上期 beside it;
- the ranking: areas by 按期结案率 then 结案率, departments by 部门按期处置率 then 部门结案率; the top units and
  the bottom 3 named with their figures; units without cases listed as such, not ranked;
- an annex per field worker (personal figures).

A day's bulletin is the day's patrol summary instead: who patrolled, km, on duty, reports, check-ins, absences.
The document is plain JSON, frozen into the bulletin when it is published.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Department, DepartmentKind
from areas.choices import AreaLevel
from areas.models import Area
from bulletins.field import annex_table, patrol_tables
from bulletins.figures import (
    CHANGE,
    COUNT,
    FIGURE,
    RANK,
    RATE,
    TEXT,
    Column,
    Table,
    change_of,
    competition_ranks,
    count_change,
    indicator_count,
    rate_percent,
    ratio_percent,
    top_and_bottom,
)
from cases.choices import CategoryKind, Source
from cases.models import Category
from stats.facts import Measure as M
from stats.indicators import BASE, ZERO, Sums, facts_in, grid_rollup, sums_add, sums_by, sums_total
from stats.models import StatFact
from stats.periods import Period, PeriodKind

#: The document's shape; a page renders every version it knows.
SCHEMA = 1
TOP_CATEGORIES = 5
RANKED_NAMED = 3


def kind_name(kind: str) -> str:
    names = {
        PeriodKind.DAY: _("巡查日报"),
        PeriodKind.WEEK: _("网格化管理工作周通报"),
        PeriodKind.MONTH: _("网格化管理工作月评比通报"),
        PeriodKind.QUARTER: _("网格化管理工作季度通报"),
        PeriodKind.YEAR: _("网格化管理工作年度总结"),
    }
    return names[PeriodKind(kind)]


def bulletin_title(kind: str, period: Period, area: Area) -> str:
    return f"{area.name}{period.label}{kind_name(kind)}"


# --- The facts of the area, per period ----------------------------------------------------------------------------
def area_facts(area: Area) -> QuerySet[StatFact]:
    """Facts of the grids inside ``area`` (a subquery: no list of ids, however many grids)."""
    grids = Area.objects.filter(code__startswith=area.code, level=AreaLevel.GRID).values("pk")
    return StatFact.objects.filter(grid_id__in=grids)


@dataclass
class Slice:
    """The area's fact sums of one period: in total and by grid, source, category and department."""

    period: Period
    total: Sums
    by_grid: dict[int, Sums] = field(default_factory=dict)
    by_source: dict[str, Sums] = field(default_factory=dict)
    by_category: dict[int, Sums] = field(default_factory=dict)
    by_department: dict[int, Sums] = field(default_factory=dict)

    @property
    def has_data(self) -> bool:
        return any(total.count for total in self.total.values())


def slice_of(area: Area, period: Period, *, full: bool = True) -> Slice:
    """Four queries (one without ``full``: the total only)."""
    queryset = facts_in(period, base=area_facts(area))
    if not full:
        return Slice(period, sums_total(queryset))
    by_grid: dict[int, Sums] = {int(key): sums for key, sums in sums_by(queryset, "grid_id").items()}
    return Slice(
        period,
        sums_add(*by_grid.values()),
        by_grid=by_grid,
        by_source={str(key): sums for key, sums in sums_by(queryset, "source").items()},
        by_category={int(key): sums for key, sums in sums_by(queryset, "category_id").items()},
        by_department={
            int(key): sums for key, sums in sums_by(queryset.exclude(department_id=0), "department_id").items()
        },
    )


def base_count(sums: Sums) -> int:
    """应结案数: the cases filed in the period and those resolved on the spot."""
    return int(BASE(sums))


def _rolled(by_key: Mapping[int, Sums], group: Callable[[int], Any]) -> dict[Any, Sums]:
    out: dict[Any, Sums] = {}
    for key, sums in by_key.items():
        target = group(key)
        if target is not None:
            out[target] = sums_add(out.get(target, {}), sums)
    return out


# --- Phrases of the headline --------------------------------------------------------------------------------------
def _percent_text(change: float) -> str:
    if change > 0:
        return _("增长%(value).2f%%") % {"value": change}
    if change < 0:
        return _("下降%(value).2f%%") % {"value": -change}
    return _("持平")


def _points_text(change: float) -> str:
    if change > 0:
        return _("上升%(value).2f个百分点") % {"value": change}
    if change < 0:
        return _("下降%(value).2f个百分点") % {"value": -change}
    return _("持平")


@dataclass(frozen=True)
class Compared:
    """One headline figure beside the period before and the same period a year before."""

    code: str
    label: str
    unit: str  # COUNT or RATE
    value: float | None
    previous: float | None
    year_ago: float | None
    previous_has_data: bool
    year_ago_has_data: bool

    @property
    def month_on_month(self) -> float | None:
        return change_of(self.unit, self.value, self.previous) if self.previous_has_data else None

    @property
    def year_on_year(self) -> float | None:
        return change_of(self.unit, self.value, self.year_ago) if self.year_ago_has_data else None

    def phrase(self) -> str:
        if self.unit == COUNT:
            parts = [_("%(label)s%(value)d件") % {"label": self.label, "value": self.value or 0}]
        elif self.value is None:
            parts = [_("%(label)s无（本期无应结案件）") % {"label": self.label}]
        else:
            parts = [_("%(label)s%(value).2f%%") % {"label": self.label, "value": self.value}]
        parts.append(self._beside(self.previous_has_data, self.previous, self.month_on_month, previous=True))
        parts.append(self._beside(self.year_ago_has_data, self.year_ago, self.year_on_year, previous=False))
        return _("，").join(parts)

    def _beside(self, has_data: bool, other: float | None, change: float | None, *, previous: bool) -> str:
        if not has_data:
            return _("上期无数据") if previous else _("无同期数据")
        if self.unit == COUNT:
            shown = _("%(value)d件") % {"value": other or 0}
        elif other is None:
            shown = _("无")
        else:
            shown = _("%(value).2f%%") % {"value": other}
        head = (_("上期%(value)s") if previous else _("去年同期%(value)s")) % {"value": shown}
        if change is None:
            return head + _("，") + (_("环比无可比数据") if previous else _("同比无可比数据"))
        text = _percent_text(change) if self.unit == COUNT else _points_text(change)
        return head + _("，") + (_("环比%(change)s") if previous else _("同比%(change)s")) % {"change": text}


# --- The document --------------------------------------------------------------------------------------------------
class _Document:
    def __init__(self, kind: str, period: Period, area: Area) -> None:
        self.kind = kind
        self.period = period
        self.area = area
        self.current = slice_of(area, period)
        self.previous = slice_of(area, period.previous())
        self.year_ago = slice_of(area, period.year_ago(), full=False)
        self.tables: list[Table] = []
        self.paragraphs: list[str] = []
        self.ranking: dict[str, Any] = {}
        self.department_ids: list[int] = []

    @property
    def area_filter(self) -> dict[str, str]:
        return {"area": self.area.code}

    # Headline ------------------------------------------------------------------------------------------------------
    def compared(self) -> list[Compared]:
        rows = [
            ("reports", _("上报问题"), COUNT),
            ("filed", _("立案"), COUNT),
            ("closed", _("结案"), COUNT),
            ("close_rate", _("结案率"), RATE),
            ("close_on_time_rate", _("按期结案率"), RATE),
            ("rework_rate", _("返工率"), RATE),
        ]
        out = []
        for code, label, unit in rows:

            def value(sums: Sums, code: str = code, unit: str = unit) -> float | None:
                return indicator_count(sums, code) if unit == COUNT else rate_percent(sums, code)

            out.append(
                Compared(
                    code,
                    label,
                    unit,
                    value(self.current.total),
                    value(self.previous.total),
                    value(self.year_ago.total),
                    self.previous.has_data,
                    self.year_ago.has_data,
                )
            )
        return out

    def headline(self, compared: list[Compared]) -> str:
        counts = _("；").join(item.phrase() for item in compared if item.unit == COUNT)
        rates = _("；").join(item.phrase() for item in compared if item.unit == RATE)
        return _("%(period)s，%(area)s共%(counts)s。%(rates)s。") % {
            "period": self.period.label,
            "area": self.area.name,
            "counts": counts,
            "rates": rates,
        }

    def main_table(self, compared: list[Compared]) -> Table:
        measures = {"reports": M.REPORT, "filed": M.FILED, "closed": M.CLOSED}
        table = Table(
            "main",
            _("主要指标"),
            [
                Column("name", _("指标"), TEXT),
                Column("value", _("本期"), FIGURE),
                Column("previous", _("上期"), FIGURE, period="previous"),
                Column("month_on_month", _("环比"), CHANGE),
                Column("year_ago", _("去年同期"), FIGURE, period="year_ago"),
                Column("year_on_year", _("同比"), CHANGE),
            ],
        )
        for item in compared:
            measure = measures.get(item.code)
            table.add(
                item.code,
                {
                    "name": item.label,
                    "value": item.value,
                    "previous": item.previous if item.previous_has_data else None,
                    "month_on_month": item.month_on_month,
                    "year_ago": item.year_ago if item.year_ago_has_data else None,
                    "year_on_year": item.year_on_year,
                },
                filters=self.area_filter,
                unit=item.unit,
                measures={"value": measure, "previous": measure, "year_ago": measure} if measure else None,
            )
        return table

    def basic_table(self) -> Table:
        """郑州 style: 基础指标 | 数 | 比率指标 | 值, each with 上期."""
        pairs = [
            ("reports", _("上报数"), M.REPORT, "valid_report_rate"),
            ("filed", _("立案数"), M.FILED, "file_on_time_rate"),
            ("self_resolved", _("自处置数"), M.SELF_RESOLVED, "file_accuracy_rate"),
            ("dispatched", _("派遣数"), M.DISPATCHED, "dispatch_on_time_rate"),
            ("handled", _("处置数"), M.HANDLED, "handle_on_time_rate"),
            ("closed", _("结案数"), M.CLOSED, "close_rate"),
            ("base", _("应结案数"), "", "close_on_time_rate"),
            ("reworks", _("返工数"), M.REWORK, "rework_rate"),
            ("extended", _("延期数"), M.EXTENDED, "extension_rate"),
            ("public_filed", _("公众举报核实数"), M.PUBLIC_FILED, "missed_report_rate"),
            ("overdue", _("超时数"), M.OVERDUE, "satisfaction_rate"),
        ]
        from stats.indicators import INDICATORS

        table = Table(
            "basic",
            _("基础指标"),
            [
                Column("basic", _("基础指标"), TEXT, names=True),
                Column("count", _("数"), COUNT),
                Column("count_previous", _("上期"), COUNT, period="previous"),
                Column("ratio", _("比率指标"), TEXT, names=True),
                Column("rate", _("值"), RATE),
                Column("rate_previous", _("上期"), RATE, period="previous"),
            ],
        )

        def count(sums: Sums, code: str, measure: str) -> int:
            if code == "base":
                return base_count(sums)
            if code == "extended":
                return sums.get(M.EXTENDED, ZERO).count
            if code == "public_filed":
                return sums.get(M.PUBLIC_FILED, ZERO).count
            return indicator_count(sums, code)

        for code, label, measure, rate_code in pairs:
            table.add(
                f"{code}/{rate_code}",
                {
                    "basic": label,
                    "count": count(self.current.total, code, measure),
                    "count_previous": count(self.previous.total, code, measure) if self.previous.has_data else None,
                    "ratio": str(INDICATORS[rate_code].label),
                    "rate": rate_percent(self.current.total, rate_code),
                    "rate_previous": rate_percent(self.previous.total, rate_code),
                },
                filters=self.area_filter,
                measures={"count": measure, "count_previous": measure} if measure else None,
            )
        return table

    # Cases by source, category, area ----------------------------------------------------------------------------
    @staticmethod
    def case_columns(first: list[Column]) -> list[Column]:
        return [
            *first,
            Column("reports", _("上报数"), COUNT, M.REPORT),
            Column("filed", _("立案数"), COUNT, M.FILED),
            Column("closed", _("结案数"), COUNT, M.CLOSED),
            Column("base", _("应结案数"), COUNT),
            Column("close_rate", _("结案率"), RATE),
            Column("close_rate_previous", _("上期"), RATE, period="previous"),
            Column("on_time_rate", _("按期结案率"), RATE),
            Column("on_time_rate_previous", _("上期"), RATE, period="previous"),
        ]

    @staticmethod
    def case_cells(now: Sums, before: Sums) -> dict[str, Any]:
        return {
            "reports": indicator_count(now, "reports"),
            "filed": indicator_count(now, "filed"),
            "closed": indicator_count(now, "closed"),
            "base": base_count(now),
            "close_rate": rate_percent(now, "close_rate"),
            "close_rate_previous": rate_percent(before, "close_rate"),
            "on_time_rate": rate_percent(now, "close_on_time_rate"),
            "on_time_rate_previous": rate_percent(before, "close_on_time_rate"),
        }

    def source_table(self) -> Table:
        table = Table("by_source", _("按来源"), self.case_columns([Column("name", _("来源"), TEXT)]))
        for source in Source:
            now = self.current.by_source.get(source.value, {})
            before = self.previous.by_source.get(source.value, {})
            if not now and not before:
                continue
            table.add(
                f"source:{source.value}",
                {"name": str(source.label), **self.case_cells(now, before)},
                filters={**self.area_filter, "source": source.value},
            )
        table.add(
            "total",
            {"name": _("合计"), **self.case_cells(self.current.total, self.previous.total)},
            filters=self.area_filter,
        )
        return table

    def category_tables(self) -> list[Table]:
        ids = set(self.current.by_category) | set(self.previous.by_category)
        leaves = Category.objects.select_related("parent").in_bulk([pk for pk in ids if pk])

        def major(pk: int) -> int:
            leaf = leaves.get(pk)
            if leaf is None:
                return 0
            return leaf.parent_id or leaf.pk

        majors_now = _rolled(self.current.by_category, major)
        majors_before = _rolled(self.previous.by_category, major)
        major_rows = Category.objects.in_bulk([pk for pk in set(majors_now) | set(majors_before) if pk])
        table = Table(
            "by_category",
            _("按类别（大类）"),
            self.case_columns([Column("name", _("大类"), TEXT), Column("kind", _("类型"), TEXT)]),
        )
        kinds = {choice.value: index for index, choice in enumerate(CategoryKind)}

        def order(pk: int) -> tuple[int, str]:
            row = major_rows.get(pk)
            return (kinds.get(row.kind, 9), row.code) if row else (99, "")

        for pk in sorted(set(majors_now) | set(majors_before), key=order):
            row = major_rows.get(pk)
            name = f"{row.code} {row.name}" if row else _("未分类")
            table.add(
                f"category:{pk}",
                {
                    "name": name,
                    "kind": str(row.get_kind_display()) if row else "",
                    **self.case_cells(majors_now.get(pk, {}), majors_before.get(pk, {})),
                },
                filters={**self.area_filter, "category": pk} if pk else None,
            )
        tops = [
            self.top_table(CategoryKind.EVENT, _("高发事件（前5位）"), leaves),
            self.top_table(CategoryKind.COMPONENT, _("高发部件问题（前5位）"), leaves),
        ]
        return [table, *tops]

    def top_table(self, kind: str, title: str, leaves: Mapping[int, Category]) -> Table:
        table = Table(
            f"top_{kind}",
            title,
            [
                Column("rank", _("排名"), RANK),
                Column("name", _("小类"), TEXT),
                Column("major", _("大类"), TEXT),
                Column("filed", _("立案数"), COUNT, M.FILED),
                Column("filed_previous", _("上期"), COUNT, M.FILED, period="previous"),
                Column("month_on_month", _("环比"), CHANGE),
                Column("share", _("占比"), RATE),
                Column("reports", _("上报数"), COUNT, M.REPORT),
                Column("close_rate", _("结案率"), RATE),
                Column("close_rate_previous", _("上期"), RATE, period="previous"),
            ],
            note=_("按立案数排序，立案数相同按上报数，再按类别编码。"),
        )
        of_kind = [pk for pk, leaf in leaves.items() if leaf.kind == kind and pk in self.current.by_category]
        kind_filed = sum(self.current.by_category[pk].get(M.FILED, ZERO).count for pk in of_kind)

        def score(pk: int) -> tuple[int, int]:
            sums = self.current.by_category[pk]
            return (sums.get(M.FILED, ZERO).count, sums.get(M.REPORT, ZERO).count)

        ranked = sorted(
            (pk for pk in of_kind if any(score(pk))), key=lambda pk: (-score(pk)[0], -score(pk)[1], leaves[pk].code)
        )
        ranks = competition_ranks((pk, score(pk)) for pk in ranked)
        for pk in ranked[:TOP_CATEGORIES]:
            leaf = leaves[pk]
            now = self.current.by_category[pk]
            before = self.previous.by_category.get(pk, {})
            filed = now.get(M.FILED, ZERO).count
            filed_before = before.get(M.FILED, ZERO).count
            table.add(
                f"category:{pk}",
                {
                    "rank": ranks[pk],
                    "name": f"{leaf.code} {leaf.name}",
                    "major": f"{leaf.parent.code} {leaf.parent.name}" if leaf.parent else "",
                    "filed": filed,
                    "filed_previous": filed_before,
                    "month_on_month": count_change(filed, filed_before) if self.previous.has_data else None,
                    "share": ratio_percent(filed, kind_filed),
                    "reports": now.get(M.REPORT, ZERO).count,
                    "close_rate": rate_percent(now, "close_rate"),
                    "close_rate_previous": rate_percent(before, "close_rate"),
                },
                filters={**self.area_filter, "category": pk},
                unit=COUNT,
            )
        return table

    def area_table(self) -> Table | None:
        children = list(Area.objects.filter(parent=self.area, retired_in__isnull=True).order_by("code"))
        if not children:
            return None
        level = children[0].level
        rollup = grid_rollup(level, set(self.current.by_grid) | set(self.previous.by_grid))
        now = _rolled(self.current.by_grid, lambda pk: rollup[pk].pk if pk in rollup else None)
        before = _rolled(self.previous.by_grid, lambda pk: rollup[pk].pk if pk in rollup else None)
        table = Table(
            "by_area",
            _("按区域"),
            [
                Column("name", _("区域"), TEXT),
                Column("rank", _("排名"), RANK),
                *self.case_columns([])[:4],
                Column("close_rate", _("结案率"), RATE),
                Column("close_rate_previous", _("上期"), RATE, period="previous"),
                Column("on_time_rate", _("按期结案率"), RATE),
                Column("on_time_rate_previous", _("上期"), RATE, period="previous"),
                Column("rework_rate", _("返工率"), RATE),
                Column("rework_rate_previous", _("上期"), RATE, period="previous"),
                Column("overdue", _("超时数"), COUNT, M.OVERDUE),
                Column("note", _("备注"), TEXT),
            ],
            note=_("按按期结案率排名，相同按结案率；本期无应结案件的单位不参与排名。"),
        )
        ranked, unranked = [], []
        for child in children:
            sums = now.get(child.pk, {})
            if base_count(sums) == 0:
                unranked.append(child)
            else:
                ranked.append(child)

        def score(child: Area) -> tuple[float, float]:
            sums = now[child.pk]
            return (rate_percent(sums, "close_on_time_rate") or 0.0, rate_percent(sums, "close_rate") or 0.0)

        ranked.sort(key=lambda child: (-score(child)[0], -score(child)[1], child.code))
        ranks = competition_ranks((child.pk, score(child)) for child in ranked)
        for child in children:
            sums, earlier = now.get(child.pk, {}), before.get(child.pk, {})
            table.add(
                f"area:{child.code}",
                {
                    "name": child.name,
                    "rank": ranks.get(child.pk),
                    **self.case_cells(sums, earlier),
                    "rework_rate": rate_percent(sums, "rework_rate"),
                    "rework_rate_previous": rate_percent(earlier, "rework_rate"),
                    "overdue": indicator_count(sums, "overdue"),
                    "note": "" if child.pk in ranks else _("本期无应结案件，不参与排名"),
                },
                filters={"area": child.code},
            )
        self.ranking["areas"] = self.named(
            _("区域"),
            [(ranks[child.pk], child.name, self.area_figures(now[child.pk])) for child in ranked],
            [child.name for child in unranked],
        )
        return table

    @staticmethod
    def area_figures(sums: Sums) -> list[tuple[str, str]]:
        return [
            (_("按期结案率"), _percent(rate_percent(sums, "close_on_time_rate"))),
            (_("结案率"), _percent(rate_percent(sums, "close_rate"))),
            (_("应结案数"), str(base_count(sums))),
        ]

    @staticmethod
    def named(what: str, ranked: list[tuple[int, str, list[tuple[str, str]]]], unranked: list[str]) -> dict[str, Any]:
        top, bottom = top_and_bottom(ranked, RANKED_NAMED)

        def entry(item: tuple[int, str, list[tuple[str, str]]]) -> dict[str, Any]:
            rank, name, figures = item
            return {"rank": rank, "name": name, "figures": [{"label": label, "value": v} for label, v in figures]}

        return {
            "what": what,
            "top": [entry(item) for item in top],
            "bottom": [entry(item) for item in reversed(bottom)],
            "unranked": unranked,
        }

    # Departments ---------------------------------------------------------------------------------------------------
    def departments(self) -> list[Department]:
        """Departments with figures in either period, and the active ones serving the area (a department of the
        whole site, or of an area above or inside it), the command centre left out."""
        with_figures = set(self.current.by_department) | set(self.previous.by_department)
        serving = Department.objects.filter(is_active=True).exclude(kind=DepartmentKind.COMMAND_CENTRE)
        codes = [self.area.code[:length] for length in range(1, len(self.area.code) + 1)]
        serving_ids = set(
            serving.filter(
                Q(area__isnull=True) | Q(area__code__in=codes) | Q(area__code__startswith=self.area.code)
            ).values_list("pk", flat=True)
        )
        related = ["area", *(["parent"] if any(f.name == "parent" for f in Department._meta.get_fields()) else [])]
        return list(Department.objects.select_related(*related).filter(pk__in=with_figures | serving_ids))

    @staticmethod
    def department_group(department: Department) -> tuple[str, str]:
        """The first level of the department table: the department's parent where departments have one, else its
        kind (环卫, 城管执法…)."""
        parent = getattr(department, "parent", None)
        if isinstance(parent, Department):
            return f"department:{parent.pk}", parent.name
        return f"kind:{department.kind}", str(department.get_kind_display())

    @staticmethod
    def department_cells(now: Sums, before: Sums) -> dict[str, Any]:
        return {
            "received": indicator_count(now, "department_received"),
            "handled": indicator_count(now, "handled"),
            "handle_on_time_rate": rate_percent(now, "department_handle_on_time_rate"),
            "handle_on_time_rate_previous": rate_percent(before, "department_handle_on_time_rate"),
            "close_rate": rate_percent(now, "department_close_rate"),
            "close_rate_previous": rate_percent(before, "department_close_rate"),
            "reworks": indicator_count(now, "reworks"),
            "rework_rate": rate_percent(now, "department_rework_rate"),
            "rework_rate_previous": rate_percent(before, "department_rework_rate"),
            "extended": now.get(M.EXTENDED, ZERO).count,
        }

    @staticmethod
    def department_figures(sums: Sums) -> list[tuple[str, str]]:
        return [
            (_("按期处置率"), _percent(rate_percent(sums, "department_handle_on_time_rate"))),
            (_("部门结案率"), _percent(rate_percent(sums, "department_close_rate"))),
            (_("派遣数"), str(indicator_count(sums, "department_received"))),
        ]

    def department_table(self) -> Table:
        table = Table(
            "by_department",
            _("按部门"),
            [
                Column("name", _("部门"), TEXT),
                Column("rank", _("排名"), RANK),
                Column("received", _("派遣数"), COUNT, M.DISPATCHED),
                Column("handled", _("处置数"), COUNT, M.HANDLED),
                Column("handle_on_time_rate", _("按期处置率"), RATE),
                Column("handle_on_time_rate_previous", _("上期"), RATE, period="previous"),
                Column("close_rate", _("部门结案率"), RATE),
                Column("close_rate_previous", _("上期"), RATE, period="previous"),
                Column("reworks", _("返工数"), COUNT, M.REWORK),
                Column("rework_rate", _("返工率"), RATE),
                Column("rework_rate_previous", _("上期"), RATE, period="previous"),
                Column("extended", _("延期数"), COUNT, M.EXTENDED),
                Column("note", _("备注"), TEXT),
            ],
            note=_(
                "两级：部门类别（或上级部门）→ 部门。按部门按期处置率排名，相同按部门结案率；"
                "本期无派遣案件的部门不参与排名。"
            ),
        )
        departments = self.departments()
        groups: dict[tuple[str, str], list[Department]] = defaultdict(list)
        for department in departments:
            groups[self.department_group(department)].append(department)
        active = [d for d in departments if self.current.by_department.get(d.pk)]
        self.department_ids = sorted(d.pk for d in active)

        def worked(department: Department) -> bool:
            sums = self.current.by_department.get(department.pk, {})
            return bool(indicator_count(sums, "department_received") or indicator_count(sums, "handled"))

        def score(department: Department) -> tuple[float, float]:
            sums = self.current.by_department[department.pk]
            return (
                rate_percent(sums, "department_handle_on_time_rate") or 0.0,
                rate_percent(sums, "department_close_rate") or 0.0,
            )

        ranked = sorted((d for d in departments if worked(d)), key=lambda d: (-score(d)[0], -score(d)[1], d.code))
        ranks = competition_ranks((d.pk, score(d)) for d in ranked)
        kinds = {choice.value: index for index, choice in enumerate(DepartmentKind)}
        for (group_key, group_name), members in sorted(
            groups.items(), key=lambda item: (kinds.get(item[1][0].kind, 99), item[0][1])
        ):
            members.sort(key=lambda d: d.code)
            now = sums_add(*(self.current.by_department.get(d.pk, {}) for d in members))
            before = sums_add(*(self.previous.by_department.get(d.pk, {}) for d in members))
            table.add(group_key, {"name": group_name, **self.department_cells(now, before), "note": ""}, level=1)
            for department in members:
                table.add(
                    f"department:{department.pk}",
                    {
                        "name": department.name,
                        "rank": ranks.get(department.pk),
                        **self.department_cells(
                            self.current.by_department.get(department.pk, {}),
                            self.previous.by_department.get(department.pk, {}),
                        ),
                        "note": "" if department.pk in ranks else _("本期无派遣案件，不参与排名"),
                    },
                    filters={**self.area_filter, "department": department.pk},
                    level=2,
                )
        self.ranking["departments"] = self.named(
            _("部门"),
            [(ranks[d.pk], d.name, self.department_figures(self.current.by_department[d.pk])) for d in ranked],
            [d.name for d in sorted(departments, key=lambda d: d.code) if d.pk not in ranks],
        )
        return table

    def ranking_text(self) -> str:
        sentences = []
        for key in ("areas", "departments"):
            named = self.ranking.get(key)
            if not named:
                continue
            parts = []
            if named["top"]:
                parts.append(
                    _("%(what)s排名靠前的是：%(list)s") % {"what": named["what"], "list": _listed(named["top"])}
                )
            if named["bottom"]:
                parts.append(_("排名靠后的是：%(list)s") % {"list": _listed(named["bottom"])})
            if named["unranked"]:
                parts.append(_("本期无案件、不参与排名的有：%(names)s") % {"names": _("、").join(named["unranked"])})
            if parts:
                sentences.append(_("；").join(parts) + _("。"))
        return "".join(sentences)

    # Whole ---------------------------------------------------------------------------------------------------------
    def build(self) -> dict[str, Any]:
        compared = self.compared()
        headline = self.headline(compared)
        self.tables = [self.main_table(compared), self.basic_table()]
        if self.kind == PeriodKind.DAY:
            summary, tables = patrol_tables(self.period, self.area)
            self.paragraphs.append(summary)
            self.tables.extend(tables)
        else:
            self.tables.append(self.source_table())
            self.tables.extend(self.category_tables())
            by_area = self.area_table()
            if by_area is not None:
                self.tables.append(by_area)
            self.tables.append(self.department_table())
            ranking = self.ranking_text()
            if ranking:
                self.paragraphs.append(ranking)
            self.tables.append(annex_table(self.period, self.area))
        previous, year_ago = self.period.previous(), self.period.year_ago()
        return {
            "schema": SCHEMA,
            "kind": self.kind,
            "period": self.period.key,
            "period_label": self.period.label,
            "start": self.period.start.isoformat(),
            "end": self.period.end.isoformat(),
            "area": {"id": self.area.pk, "code": self.area.code, "name": self.area.name, "level": self.area.level},
            "previous": {"period": previous.key, "label": previous.label, "has_data": self.previous.has_data},
            "year_ago": {"period": year_ago.key, "label": year_ago.label, "has_data": self.year_ago.has_data},
            "generated_at": timezone.now().isoformat(),
            "headline": headline,
            "paragraphs": self.paragraphs,
            "ranking": self.ranking,
            "tables": [table.as_dict() for table in self.tables],
            "department_ids": self.department_ids,
        }


def _listed(entries: list[dict[str, Any]]) -> str:
    """Units with their figures: 一街道（按期结案率100.00%，结案率100.00%，应结案数4）、…"""
    described = []
    for entry in entries:
        figures = _("，").join(f"{figure['label']}{figure['value']}" for figure in entry["figures"])
        described.append(f"{entry['name']}（{figures}）")
    return _("、").join(described)


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}%"


def bulletin_content(kind: str, period: Period, area: Area) -> dict[str, Any]:
    """The document of ``kind`` for ``period`` over ``area`` (``period.kind`` is ``kind``)."""
    return _Document(kind, period, area).build()
