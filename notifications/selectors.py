"""Reading a person's messages: the list (unread first, newest first) and what the badge counts.

A message **still needs its reader** (the badge counts it) when it is unread and either names no case (a notice)
or names at least one case that still waits on the reader: the case is still in the state the message was
about (``NotificationItem.waits_while``; a blank state never waits, e.g. a case voided) and the reader has not
acted on the case since the event that caused the message. A message about a case that has moved on (signed,
handled, closed, or dealt with by the reader) stays in the list, unread, but no longer counts.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import BooleanField, Exists, ExpressionWrapper, F, OuterRef, Prefetch, Q, QuerySet

from cases.models import CaseEvent
from notifications.choices import ALWAYS_ON, NoticeKind
from notifications.models import ChannelChoice, Notification, NotificationItem


def _waiting_items() -> QuerySet[NotificationItem]:
    """Items of the outer message whose case still waits on the message's reader."""
    acted_since = CaseEvent.objects.filter(
        case_id=OuterRef("case_id"), actor_id=OuterRef(OuterRef("user_id")), pk__gt=OuterRef("event_id")
    )
    return (
        NotificationItem.objects.filter(notification=OuterRef("pk"), case__status=F("waits_while"))
        .exclude(waits_while="")
        .filter(~Exists(acted_since))
    )


def still_needs_reader() -> Q:
    """A message (read or not) that names no case, or a case that still waits on its reader."""
    return ~Exists(NotificationItem.objects.filter(notification=OuterRef("pk"))) | Exists(_waiting_items())


def notifications_waiting(user_id: int) -> QuerySet[Notification]:
    """The person's unread messages that still need them: what the badge counts."""
    return Notification.objects.filter(user_id=user_id, read_at__isnull=True).filter(still_needs_reader())


def notifications_of(user_id: int) -> QuerySet[Notification]:
    """The person's messages, unread first, newest first, each with ``waiting`` (it still needs them) and its
    cases (``items`` with their case's number), in two queries whatever the page holds."""
    read_first_last = ExpressionWrapper(Q(read_at__isnull=False), output_field=BooleanField())
    return (
        Notification.objects.filter(user_id=user_id)
        .annotate(waiting=ExpressionWrapper(still_needs_reader(), output_field=BooleanField()))
        .order_by(read_first_last, "-created_at", "-id")
        .prefetch_related(
            Prefetch(
                "items",
                queryset=NotificationItem.objects.select_related("case").only(
                    "notification_id", "title", "waits_while", "case__number", "case__status"
                ),
            )
        )
    )


def channels_choosable() -> list[str]:
    """The staff channels a person may switch off (every one but the in-app messages)."""
    return [name for name in settings.NOTIFY_STAFF_CHANNELS if name != ALWAYS_ON]


def channel_choices_of(user_id: int) -> dict[str, set[str]]:
    """The channels a person keeps on, per kind of message (a channel without a stored choice is on)."""
    choosable = channels_choosable()
    chosen = {kind: set(choosable) for kind in NoticeKind.values}
    for kind, channel, enabled in ChannelChoice.objects.filter(user_id=user_id).values_list(
        "kind", "channel", "enabled"
    ):
        if kind in chosen and not enabled:
            chosen[kind].discard(channel)
    return chosen
