"""统计分析 pages: the statistics page (its charts read /api/v1/stats/…), each chart's data as .xlsx, and the cases
behind a number with their export. Thin views: parse the filters → check the reader → call a selector → render."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any, cast
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse, HttpResponseBase, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from accounts.access import user_scope
from accounts.models import Department
from areas.choices import AreaLevel
from areas.models import Area
from audit.services import Origin
from cases.choices import Source
from cases.models import Category
from gridgov.errors import DomainError
from gridgov.http import AuthenticatedHttpRequest
from stats import exports, selectors
from stats.behind import Counted, behind, cases_of, fact_count, rows_annotated, too_many_message
from stats.facts import Measure
from stats.filters import PARAMETERS, StatFilter, flag_parse, measure_parse, stat_filter, stats_reader
from stats.indicators import INDICATORS
from stats.labels import MEASURE_HELP, MEASURE_LABELS
from stats.periods import Period, PeriodKind, period_current

PAGE_SIZE = 50
#: Areas offered in the filter: down to communities, and the grids too when there are at most this many.
GRID_OPTIONS_MAX = 300
#: Periods offered for each kind, the current one first.
RECENT = {PeriodKind.DAY: 31, PeriodKind.WEEK: 26, PeriodKind.MONTH: 24, PeriodKind.QUARTER: 12, PeriodKind.YEAR: 6}
RANGE = "range"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _kind_of(params: QueryDict) -> str:
    kind = params.get("kind", "")
    return kind if kind in (*PeriodKind.values, RANGE) else ""


def _filter_params(params: QueryDict) -> QueryDict:
    """The page form sends the period and the dates; its ``kind`` says which one the user chose."""
    kind = _kind_of(params)
    chosen = params.copy()
    if kind == RANGE:
        chosen.pop("period", None)
    elif kind:
        chosen.pop("start", None)
        chosen.pop("end", None)
    return chosen


def _selection(request: AuthenticatedHttpRequest) -> StatFilter:
    stats_reader(request.user)
    kind = _kind_of(request.GET)
    default = kind if kind in PeriodKind.values else PeriodKind.MONTH
    return stat_filter(request.user, _filter_params(request.GET), default_kind=default)


def _periods(selection: StatFilter) -> dict[str, list[Period]]:
    out: dict[str, list[Period]] = {}
    for kind, count in RECENT.items():
        period = period_current(kind)
        periods = []
        for _index in range(count):
            periods.append(period)
            period = period.previous()
        if selection.period is not None and selection.period.kind == kind and selection.period not in periods:
            periods.append(selection.period)
        out[kind] = periods
    return out


INDENT = {AreaLevel.DISTRICT: "", AreaLevel.STREET: "　", AreaLevel.COMMUNITY: "　　", AreaLevel.GRID: "　　　"}


def _area_options(user: Any) -> list[tuple[str, str]]:
    """The viewer's areas as (code, indented name), down to communities (and grids, when not too many)."""
    visible = Area.objects.visible_to(user).current().order_by("code")
    grids = visible.filter(level=AreaLevel.GRID)
    areas = visible if grids.count() <= GRID_OPTIONS_MAX else visible.exclude(level=AreaLevel.GRID)
    return [(area.code, INDENT.get(area.level, "") + area.name) for area in areas]


def _department_options(user: Any) -> list[Department]:
    scope = user_scope(user)
    if scope.everything or scope.codes:
        return list(Department.objects.filter(is_active=True).order_by("code"))
    own = getattr(user, "department_id", None)
    return list(Department.objects.filter(pk=own)) if own is not None else []


def _category_options() -> list[tuple[int, str]]:
    """Classes (大类) each followed by its subclasses (小类), indented."""
    categories = list(Category.objects.filter(is_active=True).select_related("parent"))
    categories.sort(key=lambda c: (c.kind, c.parent.code if c.parent else c.code, c.parent_id is not None, c.code))
    return [(c.pk, ("　" if c.parent_id else "") + f"{c.code} {c.name}") for c in categories]


#: Indicators whose numerator is the part not in time (their cases: the measure's late ones).
LATE_NUMERATORS = frozenset({"handle_overdue_rate"})


def _change_text(row: dict[str, Any], change: float) -> str:
    if row["unit"] == "rate":
        return _("%(points)s 个百分点") % {"points": f"{abs(change):.2f}"}
    return f"{abs(change):g}"


