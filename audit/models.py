"""The audit trail: every read of a resident's record, every full view of an ID number or phone, every export,
and every change of a registry record with its old and new values (the record's history).

Append-only; rows carry the area code of the record so that audit views can be scoped and PostgreSQL can
partition the table by month on ``at``. Sensitive values never enter ``changes`` in clear (see services).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    VIEW = "view", _("查看")
    REVEAL = "reveal", _("查看完整证件号/手机号")
    SEARCH = "search", _("查询")
    EXPORT = "export", _("导出")
    CREATE = "create", _("新增")
    UPDATE = "update", _("修改")
    DELETE = "delete", _("删除")
    REFUSE = "refuse", _("拒绝")


CHANGE_ACTIONS = (AuditAction.CREATE, AuditAction.UPDATE, AuditAction.DELETE)


class Channel(models.TextChoices):
    PAGE = "page", _("页面")
    API = "api", _("接口")
    IMPORT = "import", _("导入")
    COMMAND = "command", _("命令")
    SYSTEM = "system", _("系统")


class AuditEntry(models.Model):
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.SET_NULL
    )
    action = models.CharField(_("操作"), max_length=16, choices=AuditAction.choices)
    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices)
    object_type = models.CharField(_("对象类型"), max_length=64)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    area_code = models.CharField(_("区域编码"), max_length=15, blank=True)
    fields = models.JSONField(_("字段"), default=list, blank=True)
    changes = models.JSONField(_("变更"), default=dict, blank=True)
    path = models.CharField(_("来源"), max_length=300, blank=True)
    detail = models.JSONField(_("说明"), default=dict, blank=True)

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        indexes = [models.Index(fields=["object_type", "object_id", "at"], name="audit_object_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.get_action_display()} {self.object_type}#{self.object_id}"


class AlertKind(models.TextChoices):
    SEARCH_BURST = "search_burst", _("精确查询超出频率")


class SecurityAlert(models.Model):
    """Something administrators should look at: a user who hit a protective limit (e.g. a burst of exact
    searches by phone or ID number). One row per burst, not per refused request."""

    kind = models.CharField(_("类型"), max_length=32, choices=AlertKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), null=True, blank=True, on_delete=models.SET_NULL
    )
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    detail = models.JSONField(_("说明"), default=dict, blank=True)
    acknowledged = models.BooleanField(_("已处理"), default=False)

    class Meta:
        verbose_name = _("安全告警")
        verbose_name_plural = _("安全告警")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()} {self.actor or ''}"
