"""Custom reports (自定报表): rows, columns, measures and filters over the statistics' facts, saved by their owner
and shared with roles."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SavedReport(models.Model):
    name = models.CharField(_("名称"), max_length=100)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"), on_delete=models.CASCADE)
    spec = models.JSONField(_("定义"), default=dict)
    shared_roles = models.JSONField(_("共享角色"), default=list, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("自定报表")
        verbose_name_plural = _("自定报表")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name
