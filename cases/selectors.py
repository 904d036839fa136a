"""Queries over cases: lists with filters, fetch-and-authorize, duplicate proposals."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from areas.geometry import box_around, distance_m
from areas.models import Area
from cases.choices import OPEN_STATUSES
from cases.models import Case
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
