"""The public portal (随手拍): report a problem, see the same problem nearby and say "me too", follow a case by its
private link, rate it when closed. No account; every submission is rate-limited per caller and CSRF-protected.
Pages show only what :mod:`cases.public` allows: never a person, a phone or an internal note."""

from __future__ import annotations

import re
import uuid
from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from areas.choices import AreaLevel
from areas.models import Area
from areas.selectors import area_boundaries_geojson
from areas.services import latest_version_number
from audit.services import Origin
from cases.choices import FINISHED_STATUSES, CaseStatus, CategoryKind
from cases.models import Case
from cases.public import (
    expected_at,
    follow_token_hash,
    public_cases,
    public_photos,
    public_state,
    public_steps,
    public_text,
    report_by_follow_token,
    status_note,
)
from cases.selectors import duplicates_at, public_categories
from cases.services import ReportData, case_evaluate, case_support, report_submit
from gridgov.errors import DomainError, ValidationFailed, form_errors_add
from gridgov.ratelimit import client_ip, rate_allow
from portal import forms
from portal.selectors import public_open_problems, street_names, street_of
from portal.services import TooMany, code_send, code_verify, follow_token_for, phone_clean

ORIGIN_CHANNEL = "portal"
#: A case number as the public types it (``YYYYMMDD`` + serial); anything else is no case.
CASE_NUMBER = re.compile(r"[0-9]{1,20}")
#: A picture for each class of the category picker (emoji render with the device's own fonts, offline).
CLASS_PICTURES = {
    ("event", "01"): "🧹",
    ("event", "02"): "🪧",
    ("event", "03"): "🚧",
    ("event", "04"): "🚨",
    ("event", "05"): "🛒",
    ("component", "01"): "💡",
    ("component", "02"): "🚦",
    ("component", "03"): "🗑️",
    ("component", "04"): "🌳",
    ("component", "05"): "🏠",
    ("component", "06"): "🔧",
    ("governance", "G3"): "⚠️",
    ("governance", "G4"): "🤝",
    ("governance", "G5"): "💬",
}


def _limited(request: HttpRequest, bucket: str, per_hour: int) -> bool:
    return not rate_allow(f"portal-{bucket}:{client_ip(request)}", per_hour, 3600)


