"""The words of 走访: how a visit is made, what it is for, the groups visit plans cover and due-visit states."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class VisitKind(models.TextChoices):
    HOME = "home", _("入户走访")
    PHONE = "phone", _("电话走访")
    INTERVIEW = "interview", _("约谈")
    GROUP = "group", _("集体恳谈")
    ON_SITE = "on_site", _("到场服务")
    OTHER = "other", _("其他")


class VisitPurpose(models.TextChoices):
    """六必访 groups, 六必到 occasions and the other purposes of a visit."""

    # 六必访
    HARDSHIP = "hardship", _("困难群众")
    ELDERLY_ALONE = "elderly_alone", _("独居老人")
    DISABLED = "disabled", _("残疾人")
    UNEMPLOYED = "unemployed", _("失业人员")
    NEWCOMER = "newcomer", _("外来人员")
    OTHER_CARE = "other_care", _("其他需重点帮扶人员")
    # 重点人员 (sensitive: visible only with registry.view_sensitive_tags)
    KEY_PERSON = "key_person", _("重点人员走访")
    # 六必到
    MOOD_SWING = "mood_swing", _("居民思想波动")
    LIVING_DIFFICULTY = "living_difficulty", _("生活困难")
    EMERGENCY = "emergency", _("社区突发事件")
    VOLUNTEERING = "volunteering", _("志愿服务")
    NEIGHBOUR_DISPUTE = "neighbour_dispute", _("邻里矛盾纠纷")
    MUTUAL_AID = "mutual_aid", _("邻里守望互助")
    # other purposes
    POLICY = "policy", _("政策宣传")
    DISPUTE_SCREENING = "dispute_screening", _("矛盾排查")
    SAFETY_CHECK = "safety_check", _("安全检查")
    INFO_CHECK = "info_check", _("信息核实")
    OTHER = "other", _("其他")


SIX_MUST_VISIT = (
    VisitPurpose.HARDSHIP,
    VisitPurpose.ELDERLY_ALONE,
    VisitPurpose.DISABLED,
    VisitPurpose.UNEMPLOYED,
    VisitPurpose.NEWCOMER,
    VisitPurpose.OTHER_CARE,
)
SIX_MUST_ATTEND = (
    VisitPurpose.MOOD_SWING,
    VisitPurpose.LIVING_DIFFICULTY,
    VisitPurpose.EMERGENCY,
    VisitPurpose.VOLUNTEERING,
    VisitPurpose.NEIGHBOUR_DISPUTE,
    VisitPurpose.MUTUAL_AID,
)
SENSITIVE_PURPOSES = frozenset({VisitPurpose.KEY_PERSON})


class PlanSubject(models.TextChoices):
    """Whom a visit plan covers."""

    TAG = "tag", _("按人员标签")
    NEW_FLOATING = "new_floating", _("新登记流动人口")
    EXPIRED_FLOATING = "expired_floating", _("流动人口登记到期")


class IntervalUnit(models.TextChoices):
    NATURAL = "natural", _("自然日")
    WORKING = "working", _("工作日")


class DueStatus(models.TextChoices):
    OPEN = "open", _("待走访")
    DONE = "done", _("已走访")
    CANCELLED = "cancelled", _("已取消")


class DueLight(models.TextChoices):
    GREEN = "green", _("正常")
    YELLOW = "yellow", _("即将到期")
    RED = "red", _("已逾期")
