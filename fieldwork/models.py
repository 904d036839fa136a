"""Field work: patrols, GPS fixes, planned check-in points, check-ins, rosters, role targets and daily metrics.

Fixes are stored raw (:class:`TrackPoint`, append-only) and filtered when read (``fieldwork.selectors``);
:class:`DailyMetric` rows are computed from them by ``fieldwork.metrics.day_metrics_compute``.
"""

from __future__ import annotations

import secrets
from typing import Any, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.access import ScopedQuerySet, user_scope
from accounts.models import User
from accounts.roles import Role
from fieldwork.choices import CheckInKind, CheckPointKind, CoverageBasis, TrackSource


class GridBoundQuerySet(ScopedQuerySet):
    """Rows placed in a grid (patrols, check-in points, check-ins, rosters, daily metrics)."""

    scope_code_field = "grid__code"


class WorkerQuerySet(models.QuerySet):
    """Rows of one worker with no grid of their own (track points): visible to the worker and to those whose scope
    covers one of the worker's areas."""

    def visible_to(self, user: Any) -> Self:
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        scope = user_scope(user)
        if scope.everything:
            return self.all()
        workers = User.objects.filter(scope.q("areas__code")).values("pk")
        return self.filter(Q(worker=user.pk) | Q(worker__in=workers))


class Patrol(models.Model):
    """One walk of a worker through a grid (巡查), from start to end."""

    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("巡查人员"), related_name="patrols", on_delete=models.PROTECT
    )
    grid = models.ForeignKey("areas.Area", verbose_name=_("网格"), related_name="patrols", on_delete=models.PROTECT)
    started_at = models.DateTimeField(_("开始时间"))
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    planned_route = models.TextField(_("计划路线"), blank=True, help_text=_("GeoJSON LineString（WGS-84）"))
    source = models.CharField(_("来源"), max_length=8, choices=TrackSource.choices, default=TrackSource.APP)

    objects = GridBoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("巡查")
        verbose_name_plural = _("巡查")
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["worker", "started_at"], name="fieldwork_patrol_worker_start")]

    def __str__(self) -> str:
        return f"{self.worker} {self.started_at:%Y-%m-%d %H:%M}"


