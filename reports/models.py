"""Custom reports (自定报表): rows, columns, measures and filters over the statistics' facts (``spec``, checked by
:func:`reports.spec.spec_parse`), saved by their owner and shared with roles. Whoever opens a report reads it over
their own areas: sharing gives the layout, never another person's numbers."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role


class SavedReport(models.Model):
    name = models.CharField(_("名称"), max_length=100)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"), on_delete=models.CASCADE)
    spec = models.JSONField(_("定义"), default=dict)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("自定报表")
        verbose_name_plural = _("自定报表")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def shared_roles(self) -> list[str]:
        """The roles the report is shared with (read through ``shares``; prefetch it for lists)."""
        return sorted((share.role for share in self.shares.all()), key=list(Role.values).index)


class ReportShare(models.Model):
    """A report shared with every user of one role."""

    report = models.ForeignKey(SavedReport, verbose_name=_("报表"), related_name="shares", on_delete=models.CASCADE)
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)

    class Meta:
        verbose_name = _("报表共享")
        verbose_name_plural = _("报表共享")
        constraints = [models.UniqueConstraint(fields=["report", "role"], name="reports_share_unique")]
        indexes = [models.Index(fields=["role"], name="reports_share_role")]

    def __str__(self) -> str:
        return f"{self.report} → {self.get_role_display()}"
