"""民情日志 pages: my diary, write and edit, an entry with its comments and attachments, the grid's diary with its
search, the month's 台账 export and the search behind the link pickers. Thin views: parse → fetch-and-authorize →
one service → render."""

from __future__ import annotations

import datetime as dt
import io
from itertools import groupby
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from accounts.models import User
from areas.models import Area
from audit.models import AuditAction
from audit.services import Origin, audit_list_read
from cases.models import Case
from diary import exports, services
from diary.forms import AttachmentForm, CommentForm, EntryForm, SearchForm
from diary.selectors import (
    ADD_PERMISSION,
    EntryFilter,
    access_entry,
    authors_of,
    diary_reader,
    entries_list,
    entries_visible,
    may_comment,
)
from gridgov.errors import DomainError, NotFound, ValidationFailed, form_errors_add
from gridgov.http import AuthenticatedHttpRequest
from registry.models import Household, Person, Place

PAGE_SIZE = 50
LINK_RESULTS = 20


def _days(page: Any) -> list[tuple[dt.date, list[Any]]]:
    return [(day, list(rows)) for day, rows in groupby(page, key=lambda entry: entry.day)]


def _paged(request: AuthenticatedHttpRequest, rows: Any) -> dict[str, Any]:
    params = request.GET.copy()
    params.pop("page", None)
    rest = params.urlencode()
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return {"page": page, "days": _days(page), "querystring_without_page": rest + "&" if rest else ""}


@login_required
@require_safe
def my_diary(request: AuthenticatedHttpRequest) -> HttpResponse:
    diary_reader(request.user)
    rows = entries_list(request.user, EntryFilter(mine=True))
    context = {
        **_paged(request, rows),
        "may_write": request.user.has_perm(ADD_PERMISSION),
        "month": timezone.localdate().strftime("%Y-%m"),
    }
    return render(request, "diary/mine.html", context)


@login_required
def entry_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    diary_reader(request.user)
    if not request.user.has_perm(ADD_PERMISSION):
        raise NotFound(_("页面不存在"), code="page_not_found")
    form = EntryForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            entry = services.entry_create(Origin.of_request(request), form.entry_data())
        except DomainError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, _("日志已保存"))
            return redirect("diary:detail", entry.pk)
    return render(request, "diary/form.html", {"form": form, "entry": None}, status=400 if form.errors else 200)


@login_required
def entry_edit(request: AuthenticatedHttpRequest, entry_id: int) -> HttpResponse:
    entry = access_entry(request.user, entry_id)
    if entry.author_id != request.user.pk:
        raise NotFound(_("日志不存在"), code="entry_not_found")
    form = EntryForm(request.POST or None, user=request.user, entry=None if request.method == "POST" else entry)
    if request.method == "POST" and form.is_valid():
        try:
            services.entry_update(Origin.of_request(request), entry, form.entry_data())
        except DomainError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, _("日志已保存"))
            return redirect("diary:detail", entry.pk)
    return render(request, "diary/form.html", {"form": form, "entry": entry}, status=400 if form.errors else 200)


def _detail(request: AuthenticatedHttpRequest, entry: Any, **forms: Any) -> dict[str, Any]:
    is_author = entry.author_id == request.user.pk
    return {
        "entry": entry,
        "is_author": is_author,
        "comment_form": forms.get("comment_form") or (CommentForm() if may_comment(request.user) else None),
        "attachment_form": forms.get("attachment_form") or (AttachmentForm() if is_author else None),
    }


@login_required
@require_safe
def entry_detail(request: AuthenticatedHttpRequest, entry_id: int) -> HttpResponse:
    entry = access_entry(request.user, entry_id)
    services.entry_open(Origin.of_request(request), entry)
    return render(request, "diary/detail.html", _detail(request, entry))


@login_required
@require_POST
def entry_comment(request: AuthenticatedHttpRequest, entry_id: int) -> HttpResponse:
    entry = access_entry(request.user, entry_id)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.entry_comment(Origin.of_request(request), entry, form.cleaned_data["text"])
        except DomainError as error:
            form_errors_add(form, error)
            return render(request, "diary/detail.html", _detail(request, entry, comment_form=form), status=error.status)
        messages.success(request, _("点评已发送"))
        return redirect("diary:detail", entry.pk)
    return render(request, "diary/detail.html", _detail(request, entry, comment_form=form), status=400)


@login_required
@require_POST
def entry_attach(request: AuthenticatedHttpRequest, entry_id: int) -> HttpResponse:
    entry = access_entry(request.user, entry_id)
    services.attachment_allowed(request.user, entry)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            checked = services.attachment_check(form.cleaned_data["file"])
            services.attachment_add(Origin.of_request(request), entry, checked)
        except DomainError as error:
            form_errors_add(form, error)
            context = _detail(request, entry, attachment_form=form)
            return render(request, "diary/detail.html", context, status=error.status)
        messages.success(request, _("附件已上传"))
        return redirect("diary:detail", entry.pk)
    return render(request, "diary/detail.html", _detail(request, entry, attachment_form=form), status=400)


