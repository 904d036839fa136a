"""Queries over cases: lists with filters, fetch-and-authorize, duplicate proposals, and the public lists."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from areas.geometry import box_around, distance_m
from areas.models import Area
from cases.choices import ENDED_STATUSES, OPEN_STATUSES
from cases.models import Case, CaseEvent, CasePhoto, Category, Report
from cases.public import PUBLIC_PHOTO_STAGES, PublicStep, public_cases, public_steps
from gridgov.errors import NotFound
from gridgov.queries import prefix_q


def access_case(user: Any, number: str) -> Case:
    """The case with this number if ``user`` may see it; "not yours" answers 404 like "does not exist"."""
    case = (
        Case.objects.visible_to(user)
        .select_related("grid", "category", "main_department")
        .filter(number=number)
        .first()
    )
    if case is None:
        raise NotFound(_("案卷不存在"), code="case_not_found")
    return case


def cases_near(
    category_id: int,
    longitude: float,
    latitude: float,
    *,
    since: dt.datetime,
    radius_m: float | None = None,
    exclude_pk: int | None = None,
) -> list[tuple[Case, float]]:
    """Open cases of one category within ``radius_m`` of a point, reported since ``since``, nearest first.
    The bounding box uses the indexed columns; the exact distance is then the great-circle one."""
    radius = radius_m or settings.CASE_DUPLICATE_RADIUS_M
    longitudes, latitudes = box_around(longitude, latitude, radius)
    candidates = Case.objects.filter(
        category_id=category_id,
        status__in=OPEN_STATUSES,
        created_at__gte=since,
        latitude__range=latitudes,
        longitude__range=longitudes,
    ).select_related("category")
    if exclude_pk is not None:
        candidates = candidates.exclude(pk=exclude_pk)
    found = [
        (other, distance_m(longitude, latitude, other.longitude, other.latitude))
        for other in candidates
        if other.longitude is not None and other.latitude is not None
    ]
    return sorted([item for item in found if item[1] <= radius], key=lambda item: item[1])


def duplicates_of(case: Case, *, radius_m: float | None = None, days: int | None = None) -> list[tuple[Case, float]]:
    """Open cases of the same category within ``radius_m`` reported in the last ``days``, nearest first."""
    if case.category_id is None or case.latitude is None or case.longitude is None:
        return []
    window = dt.timedelta(days=days or settings.CASE_DUPLICATE_WINDOW_DAYS)
    return cases_near(
        case.category_id,
        case.longitude,
        case.latitude,
        since=case.created_at - window,
        radius_m=radius_m,
        exclude_pk=case.pk,
    )


def duplicates_at(
    category_id: int, longitude: float, latitude: float, *, radius_m: float | None = None
) -> list[tuple[Case, float]]:
    """Before a report is submitted: open cases of this category near this point (the duplicate window)."""
    since = timezone.now() - dt.timedelta(days=settings.CASE_DUPLICATE_WINDOW_DAYS)
    return cases_near(category_id, longitude, latitude, since=since, radius_m=radius_m)


@dataclass
class CaseFilter:
    """The filters of every case list (pages, API, exports): all optional, all combined with AND."""

    status: str = ""
    light: str = ""
    category: str = ""  # a category code: a class (2) covers its subclasses
    area: str = ""  # an area code: covers its subtree
    department: str = ""  # a department code
    source: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    text: str = ""
    open_only: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {key: value for key, value in self.__dict__.items() if value not in (None, "", False)}


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def case_list(user: Any, query: CaseFilter | None = None) -> QuerySet[Case]:
    """Cases the user may see, filtered, newest first, with what a list row shows in the same query."""
    query = query or CaseFilter()
    cases = Case.objects.visible_to(user)
    if query.status:
        cases = cases.filter(status__in=query.status.split(","))
    if query.open_only:
        cases = cases.filter(status__in=OPEN_STATUSES)
    if query.light:
        cases = cases.filter(light=query.light)
    if query.category:
        cases = cases.filter(Q(category__code=query.category) | Q(category__parent__code=query.category))
    if query.area:
        cases = cases.filter(grid__in=Area.objects.filter(prefix_q("code", query.area)).values("pk"))
    if query.department:
        cases = cases.filter(main_department__code=query.department)
    if query.source:
        cases = cases.filter(source=query.source)
    if query.date_from:
        cases = cases.filter(created_at__gte=_day_start(query.date_from))
    if query.date_to:
        cases = cases.filter(created_at__lt=_day_start(query.date_to + dt.timedelta(days=1)))
    text = query.text.strip()
    if text:
        cases = (
            cases.filter(number=text)
            if text.isdigit() and len(text) == 13
            else cases.filter(Q(description__contains=text) | Q(address__contains=text))
        )
    return cases.select_related("category", "grid", "main_department").order_by("-created_at", "-id")


RECENT_CATEGORIES = 6


def categories_recent(user: Any, limit: int = RECENT_CATEGORIES) -> list[int]:
    """The categories of the user's last reports, the most recently used first (one query)."""
    used = (
        Report.objects.filter(reported_by=user, category__isnull=False)
        .values("category_id")
        .annotate(last=Max("created_at"))
        .order_by("-last", "category_id")
    )
    return [row["category_id"] for row in used[:limit]]


