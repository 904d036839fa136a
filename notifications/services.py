"""Telling people. ``notify`` (staff, by user) and ``notify_phone`` (a resident who left a phone) write one outbox
row per recipient, channel and cause; after commit the rows' ids go to the task worker, where
``tasks.deliveries_send`` hands them to their channel. Nothing remote runs inside a web request.

- A cause (e.g. ``case_event:42``) is written once per recipient and channel: a retried task adds nothing.
- A row is claimed (``pending`` → ``sending``) by a conditional update before its channel sees it, so two workers
  never send it both. A failed send is retried with growing pauses, up to ``NOTIFY_RETRY_LIMIT`` attempts.
- ``secrets`` (a one-time code) never reach a readable column, a task argument or a log: title, body and data
  name them as ``{name}`` and are stored masked (``******``); the clear text is kept encrypted in
  ``Delivery.secret``, decrypted only to hand the message to its channel, and wiped once sent or failed.
- ``tasks.outbox_sweep`` (run by ``manage.py periodic``) sends what is due and puts rows a stopped worker left in
  ``sending`` for longer than ``STALE_AFTER`` back in line, with the same message id.
- A message has a ``kind`` (:class:`~notifications.choices.NoticeKind`); each person chooses, per kind, the
  channels beside the in-app one (:class:`~notifications.models.ChannelChoice`, on unless switched off): ``notify``
  writes no row for a channel its recipient switched off for that kind.
- ``items`` name the cases a message is about (one, or many for a grouped message): the in-app message keeps them,
  and the badge counts a message while one of its cases still waits on its reader (``waiting_count``).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from gridgov import crypto
from gridgov.errors import NotFound
from notifications import tasks
from notifications.channels import channels
from notifications.choices import ALWAYS_ON, NoticeKind
from notifications.models import ChannelChoice, Delivery, Notification
from notifications.selectors import channels_choosable, notifications_waiting

MASK = "******"


def _masked(address: str) -> str:
    if address.isdigit():
        return crypto.mask_phone(address)
    if "@" in address:
        name, _at, domain = address.rpartition("@")  # a quoted mail name may hold an "@"; a domain never does
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


def _fill(text: str, values: dict[str, str]) -> str:
    for name, value in values.items():
        text = text.replace("{" + name + "}", value)
    return text


def _content(
    title: str,
    body: str,
    link: str,
    cause: str,
    template: str,
    data: dict[str, Any] | None,
    secrets: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The row's columns; with ``secrets``, the readable ones masked and the clear text encrypted apart."""
    secrets = secrets or {}
    masked = dict.fromkeys(secrets, MASK)
    content = {
        "title": _fill(title, masked)[:200],
        "body": _fill(body, masked),
        "link": link[:300],
        "cause": cause[:64],
        "template": template[:64],
        "data": {**(data or {}), **masked},
        "secret": "",
    }
    if secrets:
        clear = {
            "title": _fill(title, secrets)[:200],
            "body": _fill(body, secrets),
            "data": {**(data or {}), **secrets},
        }
        content["secret"] = crypto.encrypt(json.dumps(clear, ensure_ascii=False))
    return content


def _queue(rows: list[Delivery], cause: str) -> int:
    """Write the rows (a repeated cause adds nothing) and, after commit, hand their ids to the task worker.
    Returns the rows written."""
    if not rows:
        return 0
    existing = Delivery.objects.filter(cause=cause[:64])
    before = set(existing.values_list("pk", flat=True))
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    written = sorted(set(existing.values_list("pk", flat=True)) - before)
    if written:
        transaction.on_commit(lambda: _send_later(written))
    return len(written)


def _send_later(ids: list[int]) -> None:
    tasks.deliveries_deliver.enqueue(ids)


def notify(
    user_ids: Iterable[int],
    *,
    title: str,
    body: str = "",
    link: str = "",
    cause: str,
    template: str = "case_event",
    data: dict[str, Any] | None = None,
    kind: str = NoticeKind.OTHER,
    items: list[dict[str, Any]] | None = None,
    at: dt.datetime | None = None,
) -> int:
    """Tell staff on each channel of ``settings.NOTIFY_STAFF_CHANNELS`` where they have an address, but not on a
    channel they switched off for this ``kind`` (the in-app one is always on). ``items`` (``{"case", "event",
    "waits_while", "title"}`` each) name the cases the message is about and ``at`` when its cause happened; the
    in-app message keeps them."""
    users = list(User.objects.filter(pk__in=list(dict.fromkeys(user_ids)), is_active=True))
    extra: dict[str, Any] = {"kind": str(kind)}
    if items:
        extra["items"] = items
    if at is not None:
        extra["at"] = at.isoformat()
    content = _content(title, body, link, cause, template, {**(data or {}), **extra})
    switched_off = set(
        ChannelChoice.objects.filter(user__in=users, kind=kind, enabled=False).values_list("user_id", "channel")
    )
    rows = []
    configured = channels()
    for name in settings.NOTIFY_STAFF_CHANNELS:
        channel = configured[name]
        for user in users:
            if name != ALWAYS_ON and (user.pk, name) in switched_off:
                continue
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
    secrets: dict[str, str] | None = None,
) -> int:
    """Tell a resident who left a phone, on each channel of ``settings.NOTIFY_PUBLIC_CHANNELS``. ``secrets``
    (e.g. ``{"code": "123456"}``) fill ``{code}`` in title and body and join ``data``, and are stored encrypted
    only (see the module's note)."""
    content = _content(title, body, link, cause, template, data, secrets)
    key = f"phone:{crypto.lookup_hash(phone)[:40]}"
    rows = [_row(name, key, phone, None, content) for name in settings.NOTIFY_PUBLIC_CHANNELS]
    return _queue(rows, cause)


def notifications_read(user_id: int, ids: Iterable[int] | None = None) -> int:
    unread = Notification.objects.filter(user_id=user_id, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())


def unread_count(user_id: int) -> int:
    return Notification.objects.filter(user_id=user_id, read_at__isnull=True).count()


def waiting_count(user_id: int) -> int:
    """The badge: unread messages that still need the person (``selectors.notifications_waiting``), in one query."""
    return notifications_waiting(user_id).count()


def notification_open(user_id: int, pk: int) -> Notification:
    """The person's message ``pk``, marked read; another person's message does not exist for them."""
    notification = Notification.objects.filter(user_id=user_id, pk=pk).first()
    if notification is None:
        raise NotFound(_("消息不存在"), code="notification_not_found")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=pk, read_at__isnull=True).update(read_at=notification.read_at)
    return notification


def channel_choices_save(user_id: int, choices: dict[str, set[str]]) -> None:
    """Store a person's channels per kind (``choices[kind]`` = the channels kept on; the in-app one is always on):
    one row per kind and channel that can be chosen."""
    choosable = channels_choosable()
    with transaction.atomic():
        for kind in NoticeKind.values:
            for channel in choosable:
                ChannelChoice.objects.update_or_create(
                    user_id=user_id,
                    kind=kind,
                    channel=channel,
                    defaults={"enabled": channel in choices.get(kind, set())},
                )
