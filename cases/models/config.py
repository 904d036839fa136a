"""What administrators configure for the workflow: dispatch rules, the working calendar and working hours."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.choices import CaseLevel


class DispatchRule(models.Model):
    """(category, area, time of day) → department. The most specific active rule wins (see
    :func:`cases.dispatching.dispatch_suggest`); a component's own maintainer comes before any rule."""

    name = models.CharField(_("名称"), max_length=100)
    category = models.ForeignKey(
        "cases.Category",
        verbose_name=_("类别（大类或小类）"),
        null=True,
        blank=True,
        related_name="dispatch_rules",
        on_delete=models.CASCADE,
    )
    area = models.ForeignKey(
        "areas.Area",
        verbose_name=_("区域"),
        null=True,
        blank=True,
        related_name="dispatch_rules",
        on_delete=models.CASCADE,
    )
    time_from = models.TimeField(_("起始时间"), null=True, blank=True)
    time_to = models.TimeField(_("结束时间"), null=True, blank=True)
    department = models.ForeignKey(
        "accounts.Department", verbose_name=_("主办部门"), related_name="dispatch_rules", on_delete=models.CASCADE
    )
    assist_departments = models.ManyToManyField(
        "accounts.Department", verbose_name=_("协办部门"), blank=True, related_name="assist_dispatch_rules"
    )
    level = models.CharField(_("案卷层级"), max_length=16, choices=CaseLevel.choices, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("派遣规则")
        verbose_name_plural = _("派遣规则")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(time_from__isnull=True, time_to__isnull=True)
                | models.Q(time_from__isnull=False, time_to__isnull=False),
                name="dispatchrule_time_window_complete",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def covers_time(self, moment: dt.time) -> bool:
        if self.time_from is None or self.time_to is None:
            return True
        if self.time_from <= self.time_to:
            return self.time_from <= moment < self.time_to
        return moment >= self.time_from or moment < self.time_to  # a night window across midnight


class CalendarDay(models.Model):
    """An administrator's override of one day (a local holiday, a changed 调休), stronger than the statutory table."""

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("工作日"))
    note = models.CharField(_("说明"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("工作日历调整")
        verbose_name_plural = _("工作日历调整")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {'工作日' if self.is_workday else '休息日'}"


class WorkingHours(models.Model):
    """Working hours of an organisation; the row without a department is the default (the command centre's)."""

    department = models.OneToOneField(
        "accounts.Department",
        verbose_name=_("部门"),
        null=True,
        blank=True,
        related_name="working_hours",
        on_delete=models.CASCADE,
    )
    morning_start = models.TimeField(_("上午上班"), default=dt.time(8, 30))
    morning_end = models.TimeField(_("上午下班"), default=dt.time(12, 0))
    afternoon_start = models.TimeField(_("下午上班"), default=dt.time(13, 30))
    afternoon_end = models.TimeField(_("下午下班"), default=dt.time(17, 30))

    class Meta:
        verbose_name = _("工作时间")
        verbose_name_plural = _("工作时间")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(morning_start__lt=models.F("morning_end"))
                & models.Q(morning_end__lte=models.F("afternoon_start"))
                & models.Q(afternoon_start__lt=models.F("afternoon_end")),
                name="workinghours_ordered",
            ),
        ]

    def __str__(self) -> str:
        return str(self.department or _("默认"))

    def periods(self) -> tuple[tuple[dt.time, dt.time], ...]:
        return ((self.morning_start, self.morning_end), (self.afternoon_start, self.afternoon_end))
