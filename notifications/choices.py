"""What a message is about, for grouping and for each person's choice of channels."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class NoticeKind(models.TextChoices):
    TASK = "task", _("交办、催办与进展")
    APPROVAL = "approval", _("待审批的申请")
    ALERT = "alert", _("超期与升级")
    SUMMONS = "summons", _("约谈召集")
    OTHER = "other", _("其他通知")


#: The channel every person always has: in-app messages cannot be switched off.
ALWAYS_ON = "inapp"
#: How each channel is named on the page of a person's choices.
CHANNEL_LABELS = {
    "inapp": _("站内消息"),
    "email": _("电子邮件"),
    "sms": _("短信"),
    "wechat": _("企业微信"),
}
