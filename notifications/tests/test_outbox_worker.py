"""The outbox keeps no secret and sends only in the worker: a one-time code asked for on the portal is readable
in no table, task argument or log line, yet the SMS gateway gets it; the request returns before a slow gateway
answers; the periodic job retries what a stopped worker left behind, with the same message id."""

import importlib
import io
import logging
import re
import time

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models
from django.test import Client, override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts.models import User
from audit.models import AuditEntry
from notifications.channels import channels_forget
from notifications.models import Delivery, DeliveryStatus, Notification
from notifications.services import notify_phone
from notifications.testing import LocalGateway
from portal.models import OneTimeCode

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
PHONE = "13912345678"


def gateway_settings(gateway: LocalGateway):
    return override_settings(NOTIFICATION_CHANNELS=gateway.channels("sms"), NOTIFY_PUBLIC_CHANNELS=["sms"])


def worker_run() -> str:
    """One pass of the real task worker over everything queued; returns what it printed."""
    out = io.StringIO()
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", stdout=out, stderr=out)
    return out.getvalue()


def stored_texts(*model_classes: type[models.Model]) -> list[str]:
    """Every text and JSON value of every row of the given tables, as stored."""
    texts: list[str] = []
    for model in model_classes:
        texts_of = models.CharField | models.TextField | models.JSONField
        fields = [field.attname for field in model._meta.concrete_fields if isinstance(field, texts_of)]
        for row in model._default_manager.values_list(*fields):
            texts.extend(str(value) for value in row)
    return texts


@pytest.fixture
def sms(db):
    with LocalGateway().running() as gateway, gateway_settings(gateway):
        channels_forget()
        yield gateway


def test_a_one_time_code_is_kept_nowhere_in_clear_but_reaches_the_gateway(transactional_db, world, sms, caplog):
    caplog.set_level(logging.DEBUG)
    with override_settings(TASKS=DATABASE_TASKS):  # requests commit for real here, as the worker needs
        assert Client().post("/portal/code/", {"phone": PHONE}).json()["sent"] is True
    queued = DBTaskResult.objects.get()
    row = Delivery.objects.get(cause__startswith="portal_code:")
    assert queued.args_kwargs == {"args": [[row.pk]], "kwargs": {}}  # ids only in the task table
    assert row.status == DeliveryStatus.PENDING and row.secret and row.title.startswith("验证码 ******")
    assert row.data == {"code": "******"}
    with override_settings(TASKS=DATABASE_TASKS):
        printed = worker_run()
    (texted,) = sms.received
    code = texted["data"]["code"]
    assert re.fullmatch(r"\d{6}", code) and f"验证码 {code}，" in texted["text"] and texted["to"] == PHONE
    row.refresh_from_db()
    assert row.status == DeliveryStatus.SENT and row.secret == ""  # wiped once sent
    tables = (Delivery, Notification, AuditEntry, DBTaskResult, OneTimeCode)
    assert not [text for text in stored_texts(*tables) if code in text]
    assert code not in caplog.text and code not in printed
    admin = User.objects.create_superuser("root", password="test-password-1")
    client = Client()
    client.force_login(admin)
    for url in ("/admin/notifications/delivery/", f"/admin/notifications/delivery/{row.pk}/change/"):
        page = client.get(url).content.decode()
        assert "验证码 ******" in page and code not in page


def test_a_slow_gateway_does_not_hold_the_portal_request(transactional_db, world):
    with LocalGateway(delay=3).running() as slow, gateway_settings(slow), override_settings(TASKS=DATABASE_TASKS):
        channels_forget()
        started = time.monotonic()
        response = Client().post("/portal/code/", {"phone": PHONE})  # commits, and runs what waits for the commit
        elapsed = time.monotonic() - started
        assert response.status_code == 200 and elapsed < 1, elapsed
        row = Delivery.objects.get()
        assert row.status == DeliveryStatus.PENDING and slow.received == []
        worker_run()
        row.refresh_from_db()
        assert row.status == DeliveryStatus.SENT and len(slow.received) == 1


def test_the_periodic_job_retries_a_row_a_stopped_worker_left_with_the_same_message_id(
    world, sms, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):  # written; the worker that took it then died
        notify_phone(PHONE, title="您反映的问题已办结", cause="case_event:5")
    row = Delivery.objects.get()
    Delivery.objects.filter(pk=row.pk).update(status=DeliveryStatus.SENDING, claimed_at=timezone.now())
    call_command("periodic", stdout=io.StringIO())
    assert sms.received == []  # claimed a moment ago: still the other worker's
    Delivery.objects.filter(pk=row.pk).update(claimed_at=timezone.now() - timezone.timedelta(minutes=30))
    out = io.StringIO()
    call_command("periodic", stdout=out)
    row.refresh_from_db()
    assert row.status == DeliveryStatus.SENT and [message["id"] for message in sms.received] == [
        f"case_event:5:sms:{row.pk}"
    ]
    # stale 1: this row; the same run also sends what the first run's jobs wrote (the bulletins it published)
    assert "notifications.tasks.outbox_sweep: stale 1, sent " in out.getvalue()
    assert "cases.deadlines.deadlines_sweep" in out.getvalue()


def test_codes_stored_in_clear_before_are_wiped_by_the_migration(world):
    def code_row(key: str, code: str, **fields):
        title = f"验证码 {code}，10 分钟内有效。"
        return Delivery.objects.create(channel="sms", recipient_key=key, title=title, template="verification_code",
                                       data={"code": code}, cause=f"portal_code:{key}", **fields)  # fmt: skip

    sent = code_row("1", "482913", status=DeliveryStatus.SENT)
    waiting = code_row("2", "771204")
    other = Delivery.objects.create(channel="sms", recipient_key="phone:3", title="编号 20260101 已办结", cause="x:1")
    code = OneTimeCode.objects.create(phone_hash="h", code_hash="a" * 64, created_at=timezone.now(),
                                      expires_at=timezone.now())  # fmt: skip
    importlib.import_module("notifications.migrations.0004_wipe_clear_codes").wipe(apps, None)
    importlib.import_module("portal.migrations.0002_spend_unkeyed_codes").spend(apps, None)
    for row in (sent, waiting, other, code):
        row.refresh_from_db()
    assert (sent.title, sent.data, sent.status) == ("验证码 ******，10 分钟内有效。", {"code": "******"}, "sent")
    assert (waiting.title, waiting.status) == ("验证码 ******，10 分钟内有效。", "failed")
    assert other.title == "编号 20260101 已办结" and code.code_hash == ""
