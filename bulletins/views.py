"""通报 pages: the list (by kind and period, unread marked, the 发布/更正 form for publishers), one bulletin (its
frozen document, its versions with their differences, who has read it) and its files (PDF, .xlsx, CSV of a
table). Thin views: parse → fetch-and-authorize → one service → render."""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from audit.services import Origin
from bulletins import services
from bulletins.exports import bulletin_export
from bulletins.figures import change_text
from bulletins.formatting import cases_link, cell_text, unit_of
from bulletins.forms import FilterForm, PublishForm
from bulletins.models import Bulletin
from bulletins.selectors import (
    access_bulletin,
    bulletin_reader,
    bulletins_list,
    changes_for,
    content_for,
    may_publish,
    may_see_readers,
    readers_of,
    versions_of,
)
from gridgov.errors import DomainError, PermissionDenied, form_errors_add
from gridgov.http import AuthenticatedHttpRequest
from stats.periods import PeriodKind

PAGE_SIZE = 50


def _list_context(request: AuthenticatedHttpRequest, publish_form: PublishForm | None = None) -> dict[str, Any]:
    filters = FilterForm(request.GET or None)
    kind = period = ""
    if filters.is_valid():
        kind, period = filters.cleaned_data["kind"], filters.cleaned_data["period"]
    rows = bulletins_list(request.user, kind=kind, period=period) if not filters.errors else Bulletin.objects.none()
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    rest = params.urlencode()
    publishing = may_publish(request.user)
    return {
        "filters": filters,
        "kind": kind,
        "kinds": PeriodKind.choices,
        "page": page,
        "querystring_without_page": rest + "&" if rest else "",
        "publish_form": publish_form or (PublishForm(user=request.user) if publishing else None),
    }


@login_required
@require_safe
def bulletin_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    bulletin_reader(request.user)
    context = _list_context(request)
    return render(request, "bulletins/list.html", context, status=400 if context["filters"].errors else 200)


@login_required
@require_POST
def bulletin_publish(request: AuthenticatedHttpRequest) -> HttpResponse:
    bulletin_reader(request.user)
    if not may_publish(request.user):
        raise PermissionDenied(_("您的角色不能发布通报"), code="publish_not_permitted")
    form = PublishForm(request.POST, user=request.user)
    status = 400
    if form.is_valid():
        values = form.cleaned_data
        try:
            published = services.bulletin_publish(
                values["kind"], values["period"], values["area"], request.user, origin=Origin.of_request(request)
            )
        except DomainError as error:
            form_errors_add(form, error)
            status = error.status
        else:
            if published.outcome == services.UNCHANGED:
                messages.info(request, published.message)
            else:
                messages.success(request, published.message)
            return redirect("bulletins:detail", published.bulletin.pk)
    return render(request, "bulletins/list.html", _list_context(request, form), status=status)


def _rendered_tables(content: dict[str, Any]) -> list[dict[str, Any]]:
    """The tables with each cell's text and link, as the template shows them."""
    tables = []
    for table in content.get("tables", []):
        rows = []
        for row in table["rows"]:
            cells = [
                {
                    "text": cell_text(column, row),
                    "link": cases_link(content, column, row),
                    "numeric": unit_of(column, row) != "text",
                }
                for column in table["columns"]
            ]
            rows.append({"level": row.get("level"), "cells": cells})
        tables.append({**table, "rendered_rows": rows})
    return tables


@login_required
@require_safe
def bulletin_detail(request: AuthenticatedHttpRequest, bulletin_id: int) -> HttpResponse:
    bulletin = access_bulletin(request.user, bulletin_id)
    services.bulletin_open(request.user, bulletin)
    content = content_for(request.user, bulletin)
    versions = versions_of(request.user, bulletin)
    context = {
        "bulletin": bulletin,
        "content": content,
        "tables": _rendered_tables(content),
        "changes": [
            {**change, "old_text": change_text(change, "old"), "new_text": change_text(change, "new")}
            for change in changes_for(request.user, bulletin)
        ],
        "versions": versions,
        "latest": versions[-1] if versions else bulletin,
        "readers": readers_of(bulletin) if may_see_readers(request.user, bulletin) else None,
        "may_correct": may_publish(request.user) and may_see_readers(request.user, bulletin),
    }
    return render(request, "bulletins/detail.html", context)


def _file(request: AuthenticatedHttpRequest, bulletin_id: int, file_format: str, table: str = "") -> FileResponse:
    bulletin = access_bulletin(request.user, bulletin_id)
    exported = bulletin_export(Origin.of_request(request), bulletin, file_format, table_key=table)
    return FileResponse(
        io.BytesIO(exported.content),
        as_attachment=True,
        filename=exported.file_name,
        content_type=exported.content_type,
    )


@login_required
@require_safe
def bulletin_pdf(request: AuthenticatedHttpRequest, bulletin_id: int) -> FileResponse:
    return _file(request, bulletin_id, "pdf")


@login_required
@require_safe
def bulletin_xlsx(request: AuthenticatedHttpRequest, bulletin_id: int) -> FileResponse:
    return _file(request, bulletin_id, "xlsx")


@login_required
@require_safe
def bulletin_csv(request: AuthenticatedHttpRequest, bulletin_id: int) -> FileResponse:
    return _file(request, bulletin_id, "csv", request.GET.get("table", "")[:40])
