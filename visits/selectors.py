"""Queries of visits: fetch-and-authorize, the lists, and what a registry page shows of its subject (visits, diary
mentions, cases). Every list goes through ``visible_to`` (scope, and sensitive rows only with their permission)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from cases.models import Case
from diary.models import DiaryEntry
from gridgov.errors import NotFound
from visits.models import Visit, VisitCase

VIEW_PERMISSION = "visits.view_visit"
SUBJECTS = ("person", "household", "house", "building", "place")


def visits_visible(user: Any) -> QuerySet[Visit]:
    """Visits ``user`` may see: with the permission, in scope, sensitive ones only with theirs."""
    if not getattr(user, "is_authenticated", False) or not user.has_perm(VIEW_PERMISSION):
        return Visit.objects.none()
    return Visit.objects.visible_to(user)


def _rows(visits: QuerySet[Visit]) -> QuerySet[Visit]:
    return visits.select_related("worker", "grid", "person", "household", "house", "building", "place")


def access_visit(user: Any, visit_id: int) -> Visit:
    """The visit if ``user`` may see it; "not yours" (and a sensitive visit without the permission) is 404."""
    visit = (
        _rows(visits_visible(user))
        .prefetch_related("photos", "follow_ups__case", "registry_changes")
        .filter(pk=visit_id)
        .first()
    )
    if visit is None:
        raise NotFound(_("走访记录不存在"), code="visit_not_found")
    return visit


@dataclass
class VisitFilter:
    person_id: int | None = None
    household_id: int | None = None
    house_id: int | None = None
    building_id: int | None = None
    place_id: int | None = None
    mine: bool = False
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    purpose: str = ""
    kind: str = ""


def visits_list(user: Any, filters: VisitFilter | None = None) -> QuerySet[Visit]:
    """Visits in ``user``'s sight matching ``filters``, the latest first, ready to render (one query a page)."""
    filters = filters or VisitFilter()
    visits = visits_visible(user)
    for name in SUBJECTS:
        value = getattr(filters, f"{name}_id")
        if value is not None:
            visits = visits.filter(**{f"{name}_id": value})
    if filters.mine:
        visits = visits.filter(worker=user)
    if filters.date_from:
        visits = visits.filter(visited_at__date__gte=filters.date_from)
    if filters.date_to:
        visits = visits.filter(visited_at__date__lte=filters.date_to)
    if filters.kind:
        visits = visits.filter(kind=filters.kind)
    if filters.purpose:
        # purposes is a JSON list of known values: its text holds the value in quotes (the same on every database)
        visits = visits.annotate(purposes_text=Cast("purposes", CharField())).filter(
            purposes_text__contains=f'"{filters.purpose}"'
        )
    return _rows(visits).order_by("-visited_at", "-id")


@dataclass
class Activity:
    """What a registry page shows of its subject: the latest visits, diary mentions and cases, and how many
    visits there are in all."""

    visits: list[Visit]
    visit_count: int
    diary: list[DiaryEntry]
    cases: list[Case]


def _diary_of(subject: str, record: Any) -> Q:
    if subject == "person":
        return Q(persons=record)
    if subject == "household":
        return Q(households=record)
    if subject == "place":
        return Q(places=record)
    if subject == "house":
        return Q(households__house=record) | Q(persons__house=record)
    return Q(households__house__building=record) | Q(persons__house__building=record)


def subject_activity(
    user: Any, *, limit_visits: int = 10, limit_diary: int = 5, limit_cases: int = 10, **subject: Any
) -> Activity:
    """Visits, diary mentions and cases of one subject (``person=``, ``household=``, ``house=``, ``building=`` or
    ``place=``), each as ``user`` may see them, in a fixed number of queries. Cases are those turned from the
    subject's visits (follow-ups), those its diary entries name, and for a place those reported at it; only the
    cases ``user`` may open (the case app's access layer)."""
    ((name, record),) = subject.items()
    if name not in SUBJECTS:
        raise ValueError(name)
    visits = visits_visible(user).filter(**{name: record})
    shown_visits = list(_rows(visits).order_by("-visited_at", "-id")[:limit_visits])
    count = visits.count()
    entries = DiaryEntry.objects.none()
    if user.has_perm("diary.view_diaryentry"):
        mentioned = DiaryEntry.objects.filter(_diary_of(name, record)).values("pk")
        entries = DiaryEntry.objects.visible_to(user).filter(pk__in=mentioned)
    diary = list(entries.select_related("author").order_by("-day", "-id")[:limit_diary])
    linked = Q(pk__in=VisitCase.objects.filter(visit__in=visits.values("pk")).values("case_id"))
    linked |= Q(pk__in=DiaryEntry.cases.through.objects.filter(diaryentry__in=entries.values("pk")).values("case_id"))
    if name == "place":
        linked |= Q(place=record)
    cases = list(
        Case.objects.visible_to(user)
        .filter(linked)
        .select_related("category")
        .order_by("-created_at", "-id")[:limit_cases]
    )
    return Activity(visits=shown_visits, visit_count=count, diary=diary, cases=cases)
