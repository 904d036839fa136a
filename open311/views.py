"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) under ``/open311/v2/``: an adapter that turns
the standard's requests into calls of the case services and the case's public view into the standard's fields.

Errors use the spec's body with 400 (bad input), 403 (missing or revoked api_key), 404 (unknown service or
request), 422 (an Idempotency-Key reused for another submission) and 429 (over the client's rate). An empty
parameter counts as absent.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from audit.services import Origin
from cases.choices import CaseStatus, CategoryKind
from cases.models import Case, Category, Report
from cases.photos import photo_check
from cases.public import expected_at, public_state, public_text, status_note
from cases.selectors import (
    Circle,
    PublicCaseFilter,
    case_public_photos_grouped,
    case_public_steps_grouped,
    category_ids_by_service_codes,
    public_case_by_number,
    public_cases_filtered,
    public_categories,
    public_category_by_service_code,
)
from cases.services import ReportData, report_submit
from gridgov.errors import DomainError
from gridgov.files import PUBLIC, case_photo_url
from gridgov.phones import is_phone, phone_digits, phone_national
from gridgov.ratelimit import client_ip, rate_allow
from open311.formats import errors, respond, when
from open311.selectors import case_number_of_token, report_token
from open311.services import (
    RateLimited,
    client_authenticate,
    submission_check,
    submission_first,
    submission_hash,
    submission_key,
)
from registry.selectors import building_at_address, building_of_id

MAX_PAGE_SIZE = 1000
DEFAULT_DAYS = 90


class BadRequest(Exception):
    def __init__(self, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.description = description
        self.status = status


def _param(request: HttpRequest, name: str) -> str:
    """A parameter from the query string or the form body; blank counts as absent."""
    value = request.POST.get(name) if request.method == "POST" and name in request.POST else request.GET.get(name)
    return (value or "").strip()


def open311_view(handler: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Turn the adapter's refusals into the spec's error bodies, in the format the client asked for."""

    @wraps(handler)
    def view(request: HttpRequest, *args: Any, fmt: str, **kwargs: Any) -> HttpResponse:
        if request.method == "GET" and not rate_allow(
            f"open311-read:{client_ip(request)}", settings.OPEN311_READS_PER_MINUTE, 60
        ):
            return errors(fmt, 429, "Too many requests; slow down")
        try:
            return handler(request, *args, fmt=fmt, **kwargs)
        except BadRequest as error:
            return errors(fmt, error.status, error.description)
        except RateLimited as error:
            return errors(fmt, 429, str(error))
        except DomainError as error:
            status = error.status if error.status in (400, 403, 404, 422) else 400
            details = error.details if isinstance(error.details, list) else []
            fields = "; ".join(f"{item.get('field')}: {item.get('message')}" for item in details if "field" in item)
            return errors(fmt, status, f"{error.code}: {fields or error.message}")

    return view


# --- Discovery and services -------------------------------------------------------------------------------------
@require_GET
@open311_view
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    base = request.build_absolute_uri(reverse("open311:discovery", kwargs={"fmt": fmt})).rsplit("/", 1)[0] + "/"
    document = {
        "changeset": when(settings.OPEN311_CHANGESET),
        "contact": settings.OPEN311_CONTACT,
        "key_service": settings.OPEN311_KEY_SERVICE,
        "endpoints": [
            {
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": base,
                "changeset": when(settings.OPEN311_CHANGESET),
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return respond(fmt, "discovery", document)


@dataclass(frozen=True)
class Attribute:
    code: str
    datatype: str
    description: str
    required: bool = False
    values: tuple[tuple[str, str], ...] = ()


#: Attributes by category kind (a service definition): components are named by code and state.
COMPONENT_STATES = (("damaged", "破损"), ("missing", "丢失"), ("occupied", "占用"))
ATTRIBUTES: dict[str, tuple[Attribute, ...]] = {
    CategoryKind.COMPONENT: (
        Attribute("COMPONENT_CODE", "string", "部件编码（16位，见部件上的标牌）"),
        Attribute("COMPONENT_STATE", "singlevaluelist", "部件状态", values=COMPONENT_STATES),
    ),
}


def _service(code: str) -> Category:
    category = public_category_by_service_code(code)
    if category is None:
        raise BadRequest(f"service_code {code!r} not found", status=404)
    return category


def _service_document(category: Category) -> dict[str, Any]:
    group = category.parent.name if category.parent else ""
    return {
        "service_code": category.service_code,
        "service_name": category.name,
        "description": category.file_condition or category.name,
        "metadata": bool(ATTRIBUTES.get(category.kind)),
        "type": "realtime",
        "keywords": f"{group},{category.name}",
        "group": group,
    }


@require_GET
@open311_view
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    return respond(fmt, "services", [_service_document(category) for category in public_categories()])


@require_GET
@open311_view
def service_definition(request: HttpRequest, fmt: str, code: str) -> HttpResponse:
    category = _service(code)
    attributes = [
        {
            "variable": True,
            "code": attribute.code,
            "datatype": attribute.datatype,
            "required": attribute.required,
            "datatype_description": "",
            "order": order,
            "description": attribute.description,
            "values": [{"key": key, "name": name} for key, name in attribute.values],
        }
        for order, attribute in enumerate(ATTRIBUTES.get(category.kind, ()), start=1)
    ]
    return respond(fmt, "service_definition", {"service_code": category.service_code, "attributes": attributes})


# --- Requests: submit -------------------------------------------------------------------------------------------
def _number(request: HttpRequest, name: str, low: float, high: float) -> float | None:
    raw = _param(request, name)
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise BadRequest(f"{name} must be a number") from None
    if not math.isfinite(value) or not low <= value <= high:
        raise BadRequest(f"{name} must be between {low} and {high}")
    return value


def _attributes(request: HttpRequest, category: Category) -> dict[str, str]:
    defined = {attribute.code: attribute for attribute in ATTRIBUTES.get(category.kind, ())}
    given = {}
    for source in (request.GET, request.POST):
        for key in source:
            if key.startswith("attribute[") and key.endswith("]") and source.get(key, "").strip():
                given[key[10:-1]] = source.get(key, "").strip()
    for code in given:
        if code not in defined:
            raise BadRequest(f"attribute[{code}] is not defined for service {category.service_code}")
    for code, attribute in defined.items():
        if attribute.required and code not in given:
            raise BadRequest(f"attribute[{code}] is required")
        if attribute.values and code in given and given[code] not in dict(attribute.values):
            raise BadRequest(f"attribute[{code}] must be one of {', '.join(dict(attribute.values))}")
    return given


def _location(request: HttpRequest) -> tuple[float, float, str]:
    latitude = _number(request, "lat", -90, 90)
    longitude = _number(request, "long", -180, 180)
    address = _param(request, "address_string")[:200]
    address_id = _param(request, "address_id")
    if (latitude is None) != (longitude is None):
        raise BadRequest("lat and long must be given together")
    if latitude is not None and longitude is not None:
        return longitude, latitude, address
    if address_id:
        building = building_of_id(int(address_id)) if address_id.isdigit() else None
        if building is None:
            raise BadRequest(f"address_id {address_id!r} not found")
        return building.lon, building.lat, address or building.address
    if address:
        building = building_at_address(address)
        if building is None:
            raise BadRequest("address_string could not be located; send lat and long")
        return building.lon, building.lat, address
    raise BadRequest("a location is required: lat and long, address_string or address_id")


def _phone(request: HttpRequest) -> str:
    raw = _param(request, "phone")
    digits = phone_digits(raw)
    if raw and (not is_phone(digits) or any(c not in "0123456789+-() " for c in raw)):
        raise BadRequest("phone must be a telephone number")
    return phone_national(digits)


@csrf_exempt
@require_http_methods(["GET", "POST"])
@open311_view
def requests_view(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _request_create(request, fmt)
    return _requests_list(request, fmt)


def _request_create(request: HttpRequest, fmt: str) -> HttpResponse:
    """A new request, or the answer to the first when this one repeats it (same ``Idempotency-Key``, or the same
    submission within the retry window): a retried POST makes one case."""
    client = client_authenticate(_param(request, "api_key"))
    code = _param(request, "service_code")
    if not code:
        raise BadRequest("service_code is required")
    category = _service(code)
    attributes = _attributes(request, category)
    longitude, latitude, address = _location(request)
    description = _param(request, "description")
    if len(description) > 4000:
        raise BadRequest("description is longer than 4000 characters")
    media_url = _param(request, "media_url")
    if media_url and not media_url.startswith(("http://", "https://")):
        raise BadRequest("media_url must be an http(s) URL")
    key = request.headers.get("Idempotency-Key", "").strip()
    if len(key) > 200:
        raise BadRequest("Idempotency-Key is longer than 200 characters")
    photos = [photo_check(upload, "media") for upload in request.FILES.getlist("media")[:5]]
    state = dict(COMPONENT_STATES).get(attributes.get("COMPONENT_STATE", ""), "")
    data = ReportData(
        source="open311",
        description=(description or category.name) + (f"（部件状态：{state}）" if state else ""),
        longitude=longitude,
        latitude=latitude,
        address=address,
        category_id=category.pk,
        component_code=attributes.get("COMPONENT_CODE", ""),
        reporter_name=f"{_param(request, 'last_name')}{_param(request, 'first_name')}"[:64],
        reporter_phone=_phone(request),
        external_ref=f"{client.pk}:{_param(request, 'account_id') or _param(request, 'device_id')}"[:64],
        media_url=media_url[:500],
        photos=photos,
    )
    data.notify_reporter = bool(data.reporter_phone)
    account = _param(request, "account_id")
    data.submission_hash = submission_hash(client, _submitted(data, account), [photo.content for photo in photos])
    now = timezone.now()
    report = submission_first(client, key, data.submission_hash, now)
    if report is None:
        data.idempotency_key = submission_key(client, key, data.submission_hash, now) or ""
        report = report_submit(Origin(None, "open311", request.path[:300]), data).report
        submission_check(report, data.submission_hash)  # a parallel request with the key but another payload won
    return respond(fmt, "service_requests", [_created_document(report, account)], status=201)


def _submitted(data: ReportData, account: str) -> dict[str, Any]:
    fields = ("description", "longitude", "latitude", "address", "category_id", "component_code", "reporter_name")
    return {
        **{name: getattr(data, name) for name in fields},
        "reporter_phone": data.reporter_phone,
        "external_ref": data.external_ref,
        "media_url": data.media_url,
        "account_id": account,
    }


def _created_document(report: Report, account: str) -> dict[str, Any]:
    case = report.case
    expected = expected_at(case)
    notice = f"已受理，编号 {case.number}" + (f"，预计 {when(expected)} 前办理" if expected else "")
    return {
        "service_request_id": case.number,
        "token": report_token(report),
        "service_notice": notice,
        "account_id": account or None,
    }


@require_GET
@open311_view
def token(request: HttpRequest, fmt: str, token: str) -> HttpResponse:
    number = case_number_of_token(token)
    if number is None:
        raise BadRequest(f"token {token!r} not found", status=404)
    return respond(fmt, "service_requests", [{"service_request_id": number, "token": token}])


# --- Requests: read ---------------------------------------------------------------------------------------------
def _moment(request: HttpRequest, name: str) -> dt.datetime | None:
    raw = _param(request, name)
    if not raw:
        return None
    try:
        moment = parse_datetime(raw.replace(" ", "+"))  # a "+" in a query string arrives as a space
    except ValueError:
        moment = None
    if moment is None:
        day = parse_date(raw) if len(raw) == 10 else None
        if day is None:
            raise BadRequest(f"{name} must be a W3C date-time, e.g. 2026-11-01T00:00:00+08:00")
        moment = dt.datetime.combine(day, dt.time.min)
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def _integer(request: HttpRequest, name: str, default: int, low: int, high: int) -> int:
    raw = _param(request, name)
    if not raw:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise BadRequest(f"{name} must be a whole number from {low} to {high}")
    return int(raw)


STATUSES = ("open", "closed")


def _split(request: HttpRequest, name: str) -> list[str]:
    return [part.strip() for part in _param(request, name).split(",") if part.strip()]


def _requests_filter(request: HttpRequest) -> PublicCaseFilter:
    """The list's parameters, checked in the order the spec lists them."""
    ids = _split(request, "service_request_id")
    if ids:
        return PublicCaseFilter(numbers=tuple(ids[:MAX_PAGE_SIZE]))  # the spec: other parameters are ignored
    category_ids = None
    codes = _split(request, "service_code")
    if codes:
        category_ids = tuple(category_ids_by_service_codes(codes))
        if not category_ids:
            raise BadRequest(f"service_code {','.join(codes)!r} not found", status=404)
    statuses = _split(request, "status")
    for status in statuses:
        if status not in STATUSES:
            raise BadRequest("status must be open, closed or both")
    closed = statuses[0] == "closed" if len(set(statuses)) == 1 else None
    start, end = _moment(request, "start_date"), _moment(request, "end_date")
    after, before = _moment(request, "updated_after"), _moment(request, "updated_before")
    if start and end and start > end:
        raise BadRequest("start_date is after end_date")
    if not (start or end or after or before):
        start = timezone.now() - dt.timedelta(days=DEFAULT_DAYS)
    return PublicCaseFilter(
        category_ids=category_ids,
        closed=closed,
        created_from=start,
        created_to=end,
        updated_from=after,
        updated_to=before,
        near=_circle(request),
    )


def _circle(request: HttpRequest) -> Circle | None:
    latitude, longitude = _number(request, "lat", -90, 90), _number(request, "long", -180, 180)
    radius = _number(request, "radius", 1, 50_000)
    if latitude is None and longitude is None:
        if radius is not None:
            raise BadRequest("radius needs lat and long")
        return None
    if latitude is None or longitude is None:
        raise BadRequest("lat and long must be given together")
    return Circle(longitude, latitude, radius or 1000)


def _media_urls(request: HttpRequest, cases: list[Case]) -> dict[int, list[str]]:
    """Public copies of the photos (no metadata) of open and closed cases; the report's own ``media_url``
    when a client sent a link instead."""
    return {
        case_id: [request.build_absolute_uri(case_photo_url(photo, PUBLIC)) for photo in photos]
        for case_id, photos in case_public_photos_grouped(cases).items()
    }


def _request_document(case: Case, media: list[str], notes: list[Any] | None) -> dict[str, Any]:
    document: dict[str, Any] = {
        "service_request_id": case.number,
        "status": public_state(case),
        "status_notes": status_note(case),
        "service_name": case.category.name if case.category else None,
        "service_code": case.category.service_code if case.category else None,
        "description": public_text(case.description),
        "agency_responsible": case.main_department.name if case.main_department else None,
        "service_notice": None,
        "requested_datetime": when(case.created_at),
        "updated_datetime": when(case.updated_at),
        "expected_datetime": when(expected_at(case)),
        "address": public_text(case.address) or None,
        "address_id": None,
        "zipcode": None,
        "lat": case.latitude,
        "long": case.longitude,
        "media_url": media[0] if media else None,
    }
    if notes is not None:
        document["extended_attributes"] = {
            "detailed_status": case.status,
            "detailed_status_label": str(CaseStatus(case.status).label),
            "supporters": case.supporters,
            "media_urls": media,
            "notes": [{"datetime": when(step.at), "type": step.action, "summary": step.note} for step in notes],
        }
    return document


def _documents(request: HttpRequest, cases: list[Case], extensions: bool) -> list[dict[str, Any]]:
    media = _media_urls(request, cases)
    steps = case_public_steps_grouped(cases) if extensions else {}
    return [
        _request_document(case, media.get(case.pk, []), steps.get(case.pk, []) if extensions else None)
        for case in cases
    ]


def _requests_list(request: HttpRequest, fmt: str) -> HttpResponse:
    page = _integer(request, "page", 1, 1, 100_000)
    size = _integer(request, "page_size", 100, 1, MAX_PAGE_SIZE)
    extensions = _param(request, "extensions").lower() == "true"
    cases = public_cases_filtered(_requests_filter(request))
    rows = list(cases[(page - 1) * size : page * size])
    return respond(fmt, "service_requests", _documents(request, rows, extensions))


@require_GET
@open311_view
def request_detail(request: HttpRequest, fmt: str, number: str) -> HttpResponse:
    case = public_case_by_number(number)
    if case is None:
        raise BadRequest(f"service_request_id {number!r} not found", status=404)
    extensions = _param(request, "extensions").lower() == "true"
    return respond(fmt, "service_requests", _documents(request, [case], extensions))
