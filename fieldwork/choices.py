from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class TrackSource(models.TextChoices):
    APP = "app", _("网格助手")
    OSMAND = "osmand", _("后台定位客户端")
    DEMO = "demo", _("演示数据")


class CheckPointKind(models.TextChoices):
    BUILDING = "building", _("楼栋")
    PLACE = "place", _("场所")
    COMPONENT = "component", _("部件")
    POINT = "point", _("点位")


class CheckInKind(models.TextChoices):
    SHIFT_START = "shift_start", _("上班签到")
    SHIFT_END = "shift_end", _("下班签退")
    POINT = "point", _("点位签到")


class CoverageBasis(models.TextChoices):
    BUILDINGS = "buildings", _("楼栋覆盖")
    POINTS = "points", _("点位签到")
    HOUSEHOLDS = "households", _("入户覆盖")
