"""The outbox-writing rules of ``notifications.services`` pinned one at a time: what a row holds (defaults, lengths,
masked and encrypted addresses, secrets), who gets one (active users, once each, only where they have an address),
what a repeated cause writes, when the worker is asked to send, and reading in-app messages."""

import json

import pytest
from django.test import override_settings

from gridgov import crypto
from notifications.models import Delivery, Notification
from notifications.services import MASK, notifications_read, notify, notify_phone, unread_count

PHONE = "13912345678"
OUTBOX = "notifications.channels.OutboxChannel"
STAFF_CHANNELS = {
    "inapp": {"adapter": "notifications.channels.InAppChannel"},
    "email": {"adapter": OUTBOX, "address_field": "email"},
    "wechat": {"adapter": OUTBOX, "address_field": "username"},
    "sms": {"adapter": OUTBOX, "address_field": "phone"},
}


@pytest.fixture
def outbox(db, django_capture_on_commit_callbacks):
    """The default channels, all without a gateway; what waits for the commit is captured, not run, so the rows
    stay as written."""
    with (
        override_settings(
            NOTIFICATION_CHANNELS=STAFF_CHANNELS,
            NOTIFY_STAFF_CHANNELS=["inapp", "email", "wechat"],
            NOTIFY_PUBLIC_CHANNELS=["sms"],
        ),
        django_capture_on_commit_callbacks(execute=False) as callbacks,
    ):
        yield callbacks


def rows_by_channel(cause: str) -> dict[str, Delivery]:
    return {row.channel: row for row in Delivery.objects.filter(cause=cause)}


def test_rule_notify_leaves_body_and_link_empty_and_names_the_case_event_template(world, outbox):
    handler = world.user("department_handler")
    assert notify([handler.pk], title="案卷 1：派遣", cause="case_event:1") == 2  # in-app and WeChat (user name)
    for row in rows_by_channel("case_event:1").values():
        assert (row.title, row.body, row.link, row.template) == ("案卷 1：派遣", "", "", "case_event")
        assert row.data == {"kind": "other"} and row.secret == ""  # the kind of message, for channel choices


def test_rule_notify_keeps_the_template_data(world, outbox):
    handler = world.user("department_handler")
    notify([handler.pk], title="案卷 2：派遣", cause="case_event:2", template="case_dispatched", data={"case": 2})
    rows = rows_by_channel("case_event:2")
    expected = {("case_dispatched", (("case", 2), ("kind", "other")))}
    assert {(row.template, tuple(sorted(row.data.items()))) for row in rows.values()} == expected


def test_rule_notify_phone_leaves_body_and_link_empty_and_names_the_public_step_template(outbox):
    assert notify_phone(PHONE, title="您反映的问题已受理", cause="case_event:2") == 1
    row = Delivery.objects.get()
    assert (row.channel, row.title, row.body, row.link, row.template) == (
        "sms",
        "您反映的问题已受理",
        "",
        "",
        "case_public_step",
    )
    assert row.data == {} and row.secret == ""


def test_rule_notify_tells_each_active_user_once_on_each_staff_channel_with_an_address(world, outbox):
    handler, leader, worker = world.user("department_handler"), world.user("street_leader"), world.user("grid_worker_a")
    handler.email = "handler@example.org"
    handler.save()
    worker.is_active = False
    worker.save()
    written = notify([handler.pk, leader.pk, handler.pk, worker.pk], title="案卷 3：超时", cause="case_event:3")
    keys = sorted((row.channel, row.recipient_key, row.user_id) for row in Delivery.objects.all())
    assert keys == sorted(
        [
            ("inapp", f"user:{handler.pk}", handler.pk),
            ("email", f"user:{handler.pk}", handler.pk),
            ("wechat", f"user:{handler.pk}", handler.pk),
            ("inapp", f"user:{leader.pk}", leader.pk),
            ("wechat", f"user:{leader.pk}", leader.pk),  # the leader has no e-mail address
        ]
    )
    assert written == 5
    assert not Delivery.objects.filter(channel="sms").exists()  # SMS is not a staff channel here


