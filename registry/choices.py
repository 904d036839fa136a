"""Choices of the resource registry (DESIGN §2). Codes in English, labels in Chinese (translated)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class BuildingKind(models.TextChoices):
    RESIDENTIAL = "residential", _("住宅小区")
    SELF_BUILT = "self_built", _("自建房")
    SHARED_RENTAL = "shared_rental", _("群租房")
    COMMERCIAL = "commercial", _("商业楼宇")
    PUBLIC = "public", _("公共建筑")
    BUNGALOW = "bungalow", _("平房院落")


class HouseUse(models.TextChoices):
    RESIDENTIAL = "residential", _("住宅")
    COMMERCIAL = "commercial", _("商业")
    OFFICE = "office", _("办公")
    MIXED = "mixed", _("商住两用")
    STORAGE = "storage", _("仓储")
    OTHER = "other", _("其他")


class Ownership(models.TextChoices):
    PRIVATE = "private", _("私有")
    PUBLIC_RENTAL = "public_rental", _("公租房")
    WORK_UNIT = "work_unit", _("单位产权")
    COLLECTIVE = "collective", _("集体产权")
    OTHER = "other", _("其他")


class HouseholdType(models.TextChoices):
    FAMILY = "family", _("家庭户")
    COLLECTIVE = "collective", _("集体户")


class ResidencyType(models.TextChoices):
    REGISTERED = "registered", _("户籍人口")
    RESIDENT = "resident", _("常住人口")
    FLOATING = "floating", _("流动人口")
    FOREIGN = "foreign", _("境外人员")
    UNREGISTERED = "unregistered", _("未落户人员")


class HouseholdStatus(models.TextChoices):
    TOGETHER = "together", _("人户同在")
    REGISTERED_ABSENT = "registered_absent", _("户在人不在")
    PRESENT_UNREGISTERED = "present_unregistered", _("人在户不在")


class Relation(models.TextChoices):
    HEAD = "head", _("户主")
    SPOUSE = "spouse", _("配偶")
    CHILD = "child", _("子女")
    PARENT = "parent", _("父母")
    GRANDCHILD = "grandchild", _("孙子女")
    GRANDPARENT = "grandparent", _("祖父母")
    SIBLING = "sibling", _("兄弟姐妹")
    CHILD_IN_LAW = "child_in_law", _("儿媳/女婿")
    OTHER_RELATIVE = "other_relative", _("其他亲属")
    NON_RELATIVE = "non_relative", _("非亲属")


class Sex(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")


class DocumentType(models.TextChoices):
    ID_CARD = "id_card", _("居民身份证")
    PASSPORT = "passport", _("护照")
    HK_MACAO_TAIWAN = "hmt_permit", _("港澳台居民居住证/通行证")
    FOREIGN_PERMANENT = "foreign_permanent", _("外国人永久居留身份证")


# GB/T 3304 ethnic groups, in code order (01 汉族 … 56 基诺族).
ETHNICITIES = [
    "汉族",
    "蒙古族",
    "回族",
    "藏族",
    "维吾尔族",
    "苗族",
    "彝族",
    "壮族",
    "布依族",
    "朝鲜族",
    "满族",
    "侗族",
    "瑶族",
    "白族",
    "土家族",
    "哈尼族",
    "哈萨克族",
    "傣族",
    "黎族",
    "傈僳族",
    "佤族",
    "畲族",
    "高山族",
    "拉祜族",
    "水族",
    "东乡族",
    "纳西族",
    "景颇族",
    "柯尔克孜族",
    "土族",
    "达斡尔族",
    "仫佬族",
    "羌族",
    "布朗族",
    "撒拉族",
    "毛南族",
    "仡佬族",
    "锡伯族",
    "阿昌族",
    "普米族",
    "塔吉克族",
    "怒族",
    "乌孜别克族",
    "俄罗斯族",
    "鄂温克族",
    "德昂族",
    "保安族",
    "裕固族",
    "京族",
    "塔塔尔族",
    "独龙族",
    "鄂伦春族",
    "赫哲族",
    "门巴族",
    "珞巴族",
    "基诺族",
]


class TagCategory(models.TextChoices):
    """特殊人群/重点人员 (sensitive, role-gated) and 关怀对象 (care)."""

    RELEASED_PRISONER = "released_prisoner", _("刑满释放人员")
    COMMUNITY_CORRECTION = "community_correction", _("社区矫正人员")
    SEVERE_MENTAL_ILLNESS = "severe_mental_illness", _("严重精神障碍患者")
    DRUG_USER = "drug_user", _("吸毒人员")
    PETITIONER = "petitioner", _("重点上访人员")
    AT_RISK_YOUTH = "at_risk_youth", _("重点青少年")
    ELDERLY_ALONE = "elderly_alone", _("独居老人")
    DISABLED = "disabled", _("残疾人")
    ENTITLED_GROUP = "entitled_group", _("优抚对象")
    LOW_INCOME = "low_income", _("低保/需救助对象")
    UNEMPLOYED = "unemployed", _("失业人员")
    LEFT_BEHIND_CHILD = "left_behind_child", _("留守儿童")


SENSITIVE_TAGS = frozenset(
    {
        TagCategory.RELEASED_PRISONER,
        TagCategory.COMMUNITY_CORRECTION,
        TagCategory.SEVERE_MENTAL_ILLNESS,
        TagCategory.DRUG_USER,
        TagCategory.PETITIONER,
        TagCategory.AT_RISK_YOUTH,
    }
)


class FloatingReason(models.TextChoices):
    WORK = "work", _("务工")
    BUSINESS = "business", _("经商")
    STUDY = "study", _("就学")
    FAMILY = "family", _("投亲靠友")
    MEDICAL = "medical", _("就医")
    OTHER = "other", _("其他")


class PlaceKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业")
    SHOP = "shop", _("商铺")
    NINE_SMALL = "nine_small", _("九小场所")
    RENTAL_HOUSE = "rental_house", _("出租房")
    SCHOOL = "school", _("学校")
    HOSPITAL = "hospital", _("医院")
    HAZARDOUS_CHEMICALS = "hazardous_chemicals", _("危化单位")
    RESTAURANT = "restaurant", _("餐饮场所")
    ENTERTAINMENT = "entertainment", _("娱乐场所")
    GOVERNMENT = "government", _("机关事业单位")
    RELIGIOUS = "religious", _("宗教场所")
    OTHER = "other", _("其他")


class RiskLevel(models.TextChoices):
    LOW = "low", _("低")
    NORMAL = "normal", _("一般")
    HIGH = "high", _("较大")
    MAJOR = "major", _("重大")


class ComponentState(models.TextChoices):
    INTACT = "intact", _("完好")
    DAMAGED = "damaged", _("破损")
    MISSING = "missing", _("丢失")
    OCCUPIED = "occupied", _("占用")


class ChangeKind(models.TextChoices):
    """A change to the registry proposed from the field (八必报, 10+X, a visit) and confirmed before it is made."""

    PREGNANCY = "pregnancy", _("新增孕妇")
    FLOATING_ARRIVAL = "floating_arrival", _("外来人员流入")
    HOSPITALIZED = "hospitalized", _("居民病重住院")
    RENTED_OUT = "rented_out", _("房屋出租")
    MOVED_IN = "moved_in", _("迁入")
    MOVED_OUT = "moved_out", _("迁出")
    BORN = "born", _("出生")
    DIED = "died", _("死亡")
    PERSON_UPDATE = "person_update", _("人员信息变更")


class ChangeSource(models.TextChoices):
    MUST_REPORT = "must_report", _("八必报")
    BUILDING_REPORT = "building_report", _("楼栋长10+X")
    VISIT = "visit", _("走访")
    OTHER = "other", _("其他")


class ChangeStatus(models.TextChoices):
    PENDING = "pending", _("待确认")
    APPLIED = "applied", _("已确认")
    REJECTED = "rejected", _("已驳回")


class MustReportItem(models.TextChoices):
    """八必报: the eight things a grid worker must report."""

    FACILITY_DAMAGE = "facility_damage", _("公共设施损坏")
    ALLEY_UNCLEAN = "alley_unclean", _("背街小巷不洁")
    PREGNANCY = "pregnancy", _("发现新增孕妇")
    FLOATING_ARRIVAL = "floating_arrival", _("外来人员流入")
    HOSPITALIZED = "hospitalized", _("居民病重住院")
    RENTED_OUT = "rented_out", _("居民房屋出租")
    SAFETY_HAZARD = "safety_hazard", _("安全隐患")
    INSTABILITY = "instability", _("不稳定因素")


#: 八必报 items that are events (they enter the case loop); the others are registry changes.
MUST_REPORT_EVENTS = frozenset(
    {
        MustReportItem.FACILITY_DAMAGE,
        MustReportItem.ALLEY_UNCLEAN,
        MustReportItem.SAFETY_HAZARD,
        MustReportItem.INSTABILITY,
    }
)


class XItemKind(models.TextChoices):
    REQUEST = "request", _("居民诉求")
    HAZARD = "hazard", _("安全隐患")
    OTHER = "other", _("其他")
