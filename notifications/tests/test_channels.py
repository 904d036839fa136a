"""The outbox and its channels: one row per recipient, channel and cause; sending after commit; retries with
pauses; a message handed to its channel once; an HTTP gateway and Django mail as real adapters."""

import datetime as dt

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from notifications.channels import channels_forget
from notifications.models import Delivery, Notification
from notifications.services import notify, notify_phone
from notifications.tasks import deliveries_send, outbox_sweep
from notifications.testing import LocalGateway


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what waits for the commit (the tests' transaction never commits)."""
    return django_capture_on_commit_callbacks


@pytest.fixture
def gateway():
    with LocalGateway().running() as running:
        yield running


def test_staff_are_told_once_per_cause_on_each_channel_where_they_have_an_address(world, committed):
    handler = world.users["department_handler"]
    handler.email, handler.phone = "handler@example.org", "13600001111"
    handler.save()
    with committed(execute=True):
        sent = notify([handler.pk, handler.pk], title="案卷 1：派遣", cause="case_event:1")
    assert sent == 3  # in-app, e-mail and WeChat (by user name); no SMS for staff by default
    assert notify([handler.pk], title="案卷 1：派遣", cause="case_event:1") == 0  # a retried task adds nothing
    rows = {row.channel: row for row in Delivery.objects.all()}
    assert set(rows) == {"inapp", "email", "wechat"} and all(row.status == "sent" for row in rows.values())
    assert rows["email"].address_masked == "h***@example.org" and "handler@" not in rows["email"].address
    assert Notification.objects.filter(user=handler, cause="case_event:1").count() == 1
    assert deliveries_send() == {"sent": 0, "retry": 0, "failed": 0}  # nothing is sent twice


def test_a_gateway_gets_the_message_and_failures_are_retried_then_given_up(world, gateway, committed):
    with override_settings(NOTIFICATION_CHANNELS={"inapp": {"adapter": "notifications.channels.InAppChannel"},
                                                  "sms": {"adapter": "notifications.channels.GatewayChannel",
                                                          "url": gateway.url}},
                           NOTIFY_PUBLIC_CHANNELS=["sms"], NOTIFY_RETRY_LIMIT=3):  # fmt: skip
        channels_forget()
        gateway.failures = 1
        with committed(execute=True):
            notify_phone("13912345678", title="您反映的问题已派至责任单位办理", cause="case_event:7")
        row = Delivery.objects.get()
        assert (row.status, row.attempts, gateway.received) == ("pending", 1, [])
        assert row.next_attempt_at > timezone.now() and "503" in row.last_error
        assert deliveries_send() == {"sent": 0, "retry": 0, "failed": 0}  # not due yet
        later = timezone.now() + dt.timedelta(minutes=5)
        assert deliveries_send(now=later)["sent"] == 1
        row.refresh_from_db()
        assert (row.status, row.attempts, row.provider_ref) == ("sent", 2, "msg-1")
        assert gateway.received[0]["to"] == "13912345678" and gateway.received[0]["id"].startswith("case_event:7")
        gateway.failures = 10
        with committed(execute=True):
            notify_phone("13912345678", title="已办结", cause="case_event:8")
        for minutes in (10, 60):
            deliveries_send(now=timezone.now() + dt.timedelta(minutes=minutes))
        failed = Delivery.objects.get(cause="case_event:8")
        assert (failed.status, failed.attempts) == ("failed", 3) and len(gateway.received) == 1


def test_a_message_claimed_by_one_worker_is_not_sent_by_another(world, gateway, committed):
    sms = {"sms": {"adapter": "notifications.channels.GatewayChannel", "url": gateway.url}}
    with override_settings(NOTIFICATION_CHANNELS=sms, NOTIFY_PUBLIC_CHANNELS=["sms"]):
        channels_forget()
        with committed(execute=False):  # the row is written; no one has sent it yet
            notify_phone("13912345678", title="x", cause="case_event:9")
        row = Delivery.objects.get()
        Delivery.objects.filter(pk=row.pk).update(status="sending", claimed_at=timezone.now())  # worker A has it
        assert deliveries_send(now=timezone.now() + dt.timedelta(minutes=5))["sent"] == 0  # worker B skips it
        assert gateway.received == []
        stale = timezone.now() + dt.timedelta(minutes=30)  # worker A died: the sweep retries, same message id
        assert deliveries_send(now=stale)["sent"] == 0  # sending alone leaves a claimed row alone
        assert outbox_sweep(now=stale) == {"stale": 1, "sent": 1, "retry": 0, "failed": 0}
        assert len(gateway.received) == 1 and gateway.received[0]["id"] == f"case_event:9:sms:{row.pk}"


@override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
def test_email_goes_through_django_mail(world, committed):
    with override_settings(NOTIFICATION_CHANNELS={"email": {"adapter": "notifications.channels.EmailChannel"}},
                           NOTIFY_STAFF_CHANNELS=["email"]):  # fmt: skip
        channels_forget()
        leader = world.users["street_leader"]
        leader.email = "leader@example.org"
        leader.save()
        with committed(execute=True):
            notify([leader.pk], title="案卷超时（红灯）", body="请督办", link="/cases/1/", cause="case_event:3")
        assert [message.to for message in mail.outbox] == [["leader@example.org"]]
        assert mail.outbox[0].subject == "案卷超时（红灯）" and "/cases/1/" in mail.outbox[0].body