def test_rule_addresses_are_stored_encrypted_except_in_app_and_shown_masked(world, outbox):
    handler = world.user("department_handler")
    handler.email = "handler@example.org"
    handler.save()
    notify([handler.pk], title="案卷 4", cause="case_event:4")
    notify_phone(PHONE, title="已受理", cause="case_event:4")
    rows = rows_by_channel("case_event:4")
    assert rows["inapp"].address == str(handler.pk)  # the user's id, kept as it is
    for channel, clear in (("email", "handler@example.org"), ("wechat", "handler"), ("sms", PHONE)):
        assert clear not in rows[channel].address and crypto.decrypt(rows[channel].address) == clear
    assert rows["email"].address_masked == "h***@example.org"
    assert rows["sms"].address_masked == "139******78"
    assert rows["wechat"].address_masked == "handler"  # neither digits nor an e-mail address: shown as it is


def test_rule_a_masked_address_keeps_only_the_first_character_of_the_mail_name_and_at_most_100_characters(
    world, outbox
):
    handler, leader = world.user("department_handler"), world.user("street_leader")
    handler.email = "zhang.wei@example.org"
    handler.save()
    leader.username = "u" * 130
    leader.save()
    notify([handler.pk, leader.pk], title="案卷 5", cause="case_event:5")
    masked = {(row.user_id, row.channel): row.address_masked for row in Delivery.objects.exclude(channel="inapp").all()}
    assert masked[(handler.pk, "email")] == "z***@example.org"
    assert masked[(leader.pk, "wechat")] == "u" * 100
    assert crypto.decrypt(Delivery.objects.get(user=leader, channel="wechat").address) == "u" * 130


def test_rule_a_masked_mail_address_hides_the_whole_name_even_one_holding_an_at_sign(world, outbox):
    handler = world.user("department_handler")
    handler.email = '"zhang@home"@example.org'  # a quoted name may hold "@" (RFC 5321); the domain follows the last
    handler.full_clean(exclude=["password"])
    handler.save()
    notify([handler.pk], title="案卷 5", cause="case_event:5")
    row = Delivery.objects.get(channel="email")
    assert row.address_masked == '"***@example.org'
    assert crypto.decrypt(row.address) == '"zhang@home"@example.org'


def test_rule_a_digits_only_address_is_masked_as_a_phone(world, outbox):
    handler = world.user("department_handler")
    handler.username = "02112345678"  # a WeChat id of digits: masked like a number, not shown
    handler.save()
    notify([handler.pk], title="案卷 6", cause="case_event:6")
    assert rows_by_channel("case_event:6")["wechat"].address_masked == "*********78"


def test_rule_title_link_cause_and_template_are_cut_to_their_columns(world, outbox):
    handler = world.user("department_handler")
    cause = "case_event:" + "7" * 70  # 81 characters: the first 64 are the cause
    title, link, body = "标" * 230, "/cases/" + "x" * 320, "长" * 500
    written = notify([handler.pk], title=title, body=body, link=link, cause=cause, template="t" * 80)
    assert written == 2
    assert Delivery.objects.filter(cause=cause[:64]).count() == 2
    row = Delivery.objects.get(channel="inapp")
    assert (len(row.title), len(row.link), len(row.cause), len(row.template)) == (200, 300, 64, 64)
    assert row.title == title[:200] and row.link == link[:300] and row.template == "t" * 64
    assert row.body == body  # the body is a text column: kept whole
    assert notify([handler.pk], title=title, link=link, cause=cause) == 0  # the same (cut) cause: nothing new


def test_rule_a_repeated_cause_writes_nothing_and_asks_the_worker_for_nothing(
    world, outbox, django_capture_on_commit_callbacks
):
    handler = world.user("department_handler")
    with django_capture_on_commit_callbacks() as first:
        notify_phone(PHONE, title="旧消息", cause="case_event:0")  # another cause already in the outbox
        assert notify([handler.pk], title="案卷 8", cause="case_event:8") == 2
    assert len(first) == 2
    with django_capture_on_commit_callbacks() as again:
        assert notify([handler.pk], title="案卷 8", cause="case_event:8") == 0
        assert notify_phone(PHONE, title="已受理", cause="case_event:0") == 0
    assert again == []  # nothing written, nothing to send
    assert Delivery.objects.count() == 3


