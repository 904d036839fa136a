"""The daily fact table every statistic reads (in the spirit of eGova's ``to_stat_info``).

One row per day × grid × category × source × department × person × measure holds how many times the measure
happened, how many of those were in time, and the minutes they took. :mod:`stats.facts` derives the rows from
case events, adds them as each event is written, and rebuilds them from the whole event log.
Dimension columns hold ids without foreign keys (0 = none), as a fact table does: a deleted category keeps its
history.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class StatFact(models.Model):
    day = models.DateField(_("日期"))
    grid_id = models.PositiveIntegerField(_("网格"))
    category_id = models.PositiveIntegerField(_("类别"), default=0)
    source = models.CharField(_("来源"), max_length=16)
    department_id = models.PositiveIntegerField(_("部门"), default=0)
    person_id = models.PositiveIntegerField(_("人员"), default=0)
    measure = models.CharField(_("度量"), max_length=16)
    count = models.IntegerField(_("数量"), default=0)
    on_time = models.IntegerField(_("按时数"), default=0)
    minutes = models.FloatField(_("用时（分钟）"), default=0)

    class Meta:
        verbose_name = _("统计事实")
        verbose_name_plural = _("统计事实")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "grid_id", "category_id", "source", "department_id", "person_id", "measure"],
                name="stats_fact_key",
            )
        ]
        # Few indexes beside the key, so that each event's facts cost intake little (bench/stats_intake.py): a
        # narrow one on the day (a period's rows: the planner takes it where the wide key looks dearer than a
        # scan), one for a measure's rows over a window (a trend, a chart) and one for a person's rows over months
        # (their scorecard). A department's rows are read within a period, through the day.
        indexes = [
            models.Index(fields=["measure", "day"], name="stats_fact_measure_day"),
            models.Index(fields=["day", "grid_id"], name="stats_fact_day_grid"),
            models.Index(fields=["person_id", "day"], name="stats_fact_person_day", condition=~models.Q(person_id=0)),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.grid_id} {self.measure} {self.count}"