def _too_many(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/limited.html", status=429)


def _picker() -> list[dict[str, Any]]:
    groups: dict[int, dict[str, Any]] = {}
    rank = {"event": 0, "component": 1, "governance": 2}  # what residents meet most often comes first
    ordered = sorted(public_categories(), key=lambda category: (rank.get(category.kind, 3), category.code))
    for category in ordered:
        parent = category.parent
        if parent is None:  # public_categories holds subclasses only
            continue
        group = groups.setdefault(
            parent.pk,
            {
                "name": parent.name,
                "picture": CLASS_PICTURES.get((parent.kind, parent.code), "📍"),
                "choices": [],
            },
        )
        group["choices"].append(category)
    # Event and component classes share some names (市容环境): the facility class says so, so every tile differs.
    names = [group["name"] for group in groups.values()]
    for group in groups.values():
        if names.count(group["name"]) > 1 and group["choices"][0].kind == CategoryKind.COMPONENT:
            group["name"] = _("%(name)s设施") % {"name": group["name"]}
    return list(groups.values())


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    recent = public_cases().filter(status__in=FINISHED_STATUSES).select_related("category").order_by("-closed_at")[:5]
    return render(request, "portal/home.html", {"picker": _picker(), "recent": recent})


def _phone_confirmed(form: Any) -> str:
    """The phone when its one-time code is right; raises ValidationFailed otherwise ("" when none was given)."""
    raw = form.cleaned_data.get("phone", "")
    if not raw:
        return ""
    phone = phone_clean(raw)
    if not code_verify(phone, form.cleaned_data.get("code", "")):
        raise ValidationFailed(_("短信验证码不正确或已过期"), code="code_invalid", details={"field": "code"})
    return phone


def report(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        if _limited(request, "report", settings.PORTAL_REPORTS_PER_HOUR):
            return _too_many(request)
        form = forms.PublicReportForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            key = data["submission_key"]
            token = follow_token_for(key)
            try:
                phone = _phone_confirmed(form)
                report_submit(
                    Origin(None, ORIGIN_CHANNEL, request.path),
                    ReportData(
                        source="public_web",
                        description=data["description"],
                        longitude=data["longitude"],
                        latitude=data["latitude"],
                        address=data["address"],
                        category_id=data["category"].pk,
                        reporter_phone=phone,
                        notify_reporter=bool(phone),
                        idempotency_key=f"portal:{key}",
                        follow_token_hash=follow_token_hash(token),
                        photos=data["photos"],
                    ),
                )
            except DomainError as error:
                form_errors_add(form, error)
            else:
                return redirect(reverse("portal:follow", args=[token]) + "?new=1")
    else:
        form = forms.PublicReportForm(initial={"submission_key": uuid.uuid4().hex})
    context = {"form": form, "picker": _picker(), "preselected": request.GET.get("category", "")}
    return render(request, "portal/report.html", context, status=400 if request.method == "POST" else 200)


@require_GET
def nearby(request: HttpRequest) -> JsonResponse:
    """Open problems of the same kind near a point, shown before submitting so a resident can say "me too"."""
    try:
        category = int(request.GET.get("category", ""))
        longitude, latitude = float(request.GET.get("lon", "")), float(request.GET.get("lat", ""))
    except ValueError:
        return JsonResponse({"error": {"code": "invalid_query", "message": _("需要类别和位置")}}, status=400)
    if not public_categories().filter(pk=category).exists():
        return JsonResponse({"cases": []})
    found = duplicates_at(category, longitude, latitude)[:5]
    return JsonResponse(
        {
            "cases": [
                {
                    "number": case.number,
                    "category": case.category.name if case.category else "",
                    "description": public_text(case.description)[:100],
                    "status": status_note(case),
                    "distance_m": round(distance),
                    "supporters": case.supporters,
                    "reported": case.created_at.date().isoformat(),
                    "support_url": reverse("portal:support", args=[case.number]),
                }
                for case, distance in found
            ]
        }
    )


def _public_case(number: str) -> Case:
    case = public_cases().select_related("category").filter(number=number).first()
    if case is None:
        raise Http404(_("没有这个编号的公开问题"))
    return case


def support(request: HttpRequest, number: str) -> HttpResponse:
    case = _public_case(number)
    if not case.is_open:
        raise Http404(_("该问题已办结"))
    form = forms.SupportForm(request.POST or None, initial={"submission_key": uuid.uuid4().hex})
    if request.method == "POST":
        if _limited(request, "report", settings.PORTAL_REPORTS_PER_HOUR):
            return _too_many(request)
        if form.is_valid():
            token = follow_token_for(form.cleaned_data["submission_key"])
            try:
                phone = _phone_confirmed(form)
                case_support(
                    Origin(None, ORIGIN_CHANNEL, request.path),
                    case,
                    ReportData(
                        source="public_web",
                        description=form.cleaned_data["description"],
                        reporter_phone=phone,
                        notify_reporter=bool(phone),
                        follow_token_hash=follow_token_hash(token),
                    ),
                )
            except DomainError as error:
                form_errors_add(form, error)
            else:
                return redirect(reverse("portal:follow", args=[token]) + "?new=1")
    return render(request, "portal/support.html", {"case": case, "form": form, "note": status_note(case)})


def _status_context(case: Case) -> dict[str, Any]:
    return {
        "case": case,
        "state": public_state(case),
        "note": status_note(case),
        "expected": expected_at(case),
        "steps": public_steps(list(case.events.only("action", "at").order_by("at", "id"))),
        "photos": public_photos(case),
        "description": public_text(case.description),
        "street": street_of(case, street_names([case])),
    }


def follow(request: HttpRequest, token: str) -> HttpResponse:
    """The reporter's private page: the public status, and the rating once closed."""
    found = report_by_follow_token(token)
    if found is None:
        raise Http404(_("链接无效，请核对"))
    case = found.case
    rating_open = case.status == CaseStatus.CLOSED
    form = forms.RatingForm(request.POST or None)
    if request.method == "POST":
        if _limited(request, "rate", settings.PORTAL_REPORTS_PER_HOUR):
            return _too_many(request)
        if rating_open and form.is_valid():
            try:
                case_evaluate(
                    Origin(None, ORIGIN_CHANNEL, request.path),
                    case,
                    form.cleaned_data["rating"],
                    comment=form.cleaned_data["comment"],
                    channel=ORIGIN_CHANNEL,
                )
            except DomainError as error:
                form.add_error(None, str(error.message))
            else:
                return redirect("portal:follow", token)
    context = {
        **_status_context(case),
        "token": token,
        "new": request.GET.get("new") == "1",
        "follow_url": request.build_absolute_uri(reverse("portal:follow", args=[token])),
        "form": form if rating_open else None,
    }
    return render(request, "portal/follow.html", context)


@require_GET
def case_status(request: HttpRequest, number: str) -> HttpResponse:
    """Anyone may look a public case up by number, but numbers run in sequence: without the private follow link
    the page shows only the category, the state, the street and the dates, never the description or photos."""
    case = _public_case(number.strip())
    context = {
        "case": case,
        "limited": True,
        "state": public_state(case),
        "note": status_note(case),
        "expected": expected_at(case),
        "street": street_of(case, street_names([case])),
        "steps": public_steps(list(case.events.only("action", "at").order_by("at", "id"))),
    }
    return render(request, "portal/follow.html", context)


#: Open problems per page of the public list.
PROBLEMS_PER_PAGE = 20
#: At most this many points on the public map (the newest); the list pages through all of them.
PROBLEMS_ON_MAP = 500


def _group_of(request: HttpRequest) -> int | None:
    value = request.GET.get("group", "")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None


@require_GET
def problems(request: HttpRequest) -> HttpResponse:
    """The public list and map of open problems in public categories: category, street, state and date; the
    description masked as everywhere on the portal; never a person, a phone or a grid."""
    group = _group_of(request)
    page = Paginator(public_open_problems(group), PROBLEMS_PER_PAGE).get_page(request.GET.get("page"))
    names = street_names(page.object_list)
    rows = [
        {"case": case, "street": street_of(case, names), "description": public_text(case.description)[:80],
         "note": status_note(case)}
        for case in page.object_list
    ]  # fmt: skip
    groups = [{"id": item["choices"][0].parent_id, "name": item["name"]} for item in _picker()]
    context = {"page": page, "rows": rows, "groups": groups, "group": group}
    return render(request, "portal/problems.html", context)


@require_GET
def problems_map(request: HttpRequest) -> JsonResponse:
    """The open problems as GeoJSON points for the public map (the newest :data:`PROBLEMS_ON_MAP`)."""
    found = list(public_open_problems(_group_of(request))[:PROBLEMS_ON_MAP])
    names = street_names(found)
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [case.longitude, case.latitude]},
            "properties": {
                "number": case.number,
                "category": case.category.name if case.category else "",
                "street": street_of(case, names),
                "status": status_note(case),
                "reported": case.created_at.date().isoformat(),
                "url": reverse("portal:case", args=[case.number]),
            },
        }
        for case in found
    ]
    return JsonResponse({"type": "FeatureCollection", "features": features})


