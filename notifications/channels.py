"""Notification channels: small adapters with one interface (STYLE habit 9), chosen per deployment in
``settings.NOTIFICATION_CHANNELS``. Core code never names an adapter; it asks :mod:`notifications.services` to
tell people, and the outbox hands each message to the adapter of its channel.

- ``InAppChannel``: the message list and unread badge of the web pages.
- ``EmailChannel``: Django's mail framework (SMTP or whatever ``EMAIL_BACKEND`` says).
- ``GatewayChannel``: an intranet SMS or WeChat-template gateway that takes a JSON POST.
- ``OutboxChannel``: no gateway; the message stays in the outbox table for pages and tests (demo, tests).
"""

from __future__ import annotations

import datetime as dt
import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils.module_loading import import_string

from notifications.choices import NoticeKind
from notifications.models import Notification, NotificationItem


class DeliveryFailed(Exception):
    """The channel could not take the message now; the outbox retries later."""


@dataclass(frozen=True)
class Message:
    channel: str
    address: str
    title: str
    body: str
    link: str
    template: str
    data: dict[str, Any]
    cause: str
    message_id: str  # stable per delivery: gateways use it to drop a repeat
    user_id: int | None = None
    secret: bool = False  # title/body/data hold a secret in clear: hand it over, never store it


class Channel(Protocol):
    name: str

    def address_of(self, user: Any) -> str:
        """The user's address on this channel, or "" when they have none."""

    def send(self, message: Message) -> str:
        """Hand the message over; returns the provider's reference. Raises DeliveryFailed to be retried."""


@dataclass
class InAppChannel:
    name: str = "inapp"

    def address_of(self, user: Any) -> str:
        return str(user.pk)

    def send(self, message: Message) -> str:
        if message.secret:
            raise DeliveryFailed("in-app messages are stored in clear and carry no secrets")
        if message.user_id is None:
            raise DeliveryFailed("in-app messages go to a user")
        at = message.data.get("at")
        with transaction.atomic():
            row, created = Notification.objects.get_or_create(
                user_id=message.user_id,
                cause=message.cause,
                defaults={
                    "title": message.title[:200],
                    "body": message.body,
                    "link": message.link[:300],
                    "kind": str(message.data.get("kind") or NoticeKind.OTHER)[:16],
                    **({"created_at": dt.datetime.fromisoformat(at)} if at else {}),
                },
            )
            if created:
                NotificationItem.objects.bulk_create(
                    [
                        NotificationItem(
                            notification=row,
                            case_id=item["case"],
                            event_id=item.get("event"),
                            waits_while=item.get("waits_while", "")[:16],
                            title=str(item.get("title", ""))[:200],
                        )
                        for item in message.data.get("items", [])
                    ],
                    ignore_conflicts=True,
                )
        return f"notification:{row.pk}"


@dataclass
class EmailChannel:
    name: str = "email"

    def address_of(self, user: Any) -> str:
        return user.email or ""

    def send(self, message: Message) -> str:
        body = f"{message.body}\n\n{message.link}".strip()
        try:
            send_mail(message.title, body, None, [message.address], fail_silently=False)
        except OSError as error:
            raise DeliveryFailed(str(error)) from error
        return f"email:{message.message_id}"


@dataclass
class GatewayChannel:
    """POST ``{"id", "to", "template", "data", "text"}`` as JSON to an intranet gateway (SMS platform, WeChat
    template-message relay). A 2xx answer is success; anything else is retried."""

    name: str
    url: str
    address_field: str = "phone"
    timeout: float = 5.0
    headers: dict[str, str] = field(default_factory=dict)

    def address_of(self, user: Any) -> str:
        return str(getattr(user, self.address_field, "") or "")

    def send(self, message: Message) -> str:
        text = message.title if not message.body else f"{message.title}：{message.body}"
        document = {
            "id": message.message_id,
            "to": message.address,
            "template": message.template,
            "data": {key: value for key, value in message.data.items() if key != "items"},
            "text": text[:500],
        }
        request = urllib.request.Request(
            self.url,
            data=json.dumps(document, ensure_ascii=False).encode(),
            headers={"Content-Type": "application/json", **self.headers},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                answer = response.read(2000).decode(errors="replace")
        except (urllib.error.URLError, OSError) as error:
            raise DeliveryFailed(str(error)[:300]) from error
        return answer.strip()[:100] or message.message_id


@dataclass
class OutboxChannel:
    """No gateway: the outbox row is the message (read by the outbox page and by tests)."""

    name: str
    address_field: str = "phone"

    def address_of(self, user: Any) -> str:
        return str(getattr(user, self.address_field, "") or "")

    def send(self, message: Message) -> str:
        return f"outbox:{message.message_id}"


_channels: dict[str, Channel] | None = None


def channels() -> dict[str, Channel]:
    """The configured channels by name, built once from ``settings.NOTIFICATION_CHANNELS``."""
    global _channels
    if _channels is None:
        built: dict[str, Channel] = {}
        for name, config in settings.NOTIFICATION_CHANNELS.items():
            options = {key: value for key, value in config.items() if key != "adapter"}
            built[name] = import_string(config["adapter"])(name=name, **options)
        _channels = built
    return _channels


def channels_forget() -> None:
    """Rebuild the channels on next use (tests that change the settings)."""
    global _channels
    _channels = None