def _search(request: AuthenticatedHttpRequest) -> tuple[SearchForm, EntryFilter]:
    authors = [(user.pk, user.full_name or user.username) for user in authors_of(request.user)[:500]]
    person_ids = [value for value in request.GET.getlist("person") if value.isdigit()][:1]
    persons = [(person.pk, person.name) for person in Person.objects.visible_to(request.user).filter(pk__in=person_ids)]
    form = SearchForm(request.GET or None, user=request.user, authors=authors, persons=persons)
    if not form.is_valid():
        return form, EntryFilter(author_id=-1) if form.is_bound else EntryFilter()
    values = form.cleaned_data
    return form, EntryFilter(
        q=values["q"],
        person_id=(values["person"] or [None])[0],
        author_id=values["author"],
        grid_code=values["grid"],
        date_from=values["date_from"],
        date_to=values["date_to"],
        kind=values["kind"],
    )


@login_required
@require_safe
def grid_diary(request: AuthenticatedHttpRequest) -> HttpResponse:
    diary_reader(request.user)
    form, filters = _search(request)
    rows = entries_list(request.user, filters)
    context = _paged(request, rows)
    if filters.query():
        audit_list_read(
            Origin.of_request(request),
            AuditAction.SEARCH,
            rows.model,
            count=context["page"].paginator.count,
            query=filters.query(),
        )
    context.update(
        {
            "form": form,
            "filtered": bool(filters.query()),
            "month": (filters.date_from or timezone.localdate()).strftime("%Y-%m"),
            "export_grid": filters.grid_code,
            "export_author": filters.author_id,
        }
    )
    return render(request, "diary/grid.html", context)


def _month(value: str) -> dt.date:
    try:
        return dt.datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        raise ValidationFailed(
            _("月份无效（应为 YYYY-MM）"), code="month_invalid", details={"field": "month"}
        ) from None


@login_required
@require_safe
def month_export(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    diary_reader(request.user)
    month = _month(request.GET.get("month") or timezone.localdate().strftime("%Y-%m"))
    author: User | None = None
    grid: Area | None = None
    if request.GET.get("grid"):
        grid = Area.objects.visible_to(request.user).filter(code=request.GET["grid"]).first()
        if grid is None:
            raise NotFound(_("网格不存在或不在您的管辖范围内"), code="area_not_found")
    else:
        author_text = request.GET.get("author") or str(request.user.pk)
        author_id = int(author_text) if author_text.isascii() and author_text.isdigit() and len(author_text) < 10 else 0
        if not author_id or not (
            author_id == request.user.pk or entries_visible(request.user).filter(author_id=author_id).exists()
        ):
            raise NotFound(_("记录人不存在"), code="author_not_found")
        author = User.objects.get(pk=author_id)
    try:
        exported = exports.diary_month_export(
            Origin.of_request(request), month, author=author, grid=grid, file_format=request.GET.get("format", "docx")
        )
    except ValidationFailed as error:
        messages.error(request, error.message)
        return redirect(reverse("diary:grid" if grid else "diary:mine"))
    return FileResponse(
        io.BytesIO(exported.content),
        as_attachment=True,
        filename=exported.file_name,
        content_type=exported.content_type,
    )


@login_required
@require_safe
def link_search(request: AuthenticatedHttpRequest) -> JsonResponse:
    """What the user may link to an entry, by kind and a few characters of its name (or case number)."""
    diary_reader(request.user)
    kind = request.GET.get("kind", "")
    text = request.GET.get("q", "").strip()[:50]
    if kind not in ("person", "household", "place", "case") or not text:
        return JsonResponse({"results": []})
    results: list[dict[str, Any]]
    if kind == "person":
        persons = Person.objects.visible_to(request.user).select_related("grid").filter(name__icontains=text)
        rows = list(persons.order_by("name", "pk")[:LINK_RESULTS])
        audit_list_read(Origin.of_request(request), AuditAction.SEARCH, Person, count=len(rows), query={"name": text})
        results = [
            {"value": row.pk, "text": _("%(name)s（%(grid)s）") % {"name": row.name, "grid": row.grid.name}}
            for row in rows
        ]
    elif kind == "household":
        households = Household.objects.visible_to(request.user).select_related("house")
        found = households.filter(house__address__icontains=text).order_by("pk")[:LINK_RESULTS]
        results = [{"value": row.pk, "text": str(row)} for row in found]
    elif kind == "place":
        places = Place.objects.visible_to(request.user).filter(Q(name__icontains=text) | Q(address__icontains=text))
        results = [{"value": row.pk, "text": row.name} for row in places.order_by("name", "pk")[:LINK_RESULTS]]
    else:
        cases = Case.objects.visible_to(request.user).filter(number__startswith=text).order_by("-number")
        results = [{"value": row.pk, "text": row.number} for row in cases[:LINK_RESULTS]]
    return JsonResponse({"results": results})
