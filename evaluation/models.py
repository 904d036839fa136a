"""Scoring configuration (考核方案): which indicators make a position's composite index, with what weight, quota and
grade bands, for which class of area, from which date. :mod:`evaluation.scoring` reads the scheme in force."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Position(models.TextChoices):
    """Who or what is evaluated (DESIGN §7)."""

    FIELD_WORKER = "field_worker", _("监督员/网格员")
    INTAKE_CLERK = "intake_clerk", _("受理员")
    SHIFT_LEADER = "shift_leader", _("值班长")
    DISPATCHER = "dispatcher", _("派遣员")
    DEPARTMENT = "department", _("专业部门")
    AREA = "area", _("区域")


def default_bands() -> dict[str, float]:
    return {"A": 90, "B": 75, "C": 60, "D": 40}


class ScoringScheme(models.Model):
    position = models.CharField(_("考核对象"), max_length=16, choices=Position.choices)
    area_class = models.CharField(
        _("区域类别"), max_length=32, blank=True, help_text=_("空 = 所有区域；否则只用于该类别的区域")
    )
    effective_from = models.DateField(_("生效日期"))
    weights = models.JSONField(_("权重"), default=dict, help_text=_("指标编码 → 权重（百分比，合计 100）"))
    quotas = models.JSONField(_("定额"), default=dict, blank=True, help_text=_("计数指标编码 → 满分所需数量"))
    bands = models.JSONField(_("等级分数线"), default=default_bands)
    note = models.TextField(_("依据说明"), blank=True)

    class Meta:
        verbose_name = _("考核方案")
        verbose_name_plural = _("考核方案")
        ordering = ["position", "area_class", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["position", "area_class", "effective_from"], name="scoring_scheme_key")
        ]
        permissions = [("evaluate_people", _("查看他人的个人考核明细"))]

    def __str__(self) -> str:
        return f"{self.get_position_display()} {self.area_class or '*'} {self.effective_from}"


class AreaClass(models.Model):
    """The class an area belongs to for scoring (e.g. 核心区, 城郊); an area without one inherits its parent's."""

    area = models.OneToOneField("areas.Area", verbose_name=_("区域"), related_name="+", on_delete=models.CASCADE)
    area_class = models.CharField(_("区域类别"), max_length=32)

    class Meta:
        verbose_name = _("区域类别")
        verbose_name_plural = _("区域类别")

    def __str__(self) -> str:
        return f"{self.area_id}: {self.area_class}"