@require_GET
def lookup(request: HttpRequest) -> HttpResponse:
    number = request.GET.get("number", "").strip()
    if not number:
        return redirect("portal:home")
    if not CASE_NUMBER.fullmatch(number):
        raise Http404(_("没有这个编号的公开问题"))
    return redirect("portal:case", number)


@require_POST
def code(request: HttpRequest) -> JsonResponse:
    if _limited(request, "code", settings.PORTAL_CODES_PER_HOUR):
        return JsonResponse({"error": {"code": "rate_limited", "message": _("操作过于频繁，请稍后再试")}}, status=429)
    try:
        code_send(request.POST.get("phone", ""))
    except TooMany as error:
        return JsonResponse({"error": {"code": "rate_limited", "message": str(error)}}, status=429)
    except DomainError as error:
        return JsonResponse({"error": {"code": error.code, "message": str(error.message)}}, status=400)
    return JsonResponse({"sent": True, "minutes": settings.PORTAL_CODE_MINUTES})


@require_GET
def streets(request: HttpRequest) -> JsonResponse:
    """Street outlines for the portal's map (public geography, no grids)."""
    number = latest_version_number()
    areas = list(Area.objects.at_version(number).filter(level=AreaLevel.STREET).order_by("code"))
    return JsonResponse(area_boundaries_geojson(areas, number))
