"""The resident registry (人进户、户进房、房进网格): buildings, households and people.

This is the part of the registry the area backbone needs (balance checks, the demo district); the full
resource database builds on it. ID numbers and phones are stored encrypted with a keyed lookup hash.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.access import ScopedQuerySet
from registry import crypto


class RegistryQuerySet(ScopedQuerySet):
    scope_code_field = "grid__code"


class BuildingKind(models.TextChoices):
    RESIDENTIAL = "residential", _("住宅小区")
    SELF_BUILT = "self_built", _("自建房")
    SHARED_RENTAL = "shared_rental", _("群租房")
    COMMERCIAL = "commercial", _("商业楼宇")
    PUBLIC = "public", _("公共建筑")


class Building(models.Model):
    grid = models.ForeignKey("areas.Area", verbose_name=_("网格"), related_name="buildings", on_delete=models.PROTECT)
    name = models.CharField(_("名称"), max_length=100)
    address = models.CharField(_("地址"), max_length=200)
    kind = models.CharField(_("类型"), max_length=32, choices=BuildingKind.choices, default=BuildingKind.RESIDENTIAL)
    floors = models.PositiveSmallIntegerField(_("层数"), default=1)
    lon = models.FloatField(_("经度"))
    lat = models.FloatField(_("纬度"))

    objects = RegistryQuerySet.as_manager()

    class Meta:
        verbose_name = _("楼栋")
        verbose_name_plural = _("楼栋")

    def __str__(self) -> str:
        return self.address


class Household(models.Model):
    grid = models.ForeignKey("areas.Area", verbose_name=_("网格"), related_name="households", on_delete=models.PROTECT)
    building = models.ForeignKey(Building, verbose_name=_("楼栋"), related_name="households", on_delete=models.PROTECT)
    room = models.CharField(_("房号"), max_length=32)
    address = models.CharField(_("地址"), max_length=200)

    objects = RegistryQuerySet.as_manager()

    class Meta:
        verbose_name = _("户")
        verbose_name_plural = _("户")

    def __str__(self) -> str:
        return self.address


class ResidencyType(models.TextChoices):
    REGISTERED = "registered", _("户籍人口")
    RESIDENT = "resident", _("常住人口")
    FLOATING = "floating", _("流动人口")
    FOREIGN = "foreign", _("境外人员")
    UNREGISTERED = "unregistered", _("未落户人员")


class Sex(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")


class Person(models.Model):
    grid = models.ForeignKey("areas.Area", verbose_name=_("网格"), related_name="persons", on_delete=models.PROTECT)
    household = models.ForeignKey(
        Household, verbose_name=_("户"), null=True, blank=True, related_name="members", on_delete=models.SET_NULL
    )
    name = models.CharField(_("姓名"), max_length=64, db_index=True)
    id_number_encrypted = models.TextField(_("身份证号（密文）"), blank=True)
    id_number_hash = models.CharField(max_length=64, blank=True, db_index=True)
    phone_encrypted = models.TextField(_("手机（密文）"), blank=True)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True)
    sex = models.CharField(_("性别"), max_length=8, choices=Sex.choices)
    birth_date = models.DateField(_("出生日期"))
    residency_type = models.CharField(
        _("人口类型"), max_length=16, choices=ResidencyType.choices, default=ResidencyType.REGISTERED
    )

    objects = RegistryQuerySet.as_manager()

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        permissions = [("view_person_full_identity", _("可查看完整身份证号和手机号"))]

    def __str__(self) -> str:
        return self.name

    def set_id_number(self, value: str) -> None:
        self.id_number_encrypted = crypto.encrypt(value)
        self.id_number_hash = crypto.lookup_hash(value)

    def set_phone(self, value: str) -> None:
        self.phone_encrypted = crypto.encrypt(value)
        self.phone_hash = crypto.lookup_hash(value)

    @property
    def id_number(self) -> str:
        return crypto.decrypt(self.id_number_encrypted)

    @property
    def phone(self) -> str:
        return crypto.decrypt(self.phone_encrypted)
