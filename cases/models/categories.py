"""Case categories (GB/T 30428.2 / CJ/T 214 event and component classes, and social-governance classes).

A class (大类, 2 characters) has subclasses (小类, 4 characters); the seed comes from ``cases/data/categories.csv``.
Components of the registry point to their subclass; cases will too.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import DepartmentKind
from cases.choices import CategoryKind, LimitUnit, Priority


class CategoryQuerySet(models.QuerySet):
    def subclasses(self, kind: str) -> CategoryQuerySet:
        return self.filter(kind=kind, parent__isnull=False, is_active=True)


class Category(models.Model):
    kind = models.CharField(_("类型"), max_length=16, choices=CategoryKind.choices)
    code = models.CharField(_("编码"), max_length=8)
    name = models.CharField(_("名称"), max_length=64)
    parent = models.ForeignKey(
        "self", verbose_name=_("大类"), null=True, blank=True, related_name="children", on_delete=models.PROTECT
    )
    handle_limit = models.PositiveIntegerField(_("处置时限"), null=True, blank=True)
    limit_unit = models.CharField(_("时限单位"), max_length=16, choices=LimitUnit.choices, blank=True)
    urgent = models.BooleanField(_("紧急（自然时间计时）"), default=False)
    source_of_limit = models.CharField(_("时限依据"), max_length=200, blank=True)
    file_condition = models.TextField(_("立案条件"), blank=True)
    close_condition = models.TextField(_("结案条件"), blank=True)
    default_priority = models.CharField(_("默认优先级"), max_length=16, choices=Priority.choices, default="normal")
    department_kind = models.CharField(_("默认责任部门类型"), max_length=32, choices=DepartmentKind.choices, blank=True)
    intake_minutes = models.PositiveIntegerField(_("受理立案时限（分钟）"), default=30)
    dispatch_minutes = models.PositiveIntegerField(_("派遣时限（分钟）"), default=30)
    verify_minutes = models.PositiveIntegerField(_("核实时限（分钟）"), default=60)
    check_minutes = models.PositiveIntegerField(_("核查时限（分钟）"), default=120)
    # 处置反馈 hands the check (核查) at once to a grid worker covering the case's grid; otherwise the dispatcher does.
    check_by_rule = models.BooleanField(_("反馈后自动派发核查给网格员"), default=True)
    is_active = models.BooleanField(_("启用"), default=True)
    # Public categories are offered on the portal and through Open311, and their cases are listed publicly.
    # Disputes, public-security risks and the like are taken by phone or in person and never listed.
    is_public = models.BooleanField(_("对公众开放"), default=True)

    objects = CategoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("类别")
        verbose_name_plural = _("类别")
        ordering = ["kind", "code"]
        constraints = [models.UniqueConstraint(fields=["kind", "code"], name="category_kind_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def service_code(self) -> str:
        """The code third parties use (Open311 ``service_code``): unique across kinds, e.g. ``E0102``, ``C0101``."""
        return self.code if self.kind == "governance" else f"{self.kind[0].upper()}{self.code}"

    @staticmethod
    def by_service_code(code: str) -> models.Q:
        if code[:1] == "G":
            return models.Q(kind="governance", code=code)
        kind = {"E": "event", "C": "component"}.get(code[:1], "")
        return models.Q(kind=kind, code=code[1:])
