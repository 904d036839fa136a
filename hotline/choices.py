from django.db import models
from django.utils.translation import gettext_lazy as _


class RequestType(models.TextChoices):
    CONSULT = "consult", _("咨询")
    HELP = "help", _("求助")
    COMPLAINT = "complaint", _("投诉")
    REPORT = "report", _("举报")
    SUGGESTION = "suggestion", _("建议")
    CRITICISM = "criticism", _("批评")
    PRAISE = "praise", _("表扬")


class TicketOutcome(models.TextChoices):
    ANSWERED = "answered", _("即时答复（一次办结）")
    TRANSFERRED = "transferred", _("转办案卷")
    RECORDED = "recorded", _("登记备案")


class CallOutcome(models.TextChoices):
    REACHED = "reached", _("已接通")
    UNREACHABLE = "unreachable", _("未接通")
    REFUSED = "refused", _("拒绝回访")


class PlaceKind(models.TextChoices):
    STREET = "street", _("街道")
    COMMUNITY = "community", _("社区")
    GRID = "grid", _("网格")
    ROAD = "road", _("街路巷")
    ESTATE = "estate", _("小区")
    BUILDING = "building", _("楼栋")
    PLACE = "place", _("场所")
