"""The statistics page's data as .xlsx: each chart's table (the same selector the chart reads) and the list of the
cases behind a number. One sheet, every cell written through ``registry.tabular`` (no formula runs); each export
is audited with its filters and row count."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditAction
from audit.services import Origin, audit_list_read
from cases.models import Case
from gridgov.errors import ValidationFailed
from registry.tabular import workbook_bytes
from stats import selectors
from stats.behind import Behind, cases_of, rows_annotated
from stats.facts import Measure
from stats.filters import StatFilter, filter_invalid, measure_parse
from stats.labels import MEASURE_LABELS
from stats.models import StatFact

#: At most this many cases in one list export.
EXPORT_LIMIT = 5000
Table = tuple[str, list[str], list[list[Any]]]


def _indicators(user: Any, selection: StatFilter, params: Mapping[str, Any]) -> Table:
    data = selectors.indicator_table(user, selection)
    headers = [_("指标"), _("分子"), _("分子数"), _("分母"), _("分母数"), _("比率（%）"), _("得分")]
    headers += [_("上期分子数"), _("上期分母数"), _("上期比率（%）")]
    rows = [
        [
            row["label"],
            row["numerator_label"],
            row["numerator"],
            row["denominator_label"],
            row["denominator"],
            row["percent"],
            row["score"],
            row["previous"]["numerator"],
            row["previous"]["denominator"],
            row["previous"]["percent"],
        ]
        for row in data["indicators"]
    ]
    return _("指标"), headers, rows


def _trend(user: Any, selection: StatFilter, params: Mapping[str, Any]) -> Table:
    data = selectors.trend(user, selection, str(params.get("by") or "") or None)
    headers = [_("时段"), _("开始"), _("结束"), _("上报数"), _("立案数"), _("结案数")]
    headers += [_("结案率（%）"), _("当期立案中已结案数"), _("应结案数")]
    rows = [
        [
            row["key"],
            row["start"].isoformat(),
            row["end"].isoformat(),
            row["report"],
            row["filed"],
            row["closed"],
            row["close_rate"]["percent"],
            row["close_rate"]["numerator"],
            row["close_rate"]["denominator"],
        ]
        for row in data["buckets"]
    ]
    return _("趋势"), headers, rows


def _composition_part(part: str, title: str) -> Callable[[Any, StatFilter, Mapping[str, Any]], Table]:
    def table(user: Any, selection: StatFilter, params: Mapping[str, Any]) -> Table:
        measure = measure_parse(params, default=Measure.REPORT)
        data = selectors.composition(user, selection, measure)
        rows = [[row["label"], row["count"]] for row in data[part]]
        return title, [title, str(MEASURE_LABELS[measure])], rows

    return table


def _areas(user: Any, selection: StatFilter, params: Mapping[str, Any]) -> Table:
    data = selectors.area_map(
        user, selection, str(params.get("metric") or selectors.MAP_DEFAULT), str(params.get("level") or "") or None
    )
    metric = data["metric"]
    headers = [
        _("区域编码"),
        _("区域"),
        metric["label"],
        metric["numerator_label"] or _("分子"),
        metric["denominator_label"] or _("分母"),
    ]
    rows = [
        [item["properties"][key] for key in ("code", "name", "value", "numerator", "denominator")]
        for item in data["features"]["features"]
    ]
    return _("区域分布"), headers, rows


def _h3(user: Any, selection: StatFilter, params: Mapping[str, Any]) -> Table:
    raw = str(params.get("resolution") or "").strip()
    if raw and not raw.isdigit():
        raise filter_invalid("resolution", _("H3 分辨率应为 5–9"))
    data = selectors.h3_cells(user, selection, int(raw) if raw else selectors.H3_DEFAULT)
    return _("热力分布"), [_("H3 单元"), _("案件数")], [[cell["cell"], cell["count"]] for cell in data["cells"]]


def _hotspots(user: Any, selection: StatFilter, params: Mapping[str, Any]) -> Table:
    data = selectors.hotspots(user, selection)
    headers = [_("类别"), _("案件数"), _("中心经度"), _("中心纬度"), _("半径（米）"), _("网格"), _("最早上报")]
    headers += [_("最近上报"), _("案卷编号")]
    rows = [
        [
            spot["category"]["label"],
            spot["count"],
            spot["lon"],
            spot["lat"],
            spot["radius_m"],
            "、".join(spot["grids"]),
            spot["first"],
            spot["last"],
            "、".join(case["number"] for case in spot["cases"]),
        ]
        for spot in data["hotspots"]
    ]
    return _("高发点位"), headers, rows


def _durations(user: Any, selection: StatFilter, params: Mapping[str, Any]) -> Table:
    data = selectors.durations(user, selection)
    rows: list[list[Any]] = [[step["label"], step["span"], step["count"], step["minutes"]] for step in data["steps"]]
    overall = data["received_to_closed"]
    rows.append([_("上报 → 结案（中位数）"), _("含未结案件（计至当前）"), overall["cases"], overall["median"]])
    rows.append([_("上报 → 结案（P90）"), _("含未结案件（计至当前）"), overall["cases"], overall["p90"]])
    return _("环节用时"), [_("环节"), _("区间"), _("次数/件数"), _("用时（分钟）")], rows


CHARTS: dict[str, Callable[[Any, StatFilter, Mapping[str, Any]], Table]] = {
    "indicators": _indicators,
    "trend": _trend,
    "categories": _composition_part("categories", _("类别")),
    "classes": _composition_part("classes", _("大类")),
    "sources": _composition_part("sources", _("来源")),
    "areas": _areas,
    "h3": _h3,
    "hotspots": _hotspots,
    "durations": _durations,
}


def chart_export(origin: Origin, selection: StatFilter, chart: str, params: Mapping[str, Any]) -> tuple[bytes, str]:
    """One chart's data as .xlsx and its file name."""
    build = CHARTS.get(chart)
    if build is None:
        raise filter_invalid("chart", _("未知的图表"))
    title, headers, rows = build(origin.actor, selection, params)
    notes = [[], [_("统计区间"), selection.label], [_("数据截至"), timezone.localtime().strftime("%Y-%m-%d %H:%M")]]
    content = workbook_bytes(title[:31], headers, [*rows, *notes])
    audit_list_read(origin, AuditAction.EXPORT, StatFact, count=len(rows), query={"chart": chart, **params})
    return content, f"统计-{title}-{timezone.localdate():%Y%m%d}.xlsx"


