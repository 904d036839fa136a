"""自定报表 pages: my reports and those shared with my roles, the builder (new, or a saved report) with its live
preview, save, save as, delete, and the export to .xlsx or .csv. Thin views: parse → fetch-and-authorize → one
service → render."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from audit.services import Origin
from gridgov.errors import DomainError, form_errors_add
from gridgov.http import AuthenticatedHttpRequest
from reports import exports, services
from reports.engine import Cell, Member, Row, Table, drill_filters, report_run
from reports.forms import BuilderForm
from reports.models import SavedReport
from reports.presets import PRESETS
from reports.selectors import ADD_PERMISSION, access_report, report_reader, reports_visible
from reports.spec import COUNT, RATE, MeasureInfo, spec_parse, spec_title
from stats.indicators import INDICATORS

#: The preview shows this many rows; the export has them all.
PREVIEW_ROWS = 200
DEFAULT_PRESET = "street_month_close_rate"


def cases_url(params: list[tuple[str, str]]) -> str:
    """The page listing the cases behind a number (``stats:cases``) with these filters."""
    try:
        base = reverse("stats:cases")
    except NoReverseMatch:
        base = "/stats/cases/"
    return f"{base}?{urlencode(params)}"


def _title(report: SavedReport) -> str:
    try:
        return spec_title(spec_parse(report.spec))
    except DomainError:  # a spec stored before a measure was retired: the builder shows what is wrong
        return ""


@login_required
@require_safe
def report_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    report_reader(request.user)
    reports = list(reports_visible(request.user).order_by("name", "pk"))
    listed = [(report, _title(report)) for report in reports]
    context = {
        "mine": [(report, title) for report, title in listed if report.owner_id == request.user.pk],
        "shared": [(report, title) for report, title in listed if report.owner_id != request.user.pk],
        "presets": PRESETS.values(),
        "may_add": request.user.has_perm(ADD_PERMISSION),
    }
    return render(request, "reports/list.html", context)


def _builder(
    request: AuthenticatedHttpRequest, form: BuilderForm, report: SavedReport | None, status: int = 200
) -> HttpResponse:
    rows, columns = form.dimension_fields()
    context = {
        "form": form,
        "report": report,
        "row_fields": rows,
        "column_fields": columns,
        "is_owner": report is None or report.owner_id == request.user.pk,
        "may_add": request.user.has_perm(ADD_PERMISSION),
        "presets": PRESETS.values(),
    }
    return render(request, "reports/builder.html", context, status=status)


def _save(
    request: AuthenticatedHttpRequest, form: BuilderForm, report: SavedReport | None
) -> tuple[SavedReport | None, int]:
    """Create (``report`` None) or update from the posted form: the report saved, or None and the status of the
    refusal, which is shown on the form."""
    if not form.is_valid():
        return None, 400
    origin = Origin.of_request(request)
    values = form.cleaned_data
    try:
        if report is None:
            return services.report_create(origin, values["name"], form.spec(), values["shared_roles"]), 200
        saved = services.report_update(
            origin, report, name=values["name"], spec=form.spec(), roles=values["shared_roles"]
        )
        return saved, 200
    except DomainError as error:
        if error.status == 404:
            raise
        form_errors_add(form, error)
        return None, error.status


def _builder_posted(request: AuthenticatedHttpRequest, report: SavedReport | None) -> HttpResponse:
    """Save the builder's form (a new report, the owner's change, or a copy of a shared one); on a problem, the
    builder again with the form as sent."""
    form = BuilderForm(request.POST, user=request.user)
    saved, status = _save(request, form, report)
    if saved is not None:
        messages.success(request, _("报表已保存"))
        return redirect("reports:detail", saved.pk)
    return _builder(request, form, report, status=status)


@login_required
def report_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    report_reader(request.user)
    if request.method == "POST":
        return _builder_posted(request, None)
    preset = PRESETS.get(request.GET.get("template") or DEFAULT_PRESET) or PRESETS[DEFAULT_PRESET]
    form = BuilderForm(initial=BuilderForm.initial_of(preset.spec, name=str(preset.name)), user=request.user)
    return _builder(request, form, None)


@login_required
def report_detail(request: AuthenticatedHttpRequest, report_id: int) -> HttpResponse:
    report = access_report(request.user, report_id)
    if request.method == "POST":
        return _builder_posted(request, report)
    owner = report.owner_id == request.user.pk
    roles = report.shared_roles if owner else []  # a reader's copy is shared with no one until they choose
    initial = BuilderForm.initial_of(report.spec, name=report.name, roles=roles)
    return _builder(request, BuilderForm(initial=initial, user=request.user), report)


@login_required
@require_POST
def report_delete(request: AuthenticatedHttpRequest, report_id: int) -> HttpResponse:
    report = access_report(request.user, report_id)
    services.report_delete(Origin.of_request(request), report)
    messages.success(request, _("报表「%(name)s」已删除") % {"name": report.name})
    return redirect("reports:list")


@dataclass(frozen=True)
class Shown:
    """A cell as the preview shows it: the figure, what it is made of (as a tooltip), the cases behind a count."""

    text: str
    title: str = ""
    link: str = ""
    total: bool = False


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _shown(table: Table, line: Row, column: tuple[Member, ...], info: MeasureInfo, cell: Cell, total: bool) -> Shown:
    kind, _colon, name = info.code.partition(":")
    if info.unit == COUNT:
        filters = list(drill_filters(table, line, column, name))
        has_measure = any(key == "measure" and value for key, value in filters)
        link = cases_url(filters) if has_measure and cell.value else ""
        return Shown(_number(cell.value or 0), link=link, total=total)
    numerator, denominator = _number(cell.numerator or 0), _number(cell.denominator or 0)
    if info.unit == RATE:
        indicator = INDICATORS.get(name) if kind == "rate" else None
        top = str(indicator.numerator_label) if indicator else _("按时数")
        bottom = str(indicator.denominator_label) if indicator else _("总数")
        title = f"{top} {numerator} / {bottom} {denominator}"
        text = "—" if cell.value is None else f"{cell.value * 100:.2f}%"
        return Shown(text, title, total=total)
    title = _("共 %(minutes)s 分钟 / %(count)s 件") % {"minutes": numerator, "count": denominator}
    return Shown("—" if cell.value is None else f"{cell.value:,.1f}", title, total=total)


def _display(table: Table, limit: int) -> list[dict[str, Any]]:
    """The preview's rows (the first ``limit``, then the totals row), each cell as :class:`Shown`."""
    lines = []
    with_total_column = bool(table.spec.columns)
    for line in [*table.rows[:limit], table.totals]:
        shown = [
            _shown(table, line, column, info, cell, False)
            for column, cells in zip(table.columns, line.cells, strict=True)
            for info, cell in zip(table.measures, cells, strict=True)
        ]
        if with_total_column:
            shown += [
                _shown(table, line, (), info, cell, True) for info, cell in zip(table.measures, line.total, strict=True)
            ]
        lines.append({"members": [member.label for member in line.members], "cells": shown})
    return lines


