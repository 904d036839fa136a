"""Early warnings (预测预警): a grid's daily count of a category that its seasonal baseline makes unlikely."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.access import ScopedQuerySet


class AlertMethod(models.TextChoices):
    """The distribution the baseline was read with (alerts/detection.py)."""

    POISSON = "poisson", _("泊松分布")
    NEGATIVE_BINOMIAL = "negative_binomial", _("负二项分布")


class WarningAlertQuerySet(ScopedQuerySet):
    scope_code_field = "grid__code"


class WarningAlert(models.Model):
    grid = models.ForeignKey("areas.Area", verbose_name=_("网格"), related_name="+", on_delete=models.CASCADE)
    category = models.ForeignKey("cases.Category", verbose_name=_("类别"), related_name="+", on_delete=models.CASCADE)
    day = models.DateField(_("日期"))
    observed = models.PositiveIntegerField(_("实际数"))
    expected = models.FloatField(_("基线期望"))
    probability = models.FloatField(_("出现概率"), help_text=_("基线下出现不少于实际数的概率"))
    threshold = models.PositiveIntegerField(_("预警线"), default=0, help_text=_("基线下达到此数即预警"))
    baseline = models.JSONField(
        _("基线历史"), default=list, blank=True, help_text=_("此前各周同一星期几的上报数（由远及近）")
    )
    method = models.CharField(_("方法"), max_length=32, choices=AlertMethod.choices)
    created_at = models.DateTimeField(_("预警时间"))
    updated_at = models.DateTimeField(_("更新时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )
    acknowledged_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    note = models.TextField(_("处理说明"), blank=True)

    objects = WarningAlertQuerySet.as_manager()

    class Meta:
        verbose_name = _("预警")
        verbose_name_plural = _("预警")
        ordering = ["-day", "-id"]
        constraints = [models.UniqueConstraint(fields=["grid", "category", "day"], name="warning_alert_key")]
        indexes = [models.Index(fields=["acknowledged_at", "day"], name="warning_alert_open_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.grid_id} {self.category_id}"

    @property
    def handled(self) -> bool:
        return self.acknowledged_at is not None
