"""Changes to the registry proposed from the field, and the building head's 10+X reports.

A :class:`RegistryChange` holds the facts of a proposed change (八必报, a 10+X population change, a visit) and the
values of the fields it touches as they were when proposed (``base``). It is made only when a grid worker or
community staff member confirms it, through the registry's services; if a field changed in between, the
confirmation shows both versions and asks which to keep. ID numbers and phones among the facts are kept
encrypted (``secret_encrypted``); ``facts`` holds only their masked forms.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from registry.choices import ChangeKind, ChangeSource, ChangeStatus
from registry.models.scoping import RegistryQuerySet


class RegistryChange(models.Model):
    kind = models.CharField(_("变动类型"), max_length=20, choices=ChangeKind.choices)
    source = models.CharField(_("来源"), max_length=20, choices=ChangeSource.choices, default=ChangeSource.OTHER)
    status = models.CharField(_("状态"), max_length=12, choices=ChangeStatus.choices, default=ChangeStatus.PENDING)
    grid = models.ForeignKey("areas.Area", verbose_name=_("网格"), related_name="+", on_delete=models.PROTECT)
    person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("人员"),
        null=True,
        blank=True,
        related_name="changes",
        on_delete=models.CASCADE,
    )
    house = models.ForeignKey(
        "registry.House",
        verbose_name=_("房屋"),
        null=True,
        blank=True,
        related_name="changes",
        on_delete=models.CASCADE,
    )
    household = models.ForeignKey(
        "registry.Household",
        verbose_name=_("户"),
        null=True,
        blank=True,
        related_name="changes",
        on_delete=models.CASCADE,
    )
    building_report = models.ForeignKey(
        "registry.BuildingReport",
        verbose_name=_("楼栋长报告"),
        null=True,
        blank=True,
        related_name="changes",
        on_delete=models.CASCADE,
    )
    facts = models.JSONField(_("变动内容"), default=dict)
    secret_encrypted = models.TextField(blank=True, help_text=_("证件号码、手机等（密文 JSON）"))
    base = models.JSONField(_("提出时的原值"), default=dict)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提出人"), related_name="+", on_delete=models.PROTECT
    )
    proposed_at = models.DateTimeField(_("提出时间"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )
    decided_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    decision_note = models.CharField(_("确认意见"), max_length=500, blank=True)
    result = models.JSONField(_("处理结果"), default=dict, blank=True, help_text=_("新建或修改的记录"))

    objects = RegistryQuerySet.as_manager()

    class Meta:
        verbose_name = _("基础信息变动")
        verbose_name_plural = _("基础信息变动")
        ordering = ["-proposed_at", "-id"]
        permissions = [("confirm_registrychange", _("可确认基础信息变动"))]
        indexes = [models.Index(fields=["grid", "status"], name="registrychange_grid_status")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.proposed_at:%Y-%m-%d}"

    @property
    def subject_name(self) -> str:
        """The person's name, or the name given for a person not yet registered."""
        return self.person.name if self.person_id and self.person else str(self.facts.get("name") or "")

    def fact(self, key: str) -> str:
        return str(self.facts.get(key) or "")


class BuildingFact(models.Model):
    """One of the building head's ten facts (as configured): its label and the registry count it is compared to."""

    key = models.SlugField(_("代码"), max_length=32, unique=True)
    label = models.CharField(_("名称"), max_length=50)
    measure = models.CharField(
        _("对照的登记数"), max_length=32, blank=True, help_text=_("与基础资源库中的哪项数量比对（留空不比对）")
    )
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("楼栋十项信息")
        verbose_name_plural = _("楼栋十项信息")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.label


class BuildingReport(models.Model):
    """A building head's 10+X report: the ten facts as they stand, X items (requests, hazards) and changes."""

    building = models.ForeignKey(
        "registry.Building", verbose_name=_("楼栋"), related_name="reports", on_delete=models.CASCADE
    )
    grid = models.ForeignKey("areas.Area", verbose_name=_("网格"), related_name="+", on_delete=models.PROTECT)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("报告人"), related_name="+", on_delete=models.PROTECT
    )
    reported_on = models.DateField(_("报告日期"))
    facts = models.JSONField(_("十项信息"), default=dict)
    registry_counts = models.JSONField(_("登记数"), default=dict, help_text=_("报告时基础资源库中的对应数量"))
    x_items = models.JSONField(_("X项"), default=list)
    note = models.CharField(_("备注"), max_length=500, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("核对人"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )
    reviewed_at = models.DateTimeField(_("核对时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RegistryQuerySet.as_manager()

    class Meta:
        verbose_name = _("楼栋长报告")
        verbose_name_plural = _("楼栋长报告")
        ordering = ["-reported_on", "-id"]

    def __str__(self) -> str:
        return f"{self.building} {self.reported_on}"
