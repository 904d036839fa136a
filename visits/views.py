"""Visit pages: my visits, the visit form (phone first), a visit with its follow-ups, its correction and
"转为案件上报". Thin views: parse → fetch-and-authorize → one service → render."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.services import Origin
from cases.selectors import categories_recent
from diary.models import DiaryEntry
from gridgov.errors import DomainError, NotFound, PermissionDenied, form_errors_add
from registry.selectors import access_building, access_house, access_household, access_person, access_place
from visits import services
from visits.choices import SENSITIVE_PURPOSES, VisitKind, VisitPurpose
from visits.forms import FollowUpForm, VisitEditForm, VisitForm, edit_initial
from visits.models import DueVisit, Visit, may_see_sensitive
from visits.questions import answers_shown
from visits.selectors import SUBJECTS, VisitFilter, access_visit, visits_list

PAGE_SIZE = 30
ACCESS = {
    "person": access_person,
    "household": access_household,
    "house": access_house,
    "building": access_building,
    "place": access_place,
}


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _id(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and 0 < int(value) < 2**31 else None


@login_required
@permission_required("visits.view_visit", raise_exception=True)
def visit_list(request: HttpRequest) -> HttpResponse:
    """My visits (or all in sight with ``?all=1`` for those overseeing), by date, purpose and kind."""
    purpose = request.GET.get("purpose", "")
    kind = request.GET.get("kind", "")
    mine = request.GET.get("all") != "1"
    filters = VisitFilter(
        mine=mine,
        date_from=_date(request.GET.get("date_from", "")),
        date_to=_date(request.GET.get("date_to", "")),
        purpose=purpose if purpose in VisitPurpose.values else "",
        kind=kind if kind in VisitKind.values else "",
        **{f"{name}_id": _id(request.GET.get(name)) for name in SUBJECTS},
    )
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "page": Paginator(visits_list(request.user, filters), PAGE_SIZE).get_page(request.GET.get("page")),
        "querystring_without_page": params.urlencode() + "&" if params else "",
        "filters": filters,
        "purposes": VisitPurpose.choices,
        "kinds": VisitKind.choices,
        "can_record": request.user.has_perm("visits.add_visit"),
    }
    return render(request, "visits/list.html", context)


def _subjects(request: HttpRequest) -> tuple[dict[str, int | None], Any]:
    """The subjects named in the address, each fetched through its access helper (404 when not the user's), and
    the most specific one to show."""
    ids = {name: _id(request.GET.get(name)) for name in SUBJECTS}
    shown = None
    for name in ("building", "house", "household", "place", "person"):
        pk = ids[name]
        if pk is not None:
            shown = ACCESS[name](request.user, pk)
    return ids, shown


def _subject_url(subject: Any) -> str:
    """The registry page of the subject a visit is recorded for (its name links to it)."""
    if subject is None:
        return ""
    return reverse(f"{subject._meta.model_name}-detail", args=[subject.pk])


def _purposes_for(user: Any) -> list[tuple[str, Any]]:
    """The purposes offered: sensitive ones (重点人员走访) only to those who may see sensitive groups."""
    sensitive = may_see_sensitive(user)
    return [(value, label) for value, label in VisitPurpose.choices if sensitive or value not in SENSITIVE_PURPOSES]


@login_required
@permission_required("visits.add_visit", raise_exception=True)
def visit_new(request: HttpRequest) -> HttpResponse:
    subjects, shown = _subjects(request)
    due_id = _id(request.GET.get("due"))
    due = None
    if due_id is not None:
        due = DueVisit.objects.visible_to(request.user).select_related("person", "plan").filter(pk=due_id).first()
        if due is None:
            raise NotFound(_("应走访记录不存在"), code="due_visit_not_found")
        shown = shown or due.person
    initial: dict[str, Any] = {}
    if due is not None and due.plan.purpose in VisitPurpose.values:
        initial["purposes"] = [due.plan.purpose]
    form = VisitForm(request.POST or None, request.FILES or None, purposes=_purposes_for(request.user), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            visit = services.visit_record(Origin.of_request(request), form.visit_data(subjects, due_id))
        except DomainError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, _("走访已记录"))
            return redirect("visits:detail", visit.pk)
    status = 400 if form.is_bound else 200
    context = {"form": form, "subject": shown, "subject_url": _subject_url(shown), "due": due}
    return render(request, "visits/form.html", context, status=status)


def _own(request: HttpRequest, visit: Visit) -> bool:
    return visit.worker_id == request.user.pk and request.user.has_perm("visits.change_visit")


def _detail(request: HttpRequest, visit: Visit, form: FollowUpForm | None = None, status: int = 200) -> HttpResponse:
    own = _own(request, visit)
    if own and form is None:
        form = FollowUpForm(recent=categories_recent(request.user), initial={"description": visit.findings})
    context = {
        "visit": visit,
        "answers": answers_shown(visit.answers),
        "purpose_labels": [str(dict(VisitPurpose.choices).get(value, value)) for value in visit.purposes],
        "photos": list(visit.photos.all()),
        "follow_ups": list(visit.follow_ups.all()),
        "changes": list(visit.registry_changes.all()),
        "entry": DiaryEntry.objects.visible_to(request.user).filter(source_visit=visit).first(),
        "own": own,
        "follow_up_form": form,
        "follow_up_open": status != 200,
    }
    return render(request, "visits/detail.html", context, status=status)


@login_required
@permission_required("visits.view_visit", raise_exception=True)
def visit_detail(request: HttpRequest, visit_id: int) -> HttpResponse:
    visit = access_visit(request.user, visit_id)
    services.visit_view(Origin.of_request(request), visit)
    return _detail(request, visit)


def _own_visit(request: HttpRequest, visit_id: int) -> Visit:
    visit = access_visit(request.user, visit_id)
    if not _own(request, visit):
        raise PermissionDenied(_("只有走访人本人可以修改或转报这条走访"), code="not_visit_worker")
    return visit


@login_required
@permission_required("visits.change_visit", raise_exception=True)
def visit_edit(request: HttpRequest, visit_id: int) -> HttpResponse:
    visit = _own_visit(request, visit_id)
    form = VisitEditForm(request.POST or None, purposes=_purposes_for(request.user), initial=edit_initial(visit))
    if request.method == "POST" and form.is_valid():
        try:
            services.visit_update(Origin.of_request(request), visit, form.visit_edit())
        except DomainError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, _("走访已修改"))
            return redirect("visits:detail", visit.pk)
    status = 400 if form.is_bound else 200
    context = {"form": form, "visit": visit, "subject": None, "due": None, "editing": True}
    return render(request, "visits/form.html", context, status=status)


@login_required
@require_POST
@permission_required("visits.change_visit", raise_exception=True)
def visit_follow_up(request: HttpRequest, visit_id: int) -> HttpResponse:
    visit = _own_visit(request, visit_id)
    form = FollowUpForm(request.POST, request.FILES, recent=categories_recent(request.user))
    if form.is_valid():
        try:
            case = services.visit_follow_up(Origin.of_request(request), visit, form.follow_up_data())
        except DomainError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, _("已转为案件 %(number)s") % {"number": case.number})
            return redirect(reverse("visits:detail", args=[visit.pk]) + "#follow-ups")
    return _detail(request, visit, form, status=400)
