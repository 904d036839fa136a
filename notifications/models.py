"""In-app notifications (站内消息). One row per person and cause, so a retried send never tells anyone twice."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, related_name="notifications", on_delete=models.CASCADE)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    link = models.CharField(_("链接"), max_length=300, blank=True)
    cause = models.CharField(_("来源事件"), max_length=64)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("消息")
        verbose_name_plural = _("消息")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "cause"], name="notification_once_per_cause")]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread", condition=Q(read_at=None))]

    def __str__(self) -> str:
        return self.title