def _when(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def cases_export(origin: Origin, selection: StatFilter, found: Behind, params: Mapping[str, Any]) -> tuple[bytes, str]:
    """The events behind a figure with their cases, as .xlsx (at most ``EXPORT_LIMIT`` rows)."""
    count = found.count()
    if count > EXPORT_LIMIT:
        raise ValidationFailed(
            _("共 %(count)s 条，超过单次导出上限 %(limit)s 条，请缩小筛选范围后再导出")
            % {"count": count, "limit": EXPORT_LIMIT},
            code="export_too_large",
        )
    rows = rows_annotated(origin.actor, selection, found, found[0:EXPORT_LIMIT])
    cases = cases_of(rows)
    headers = [_("案卷编号"), _("计数时间"), _("是否按时"), _("用时（分钟）"), _("状态"), _("大类"), _("小类")]
    headers += [_("网格"), _("主办部门"), _("来源"), _("上报时间"), _("结案时间")]

    def line(case: Case, row: Any) -> list[Any]:
        category = case.category
        return [
            case.number,
            _when(row.at),
            "" if row.on_time is None else (_("按时") if row.on_time else _("超时")),
            None if row.minutes is None else round(row.minutes, 1),
            case.get_status_display(),
            category.parent.name if category and category.parent else (category.name if category else ""),
            category.name if category and category.parent else "",
            case.grid.name,
            case.main_department.name if case.main_department else "",
            case.get_source_display(),
            _when(case.created_at),
            _when(case.closed_at),
        ]

    lines = [line(cases[row.case_id], row) for row in rows if row.case_id in cases]
    content = workbook_bytes(str(MEASURE_LABELS[found.measure])[:31], headers, lines)
    audit_list_read(origin, AuditAction.EXPORT, Case, count=len(lines), query=dict(params))
    return content, f"统计案件-{timezone.localdate():%Y%m%d}.xlsx"
