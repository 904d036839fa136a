"""Background sending: the outbox rows written by ``notifications.services`` are sent here, never in a request.

- A row is claimed (``pending`` → ``sending``) by a conditional update before its channel sees it, so two workers
  never send it both. A failed send is retried with growing pauses, up to ``NOTIFY_RETRY_LIMIT`` attempts; a
  deferred sweep is queued for the moment a retry falls due.
- ``outbox_sweep`` (run by ``manage.py periodic``) sends what is due and puts rows a stopped worker left in
  ``sending`` for longer than ``STALE_AFTER`` back in line, with the same message id.
- Task arguments are row ids only (the task table keeps its arguments); secrets are decrypted only to hand the
  message to its channel.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone
from django_tasks import default_task_backend, task

from gridgov import crypto
from notifications.channels import DeliveryFailed, Message, channels
from notifications.models import Delivery, DeliveryStatus

STALE_AFTER = dt.timedelta(minutes=10)


@task()
def deliveries_deliver(ids: list[int]) -> dict[str, int]:
    """Send the given outbox rows (those still due; safe to run twice)."""
    return deliveries_send(ids)


@task()
def deliveries_sweep() -> dict[str, int]:
    """Send every due row, and put back in line what a stopped worker left (queued when a retry falls due)."""
    return outbox_sweep()


def _message(row: Delivery) -> Message:
    address = row.address if row.channel == "inapp" else crypto.decrypt(row.address)
    clear = json.loads(crypto.decrypt(row.secret)) if row.secret else {}
    return Message(
        channel=row.channel,
        address=address,
        title=clear.get("title", row.title),
        body=clear.get("body", row.body),
        link=row.link,
        template=row.template,
        data=clear.get("data", row.data),
        cause=row.cause,
        message_id=f"{row.cause}:{row.channel}:{row.pk}",
        user_id=row.user_id,
        secret=bool(row.secret),
    )


def _retry_after(attempts: int) -> dt.timedelta:
    return dt.timedelta(minutes=min(2**attempts, 240))


def deliveries_send(
    ids: Sequence[int] | None = None, *, cause: str | None = None, now: dt.datetime | None = None
) -> dict[str, int]:
    """Send the due rows (all of them, or those given). Safe to run twice or in parallel."""
    now = now or timezone.now()
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
                **({"secret": ""} if failed else {}),
            )
            counts["failed" if failed else "retry"] += 1
            if not failed:
                _retry_later(now + _retry_after(attempts))
            continue
        Delivery.objects.filter(pk=row.pk).update(
            status=DeliveryStatus.SENT,
            sent_at=timezone.now(),
            provider_ref=str(reference)[:100],
            last_error="",
            secret="",
        )
        counts["sent"] += 1
    return counts


def outbox_sweep(now: dt.datetime | None = None) -> dict[str, int]:
    """The periodic outbox job: rows a stopped worker left in ``sending`` longer than ``STALE_AFTER`` go back in
    line (their channel sees the same message id again and can drop a repeat), then every due row is sent."""
    now = now or timezone.now()
    stale = Delivery.objects.filter(status=DeliveryStatus.SENDING, claimed_at__lt=now - STALE_AFTER).update(
        status=DeliveryStatus.PENDING, last_error="interrupted while sending; retried with the same message id"
    )
    return {"stale": stale, **deliveries_send(now=now)}


def _retry_later(moment: dt.datetime) -> None:
    """Queue a send for the moment a retry falls due (the periodic job sweeps too, where queues cannot wait)."""
    if default_task_backend.supports_defer:
        deliveries_sweep.using(run_after=moment).enqueue()
