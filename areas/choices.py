from django.db import models
from django.utils.translation import gettext_lazy as _


class AreaLevel(models.TextChoices):
    DISTRICT = "district", _("区")
    STREET = "street", _("街道")
    COMMUNITY = "community", _("社区")
    GRID = "grid", _("网格")


# Code length per level (DESIGN §4): 6 county + 3 street + 3 community + 3 grid.
CODE_LENGTH = {
    AreaLevel.DISTRICT: 6,
    AreaLevel.STREET: 9,
    AreaLevel.COMMUNITY: 12,
    AreaLevel.GRID: 15,
}
PARENT_LEVEL = {
    AreaLevel.STREET: AreaLevel.DISTRICT,
    AreaLevel.COMMUNITY: AreaLevel.STREET,
    AreaLevel.GRID: AreaLevel.COMMUNITY,
}
LEVEL_ORDER = [AreaLevel.DISTRICT, AreaLevel.STREET, AreaLevel.COMMUNITY, AreaLevel.GRID]


class GridKind(models.TextChoices):
    UNIT = "unit", _("单元网格")
    COMPREHENSIVE = "comprehensive", _("综合网格")
    DEDICATED = "dedicated", _("专属网格")
    MICRO = "micro", _("微网格")


class ManagementLevel(models.TextChoices):
    GENERAL = "general", _("一般")
    KEY = "key", _("重点")
    COMPREHENSIVE = "comprehensive", _("综合治理")


class Datum(models.TextChoices):
    WGS84 = "wgs84", "WGS-84"
    GCJ02 = "gcj02", _("GCJ-02（高德/腾讯）")
    BD09 = "bd09", _("BD-09（百度）")