def test_rule_nobody_to_tell_writes_nothing_and_asks_the_worker_for_nothing(
    world, outbox, django_capture_on_commit_callbacks
):
    with override_settings(NOTIFY_STAFF_CHANNELS=["email"]), django_capture_on_commit_callbacks() as callbacks:
        assert notify([world.user("department_handler").pk], title="案卷 9", cause="case_event:9") == 0
        assert notify([], title="案卷 9", cause="case_event:9") == 0
    assert not Delivery.objects.exists() and callbacks == []


def test_rule_the_worker_is_handed_the_ids_of_the_rows_written_after_commit(world, django_capture_on_commit_callbacks):
    handler = world.user("department_handler")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert notify([handler.pk], title="案卷 10：派遣", cause="case_event:10") >= 1
    assert len(callbacks) == 1
    assert not Delivery.objects.filter(cause="case_event:10").exclude(status="sent").exists()
    assert Notification.objects.get(user=handler, cause="case_event:10").title == "案卷 10：派遣"


def test_rule_a_phone_is_one_recipient_by_its_keyed_hash_on_each_public_channel(outbox):
    with override_settings(NOTIFY_PUBLIC_CHANNELS=["sms", "wechat"]):
        assert notify_phone(PHONE, title="已受理", cause="case_event:11") == 2
    rows = rows_by_channel("case_event:11")
    assert set(rows) == {"sms", "wechat"}
    expected_key = "phone:" + crypto.lookup_hash(PHONE)[:40]
    assert len(expected_key) == 46
    assert {row.recipient_key for row in rows.values()} == {expected_key}
    assert {row.user_id for row in rows.values()} == {None}
    assert notify_phone("139 1234 5678", title="已受理", cause="case_event:11") == 0  # the same phone, typed apart


def test_rule_secrets_are_masked_in_every_readable_column_and_kept_encrypted_in_clear(outbox):
    written = notify_phone(
        PHONE,
        title="验证码 {code}，{minutes} 分钟内有效",
        body="您的验证码是 {code}",
        cause="portal_code:1",
        template="verification_code",
        data={"purpose": "登录"},
        secrets={"code": "482913", "minutes": "10"},
    )
    assert written == 1
    row = Delivery.objects.get()
    assert row.title == f"验证码 {MASK}，{MASK} 分钟内有效" and row.body == f"您的验证码是 {MASK}"
    assert row.data == {"purpose": "登录", "code": MASK, "minutes": MASK}
    assert "482913" not in row.secret
    assert json.loads(crypto.decrypt(row.secret)) == {
        "title": "验证码 482913，10 分钟内有效",
        "body": "您的验证码是 482913",
        "data": {"purpose": "登录", "code": "482913", "minutes": "10"},
    }


def test_rule_a_long_title_with_a_secret_is_cut_to_200_characters_both_masked_and_in_clear(outbox):
    notify_phone(PHONE, title="码" * 196 + "{code}", cause="portal_code:2", secrets={"code": "482913"})
    row = Delivery.objects.get()
    assert row.title == "码" * 196 + "****"
    assert json.loads(crypto.decrypt(row.secret))["title"] == "码" * 196 + "4829"
    assert json.loads(crypto.decrypt(row.secret))["data"] == {"code": "482913"}


def test_rule_reading_marks_the_given_unread_messages_of_one_user_only(world):
    dispatcher, handler = world.user("dispatcher"), world.user("department_handler")
    first, second, third = (
        Notification.objects.create(user=dispatcher, title=f"消息 {number}", cause=f"case:{number}")
        for number in (1, 2, 3)
    )
    others = Notification.objects.create(user=handler, title="他人的消息", cause="case:4")
    assert (unread_count(dispatcher.pk), unread_count(handler.pk)) == (3, 1)
    assert notifications_read(dispatcher.pk, [first.pk, others.pk]) == 1
    assert (unread_count(dispatcher.pk), unread_count(handler.pk)) == (2, 1)
    first.refresh_from_db()
    read_at = first.read_at
    assert read_at is not None
    assert notifications_read(dispatcher.pk) == 2  # the rest; the one read before is not read again
    first.refresh_from_db()
    assert first.read_at == read_at
    assert unread_count(dispatcher.pk) == 0 and unread_count(handler.pk) == 1
    assert notifications_read(dispatcher.pk) == 0
    second.refresh_from_db()
    third.refresh_from_db()
    assert second.read_at is not None and third.read_at is not None
