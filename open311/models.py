"""Open311 clients: third-party apps an administrator has given an API key (only the key's hash is kept)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiClient(models.Model):
    name = models.CharField(_("客户端名称"), max_length=100, unique=True)
    contact = models.CharField(_("联系人/方式"), max_length=200, blank=True)
    key_prefix = models.CharField(_("密钥前缀"), max_length=12, editable=False)
    key_hash = models.CharField(_("密钥摘要"), max_length=64, unique=True, editable=False)
    requests_per_minute = models.PositiveIntegerField(_("每分钟提交上限"), default=60)
    is_active = models.BooleanField(_("有效"), default=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("签发时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)

    class Meta:
        verbose_name = _("Open311 客户端")
        verbose_name_plural = _("Open311 客户端")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
