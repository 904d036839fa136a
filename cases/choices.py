from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CategoryKind(models.TextChoices):
    EVENT = "event", _("事件")
    COMPONENT = "component", _("部件")
    GOVERNANCE = "governance", _("社会治理")


class LimitUnit(models.TextChoices):
    WORKING_HOURS = "working_hours", _("工作时")
    WORKING_DAYS = "working_days", _("工作日")
    HOURS = "hours", _("自然小时")


class CaseStatus(models.TextChoices):
    """The states of DESIGN §5. Side flows (extend, urge, supervise, summon) are marks, not states."""

    REPORTED = "reported", _("待受理")
    ACCEPTED = "accepted", _("已受理")
    VERIFYING = "verifying", _("核实中")
    FILED = "filed", _("已立案")
    DISPATCHED = "dispatched", _("已派遣")
    HANDLING = "handling", _("处置中")
    HANDLED = "handled", _("已反馈")
    SELF_RESOLVED = "self_resolved", _("已自处置")
    CHECKING = "checking", _("核查中")
    CHECKED = "checked", _("核查通过")
    CLOSED = "closed", _("已结案")
    EVALUATED = "evaluated", _("已评价")
    RETURNED = "returned", _("已回退")
    SUSPENDED = "suspended", _("已挂账")
    REJECTED = "rejected", _("不予立案")
    MERGED = "merged", _("已合并")
    VOID = "void", _("已作废")


#: States in which a case still needs work (and its clock runs, except when suspended).
OPEN_STATUSES = (
    CaseStatus.REPORTED,
    CaseStatus.ACCEPTED,
    CaseStatus.VERIFYING,
    CaseStatus.FILED,
    CaseStatus.DISPATCHED,
    CaseStatus.HANDLING,
    CaseStatus.HANDLED,
    CaseStatus.SELF_RESOLVED,
    CaseStatus.CHECKING,
    CaseStatus.CHECKED,
    CaseStatus.RETURNED,
)
#: Open, or suspended (挂账): the case is not over.
ACTIVE_STATUSES = (*OPEN_STATUSES, CaseStatus.SUSPENDED)
#: Done with a result (办结).
FINISHED_STATUSES = (CaseStatus.CLOSED, CaseStatus.EVALUATED)
#: Over, with or without a result: what the public and Open311 call ``closed``.
ENDED_STATUSES = (*FINISHED_STATUSES, CaseStatus.REJECTED, CaseStatus.MERGED, CaseStatus.VOID)


class CaseAction(models.TextChoices):
    """Every action a case event records: the transitions and marks of :data:`cases.workflow.TRANSITIONS`."""

    REPORT = "report", _("上报")
    SELF_RESOLVE = "self_resolve", _("自处置上报")
    ACCEPT = "accept", _("受理")
    REJECT = "reject", _("不予立案")
    VERIFY_REQUEST = "verify_request", _("派发核实")
    VERIFY_CONFIRM = "verify_confirm", _("核实属实")
    VERIFY_DENY = "verify_deny", _("核实不属实")
    FILE = "file", _("立案")
    MERGE = "merge", _("合并")
    ABSORB = "absorb", _("并入重复上报")
    DISPATCH = "dispatch", _("派遣")
    ACCEPT_TASK = "accept_task", _("签收")
    REPORT_RESULT = "report_result", _("处置反馈")
    CHECK_REQUEST = "check_request", _("派发核查")
    CHECK_PASS = "check_pass", _("核查通过")
    REWORK = "rework", _("核查未通过，返工")
    CLOSE = "close", _("结案")
    EVALUATE = "evaluate", _("评价")
    REOPEN = "reopen", _("不满意重办")
    REQUEST_OPEN = "request_open", _("提出申请")
    REQUEST_VOID = "request_void", _("申请作废")
    REQUEST_REFUSE = "request_refuse", _("驳回申请")
    EXTEND = "extend", _("同意延期")
    RETURN = "return", _("同意回退")
    SUSPEND = "suspend", _("同意挂账")
    VOID = "void", _("同意作废")
    RESUME = "resume", _("恢复办理")
    ESCALATE = "escalate", _("上报上级")
    SUMMON = "summon", _("吹哨")
    SUMMONS_CONFIRM = "summons_confirm", _("报到")
    URGE = "urge", _("催办")
    SUPERVISE = "supervise", _("督办")
    EXPEDITE = "expedite", _("加急")
    PHOTO_ADD = "photo_add", _("补充照片")
    SUPPORT = "support", _("附议（我也遇到）")
    LIGHT_YELLOW = "light_yellow", _("黄灯预警")
    OVERDUE = "overdue", _("超时（红灯）")
    AUTO_ESCALATE = "auto_escalate", _("超时自动升级")
    SUMMONS_OVERDUE = "summons_overdue", _("报到超时")


class Step(models.TextChoices):
    """The step whose clock runs in a state (DESIGN §5 time limits)."""

    INTAKE = "intake", _("受理立案")
    VERIFY = "verify", _("核实")
    DISPATCH = "dispatch", _("派遣")
    HANDLE = "handle", _("处置")
    CHECK = "check", _("核查")
    CLOSE = "close", _("结案")


class Source(models.TextChoices):
    GRID_WORKER = "grid_worker", _("网格员巡查上报")
    SUPERVISOR = "supervisor", _("监督员上报")
    HOTLINE = "hotline", _("12345热线")
    PUBLIC_WEB = "public_web", _("公众随手拍")
    OPEN311 = "open311", _("第三方应用")
    SENSOR = "sensor", _("视频/传感器")
    LEADER = "leader", _("领导交办")
    MEDIA = "media", _("媒体曝光")
    INSPECTION = "inspection", _("督查检查")


class Priority(models.TextChoices):
    NORMAL = "normal", _("一般")
    URGENT = "urgent", _("紧急")


class CaseLevel(models.TextChoices):
    GRID = "grid", _("网格")
    COMMUNITY = "community", _("社区")
    STREET = "street", _("街道")
    DISTRICT = "district", _("区")


LEVEL_ORDER = [CaseLevel.GRID, CaseLevel.COMMUNITY, CaseLevel.STREET, CaseLevel.DISTRICT]
#: Length of the area code of each level (DESIGN §4): the level's area is the prefix of the grid code.
LEVEL_CODE_LENGTH = {CaseLevel.GRID: 15, CaseLevel.COMMUNITY: 12, CaseLevel.STREET: 9, CaseLevel.DISTRICT: 6}


class Light(models.TextChoices):
    GREEN = "green", _("绿灯")
    YELLOW = "yellow", _("黄灯")
    RED = "red", _("红灯")
    NONE = "none", _("不计时")


class Supervision(models.IntegerChoices):
    NONE = 0, _("无")
    NORMAL = 1, _("普通督办")
    YELLOW = 2, _("黄牌督办")
    RED = 3, _("红牌督办")


class AssignmentRole(models.TextChoices):
    MAIN = "main", _("主办")
    ASSIST = "assist", _("协办")


class RequestKind(models.TextChoices):
    EXTEND = "extend", _("延期")
    RETURN = "return", _("回退")
    SUSPEND = "suspend", _("挂账")
    VOID = "void", _("作废")


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已同意")
    REFUSED = "refused", _("已驳回")


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASICALLY_SATISFIED = "basically_satisfied", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


class PhotoStage(models.TextChoices):
    REPORT = "report", _("上报")
    BEFORE = "before", _("处置前")
    AFTER = "after", _("处置后")
    VERIFY = "verify", _("核实")
    CHECK = "check", _("核查")
