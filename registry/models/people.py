"""People (实有人口) and what is recorded about them: tags, moves, floating registration and tenancies.

ID numbers and phones are stored encrypted (AES-GCM) with a keyed lookup hash for exact search and a masked
form for lists; the clear value is only produced by :attr:`Person.id_number` / :attr:`Person.phone`, which
callers use after an audited decision (``registry.services.person_reveal``).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridgov import crypto
from registry.choices import (
    SENSITIVE_TAGS,
    DocumentType,
    FloatingReason,
    HouseholdStatus,
    Relation,
    ResidencyType,
    Sex,
    TagCategory,
)
from registry.models.scoping import HouseLinkedQuerySet, PersonLinkedQuerySet, RegistryQuerySet


class Person(models.Model):
    grid = models.ForeignKey("areas.Area", verbose_name=_("网格"), related_name="persons", on_delete=models.PROTECT)
    house = models.ForeignKey(
        "registry.House",
        verbose_name=_("现住房屋"),
        null=True,
        blank=True,
        related_name="residents",
        on_delete=models.SET_NULL,
    )
    household = models.ForeignKey(
        "registry.Household",
        verbose_name=_("户"),
        null=True,
        blank=True,
        related_name="members",
        on_delete=models.SET_NULL,
    )
    relation_to_head = models.CharField(_("与户主关系"), max_length=16, choices=Relation.choices, blank=True)
    name = models.CharField(_("姓名"), max_length=64)
    name_initials = models.CharField(_("姓名拼音首字母"), max_length=64, blank=True)
    document_type = models.CharField(
        _("证件类型"), max_length=20, choices=DocumentType.choices, default=DocumentType.ID_CARD
    )
    id_number_encrypted = models.TextField(_("证件号码（密文）"), blank=True)
    id_number_hash = models.CharField(max_length=64, blank=True, db_index=True)
    id_number_masked = models.CharField(_("证件号码"), max_length=32, blank=True)
    phone_encrypted = models.TextField(_("手机（密文）"), blank=True)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True)
    phone_masked = models.CharField(_("联系电话"), max_length=32, blank=True)
    sex = models.CharField(_("性别"), max_length=8, choices=Sex.choices)
    birth_date = models.DateField(_("出生日期"))
    ethnicity = models.CharField(_("民族"), max_length=16, blank=True)
    hukou_place = models.CharField(_("户籍地"), max_length=200, blank=True)
    residency_type = models.CharField(
        _("人口类型"), max_length=16, choices=ResidencyType.choices, default=ResidencyType.REGISTERED
    )
    household_status = models.CharField(
        _("人户状态"), max_length=24, choices=HouseholdStatus.choices, default=HouseholdStatus.TOGETHER
    )
    work_place = models.CharField(_("工作单位"), max_length=200, blank=True)
    deceased_on = models.DateField(_("死亡日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = RegistryQuerySet.as_manager()

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        permissions = [
            ("view_person_full_identity", _("可查看完整证件号码和手机号")),
            ("view_sensitive_tags", _("可查看重点人员标签")),
            ("import_registry", _("可导入基础资源数据")),
            ("export_registry", _("可导出基础资源数据")),
        ]
        # Prefix searches: LIKE 'x%' on PostgreSQL uses the pattern-ops indexes, a range on SQLite the plain ones.
        indexes = [
            models.Index(fields=["name"], name="person_name", opclasses=["varchar_pattern_ops"]),
            models.Index(
                fields=["grid", "name"], name="person_grid_name", opclasses=["int8_ops", "varchar_pattern_ops"]
            ),
            models.Index(fields=["name_initials"], name="person_initials", opclasses=["varchar_pattern_ops"]),
            models.Index(
                fields=["grid", "name_initials"],
                name="person_grid_initials",
                opclasses=["int8_ops", "varchar_pattern_ops"],
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_hash"], condition=~Q(id_number_hash=""), name="person_id_number_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def set_id_number(self, value: str) -> None:
        value = value.strip().upper()
        self.id_number_encrypted = crypto.encrypt(value)
        self.id_number_hash = crypto.lookup_hash(value)
        self.id_number_masked = crypto.mask_id_number(value)

    def set_phone(self, value: str) -> None:
        value = value.strip()
        self.phone_encrypted = crypto.encrypt(value)
        self.phone_hash = crypto.lookup_hash(value)
        self.phone_masked = crypto.mask_phone(value)

    @property
    def id_number(self) -> str:
        return crypto.decrypt(self.id_number_encrypted)

    @property
    def phone(self) -> str:
        return crypto.decrypt(self.phone_encrypted)

    @property
    def birth_year(self) -> int:
        """What a user without the reveal permission sees of the birth date (docs/privacy.md)."""
        return self.birth_date.year

    def age_on(self, day: dt.date) -> int:
        return day.year - self.birth_date.year - ((day.month, day.day) < (self.birth_date.month, self.birth_date.day))


class PersonTagQuerySet(PersonLinkedQuerySet):
    def active_on(self, day: dt.date) -> PersonTagQuerySet:
        return self.filter(Q(since__lte=day), Q(until__isnull=True) | Q(until__gte=day))

    def visible_categories(self, user: object) -> PersonTagQuerySet:
        """Hide sensitive categories (重点人员) from users without their permission."""
        if getattr(user, "has_perm", None) and user.has_perm("registry.view_sensitive_tags"):  # type: ignore[attr-defined]
            return self
        return self.exclude(category__in=SENSITIVE_TAGS)


class PersonTag(models.Model):
    person = models.ForeignKey(Person, verbose_name=_("人员"), related_name="tags", on_delete=models.CASCADE)
    category = models.CharField(_("类别"), max_length=32, choices=TagCategory.choices)
    since = models.DateField(_("起始日期"))
    until = models.DateField(_("截止日期"), null=True, blank=True)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)

    objects = PersonTagQuerySet.as_manager()

    class Meta:
        verbose_name = _("人员标签")
        verbose_name_plural = _("人员标签")
        ordering = ["category", "since"]
        indexes = [models.Index(fields=["category", "person"], name="persontag_category")]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_category_display()}"

    @property
    def is_sensitive(self) -> bool:
        return self.category in SENSITIVE_TAGS


class Residence(models.Model):
    """A stay of a person in a house: the house history (moves) on the person's page."""

    person = models.ForeignKey(Person, verbose_name=_("人员"), related_name="residences", on_delete=models.CASCADE)
    house = models.ForeignKey("registry.House", verbose_name=_("房屋"), related_name="+", on_delete=models.PROTECT)
    moved_in = models.DateField(_("迁入日期"))
    moved_out = models.DateField(_("迁出日期"), null=True, blank=True)

    objects = PersonLinkedQuerySet.as_manager()

    class Meta:
        verbose_name = _("居住记录")
        verbose_name_plural = _("居住记录")
        ordering = ["-moved_in", "-pk"]

    def __str__(self) -> str:
        return f"{self.person_id} @ {self.house_id} {self.moved_in}–{self.moved_out or ''}"


