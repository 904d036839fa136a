"""Buildings, houses and households: 户进房、房进网格. Addresses follow GB/T 39609 order
(街路巷 + 门牌号 → 小区 → 楼栋 → 单元 → 户室)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from registry.choices import BuildingKind, HouseholdType, HouseUse, Ownership
from registry.models.scoping import RegistryQuerySet


class Building(models.Model):
    grid = models.ForeignKey("areas.Area", verbose_name=_("网格"), related_name="buildings", on_delete=models.PROTECT)
    road = models.CharField(_("街路巷"), max_length=64)
    door_number = models.CharField(_("门牌号"), max_length=32)
    estate = models.CharField(_("小区"), max_length=64, blank=True)
    number = models.CharField(_("楼栋号"), max_length=32, blank=True)
    address = models.CharField(_("地址"), max_length=200, unique=True)
    kind = models.CharField(_("类型"), max_length=32, choices=BuildingKind.choices, default=BuildingKind.RESIDENTIAL)
    units = models.PositiveSmallIntegerField(_("单元数"), default=1)
    floors = models.PositiveSmallIntegerField(_("层数"), default=1)
    lon = models.FloatField(_("经度"))
    lat = models.FloatField(_("纬度"))
    head = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("楼栋长"),
        null=True,
        blank=True,
        related_name="headed_buildings",
        on_delete=models.SET_NULL,
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = RegistryQuerySet.as_manager()

    class Meta:
        verbose_name = _("楼栋")
        verbose_name_plural = _("楼栋")
        ordering = ["address"]

    def __str__(self) -> str:
        return self.address

    @staticmethod
    def address_of(road: str, door_number: str, estate: str, number: str) -> str:
        return f"{road}{door_number}{estate}{number}"


class House(models.Model):
    """A dwelling or unit of use (房屋) in a building; its grid is always its building's grid."""

    building = models.ForeignKey(Building, verbose_name=_("楼栋"), related_name="houses", on_delete=models.PROTECT)
    grid = models.ForeignKey("areas.Area", verbose_name=_("网格"), related_name="houses", on_delete=models.PROTECT)
    unit = models.PositiveSmallIntegerField(_("单元"), default=1)
    floor = models.SmallIntegerField(_("楼层"))
    room = models.CharField(_("户室号"), max_length=16)
    address = models.CharField(_("地址"), max_length=240)
    use = models.CharField(_("用途"), max_length=16, choices=HouseUse.choices, default=HouseUse.RESIDENTIAL)
    area_m2 = models.DecimalField(_("建筑面积（㎡）"), max_digits=8, decimal_places=2, null=True, blank=True)
    ownership = models.CharField(_("产权性质"), max_length=16, choices=Ownership.choices, default=Ownership.PRIVATE)
    is_rental = models.BooleanField(_("出租房屋"), default=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = RegistryQuerySet.as_manager()

    class Meta:
        verbose_name = _("房屋")
        verbose_name_plural = _("房屋")
        ordering = ["building_id", "unit", "floor", "room"]
        constraints = [models.UniqueConstraint(fields=["building", "unit", "room"], name="house_room_unique")]

    def __str__(self) -> str:
        return self.address

    @staticmethod
    def address_of(building: Building, unit: int, room: str) -> str:
        return f"{building.address}{unit}单元{room}室"


class Household(models.Model):
    house = models.ForeignKey(House, verbose_name=_("房屋"), related_name="households", on_delete=models.PROTECT)
    grid = models.ForeignKey("areas.Area", verbose_name=_("网格"), related_name="households", on_delete=models.PROTECT)
    household_type = models.CharField(
        _("户别"), max_length=16, choices=HouseholdType.choices, default=HouseholdType.FAMILY
    )
    head = models.ForeignKey(
        "registry.Person", verbose_name=_("户主"), null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = RegistryQuerySet.as_manager()

    class Meta:
        verbose_name = _("户")
        verbose_name_plural = _("户")

    def __str__(self) -> str:
        return f"{self.house.address}（{self.get_household_type_display()}）"
