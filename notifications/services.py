"""Telling people. ``notify`` (staff, by user) and ``notify_phone`` (a resident who left a phone) write one outbox
row per recipient, channel and cause; ``deliveries_send`` hands due rows to their channel after commit.

- A cause (e.g. ``case_event:42``) is written once per recipient and channel: a retried task adds nothing.
- A row is claimed (``pending`` → ``sending``) by a conditional update before its channel sees it, so two workers
  never send it both. A failed send is retried with growing pauses, up to ``NOTIFY_RETRY_LIMIT`` attempts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from notifications.channels import DeliveryFailed, Message, channels
from notifications.models import Delivery, DeliveryStatus, Notification
from registry import crypto

STALE_AFTER = dt.timedelta(minutes=10)


def _masked(address: str) -> str:
    if address.isdigit():
        return crypto.mask_phone(address)
    if "@" in address:
        name, _at, domain = address.partition("@")
        return f"{name[:1]}***@{domain}"
    return address[:100]


def _row(channel: str, recipient_key: str, address: str, user_id: int | None, content: dict[str, Any]) -> Delivery:
    stored = address if channel == "inapp" else crypto.encrypt(address)
    return Delivery(
        channel=channel,
        user_id=user_id,
        recipient_key=recipient_key,
        address=stored,
        address_masked=_masked(address),
        **content,
    )


def _content(
    title: str, body: str, link: str, cause: str, template: str, data: dict[str, Any] | None
) -> dict[str, Any]:
    return {
        "title": title[:200],
        "body": body,
        "link": link[:300],
        "cause": cause[:64],
        "template": template[:64],
        "data": data or {},
    }


def _queue(rows: list[Delivery], cause: str) -> int:
    """Write the rows (a repeated cause adds nothing) and send them after commit. Returns the rows written."""
    if not rows:
        return 0
    before = Delivery.objects.filter(cause=cause[:64]).count()
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    written = Delivery.objects.filter(cause=cause[:64]).count() - before
    if written:
        transaction.on_commit(lambda: deliveries_send(cause=cause[:64]))
    return written


def notify(
    user_ids: Iterable[int],
    *,
    title: str,
    body: str = "",
    link: str = "",
    cause: str,
    template: str = "case_event",
    data: dict[str, Any] | None = None,
) -> int:
    """Tell staff on each channel of ``settings.NOTIFY_STAFF_CHANNELS`` where they have an address."""
    from accounts.models import User

    users = list(User.objects.filter(pk__in=list(dict.fromkeys(user_ids)), is_active=True))
    content = _content(title, body, link, cause, template, data)
    rows = []
    configured = channels()
    for name in settings.NOTIFY_STAFF_CHANNELS:
        channel = configured[name]
        for user in users:
            address = channel.address_of(user)
            if address:
                rows.append(_row(name, f"user:{user.pk}", address, user.pk, content))
    return _queue(rows, cause)


def notify_phone(
    phone: str,
    *,
    title: str,
    body: str = "",
    link: str = "",
    cause: str,
    template: str = "case_public_step",
    data: dict[str, Any] | None = None,
) -> int:
    """Tell a resident who left a phone, on each channel of ``settings.NOTIFY_PUBLIC_CHANNELS``."""
    content = _content(title, body, link, cause, template, data)
    key = f"phone:{crypto.lookup_hash(phone)[:40]}"
    rows = [_row(name, key, phone, None, content) for name in settings.NOTIFY_PUBLIC_CHANNELS]
    return _queue(rows, cause)


def _message(row: Delivery) -> Message:
    address = row.address if row.channel == "inapp" else crypto.decrypt(row.address)
    return Message(
        channel=row.channel,
        address=address,
        title=row.title,
        body=row.body,
        link=row.link,
        template=row.template,
        data=row.data,
        cause=row.cause,
        message_id=f"{row.cause}:{row.channel}:{row.pk}",
        user_id=row.user_id,
    )


def _retry_after(attempts: int) -> dt.timedelta:
    return dt.timedelta(minutes=min(2**attempts, 240))


def deliveries_send(
    ids: Sequence[int] | None = None, *, cause: str | None = None, now: dt.datetime | None = None
) -> dict[str, int]:
    """Send the due rows (all of them, or those given). Safe to run twice or in parallel."""
    now = now or timezone.now()
    Delivery.objects.filter(status=DeliveryStatus.SENDING, claimed_at__lt=now - STALE_AFTER).update(
        status=DeliveryStatus.PENDING, last_error="interrupted while sending; retried with the same message id"
    )
    due = Delivery.objects.filter(status=DeliveryStatus.PENDING).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )
    if ids is not None:
        due = due.filter(pk__in=list(ids))
    if cause is not None:
        due = due.filter(cause=cause)
    counts = {"sent": 0, "retry": 0, "failed": 0}
    configured = channels()
    for row in due.order_by("pk")[:1000]:
        claimed = Delivery.objects.filter(pk=row.pk, status=DeliveryStatus.PENDING).update(
            status=DeliveryStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
        if not claimed:
            continue  # another worker has it
        attempts = row.attempts + 1
        try:
            channel = configured.get(row.channel)
            if channel is None:
                raise DeliveryFailed(f"channel {row.channel} is not configured")
            reference = channel.send(_message(row))
        except DeliveryFailed as error:
            failed = attempts >= settings.NOTIFY_RETRY_LIMIT
            Delivery.objects.filter(pk=row.pk).update(
                status=DeliveryStatus.FAILED if failed else DeliveryStatus.PENDING,
                next_attempt_at=None if failed else now + _retry_after(attempts),
                last_error=str(error)[:300],
            )
            counts["failed" if failed else "retry"] += 1
            if not failed:
                _retry_later(now + _retry_after(attempts))
            continue
        Delivery.objects.filter(pk=row.pk).update(
            status=DeliveryStatus.SENT, sent_at=timezone.now(), provider_ref=str(reference)[:100], last_error=""
        )
        counts["sent"] += 1
    return counts


def _retry_later(moment: dt.datetime) -> None:
    """Queue a sweep for the moment a retry falls due (the periodic job sweeps too, where queues cannot wait)."""
    from django_tasks import default_task_backend

    from notifications.tasks import deliveries_sweep

    if default_task_backend.supports_defer:
        deliveries_sweep.using(run_after=moment).enqueue()


def notifications_read(user_id: int, ids: Iterable[int] | None = None) -> int:
    unread = Notification.objects.filter(user_id=user_id, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())


def unread_count(user_id: int) -> int:
    return Notification.objects.filter(user_id=user_id, read_at__isnull=True).count()
