"""The area tree (区 → 街道 → 社区 → 网格) and its versioned boundaries.

An ``Area`` is an identity (its code); its polygon lives in ``AreaBoundary`` rows, one per boundary version
in which it changed (MapIt's "generations"). A record that stores a grid keeps the grid of its time; a lookup
"as of" a date uses the boundaries in force then.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.access import ScopedQuerySet
from areas.choices import AreaLevel, GridKind, ManagementLevel


class BoundaryVersion(models.Model):
    """A set of boundaries that came into force together (an import or a redraw)."""

    number = models.PositiveIntegerField(_("版本号"), unique=True)
    # Identifies this row across processes and test runs; the in-process grid index is keyed by it.
    token = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    effective_from = models.DateTimeField(_("生效时间"), db_index=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True, on_delete=models.SET_NULL
    )
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("边界版本")
        verbose_name_plural = _("边界版本")
        ordering = ["number"]

    def __str__(self) -> str:
        return f"v{self.number} {self.name}"


class AreaQuerySet(ScopedQuerySet):
    scope_code_field = "code"

    def at_version(self, number: int) -> AreaQuerySet:
        """Areas that exist in boundary version ``number``."""
        return self.filter(Q(introduced_in__lte=number), Q(retired_in__isnull=True) | Q(retired_in__gt=number))

    def current(self) -> AreaQuerySet:
        return self.filter(retired_in__isnull=True)


class Area(models.Model):
    code = models.CharField(_("编码"), max_length=15, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=16, choices=AreaLevel.choices, db_index=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级"), null=True, blank=True, related_name="children", on_delete=models.PROTECT
    )
    grid_kind = models.CharField(_("网格类型"), max_length=16, choices=GridKind.choices, blank=True)
    management_level = models.CharField(
        _("管理等级"), max_length=16, choices=ManagementLevel.choices, default=ManagementLevel.GENERAL
    )
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("责任部门"),
        null=True,
        blank=True,
        related_name="responsible_areas",
        on_delete=models.SET_NULL,
    )
    introduced_in = models.PositiveIntegerField(_("启用版本"), default=1)
    retired_in = models.PositiveIntegerField(_("停用版本"), null=True, blank=True)

    objects = AreaQuerySet.as_manager()

    class Meta:
        verbose_name = _("区域")
        verbose_name_plural = _("区域")
        ordering = ["code"]
        permissions = [
            ("import_areas", _("可导入区域与边界")),
            ("check_partition", _("可查看网格划分检查")),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def is_grid(self) -> bool:
        return self.level == AreaLevel.GRID


class AreaBoundaryQuerySet(models.QuerySet):
    def at_version(self, number: int) -> AreaBoundaryQuerySet:
        return self.filter(Q(valid_from__lte=number), Q(valid_to__isnull=True) | Q(valid_to__gt=number))


class AreaBoundary(models.Model):
    """The polygon of an area from version ``valid_from`` up to (not including) ``valid_to``."""

    area = models.ForeignKey(Area, related_name="boundaries", on_delete=models.CASCADE)
    valid_from = models.PositiveIntegerField(_("起始版本"))
    valid_to = models.PositiveIntegerField(_("截止版本"), null=True, blank=True)
    geometry = models.TextField(_("边界（GeoJSON，WGS-84）"))
    min_lon = models.FloatField()
    min_lat = models.FloatField()
    max_lon = models.FloatField()
    max_lat = models.FloatField()
    centroid_lon = models.FloatField()
    centroid_lat = models.FloatField()
    area_m2 = models.FloatField(_("面积（平方米）"))

    objects = AreaBoundaryQuerySet.as_manager()

    class Meta:
        verbose_name = _("区域边界")
        verbose_name_plural = _("区域边界")
        indexes = [models.Index(fields=["valid_from", "valid_to"])]
        constraints = [
            models.UniqueConstraint(fields=["area", "valid_from"], name="area_boundary_unique_start"),
        ]

    def __str__(self) -> str:
        return f"{self.area_id} v{self.valid_from}–{self.valid_to or ''}"
