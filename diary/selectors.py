"""民情日志 queries: one access layer (:meth:`DiaryEntry.objects.visible_to`: the entry's grid in the user's scope,
sensitive entries only with ``registry.view_sensitive_tags``), fetch-and-authorize, lists and the month's 台账."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from accounts.access import user_scope
from accounts.models import User
from areas.choices import AreaLevel
from areas.models import Area
from diary.models import DiaryComment, DiaryEntry
from gridgov.errors import NotFound, PermissionDenied

VIEW_PERMISSION = "diary.view_diaryentry"
ADD_PERMISSION = "diary.add_diaryentry"
CHANGE_PERMISSION = "diary.change_diaryentry"
COMMENT_PERMISSION = "diary.comment_diaryentry"


def may_read_diary(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_perm(VIEW_PERMISSION))


def may_comment(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_perm(COMMENT_PERMISSION))


def diary_reader(user: Any) -> Any:
    if not may_read_diary(user):
        raise PermissionDenied(_("您的角色不能查看民情日志"), code="diary_not_permitted")
    return user


def _with_details(rows: QuerySet[DiaryEntry]) -> QuerySet[DiaryEntry]:
    """Everything an entry shows, in a fixed number of queries whatever the number of entries."""
    return rows.select_related("author", "grid").prefetch_related(
        "persons",
        "cases",
        "visits",
        "attachments",
        Prefetch("comments", queryset=DiaryComment.objects.select_related("author").order_by("created_at", "id")),
    )


def entries_visible(user: Any) -> QuerySet[DiaryEntry]:
    """The entries ``user`` may read: none without the diary's view permission."""
    if not may_read_diary(user):
        return DiaryEntry.objects.none()
    return DiaryEntry.objects.visible_to(user)


def access_entry(user: Any, entry_id: int) -> DiaryEntry:
    """The entry if ``user`` may read it; "not yours" answers 404 like "does not exist"."""
    entry = _with_details(entries_visible(user)).filter(pk=entry_id).first()
    if entry is None:
        raise NotFound(_("日志不存在"), code="entry_not_found")
    return entry


def entry_as_written(entry_id: int) -> DiaryEntry:
    """An entry its author has just written or changed, with its details, as the answer to that change (an entry
    about a sensitive group then leaves their lists: it answers this once)."""
    return _with_details(DiaryEntry.objects.filter(pk=entry_id)).get()


@dataclass(frozen=True)
class EntryFilter:
    """The filters of a diary list; empty values filter nothing."""

    q: str = ""
    person_id: int | None = None
    author_id: int | None = None
    grid_code: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    kind: str = ""
    mine: bool = False

    def query(self) -> dict[str, Any]:
        """The filters as the audit and the pager's links keep them."""
        values = {
            "q": self.q,
            "person_id": self.person_id,
            "author_id": self.author_id,
            "grid_code": self.grid_code,
            "date_from": self.date_from.isoformat() if self.date_from else None,
            "date_to": self.date_to.isoformat() if self.date_to else None,
            "kind": self.kind,
            "mine": self.mine or None,
        }
        return {key: value for key, value in values.items() if value not in (None, "")}


def entries_list(user: Any, filters: EntryFilter) -> QuerySet[DiaryEntry]:
    """The entries ``user`` may read that match ``filters``, newest day first, with what a list shows."""
    rows = entries_visible(user)
    if filters.mine:
        rows = rows.filter(author_id=user.pk)
    if filters.author_id:
        rows = rows.filter(author_id=filters.author_id)
    if filters.grid_code:
        rows = rows.filter(grid__code__startswith=filters.grid_code)
    if filters.person_id:
        rows = rows.filter(persons__id=filters.person_id)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.date_from:
        rows = rows.filter(day__gte=filters.date_from)
    if filters.date_to:
        rows = rows.filter(day__lte=filters.date_to)
    text = filters.q.strip()
    if text:
        rows = rows.filter(Q(title__icontains=text) | Q(content__icontains=text) | Q(summary__icontains=text))
    unread = Count("comments", filter=Q(comments__read_at__isnull=True), distinct=True)
    return _with_details(rows.annotate(unread_comments=unread).order_by("-day", "-id"))


def entry_unread_count(user: Any) -> int:
    """Comments on ``user``'s entries they have not opened yet."""
    return DiaryComment.objects.filter(entry__author_id=getattr(user, "pk", None), read_at__isnull=True).count()


def grids_of(user: Any) -> QuerySet[Area]:
    """The grids in ``user``'s scope (a leader filters the grid's diary by them)."""
    return Area.objects.filter(user_scope(user).q("code"), level=AreaLevel.GRID).order_by("code")


def authors_of(user: Any) -> QuerySet[User]:
    """People who wrote entries ``user`` may read (for the author filter)."""
    ids = entries_visible(user).values("author_id")
    return User.objects.filter(pk__in=ids).order_by("username")


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    first = month.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)


def entries_of_month(user: Any, month: dt.date, *, author_id: int | None, grid_code: str) -> QuerySet[DiaryEntry]:
    """A month's entries of one author or one grid (subtree), oldest day first, for the 台账 export."""
    first, last = month_bounds(month)
    rows = entries_visible(user).filter(day__gte=first, day__lte=last)
    if author_id:
        rows = rows.filter(author_id=author_id)
    if grid_code:
        rows = rows.filter(grid__code__startswith=grid_code)
    return _with_details(rows.order_by("day", "id"))
