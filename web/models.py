from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RateCounter(models.Model):
    """One fixed-window rate-limit counter (gridgov/ratelimit.py), shared by every web process of a site."""

    bucket = models.CharField(_("计数键"), max_length=200, primary_key=True)
    count = models.PositiveIntegerField(_("次数"), default=0)
    expires_at = models.BigIntegerField(_("过期时间（Unix 秒）"), db_index=True)

    class Meta:
        verbose_name = _("限流计数")
        verbose_name_plural = _("限流计数")

    def __str__(self) -> str:
        return f"{self.bucket}: {self.count}"


class PeriodicRunOutcome(models.TextChoices):
    RUNNING = "running", _("运行中")
    OK = "ok", _("成功")
    FAILED = "failed", _("失败")


class PeriodicRun(models.Model):
    """The last run of one periodic job (``manage.py periodic``): when it started and finished, and how it ended.
    One row per job, overwritten on each run, so the administrator's workbench reads a handful of rows."""

    job = models.CharField(_("任务"), max_length=200, primary_key=True)
    started_at = models.DateTimeField(_("最近开始"))
    finished_at = models.DateTimeField(_("最近结束"), null=True, blank=True)
    outcome = models.CharField(
        _("结果"), max_length=8, choices=PeriodicRunOutcome.choices, default=PeriodicRunOutcome.RUNNING
    )
    counts = models.JSONField(_("处理数量"), default=dict, blank=True)
    error = models.CharField(_("错误"), max_length=300, blank=True)
    last_ok_at = models.DateTimeField(_("最近成功"), null=True, blank=True)

    class Meta:
        verbose_name = _("定时任务运行")
        verbose_name_plural = _("定时任务运行")
        ordering = ["job"]

    def __str__(self) -> str:
        return f"{self.job}: {self.outcome}"
