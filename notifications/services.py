"""Telling people: ``notify`` writes one in-app message per person and cause (idempotent)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone

from notifications.models import Notification


def notify(user_ids: Iterable[int], *, title: str, body: str = "", link: str = "", cause: str) -> int:
    """Send once per (user, cause): a retry with the same cause writes nothing new. Returns the rows written."""
    rows = [
        Notification(user_id=user_id, title=title[:200], body=body, link=link[:300], cause=cause[:64])
        for user_id in dict.fromkeys(user_ids)
    ]
    before = Notification.objects.filter(cause=cause[:64]).count()
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return Notification.objects.filter(cause=cause[:64]).count() - before


def notifications_read(user_id: int, ids: Iterable[int] | None = None) -> int:
    unread = Notification.objects.filter(user_id=user_id, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())


def unread_count(user_id: int) -> int:
    return Notification.objects.filter(user_id=user_id, read_at__isnull=True).count()