class FloatingRegistration(models.Model):
    """流动人口登记: arrival, expected stay, landlord."""

    person = models.ForeignKey(
        Person, verbose_name=_("人员"), related_name="floating_registrations", on_delete=models.CASCADE
    )
    house = models.ForeignKey("registry.House", verbose_name=_("居住房屋"), related_name="+", on_delete=models.PROTECT)
    arrival_date = models.DateField(_("来本地日期"))
    expected_until = models.DateField(_("预计居住至"), null=True, blank=True)
    reason = models.CharField(_("来本地事由"), max_length=16, choices=FloatingReason.choices)
    origin_place = models.CharField(_("来源地"), max_length=200, blank=True)
    landlord = models.ForeignKey(
        Person, verbose_name=_("房东"), null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    registered_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = PersonLinkedQuerySet.as_manager()

    class Meta:
        verbose_name = _("流动人口登记")
        verbose_name_plural = _("流动人口登记")
        ordering = ["-arrival_date", "-pk"]

    def __str__(self) -> str:
        return f"{self.person_id} {self.arrival_date}"


class Tenancy(models.Model):
    """出租房屋: a tenant of a rental house, with the landlord and the contract period."""

    house = models.ForeignKey(
        "registry.House", verbose_name=_("房屋"), related_name="tenancies", on_delete=models.CASCADE
    )
    tenant = models.ForeignKey(Person, verbose_name=_("承租人"), related_name="tenancies", on_delete=models.CASCADE)
    landlord = models.ForeignKey(
        Person, verbose_name=_("房东"), null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    contract_start = models.DateField(_("合同开始"))
    contract_end = models.DateField(_("合同结束"))

    objects = HouseLinkedQuerySet.as_manager()

    class Meta:
        verbose_name = _("租住记录")
        verbose_name_plural = _("租住记录")
        ordering = ["-contract_start", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(contract_end__gte=models.F("contract_start")), name="tenancy_period")
        ]

    def __str__(self) -> str:
        return f"{self.tenant_id} @ {self.house_id} {self.contract_start}–{self.contract_end}"
