"""Publishing bulletins and reading them.

:func:`bulletin_publish` freezes the document of (kind, period, area) into a :class:`Bulletin`. Publishing the same
bulletin again compares the figures with the latest version: when some differ, a correction is published (version
+ 1, ``supersedes`` the one before, ``changes`` lists each figure that differs); when none does, nothing new is
written ("无变化"). Publishing is audited, and the people who receive the bulletin are told after commit and get a
read receipt row; :func:`bulletin_open` marks it read when they (or anyone else) open it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.access import user_scope, users_covering
from accounts.models import User
from accounts.roles import Role
from areas.choices import AreaLevel
from areas.models import Area
from audit.models import AuditAction, Channel
from audit.services import Origin, audit_record
from bulletins.content import bulletin_content, bulletin_title
from bulletins.figures import figures_changed
from bulletins.models import Bulletin, BulletinRead
from bulletins.selectors import PUBLISH_PERMISSION
from gridgov.errors import NotFound, PermissionDenied, ValidationFailed
from notifications.choices import NoticeKind
from notifications.services import notify
from stats.periods import Period, PeriodKind, period_current, period_parse

#: Who receives a bulletin of an area: its leaders and the command centre covering it (department handlers of
#: the departments it gives figures for are added).
RECEIVING_ROLES = (
    Role.DISTRICT_LEADER,
    Role.STREET_LEADER,
    Role.COMMUNITY_STAFF,
    Role.SHIFT_LEADER,
    Role.DISPATCHER,
)

PUBLISHED, CORRECTED, UNCHANGED = "published", "corrected", "unchanged"


@dataclass(frozen=True)
class Publication:
    """What a publishing did: ``published`` (a first version), ``corrected`` (a new version) or ``unchanged``
    (the figures are those of the latest version, which ``bulletin`` is)."""

    bulletin: Bulletin
    outcome: str
    changes: list[dict[str, Any]] = field(default_factory=list)
    told: int = 0

    @property
    def message(self) -> str:
        if self.outcome == PUBLISHED:
            return _("已发布：%(title)s") % {"title": self.bulletin.title}
        if self.outcome == CORRECTED:
            return _("已发布更正（第%(version)d版，%(count)d项数据变化）：%(title)s") % {
                "version": self.bulletin.version,
                "count": len(self.changes),
                "title": self.bulletin.title,
            }
        return _("数据无变化，未发布新版本：%(title)s") % {"title": self.bulletin.title}


def kind_check(kind: str) -> str:
    if kind not in PeriodKind.values:
        raise ValidationFailed(
            _("周期类型无效（应为 日、周、月、季度 或 年）"), code="kind_invalid", details={"field": "kind"}
        )
    return kind


def period_check(kind: str, period: Period | str, *, today: dt.date | None = None) -> Period:
    """The period of a bulletin: of ``kind``, and over (a bulletin reports a finished period)."""
    kind_check(kind)
    found = period_parse(period) if isinstance(period, str) else period
    if found.kind != kind:
        raise ValidationFailed(
            _("统计周期“%(period)s”不是%(kind)s（如 %(example)s）")
            % {
                "period": found.key,
                "kind": PeriodKind(kind).label,
                "example": period_current(kind).previous().key,
            },
            code="period_invalid",
            details={"field": "period"},
        )
    if found.end >= (today or timezone.localdate()):
        raise ValidationFailed(
            _("统计周期“%(period)s”尚未结束，结束后才能发布通报") % {"period": found.key},
            code="period_not_ended",
            details={"field": "period"},
        )
    return found


def area_check(area: Area | str, user: Any = None) -> Area:
    """The area by itself or its code; with ``user``, only one inside their scope ("not yours" is 404)."""
    found = area if isinstance(area, Area) else Area.objects.filter(code=str(area or "").strip()).first()
    if found is None or (user is not None and not user_scope(user).covers(found.code)):
        raise NotFound(_("区域不存在或不在您的管辖范围内"), code="area_not_found", details={"field": "area"})
    return found


def bulletin_publish(
    kind: str,
    period: Period | str,
    area: Area | str,
    by: User | None = None,
    *,
    origin: Origin | None = None,
    today: dt.date | None = None,
) -> Publication:
    """Publish (or correct) the bulletin of ``kind`` for ``period`` over ``area``. ``by`` is the person publishing
    (who needs ``bulletins.publish_bulletin`` and the area in their scope); without one the site publishes it (the
    periodic job, a command). ``today`` (the site's date by default) is when the period must have ended."""
    origin = origin or Origin(by, Channel.SYSTEM if by is None else Channel.PAGE)
    if by is not None and not by.has_perm(PUBLISH_PERMISSION):
        raise PermissionDenied(_("您的角色不能发布通报"), code="publish_not_permitted")
    found = period_check(kind, period, today=today)
    place = area_check(area, by)
    with transaction.atomic():
        # One publisher at a time per area: the second waits here and then sees the first one's version.
        Area.objects.select_for_update().filter(pk=place.pk).first()
        latest = Bulletin.objects.filter(kind=kind, period_key=found.key, area=place).order_by("-version").first()
        with translation.override(settings.LANGUAGE_CODE):  # an official document, in the site's language
            content = bulletin_content(kind, found, place)
            title = bulletin_title(kind, found, place)
        changes: list[dict[str, Any]] = []
        if latest is not None:
            changes = figures_changed(latest.content.get("tables", []), content["tables"])
            if not changes:
                return Publication(latest, UNCHANGED)
        bulletin = Bulletin.objects.create(
            kind=kind,
            period_key=found.key,
            area=place,
            version=latest.version + 1 if latest else 1,
            title=title,
            content=content,
            changes=changes,
            supersedes=latest,
            published_at=timezone.now(),
            published_by=by,
        )
        bulletin.departments.set(content.get("department_ids", []))
        audit_record(
            origin,
            AuditAction.CREATE,
            bulletin,
            area_code=place.code,
            detail={
                "kind": kind,
                "period": found.key,
                "version": bulletin.version,
                "supersedes": latest.pk if latest else None,
                "changes": len(changes),
            },
        )
        told = _recipients_tell(bulletin, exclude=by.pk if by is not None else None)
        if by is not None:  # the publisher has seen what they published
            BulletinRead.objects.get_or_create(bulletin=bulletin, user=by, defaults={"read_at": bulletin.published_at})
    return Publication(bulletin, CORRECTED if latest else PUBLISHED, changes, told)


def bulletin_recipients(bulletin: Bulletin) -> list[int]:
    """Leaders and command-centre staff covering the bulletin's area, and the handlers of the departments it
    gives figures for."""
    covering = users_covering(bulletin.area.code, RECEIVING_ROLES).values_list("pk", flat=True)
    handlers = User.objects.filter(
        is_active=True,
        groups__name=str(Role.DEPARTMENT_HANDLER),
        department__in=bulletin.departments.all(),
    ).values_list("pk", flat=True)
    return sorted({*covering, *handlers})


def _recipients_tell(bulletin: Bulletin, *, exclude: int | None) -> int:
    recipients = [pk for pk in bulletin_recipients(bulletin) if pk != exclude]
    if not recipients:
        return 0
    BulletinRead.objects.bulk_create(
        [BulletinRead(bulletin=bulletin, user_id=pk, recipient=True) for pk in recipients], ignore_conflicts=True
    )
    corrected = bulletin.version > 1
    title = (
        _("通报更正（第%(version)d版）：%(title)s") % {"version": bulletin.version, "title": bulletin.title}
        if corrected
        else _("新通报：%(title)s") % {"title": bulletin.title}
    )
    notify(
        recipients,
        title=title,
        body=str(bulletin.content.get("headline", ""))[:300],
        link=reverse("bulletins:detail", args=[bulletin.pk]),
        cause=f"bulletin:{bulletin.pk}",
        template="bulletin",
        kind=NoticeKind.OTHER,
        data={"bulletin": bulletin.pk, "version": bulletin.version},
    )
    return len(recipients)


def bulletin_open(user: Any, bulletin: Bulletin) -> bool:
    """Record that ``user`` opened ``bulletin`` (the first time only). Returns whether this was the first time."""
    if not getattr(user, "is_authenticated", False):
        return False
    now = timezone.now()
    if BulletinRead.objects.filter(bulletin=bulletin, user=user, read_at__isnull=True).update(read_at=now):
        return True
    if BulletinRead.objects.filter(bulletin=bulletin, user=user).exists():
        return False
    try:
        with transaction.atomic():
            BulletinRead.objects.create(bulletin=bulletin, user=user, read_at=now)
    except IntegrityError:  # opened in two tabs at once: the other request wrote the row
        return False
    return True


# --- What is due -------------------------------------------------------------------------------------------------
def publishing_areas() -> list[Area]:
    """The areas bulletins are published for on schedule: each district (the roots) and each street."""
    return list(
        Area.objects.filter(Q(level=AreaLevel.DISTRICT) | Q(level=AreaLevel.STREET), retired_in__isnull=True).order_by(
            "code"
        )
    )


def last_finished(kind: str, today: dt.date | None = None) -> Period:
    return period_current(kind, today).previous()


def bulletins_publish_many(
    kind: str, period: Period | str, areas: Iterable[Area], by: User | None = None, *, today: dt.date | None = None
) -> list[Publication]:
    return [bulletin_publish(kind, period, area, by, today=today) for area in areas]


def bulletins_publish_for_demo(today: dt.date | None = None) -> list[Publication]:
    """The demo's bulletins for the district and each street: last week's (the demo's month of cases ends today, so
    the last finished month holds only its first days) and yesterday's, with its patrol summary."""
    areas = publishing_areas()
    publications = []
    for kind in (PeriodKind.WEEK, PeriodKind.DAY):
        publications += bulletins_publish_many(kind, last_finished(kind, today), areas, today=today)
    return publications
