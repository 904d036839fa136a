"""Places (单位/场所) and components (部件, CJ/T 214 / GB/T 30428.2)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov import crypto
from registry.choices import ComponentState, PlaceKind, RiskLevel
from registry.models.scoping import RegistryQuerySet


class Place(models.Model):
    kind = models.CharField(_("类型"), max_length=32, choices=PlaceKind.choices)
    name = models.CharField(_("名称"), max_length=100)
    grid = models.ForeignKey("areas.Area", verbose_name=_("网格"), related_name="places", on_delete=models.PROTECT)
    address = models.CharField(_("地址"), max_length=200)
    lon = models.FloatField(_("经度"))
    lat = models.FloatField(_("纬度"))
    house = models.ForeignKey(
        "registry.House",
        verbose_name=_("所在房屋"),
        null=True,
        blank=True,
        related_name="places",
        on_delete=models.SET_NULL,
    )
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    responsible_name = models.CharField(_("负责人"), max_length=64, blank=True)
    responsible_phone_encrypted = models.TextField(_("负责人电话（密文）"), blank=True)
    responsible_phone_masked = models.CharField(_("负责人电话"), max_length=32, blank=True)
    risk_level = models.CharField(_("风险等级"), max_length=16, choices=RiskLevel.choices, default=RiskLevel.NORMAL)
    employees = models.PositiveIntegerField(_("从业人数"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = RegistryQuerySet.as_manager()

    class Meta:
        verbose_name = _("单位场所")
        verbose_name_plural = _("单位场所")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def set_responsible_phone(self, value: str) -> None:
        self.responsible_phone_encrypted = crypto.encrypt(value.strip())
        self.responsible_phone_masked = crypto.mask_phone(value.strip())


class Component(models.Model):
    """部件: 16-digit code = 6 county + 2 class + 2 subclass + 6 serial (DESIGN §4)."""

    code = models.CharField(_("部件编码"), max_length=16, unique=True)
    category = models.ForeignKey(
        "cases.Category", verbose_name=_("部件小类"), related_name="components", on_delete=models.PROTECT
    )
    grid = models.ForeignKey("areas.Area", verbose_name=_("网格"), related_name="components", on_delete=models.PROTECT)
    lon = models.FloatField(_("经度"))
    lat = models.FloatField(_("纬度"))
    address = models.CharField(_("位置描述"), max_length=200, blank=True)
    authority_department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("主管部门"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )
    owner_department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("权属单位"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )
    maintainer_department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("养护单位"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )
    state = models.CharField(_("状态"), max_length=16, choices=ComponentState.choices, default=ComponentState.INTACT)
    in_use = models.BooleanField(_("在用"), default=True)
    installed_on = models.DateField(_("设置日期"), null=True, blank=True)
    data_source = models.CharField(_("数据来源"), max_length=64, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = RegistryQuerySet.as_manager()

    class Meta:
        verbose_name = _("部件")
        verbose_name_plural = _("部件")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.category.name}"


class ComponentPhoto(models.Model):
    component = models.ForeignKey(Component, verbose_name=_("部件"), related_name="photos", on_delete=models.CASCADE)
    image = models.ImageField(_("照片"), upload_to="components/%Y/%m/")
    taken_at = models.DateTimeField(_("拍摄时间"), default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )

    class Meta:
        verbose_name = _("部件照片")
        verbose_name_plural = _("部件照片")
        ordering = ["-taken_at"]

    def __str__(self) -> str:
        return self.image.name or ""
