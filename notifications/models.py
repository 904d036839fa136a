"""In-app notifications (站内消息). One row per person and cause, so a retried send never tells anyone twice."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from notifications.choices import NoticeKind


class Notification(models.Model):
    """One message for one person and cause. A grouped message (a digest: "12 个案件进入红灯") is one row with one
    :class:`NotificationItem` per case; a message about one case has one item; a notice about no case has none."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, related_name="notifications", on_delete=models.CASCADE)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    link = models.CharField(_("链接"), max_length=300, blank=True)
    cause = models.CharField(_("来源事件"), max_length=64)
    kind = models.CharField(_("类别"), max_length=16, choices=NoticeKind.choices, default=NoticeKind.OTHER)
    #: When its cause happened (the event's time; now for a notice without one).
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("消息")
        verbose_name_plural = _("消息")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "cause"], name="notification_once_per_cause")]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread", condition=Q(read_at=None))]

    def __str__(self) -> str:
        return self.title


class NotificationItem(models.Model):
    """One case a message is about. ``waits_while`` is the case's state in which the message still needs its
    reader (blank: it never does, e.g. a notice that a case was voided); ``event_id`` the event that caused it,
    so an action of the reader on the case after it means the reader has dealt with it."""

    notification = models.ForeignKey(Notification, related_name="items", on_delete=models.CASCADE)
    case = models.ForeignKey("cases.Case", related_name="+", on_delete=models.CASCADE)
    event_id = models.BigIntegerField(_("事件"), null=True, blank=True)
    waits_while = models.CharField(_("待办状态"), max_length=16, blank=True)
    title = models.CharField(_("标题"), max_length=200)

    class Meta:
        verbose_name = _("消息条目")
        verbose_name_plural = _("消息条目")
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["notification", "case"], name="notification_item_once")]

    def __str__(self) -> str:
        return self.title


class ChannelChoice(models.Model):
    """A person's choice of one channel for one kind of message; without a row the channel is on. In-app
    messages are always on and have no row."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, related_name="channel_choices", on_delete=models.CASCADE)
    kind = models.CharField(_("类别"), max_length=16, choices=NoticeKind.choices)
    channel = models.CharField(_("渠道"), max_length=16)
    enabled = models.BooleanField(_("接收"), default=True)

    class Meta:
        verbose_name = _("消息渠道选择")
        verbose_name_plural = _("消息渠道选择")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "channel"], name="channel_choice_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} {self.channel} {self.enabled}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")


class Delivery(models.Model):
    """The outbox: one message for one recipient on one channel for one cause. The unique key makes a repeated
    cause (a retried task, a second worker) write nothing; the status is claimed before sending, so a message
    is handed to its channel once. A secret (a one-time code) is kept encrypted in ``secret`` and shown masked
    everywhere else; it is wiped once the row is sent or has failed. Channels without a gateway (the demo,
    tests) stop here: this table is what a page or a test reads as the outbox."""

    channel = models.CharField(_("渠道"), max_length=16)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        null=True,
        blank=True,
        related_name="deliveries",
        on_delete=models.CASCADE,
    )
    recipient_key = models.CharField(_("接收人键"), max_length=80)
    address = models.TextField(_("地址（手机号为密文）"), blank=True)
    address_masked = models.CharField(_("地址"), max_length=100, blank=True)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    link = models.CharField(_("链接"), max_length=300, blank=True)
    template = models.CharField(_("模板"), max_length=64, blank=True)
    data = models.JSONField(_("模板数据"), default=dict, blank=True)
    #: What must not be read from the table (a one-time code): the clear title, body and data, encrypted; the
    #: columns above hold them masked. Decrypted only to hand the message to its channel, wiped once sent or failed.
    secret = models.TextField(_("加密内容"), blank=True, default="")
    cause = models.CharField(_("来源事件"), max_length=64)
    status = models.CharField(_("状态"), max_length=8, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("领取时间"), null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    provider_ref = models.CharField(_("渠道回执"), max_length=100, blank=True)
    last_error = models.CharField(_("最近错误"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("发送记录")
        verbose_name_plural = _("发送记录")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "recipient_key", "cause"], name="delivery_once_per_cause")
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"], name="delivery_pending", condition=Q(status__in=["pending", "sending"])
            ),
            models.Index(fields=["channel", "created_at"], name="delivery_channel_created"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} → {self.address_masked}: {self.title}"
