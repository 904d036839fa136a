"""Who reads which bulletin: one access layer, fetch-and-authorize, the list, the versions and the read receipts.

A bulletin is read by those with ``bulletins.view_bulletin`` whose scope covers its area, and by the handlers of
the departments it gives figures for. Its per-person tables (the annex) only by those who may read other people's
figures (``evaluation.evaluate_people``) over the whole area; "not yours" answers 404.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from accounts.access import user_scope
from accounts.models import User
from bulletins.models import Bulletin, BulletinRead
from gridgov.errors import NotFound, PermissionDenied

VIEW_PERMISSION = "bulletins.view_bulletin"
PUBLISH_PERMISSION = "bulletins.publish_bulletin"
PERSONAL_PERMISSION = "evaluation.evaluate_people"


def may_read_bulletins(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_perm(VIEW_PERMISSION))


def bulletin_reader(user: Any) -> Any:
    if not may_read_bulletins(user):
        raise PermissionDenied(_("您的角色不能查看通报"), code="bulletins_not_permitted")
    return user


def may_publish(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_perm(PUBLISH_PERMISSION))


def bulletins_visible(user: Any) -> QuerySet[Bulletin]:
    """Every version the user may read."""
    if not may_read_bulletins(user):
        return Bulletin.objects.none()
    condition = user_scope(user).q("area__code")
    department_id = getattr(user, "department_id", None)
    if department_id:
        named = Bulletin.departments.through.objects.filter(department_id=department_id).values("bulletin_id")
        condition |= Q(pk__in=named)
    return Bulletin.objects.filter(condition)


def access_bulletin(user: Any, bulletin_id: int) -> Bulletin:
    bulletin = bulletins_visible(user).select_related("area", "published_by").filter(pk=bulletin_id).first()
    if bulletin is None:
        raise NotFound(_("通报不存在"), code="bulletin_not_found")
    return bulletin


def latest_only(rows: QuerySet[Bulletin]) -> QuerySet[Bulletin]:
    """The versions no correction has superseded."""
    return rows.filter(~Exists(Bulletin.objects.filter(supersedes=OuterRef("pk"))))


def bulletins_list(user: Any, *, kind: str = "", period: str = "", area_code: str = "") -> QuerySet[Bulletin]:
    """The latest version of each bulletin the user may read, newest first, each with ``unread`` for the user."""
    rows = latest_only(bulletins_visible(user))
    if kind:
        rows = rows.filter(kind=kind)
    if period:
        rows = rows.filter(period_key=period)
    if area_code:
        rows = rows.filter(area__code=area_code)
    read = BulletinRead.objects.filter(bulletin=OuterRef("pk"), user=user.pk, read_at__isnull=False)
    return (
        rows.select_related("area")
        .annotate(unread=~Exists(read))
        .order_by("-published_at", "-id")
        .defer("content", "changes")
    )


def unread_count(user: Any) -> int:
    read = BulletinRead.objects.filter(bulletin=OuterRef("pk"), user=user.pk, read_at__isnull=False)
    return latest_only(bulletins_visible(user)).filter(~Exists(read)).count()


def versions_of(user: Any, bulletin: Bulletin) -> list[Bulletin]:
    """Every version of the same bulletin the user may read, the first one first."""
    return list(
        bulletins_visible(user)
        .filter(kind=bulletin.kind, period_key=bulletin.period_key, area=bulletin.area_id)
        .select_related("published_by")
        .defer("content")
        .order_by("version")
    )


def may_see_personal(user: Any, bulletin: Bulletin) -> bool:
    """Per-person figures of the whole area: the permission to read other people's figures over it."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.has_perm(PERSONAL_PERMISSION)
        and user_scope(user).covers(bulletin.area.code)
    )


def may_see_readers(user: Any, bulletin: Bulletin) -> bool:
    """The read receipts: for those who publish bulletins of the area."""
    return may_publish(user) and user_scope(user).covers(bulletin.area.code)


def content_for(user: Any, bulletin: Bulletin) -> dict[str, Any]:
    """The frozen document as ``user`` may read it: without the per-person tables unless they may see them."""
    content = copy.deepcopy(bulletin.content)
    if not may_see_personal(user, bulletin):
        content["tables"] = [table for table in content.get("tables", []) if not table.get("personal")]
    return content


def changes_for(user: Any, bulletin: Bulletin) -> list[dict[str, Any]]:
    personal = may_see_personal(user, bulletin)
    return [change for change in bulletin.changes or [] if personal or not change.get("personal")]


@dataclass(frozen=True)
class Readers:
    read: list[tuple[User, Any]]
    unread: list[User]
    others: list[tuple[User, Any]]  # opened it without having been sent it

    @property
    def receivers(self) -> int:
        return len(self.read) + len(self.unread)


def readers_of(bulletin: Bulletin) -> Readers:
    rows = BulletinRead.objects.filter(bulletin=bulletin).select_related("user").order_by("read_at", "user__username")
    read, unread, others = [], [], []
    for row in rows:
        if row.read_at is None:
            unread.append(row.user)
        elif row.recipient:
            read.append((row.user, row.read_at))
        else:
            others.append((row.user, row.read_at))
    unread.sort(key=lambda user: user.username)
    return Readers(read, unread, others)