@login_required
@require_safe
def report_preview(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The table of the builder's current choices (an HTML fragment the builder puts under the form)."""
    report_reader(request.user)
    form = BuilderForm(request.GET, user=request.user)
    if not form.is_valid():
        problems = [
            f"{form[name].label}：{' '.join(str(error) for error in errors)}" for name, errors in form.errors.items()
        ]
        return render(request, "reports/_preview.html", {"problems": problems}, status=400)
    try:
        table = report_run(spec_parse(form.spec()), request.user)
    except DomainError as error:
        problems = [item["message"] for item in error.details or []] or [str(error.message)]
        return render(request, "reports/_preview.html", {"problems": problems}, status=error.status)
    lines = _display(table, PREVIEW_ROWS)
    context = {
        "table": table,
        "lines": lines[:-1],
        "totals": lines[-1],
        "truncated": len(table.rows) > PREVIEW_ROWS,
        "preview_rows": PREVIEW_ROWS,
        "many_measures": len(table.measures) > 1,
        "title": spec_title(table.spec),
    }
    return render(request, "reports/_preview.html", context)


@login_required
@require_safe
def report_export(request: AuthenticatedHttpRequest, report_id: int) -> FileResponse:
    report = access_report(request.user, report_id)
    exported = exports.report_export(Origin.of_request(request), report, request.GET.get("format", "xlsx"))
    return FileResponse(
        io.BytesIO(exported.content),
        as_attachment=True,
        filename=exported.file_name,
        content_type=exported.content_type,
    )