class TrackPoint(models.Model):
    """One GPS fix as the device sent it (append-only, filtered when read).

    Built for monthly range partitions on PostgreSQL (docs/field-app.md): a big-integer id, ``device_time`` the
    partition key, no foreign key pointing into this table. A fix's identity is (worker, device_time): the unique
    constraint makes a resent batch store once, and its index serves every read of a worker's day.
    """

    id = models.BigAutoField(primary_key=True)
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("人员"), related_name="track_points", on_delete=models.PROTECT
    )
    token = models.ForeignKey(
        "accounts.ApiToken",
        verbose_name=_("设备"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.DO_NOTHING,  # tokens are revoked, not deleted; the fix keeps the id it came with
        db_constraint=False,
        db_index=False,
    )
    patrol = models.ForeignKey(
        Patrol,
        verbose_name=_("巡查"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,  # a patrol's fixes are read by (worker, device_time) within its times
    )
    device_time = models.DateTimeField(_("定位时间"))
    server_time = models.DateTimeField(_("接收时间"))
    lon = models.FloatField(_("经度"))
    lat = models.FloatField(_("纬度"))
    accuracy = models.FloatField(_("精度（米）"), null=True, blank=True)
    speed = models.FloatField(_("速度（米/秒）"), null=True, blank=True)
    bearing = models.FloatField(_("方向"), null=True, blank=True)
    altitude = models.FloatField(_("海拔"), null=True, blank=True)
    battery = models.FloatField(_("电量"), null=True, blank=True)
    mock = models.BooleanField(_("模拟定位"), default=False)
    source = models.CharField(_("来源"), max_length=8, choices=TrackSource.choices, default=TrackSource.APP)

    objects = WorkerQuerySet.as_manager()

    class Meta:
        verbose_name = _("轨迹点")
        verbose_name_plural = _("轨迹点")
        constraints = [
            models.UniqueConstraint(fields=["worker", "device_time"], name="fieldwork_trackpoint_worker_time")
        ]

    def __str__(self) -> str:
        return f"{self.worker_id} {self.device_time.isoformat()}"


class CheckPoint(models.Model):
    """A planned check-in point of a grid (签到点): a building, place, component or a bare point, with its fence."""

    name = models.CharField(_("名称"), max_length=100)
    grid = models.ForeignKey("areas.Area", verbose_name=_("网格"), related_name="checkpoints", on_delete=models.PROTECT)
    lon = models.FloatField(_("经度"))
    lat = models.FloatField(_("纬度"))
    radius_m = models.PositiveIntegerField(_("签到半径（米）"), default=50)
    kind = models.CharField(_("类型"), max_length=16, choices=CheckPointKind.choices, default=CheckPointKind.POINT)
    building = models.ForeignKey(
        "registry.Building", verbose_name=_("楼栋"), null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    place = models.ForeignKey(
        "registry.Place", verbose_name=_("场所"), null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    component = models.ForeignKey(
        "registry.Component", verbose_name=_("部件"), null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    active = models.BooleanField(_("启用"), default=True)

    objects = GridBoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("签到点")
        verbose_name_plural = _("签到点")
        ordering = ["grid", "name", "id"]

    def __str__(self) -> str:
        return self.name


def _checkin_photo_path(instance: CheckIn, filename: str) -> str:
    """A random name: nothing about the worker or the place shows in the file system."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"fieldwork/checkins/{secrets.token_hex(16)}.{extension[:5]}"


class CheckIn(models.Model):
    """签到: shift start/end or a visit to a planned point, checked against its fence when made."""

    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("人员"), related_name="checkins", on_delete=models.PROTECT
    )
    kind = models.CharField(_("类型"), max_length=16, choices=CheckInKind.choices)
    point = models.ForeignKey(
        CheckPoint, verbose_name=_("签到点"), null=True, blank=True, related_name="checkins", on_delete=models.PROTECT
    )
    grid = models.ForeignKey("areas.Area", verbose_name=_("网格"), related_name="checkins", on_delete=models.PROTECT)
    lon = models.FloatField(_("经度"))
    lat = models.FloatField(_("纬度"))
    accuracy = models.FloatField(_("精度（米）"))
    device_time = models.DateTimeField(_("设备时间"))
    server_time = models.DateTimeField(_("接收时间"))
    clock_skew_s = models.IntegerField(_("时钟偏差（秒）"), default=0)
    flagged_clock = models.BooleanField(_("时钟异常"), default=False)
    distance_m = models.FloatField(_("距签到点（米）"), null=True, blank=True)
    photo = models.FileField(_("照片"), upload_to=_checkin_photo_path, blank=True)
    photo_sha256 = models.CharField(_("照片摘要"), max_length=64, blank=True)

    objects = GridBoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("签到")
        verbose_name_plural = _("签到")
        ordering = ["-device_time", "-id"]
        indexes = [models.Index(fields=["worker", "device_time"], name="fieldwork_checkin_worker_time")]

    def __str__(self) -> str:
        return f"{self.worker} {self.get_kind_display()} {self.device_time:%Y-%m-%d %H:%M}"


class Roster(models.Model):
    """排班: one shift of a worker on a day in a grid. A working day without rows gets the default shift
    (``GRIDGOV_DEFAULT_SHIFT``) on the working calendar."""

    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("人员"), related_name="rosters", on_delete=models.CASCADE
    )
    day = models.DateField(_("日期"))
    start = models.TimeField(_("上班时间"))
    end = models.TimeField(_("下班时间"))
    grid = models.ForeignKey("areas.Area", verbose_name=_("网格"), related_name="rosters", on_delete=models.PROTECT)

    objects = GridBoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("排班")
        verbose_name_plural = _("排班")
        ordering = ["day", "worker", "start"]
        constraints = [
            models.UniqueConstraint(fields=["worker", "day", "start"], name="fieldwork_roster_worker_day_start"),
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="fieldwork_roster_end_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.worker} {self.day} {self.start:%H:%M}–{self.end:%H:%M}"


class RoleTarget(models.Model):
    """The daily targets of a field role (巡查时长、里程) and the basis its coverage is measured on."""

    role = models.CharField(_("角色"), max_length=32, choices=Role.choices, unique=True)
    minutes_per_day = models.PositiveIntegerField(_("每日在岗分钟"))
    km_per_day = models.FloatField(_("每日巡查里程（公里）"), null=True, blank=True)
    coverage_basis = models.CharField(
        _("覆盖率口径"), max_length=16, choices=CoverageBasis.choices, default=CoverageBasis.BUILDINGS
    )

    class Meta:
        verbose_name = _("岗位指标")
        verbose_name_plural = _("岗位指标")
        ordering = ["role"]

    def __str__(self) -> str:
        return self.get_role_display()


class DailyMetric(models.Model):
    """One worker's day of field work, computed from the filtered track (recomputing gives the same row)."""

    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("人员"), related_name="daily_metrics", on_delete=models.CASCADE
    )
    day = models.DateField(_("日期"))
    grid = models.ForeignKey(
        "areas.Area",
        verbose_name=_("网格"),
        null=True,
        blank=True,
        related_name="daily_metrics",
        on_delete=models.SET_NULL,
    )
    fixes = models.PositiveIntegerField(_("有效定位数"), default=0)
    distance_m = models.FloatField(_("巡查里程（米）"), default=0)
    on_duty_s = models.PositiveIntegerField(_("在岗时长（秒）"), default=0)
    scheduled_s = models.PositiveIntegerField(_("排班时长（秒）"), default=0)
    on_duty_rate = models.FloatField(_("在岗率"), null=True, blank=True)
    off_grid_events = models.PositiveIntegerField(_("脱岗次数"), default=0)
    off_grid_s = models.PositiveIntegerField(_("脱岗时长（秒）"), default=0)
    coverage_buildings_num = models.PositiveIntegerField(_("已覆盖楼栋"), default=0)
    coverage_buildings_den = models.PositiveIntegerField(_("楼栋总数"), default=0)
    coverage_points_num = models.PositiveIntegerField(_("已签到点位"), default=0)
    coverage_points_den = models.PositiveIntegerField(_("计划点位"), default=0)
    coverage_households_num = models.PositiveIntegerField(_("已走访户数"), default=0)
    coverage_households_den = models.PositiveIntegerField(_("总户数"), default=0)
    reports = models.PositiveIntegerField(_("上报数"), default=0)
    computed_at = models.DateTimeField(_("计算时间"))

    objects = GridBoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("每日巡查指标")
        verbose_name_plural = _("每日巡查指标")
        ordering = ["-day", "worker"]
        constraints = [models.UniqueConstraint(fields=["worker", "day"], name="fieldwork_dailymetric_worker_day")]
        indexes = [models.Index(fields=["day", "grid"], name="fieldwork_dailymetric_day_grid")]

    def __str__(self) -> str:
        return f"{self.worker} {self.day}"

    @staticmethod
    def _rate(num: int, den: int) -> float | None:
        return num / den if den else None

    @property
    def coverage_buildings(self) -> float | None:
        return self._rate(self.coverage_buildings_num, self.coverage_buildings_den)

    @property
    def coverage_points(self) -> float | None:
        return self._rate(self.coverage_points_num, self.coverage_points_den)

    @property
    def coverage_households(self) -> float | None:
        return self._rate(self.coverage_households_num, self.coverage_households_den)