def _indicator_rows(selection: StatFilter, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each indicator with the links to the cases behind its numerator and denominator and its change (环比)."""
    out = []
    for row in rows:
        late = "1" if row["code"] in LATE_NUMERATORS else ""
        row = dict(row)
        row["numerator_query"] = urlencode(selection.query(measure=row["numerator_measure"], late=late), doseq=True)
        row["denominator_query"] = (
            urlencode(selection.query(measure=row["denominator_measure"]), doseq=True)
            if row["denominator_measure"]
            else ""
        )
        now_value, then_value = row["value"], row["previous"]["value"]
        change = None if now_value is None or then_value is None else round(now_value - then_value, 2)
        row["change"] = change
        row["change_text"] = "" if change is None else _change_text(row, change)
        bad = INDICATORS[row["code"]].bad
        if change is None or change == 0 or row["unit"] != "rate":
            row["trend"] = ""
        else:
            row["trend"] = "better" if (change > 0) != bad else "worse"
        out.append(row)
    return out


def _labels() -> dict[str, str]:
    """What the page's script writes, translated."""
    return {
        "empty": _("该条件下暂无数据"),
        "asOf": _("数据截至"),
        "saveImage": _("保存为图片"),
        "cases": _("件"),
        "times": _("次"),
        "minutes": _("分钟"),
        "hours": _("小时"),
        "percent": _("结案率（%）"),
        "other": _("其他"),
        "noData": _("无数据"),
        "numerator": _("分子"),
        "denominator": _("分母"),
        "rule": _("近 %(days)s 天（%(start)s 至 %(end)s）同类案件 %(min)s 件及以上、相距 %(radius)s 米以内"),
        "hotspotCases": _("件"),
        "locate": _("定位"),
        "median": _(
            "上报→结案：共 %(cases)s 件（其中未结 %(open)s 件），中位数 %(median)s，P90 %(p90)s，平均 %(mean)s"
        ),
        "noAreas": _("没有可着色的区域（按部门统计时不显示辖区地图）"),
        "failed": _("数据加载失败"),
        "less": _("少"),
        "more": _("多"),
        "h3Total": _("区间内有坐标的上报案件"),
    }


@login_required
@require_safe
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The statistics page: one filter bar over every chart."""
    selection = _selection(request)
    kind = _kind_of(request.GET) or (selection.period.kind if selection.period else RANGE)
    table = selectors.indicator_table(request.user, selection)
    periods = _periods(selection)
    indicators = _indicator_rows(selection, table["indicators"])
    return render(
        request,
        "stats/dashboard.html",
        {
            "selection": selection,
            "kind": kind,
            "kinds": [*PeriodKind.choices, (RANGE, _("自定义"))],
            "areas": _area_options(request.user),
            "categories": _category_options(),
            "period_options": periods.get(kind, []),
            "period_choices": {key: [[p.key, p.label] for p in items] for key, items in periods.items()},
            "labels": _labels(),
            "sources": Source.choices,
            "departments": _department_options(request.user),
            "query": urlencode(selection.query(), doseq=True),
            "table": table,
            "indicators": indicators,
            "headline": sorted(
                (row for row in indicators if row["code"] in selectors.HEADLINE),
                key=lambda row: selectors.HEADLINE.index(row["code"]),
            ),
            "metrics": selectors.map_metrics(),
            "levels": [(value, label) for value, label in AreaLevel.choices if value != AreaLevel.DISTRICT],
            "resolutions": list(selectors.H3_RESOLUTIONS),
            "h3_default": selectors.H3_DEFAULT,
        },
    )


@login_required
@require_safe
def chart_export(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    """One chart's data (``chart``: indicators, trend, categories, classes, sources, areas, h3, hotspots,
    durations) under the page's filters, as .xlsx."""
    selection = _selection(request)
    content, name = exports.chart_export(
        Origin.of_request(request), selection, request.GET.get("chart", ""), request.GET.dict()
    )
    return FileResponse(io.BytesIO(content), as_attachment=True, filename=name, content_type=XLSX)


def _behind_context(request: AuthenticatedHttpRequest) -> tuple[StatFilter, str, bool]:
    selection = _selection(request)
    measure = measure_parse(request.GET)
    late = flag_parse(request.GET, "late")
    return selection, measure, late


@login_required
@require_safe
def cases(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The cases behind a number: the events that counted for ``measure`` under the filters, most recent first,
    with the figure they add up to."""
    selection, measure, late = _behind_context(request)
    found = behind(request.user, selection, measure, late=late)
    page = Paginator(cast(Sequence[Counted], found), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = rows_annotated(request.user, selection, found, list(page.object_list))
    by_case = cases_of(rows)
    query = selection.query(measure=measure, late="1" if late else "")
    return render(
        request,
        "stats/cases.html",
        {
            "selection": selection,
            "measure": measure,
            "measure_label": MEASURE_LABELS[measure],
            "measure_help": MEASURE_HELP["cohort" if measure in Measure.COHORT else "event"],
            "late": late,
            "found": found,
            "figure": fact_count(request.user, selection, measure, late=late),
            "too_many": too_many_message(found) if found.too_many else "",
            "page": page,
            "rows": [(row, by_case[row.case_id]) for row in rows if row.case_id in by_case],
            "query": urlencode(query, doseq=True),
            "querystring_without_page": urlencode(query, doseq=True) + "&",
            "source_label": dict(Source.choices).get(selection.source, ""),
            "late_query": urlencode(selection.query(measure=measure, late="" if late else "1"), doseq=True),
            "dashboard_query": urlencode(selection.query(), doseq=True),
        },
    )


@login_required
@require_safe
def cases_export(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    """The list of the cases behind a number as .xlsx (audited); a list too long answers the page with a message."""
    selection, measure, late = _behind_context(request)
    found = behind(request.user, selection, measure, late=late)
    params = {
        key: ",".join(request.GET.getlist(key)) for key in (*PARAMETERS, "measure", "late") if request.GET.get(key)
    }
    back = (
        f"{reverse('stats:cases')}?{urlencode(selection.query(measure=measure, late='1' if late else ''), doseq=True)}"
    )
    if found.too_many:
        messages.error(request, too_many_message(found))
        return redirect(back)
    try:
        content, name = exports.cases_export(Origin.of_request(request), selection, found, params)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(back)
    return FileResponse(io.BytesIO(content), as_attachment=True, filename=name, content_type=XLSX)
