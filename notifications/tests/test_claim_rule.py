"""The delivery claim rule pinned: a row is sent only by the worker that moved it from ``pending`` to ``sending``.
Here a second worker claims and sends a row while the first is still busy with the row before it; the first must
then find the row no longer pending and leave it alone, so the recipient gets it once."""

from dataclasses import dataclass
from typing import Any, ClassVar

import pytest
from django.test import override_settings

from notifications.channels import Message, channels_forget
from notifications.models import Delivery, DeliveryStatus
from notifications.tasks import deliveries_send


@dataclass
class RelayChannel:
    """An in-app style channel that records what it is handed; on the first message it lets another worker run."""

    name: str = "inapp"
    sent: ClassVar[list[str]] = []
    other_worker: ClassVar[list[Any]] = []

    def address_of(self, user: Any) -> str:
        return str(user.pk)

    def send(self, message: Message) -> str:
        RelayChannel.sent.append(message.message_id)
        while RelayChannel.other_worker:
            RelayChannel.other_worker.pop()()
        return message.message_id


@pytest.fixture
def relay(db):
    RelayChannel.sent.clear()
    RelayChannel.other_worker.clear()
    adapter = f"{__name__}.RelayChannel"
    with override_settings(NOTIFICATION_CHANNELS={"inapp": {"adapter": adapter}}):
        channels_forget()
        yield RelayChannel
    channels_forget()


def delivery(status: str = DeliveryStatus.PENDING) -> Delivery:
    number = Delivery.objects.count() + 1
    return Delivery.objects.create(
        channel="inapp", recipient_key=f"user:{number}", address=str(number), title="案卷已派遣", cause="dispatch",
        status=status,
    )  # fmt: skip


def test_rule_claim_requires_pending_so_a_row_another_worker_took_is_sent_once(relay):
    first, second = delivery(), delivery()
    counts_of_other: list[dict[str, int]] = []
    relay.other_worker.append(lambda: counts_of_other.append(deliveries_send(ids=[second.pk])))
    counts = deliveries_send(ids=[first.pk, second.pk])
    assert counts_of_other == [{"sent": 1, "retry": 0, "failed": 0}]
    assert counts == {"sent": 1, "retry": 0, "failed": 0}
    assert relay.sent == [f"dispatch:inapp:{first.pk}", f"dispatch:inapp:{second.pk}"]
    second.refresh_from_db()
    assert (second.status, second.attempts) == (DeliveryStatus.SENT, 1)


@pytest.mark.parametrize("status", [DeliveryStatus.FAILED, DeliveryStatus.SENT, DeliveryStatus.SENDING])
def test_rule_claim_requires_pending_a_row_in_another_state_is_never_sent(relay, status):
    other = delivery(status)
    pending = delivery()
    counts = deliveries_send(ids=[other.pk, pending.pk])
    assert counts == {"sent": 1, "retry": 0, "failed": 0}
    assert relay.sent == [f"dispatch:inapp:{pending.pk}"]
    other.refresh_from_db()
    assert (other.status, other.attempts) == (status, 0)