# --- The public side: what anyone may look up (Open311, the portal) -------------------------------------------
def public_categories() -> QuerySet[Category]:
    """Subclasses the public may report under, with their class."""
    return Category.objects.filter(parent__isnull=False, is_active=True, is_public=True).select_related("parent")


def public_category_by_service_code(code: str) -> Category | None:
    """The public subclass with this Open311 service code (``E``/``C``/``G`` + code), if any."""
    return public_categories().filter(Category.by_service_code(code)).first() if code else None


def category_ids_by_service_codes(codes: list[str]) -> list[int]:
    """The categories (any, public or not) named by these Open311 service codes."""
    condition = Q()
    for code in codes:
        condition |= Category.by_service_code(code)
    return list(Category.objects.filter(condition).values_list("pk", flat=True))


@dataclass(frozen=True)
class Circle:
    longitude: float
    latitude: float
    radius_m: float


@dataclass(frozen=True)
class PublicCaseFilter:
    """The filters of the public case list: all optional, combined with AND; ``numbers`` alone when given."""

    numbers: tuple[str, ...] = ()
    category_ids: tuple[int, ...] | None = None
    closed: bool | None = None  # True: ended cases only; False: the others
    created_from: dt.datetime | None = None
    created_to: dt.datetime | None = None
    updated_from: dt.datetime | None = None
    updated_to: dt.datetime | None = None
    near: Circle | None = None


#: At most this many cases in the bounding box are measured for a radius search.
NEAR_SCAN_LIMIT = 20_000


def cases_within(cases: QuerySet[Case], circle: Circle) -> QuerySet[Case]:
    """Those of ``cases`` within the circle: the bounding box on the indexed columns, then the exact distance."""
    longitudes, latitudes = box_around(circle.longitude, circle.latitude, circle.radius_m)
    box = cases.filter(latitude__range=latitudes, longitude__range=longitudes)
    inside = [
        pk
        for pk, longitude, latitude in box.values_list("pk", "longitude", "latitude")[:NEAR_SCAN_LIMIT]
        if longitude is not None
        and latitude is not None
        and distance_m(circle.longitude, circle.latitude, longitude, latitude) <= circle.radius_m
    ]
    return cases.filter(pk__in=inside)


def public_cases_filtered(query: PublicCaseFilter) -> QuerySet[Case]:
    """Public cases matching ``query``, newest first, with their category and main department."""
    cases = public_cases()
    if query.numbers:
        cases = cases.filter(number__in=query.numbers)
    else:
        if query.category_ids is not None:
            cases = cases.filter(category_id__in=query.category_ids)
        if query.closed is not None:
            ended = Q(status__in=ENDED_STATUSES)
            cases = cases.filter(ended) if query.closed else cases.exclude(ended)
        if query.created_from:
            cases = cases.filter(created_at__gte=query.created_from)
        if query.created_to:
            cases = cases.filter(created_at__lte=query.created_to)
        if query.updated_from:
            cases = cases.filter(updated_at__gte=query.updated_from)
        if query.updated_to:
            cases = cases.filter(updated_at__lte=query.updated_to)
        if query.near is not None:
            cases = cases_within(cases, query.near)
    return cases.select_related("category", "main_department").order_by("-created_at", "-id")


def public_case_by_number(number: str) -> Case | None:
    return public_cases().select_related("category", "main_department").filter(number=number).first()


def case_public_steps_grouped(cases: list[Case]) -> dict[int, list[PublicStep]]:
    """The public timeline of each case, by case id, from one query over their events."""
    events = CaseEvent.objects.filter(case__in=cases).only("case_id", "action", "at").order_by("at", "id")
    by_case: dict[int, list[CaseEvent]] = {}
    for event in events:
        by_case.setdefault(event.case_id, []).append(event)
    return {case_id: public_steps(rows) for case_id, rows in by_case.items()}


def case_public_photos_grouped(cases: list[Case]) -> dict[int, list[CasePhoto]]:
    """The photos of each case that have a public copy (report, before and after stages), by case id."""
    photos = CasePhoto.objects.filter(case__in=cases, stage__in=PUBLIC_PHOTO_STAGES).exclude(public_image="")
    found: dict[int, list[CasePhoto]] = {}
    for photo in photos.only("pk", "case_id"):
        found.setdefault(photo.case_id, []).append(photo)
    return found
