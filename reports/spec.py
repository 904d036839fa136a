"""What a custom report (自定报表) is made of, and the checks on it.

A spec is a JSON object::

    {
      "rows": ["area:street"],                  # 1–3 dimensions
      "columns": ["period:month"],              # 0–2 dimensions; rows + columns together at most 3
      "measures": ["rate:close_rate", "count:closed"],
      "filters": {"period": "2026"}             # or {"start": "2026-01-01", "end": "2026-06-30"}, and optionally
                                                #   "area" (a code), "category" (an id), "source", "department" (an
                                                #   id), "states" (with the state dimension)
      "hide_empty": false                       # leave out rows and columns without any fact
    }

:func:`spec_parse` checks one and answers every fault with a stable code and the field at fault:
``report_spec_invalid`` (an unknown or repeated dimension, too many dimensions, an unknown measure…) and
``period_invalid`` (a period or dates that name no period, a range over 3 years).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.utils.translation import pgettext

from cases.choices import Source
from gridgov.errors import ValidationFailed
from stats.facts import Measure as M
from stats.indicators import INDICATOR_LIST, RATE, ZERO, Indicator, Total
from stats.periods import Period, PeriodKind, period_current, period_of, period_parse

#: At most this many dimensions in rows and columns together (documented in docs/statistics-reports.md).
MAX_DIMENSIONS = 3
MAX_COLUMN_DIMENSIONS = 2
MAX_MEASURES = 8
#: The longest date range a report covers: 3 years (one of them a leap year).
MAX_DAYS = 3 * 365 + 1

SPEC_INVALID = "report_spec_invalid"
PERIOD_INVALID = "period_invalid"

# --- Dimensions ---------------------------------------------------------------------------------------------------
DIMENSIONS: dict[str, Any] = {
    "area:street": _l("街道"),
    "area:community": _l("社区"),
    "area:grid": _l("网格"),
    "category:class": _l("类别大类"),
    "category:sub": _l("类别小类"),
    "source": _l("来源"),
    "department": _l("部门"),
    "state": _l("环节"),
    "on_time": _l("按时/超时"),
    "period:day": _l("日"),
    "period:week": _l("周"),
    "period:month": _l("月"),
    "period:quarter": _l("季度"),
    "period:year": _l("年"),
}


def family_of(dimension: str) -> str:
    """``area``, ``category``, ``period``, or the dimension itself: a report takes one dimension of each family."""
    return dimension.split(":", 1)[0]


def grain_of(dimension: str) -> str:
    """The level of an area, category or period dimension (``street``, ``class``, ``month``…)."""
    return dimension.split(":", 1)[1] if ":" in dimension else ""


# --- Measures -----------------------------------------------------------------------------------------------------
#: The event measures as the steps (环节) a case reached.
STATE_LABELS: dict[str, Any] = {
    M.REPORT: _l("上报"),
    M.SELF_RESOLVED: _l("自处置"),
    M.ACCEPTED: _l("受理"),
    M.REJECTED: _l("不予立案"),
    M.VERIFIED: _l("核实"),
    M.FILED: _l("立案"),
    M.VALID_REPORT: _l("有效上报"),
    M.PUBLIC_FILED: _l("公众举报立案"),
    M.DISPATCHED: _l("派遣"),
    M.RETURNED: _l("回退"),
    M.HANDLED: _l("处置反馈"),
    M.CHECKED: _l("核查"),
    M.REWORK: _l("返工"),
    M.CLOSED: _l("结案"),
    M.VOIDED: _l("作废"),
    M.EXTENDED: _l("延期"),
    M.SUSPENDED: _l("挂账"),
    M.OVERDUE: _l("超时"),
    M.EVALUATED: _l("评价"),
    M.URGED: _l("催办"),
    M.SUPERVISED: _l("督办"),
}
assert set(STATE_LABELS) == set(M.EVENT), "every event measure is a state"

#: The event measures that carry minutes, with what the minutes run from.
MINUTES_LABELS: dict[str, Any] = {
    M.ACCEPTED: _l("平均受理用时（分钟，自上报）"),
    M.FILED: _l("平均立案用时（分钟，自上报）"),
    M.DISPATCHED: _l("平均派遣用时（分钟，自立案）"),
    M.HANDLED: _l("平均处置用时（分钟，自派遣）"),
    M.CLOSED: _l("平均结案用时（分钟，自上报）"),
}

COUNT, MINUTES = "count", "minutes"
#: Measures of the state dimension: each cell reads the state of its row or column.
STATE_MEASURES: dict[str, tuple[Any, str]] = {
    "count": (_l("数量"), COUNT),
    "on_time_rate": (_l("按时率"), RATE),
    "minutes": (_l("平均用时（分钟）"), MINUTES),
}


@dataclass(frozen=True)
class MeasureInfo:
    code: str
    label: Any
    unit: str  # count, rate or minutes
    group: str  # count, rate, minutes or state (for the builder's lists)
    facts: frozenset[str]  # the fact measures it reads


class _Recorder(dict[str, Total]):
    """Sums that remember which measures a term read (an indicator's terms are functions of the sums)."""

    def __init__(self) -> None:
        super().__init__()
        self.read: set[str] = set()

    def get(self, key: str, default: Any = None) -> Any:
        self.read.add(key)
        return ZERO


def indicator_facts(indicator: Indicator) -> frozenset[str]:
    recorder = _Recorder()
    indicator.numerator(recorder)
    if indicator.denominator is not None:
        indicator.denominator(recorder)
    return frozenset(recorder.read)


def _count_of(measure: str) -> str:
    return _("%(state)s数") % {"state": STATE_LABELS[measure]}


_count_label = lazy(_count_of, str)


def _catalogue() -> dict[str, MeasureInfo]:
    found: dict[str, MeasureInfo] = {}
    for measure in M.EVENT:
        label = _count_label(measure)  # read in the language of each request
        found[f"count:{measure}"] = MeasureInfo(f"count:{measure}", label, COUNT, "count", frozenset({measure}))
    for indicator in INDICATOR_LIST:
        if indicator.unit == RATE:
            code = f"rate:{indicator.code}"
            found[code] = MeasureInfo(code, indicator.label, RATE, "rate", indicator_facts(indicator))
    for measure, label in MINUTES_LABELS.items():
        found[f"minutes:{measure}"] = MeasureInfo(f"minutes:{measure}", label, MINUTES, "minutes", frozenset({measure}))
    for code, (label, unit) in STATE_MEASURES.items():
        found[code] = MeasureInfo(code, label, unit, "state", frozenset())
    return found


MEASURES: dict[str, MeasureInfo] = _catalogue()

# --- Periods ------------------------------------------------------------------------------------------------------
#: Periods named relative to today, so a saved report reads "this month" whenever it is opened.
RELATIVE_PERIODS: dict[str, tuple[Any, str, int]] = {
    "this_week": (_l("本周"), PeriodKind.WEEK, 0),
    "last_week": (_l("上周"), PeriodKind.WEEK, 1),
    "this_month": (_l("本月"), PeriodKind.MONTH, 0),
    "last_month": (_l("上月"), PeriodKind.MONTH, 1),
    "this_quarter": (_l("本季度"), PeriodKind.QUARTER, 0),
    "last_quarter": (_l("上季度"), PeriodKind.QUARTER, 1),
    "this_year": (_l("今年"), PeriodKind.YEAR, 0),
    "last_year": (_l("去年"), PeriodKind.YEAR, 1),
}


def period_named(name: str, today: dt.date | None = None) -> Period:
    """The period of a key (``2026-Q4``) or of a relative name (``last_month``); ``period_invalid`` otherwise."""
    if name in RELATIVE_PERIODS:
        _label, kind, back = RELATIVE_PERIODS[name]
        period = period_current(kind, today)
        for _step in range(back):
            period = period.previous()
        return period
    try:
        return period_parse(name)
    except ValidationFailed as error:
        raise ValidationFailed(error.message, code=PERIOD_INVALID, details={"field": "filters.period"}) from None


# --- The spec -----------------------------------------------------------------------------------------------------
FILTER_KEYS = ("period", "start", "end", "area", "category", "source", "department", "states")
SPEC_KEYS = ("rows", "columns", "measures", "filters", "hide_empty", "version")


@dataclass(frozen=True)
class Filters:
    start: dt.date
    end: dt.date
    period: str = ""  # a period key or a relative name; empty when the range was given as dates
    area: str = ""  # an area code: its subtree
    category: int | None = None  # a class (its subclasses too) or a subclass
    source: str = ""
    department: int | None = None
    states: tuple[str, ...] = ()  # with the state dimension: which states (empty: all)

    def whole_period(self) -> Period | None:
        """The period the range is exactly (a month, a year…), if it is one."""
        for kind in (PeriodKind.DAY, PeriodKind.WEEK, PeriodKind.MONTH, PeriodKind.QUARTER, PeriodKind.YEAR):
            period = period_of(kind, self.start)
            if period.end == self.end:
                return period
        return None


@dataclass(frozen=True)
class Spec:
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    measures: tuple[str, ...]
    filters: Filters
    hide_empty: bool = False

    @property
    def dimensions(self) -> tuple[str, ...]:
        return self.rows + self.columns

    def has(self, family: str) -> bool:
        return any(family_of(dimension) == family for dimension in self.dimensions)

    def fact_measures(self) -> frozenset[str]:
        """The fact measures the report reads (its one query asks for these only)."""
        if self.has("state"):
            return frozenset(self.filters.states or M.EVENT)
        return frozenset().union(*(MEASURES[code].facts for code in self.measures))

    def as_dict(self) -> dict[str, Any]:
        """The spec as stored and sent: the dates only when no period names them."""
        filters: dict[str, Any] = {}
        if self.filters.period:
            filters["period"] = self.filters.period
        else:
            filters["start"] = self.filters.start.isoformat()
            filters["end"] = self.filters.end.isoformat()
        if self.filters.area:
            filters["area"] = self.filters.area
        if self.filters.category is not None:
            filters["category"] = self.filters.category
        if self.filters.source:
            filters["source"] = self.filters.source
        if self.filters.department is not None:
            filters["department"] = self.filters.department
        if self.filters.states:
            filters["states"] = list(self.filters.states)
        return {
            "version": 1,
            "rows": list(self.rows),
            "columns": list(self.columns),
            "measures": list(self.measures),
            "filters": filters,
            "hide_empty": self.hide_empty,
        }


@dataclass
class _Faults:
    items: list[dict[str, str]] = field(default_factory=list)
    other: bool = False  # a fault that is not one of the dates

    def add(self, where: str, message: str, *, period: bool = False) -> None:
        self.items.append({"field": where, "message": message})
        self.other = self.other or not period

    def raise_if_any(self) -> None:
        """Faults of the dates alone answer ``period_invalid``; any other fault ``report_spec_invalid``."""
        if not self.items:
            return
        code = SPEC_INVALID if self.other else PERIOD_INVALID
        raise ValidationFailed("；".join(item["message"] for item in self.items), code=code, details=self.items)


def _strings(value: Any, where: str, faults: _Faults) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        faults.add(where, _("应为字符串列表"))
        return []
    return value


def _dimensions(spec: Mapping[str, Any], faults: _Faults) -> tuple[list[str], list[str]]:
    rows = _strings(spec.get("rows"), "rows", faults)
    columns = _strings(spec.get("columns"), "columns", faults)
    if not rows and not any(item["field"] == "rows" for item in faults.items):
        faults.add("rows", _("请至少选择一个行维度"))
    if len(columns) > MAX_COLUMN_DIMENSIONS:
        faults.add("columns", _("列维度最多 %(limit)s 个") % {"limit": MAX_COLUMN_DIMENSIONS})
    if len(rows) + len(columns) > MAX_DIMENSIONS:
        faults.add("rows", _("行维度与列维度合计最多 %(limit)s 个") % {"limit": MAX_DIMENSIONS})
    seen: dict[str, str] = {}
    for where, names in (("rows", rows), ("columns", columns)):
        for index, name in enumerate(names):
            place = f"{where}.{index}"
            if name not in DIMENSIONS:
                faults.add(place, _("未知的维度：%(name)s") % {"name": name[:40]})
                continue
            family = family_of(name)
            if family in seen:
                faults.add(
                    place,
                    _("维度重复：%(name)s 与 %(other)s 不能同时使用")
                    % {"name": DIMENSIONS[name], "other": DIMENSIONS[seen[family]]},
                )
                continue
            seen[family] = name
    return rows, columns


def _measures(spec: Mapping[str, Any], rows: list[str], columns: list[str], faults: _Faults) -> list[str]:
    measures = _strings(spec.get("measures"), "measures", faults)
    if not measures and not any(item["field"] == "measures" for item in faults.items):
        faults.add("measures", _("请至少选择一个指标"))
    if len(measures) > MAX_MEASURES:
        faults.add("measures", _("指标最多 %(limit)s 个") % {"limit": MAX_MEASURES})
    families = {family_of(name) for name in rows + columns}
    for index, code in enumerate(measures):
        place = f"measures.{index}"
        info = MEASURES.get(code)
        if info is None:
            faults.add(place, _("未知的指标：%(code)s") % {"code": code[:40]})
        elif code in measures[:index]:
            faults.add(place, _("指标重复：%(label)s") % {"label": info.label})
        elif "state" in families and info.group != "state":
            faults.add(place, _("按环节分组时只能选择数量、按时率或平均用时"))
        elif "state" not in families and info.group == "state":
            faults.add(place, _("「%(label)s」需要把环节作为行或列维度") % {"label": info.label})
        elif "on_time" in families and info.unit != COUNT:
            faults.add(place, _("按时/超时分组时只能选择数量类指标（「%(label)s」不可拆分）") % {"label": info.label})
    return measures


def _date(value: Any, where: str, faults: _Faults) -> dt.date | None:
    if not isinstance(value, str):
        faults.add(where, _("日期应为 YYYY-MM-DD 格式"), period=True)
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        faults.add(where, _("日期无效：%(value)s（应为 YYYY-MM-DD）") % {"value": value[:20]}, period=True)
        return None


def _positive_int(value: Any, where: str, faults: _Faults) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 10:
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**31:
        faults.add(where, _("应为正整数编号"))
        return None
    return value


def _filters(raw: Any, families: set[str], faults: _Faults, today: dt.date | None) -> Filters | None:
    if not isinstance(raw, dict):
        faults.add("filters", _("筛选条件应为对象"))
        return None
    for key in raw:
        if key not in FILTER_KEYS:
            faults.add(f"filters.{key}"[:60], _("未知的筛选条件：%(key)s") % {"key": str(key)[:40]})
    period_name = raw.get("period") or ""
    start = end = None
    if period_name:
        if not isinstance(period_name, str):
            faults.add("filters.period", _("统计周期应为字符串"), period=True)
        else:
            try:
                period = period_named(period_name, today)
            except ValidationFailed as error:
                faults.add("filters.period", str(error.message), period=True)
            else:
                start, end = period.start, period.end
    elif raw.get("start") or raw.get("end"):
        start = _date(raw.get("start"), "filters.start", faults)
        end = _date(raw.get("end"), "filters.end", faults)
        if start and end and start > end:
            faults.add("filters.end", _("结束日期不能早于开始日期"), period=True)
        elif start and end and (end - start).days + 1 > MAX_DAYS:
            faults.add("filters.end", _("时间范围不能超过 3 年"), period=True)
        if any(day and not 2000 <= day.year <= 2100 for day in (start, end)):
            faults.add("filters.start", _("日期应在 2000 年至 2100 年之间"), period=True)
    else:
        faults.add("filters.period", _("请选择统计周期或起止日期"), period=True)
    area = raw.get("area") or ""
    if area and not (isinstance(area, str) and area.isascii() and area.isdigit() and len(area) <= 15):
        faults.add("filters.area", _("区域编码应为不超过 15 位的数字"))
        area = ""
    source = raw.get("source") or ""
    if source and source not in Source.values:
        faults.add("filters.source", _("未知的来源：%(value)s") % {"value": str(source)[:40]})
        source = ""
    states = _strings(raw.get("states"), "filters.states", faults)
    for index, state in enumerate(states):
        if state not in STATE_LABELS:
            faults.add(f"filters.states.{index}", _("未知的环节：%(value)s") % {"value": state[:40]})
    if states and "state" not in families:
        faults.add("filters.states", _("只有把环节作为行或列维度时才能筛选环节"))
    category = _positive_int(raw.get("category"), "filters.category", faults)
    department = _positive_int(raw.get("department"), "filters.department", faults)
    if start is None or end is None:
        return None
    return Filters(
        start=start,
        end=end,
        period=period_name if isinstance(period_name, str) else "",
        area=area,
        category=category,
        source=source,
        department=department,
        states=tuple(dict.fromkeys(states)),
    )


def spec_parse(spec: Any, today: dt.date | None = None) -> Spec:
    """A checked :class:`Spec` of a JSON object, or :class:`ValidationFailed` listing every fault."""
    faults = _Faults()
    if not isinstance(spec, dict):
        faults.add("", _("报表定义应为 JSON 对象"))
        faults.raise_if_any()
    for key in spec:
        if key not in SPEC_KEYS:
            faults.add(str(key)[:60], _("未知的字段：%(key)s") % {"key": str(key)[:40]})
    rows, columns = _dimensions(spec, faults)
    measures = _measures(spec, rows, columns, faults)
    families = {family_of(name) for name in rows + columns}
    filters = _filters(spec.get("filters", {}), families, faults, today or timezone.localdate())
    hide_empty = spec.get("hide_empty", False)
    if not isinstance(hide_empty, bool):
        faults.add("hide_empty", _("应为 true 或 false"))
    faults.raise_if_any()
    assert filters is not None
    return Spec(tuple(rows), tuple(columns), tuple(measures), filters, bool(hide_empty))


def spec_title(spec: Spec) -> str:
    """A short description: 街道 × 月 · 结案率."""
    dimensions = " × ".join(str(DIMENSIONS[name]) for name in spec.dimensions)
    measures = pgettext("list separator", "、").join(str(MEASURES[code].label) for code in spec.measures)
    return f"{dimensions} · {measures}"
