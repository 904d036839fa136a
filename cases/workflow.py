"""The case state machine, declared once: which action moves a case from which states to which, and who may.

Services in :mod:`cases.services` are the only code that changes a case; each one names its action here and
:func:`transition_check` refuses what the table does not allow. Marks (催办, 督办, 加急, 吹哨, 升级…) keep the state.
:func:`case_replay` rebuilds a case from its events, which the tests run over every demo case.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from accounts.access import user_scope
from accounts.roles import Role
from cases.choices import ACTIVE_STATUSES, FINISHED_STATUSES, CaseAction, CaseStatus, PhotoStage, RequestKind
from gridgov.errors import Conflict, PermissionDenied

S = CaseStatus
A = CaseAction
# Who may act, and on which cases: "area" = the case's grid is in the actor's scope; "department" = the actor's
# department holds the case (主办); "summoned" = the actor's department was summoned to it.
# "visible" = anyone whose access check let them open the case (it was fetched through ``access_case``).
AREA, DEPARTMENT, SUMMONED, VISIBLE = "area", "department", "summoned", "visible"
COMMAND = frozenset({Role.INTAKE_CLERK, Role.SHIFT_LEADER, Role.DISPATCHER})
FIELD = frozenset({Role.GRID_WORKER, Role.GRID_LEADER, Role.SUPERVISOR})
LEADERS = frozenset({Role.STREET_LEADER, Role.DISTRICT_LEADER})
HANDLER = frozenset({Role.DEPARTMENT_HANDLER})
INTAKE = frozenset({Role.INTAKE_CLERK, Role.SHIFT_LEADER})
APPROVERS = frozenset({Role.SHIFT_LEADER, Role.DISPATCHER})
SYSTEM: frozenset[str] = frozenset()
WORKING = frozenset(
    {
        S.ACCEPTED,
        S.VERIFYING,
        S.FILED,
        S.DISPATCHED,
        S.HANDLING,
        S.HANDLED,
        S.SELF_RESOLVED,
        S.CHECKING,
        S.CHECKED,
        S.RETURNED,
    }
)
OPEN = frozenset(ACTIVE_STATUSES)


# Who is told of an event (the notification task reads this): nobody; the department holding the case; the
# worker it was given to (核实/核查); the shift leaders and dispatchers covering its grid; the leaders covering its
# grid; the departments the event summoned.
NOBODY, HOLDER, ASSIGNEE, APPROVING, LEADING, CALLED = "", "holder", "assignee", "approving", "leading", "called"
# How a transition takes its free text: not at all, optional, or required (field ``reason`` or ``note``).
NONE, OPTIONAL, REQUIRED = "", "optional", "required"
#: The photo stage of a transition whose caller names the stage of its photos (补充照片).
ANY_STAGE = "any"


class Takes(StrEnum):
    """The fields a transition takes besides its text, photos, time limit and version: a closed vocabulary, each
    one group of fields. The API body (``cases.api.TAKES_FIELDS``) and the page form (``cases.forms.TAKES_FORMS``)
    of each are written once."""

    CLASSIFICATION = "classification"  # category_id, priority, level (受理, 立案)
    WORKER = "worker"  # worker_id: the grid worker sent to the place (派发核实, 派发核查)
    VERDICT = "verdict"  # passed: which of a pair of transitions the result makes (核实属实/不属实, 核查通过/返工)
    MAIN_CASE = "main_case"  # main: the number of the case it is merged into (合并)
    HANDLERS = "handlers"  # department, assists: the main department and its co-handlers (派遣)
    RATING = "rating"  # rating, comment, channel (评价)
    REQUEST_KIND = "request_kind"  # kind: extend, return, suspend or void (申请)
    SUPERVISION = "supervision"  # level: 1 普通 / 2 黄牌 / 3 红牌 (督办)
    DEPARTMENTS = "departments"  # departments: the departments called (吹哨)


@dataclass(frozen=True)
class Input:
    """What a page form and an API body give a transition (the services check it against this). The API builds
    each transition's body from it (``cases.api``) and the pages pick their form by it (``cases.forms.form_for``)."""

    text: str = OPTIONAL  # NONE, OPTIONAL or REQUIRED
    text_field: str = "reason"  # "note" where the text is the result of work (反馈/核实/核查/审批)
    photo_stage: str = ""  # the stage of the photos it may carry ("" = none; ANY_STAGE = the caller picks)
    minutes_field: str = ""  # a time limit it may carry (派遣时限, 延期时长), in minutes in the API body
    takes: tuple[Takes, ...] = ()  # the other fields it takes
    versioned: bool = True  # the body carries ``version``, the case version its caller saw
    # The API body must carry the text field. Otherwise it may be left out (it is then empty), and a required
    # text left out is refused by the service with its own code (reason_required), like an empty one.
    text_sent: bool = False

    @property
    def text_required(self) -> bool:
        return self.text == REQUIRED


@dataclass(frozen=True)
class Transition:
    action: CaseAction
    label: Any
    sources: frozenset[str]
    target: str | None  # None: a mark, the state stays
    roles: frozenset[str]
    reach: str = AREA
    input: Input = Input()
    told: str = NOBODY  # who is told (NOBODY, HOLDER, ASSIGNEE, APPROVING, LEADING, CALLED)
    public_note: Any = None  # the step as the public timeline shows it (None: the event stays inside)
    tell_reporter: bool = False  # the reporter who left a phone gets a text message of this step
    quiet: bool = False  # not handed to the notification task at all (too frequent to matter)


def _t(
    action: CaseAction,
    sources: Iterable[str],
    target: str | None,
    roles: Iterable[str],
    reach: str = AREA,
    **declared: Any,
) -> Transition:
    return Transition(action, action.label, frozenset(sources), target, frozenset(roles), reach, **declared)


REASON = Input(text=REQUIRED)
NOTE = Input(text=REQUIRED, text_field="note")
CLASSIFY = Input(takes=(Takes.CLASSIFICATION,))
WORKER = Input(takes=(Takes.WORKER,))
VERIFY_RESULT = Input(REQUIRED, "note", PhotoStage.VERIFY, takes=(Takes.VERDICT,), text_sent=True)
CHECK_RESULT = Input(REQUIRED, "note", PhotoStage.CHECK, takes=(Takes.VERDICT,), text_sent=True)
REQUEST = Input(REQUIRED, minutes_field="extra_minutes", takes=(Takes.REQUEST_KIND,), versioned=False, text_sent=True)


# fmt: off
TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        _t(A.REPORT, [""], S.REPORTED, SYSTEM, public_note=_l("收到反映")),
        _t(A.SELF_RESOLVE, [""], S.SELF_RESOLVED, SYSTEM, public_note=_l("网格员发现并现场处置")),
        _t(A.ACCEPT, [S.REPORTED], S.ACCEPTED, COMMAND, input=CLASSIFY, public_note=_l("已受理"), tell_reporter=True),
        _t(A.REJECT, [S.REPORTED, S.ACCEPTED], S.REJECTED, INTAKE, input=REASON,
           public_note=_l("不予立案"), tell_reporter=True),
        _t(A.VERIFY_REQUEST, [S.REPORTED, S.ACCEPTED], S.VERIFYING, COMMAND, input=WORKER, told=ASSIGNEE,
           public_note=_l("派网格员现场核实")),
        _t(A.VERIFY_CONFIRM, [S.VERIFYING], S.ACCEPTED, FIELD, input=VERIFY_RESULT,
           public_note=_l("现场核实属实")),
        _t(A.VERIFY_DENY, [S.VERIFYING], S.REJECTED, FIELD, input=VERIFY_RESULT,
           public_note=_l("经现场核实，不予立案"), tell_reporter=True),
        _t(A.FILE, [S.REPORTED, S.ACCEPTED], S.FILED, {Role.SHIFT_LEADER}, input=CLASSIFY,
           public_note=_l("已立案"), tell_reporter=True),
        _t(A.MERGE, [S.REPORTED, S.ACCEPTED, S.VERIFYING], S.MERGED, COMMAND, input=Input(takes=(Takes.MAIN_CASE,)),
           public_note=_l("与同一问题合并办理"), tell_reporter=True),
        _t(A.ABSORB, OPEN | {S.CLOSED}, None, COMMAND),
        _t(A.DISPATCH, [S.FILED, S.RETURNED], S.DISPATCHED, {Role.DISPATCHER, Role.SHIFT_LEADER},
           input=Input(minutes_field="handle_minutes", takes=(Takes.HANDLERS,)), told=HOLDER,
           public_note=_l("已派至责任单位办理"), tell_reporter=True),
        _t(A.ACCEPT_TASK, [S.DISPATCHED], S.HANDLING, HANDLER, DEPARTMENT, public_note=_l("责任单位已签收")),
        _t(A.REPORT_RESULT, [S.DISPATCHED, S.HANDLING], S.HANDLED, HANDLER, DEPARTMENT,
           input=Input(REQUIRED, "note", PhotoStage.AFTER, text_sent=True),
           public_note=_l("责任单位反馈已办理"), tell_reporter=True),
        # 派发核查 by the command centre, or by the system at 处置反馈 (Category.check_by_rule); 改派 while 核查中.
        _t(A.CHECK_REQUEST, [S.HANDLED, S.SELF_RESOLVED, S.CHECKING], S.CHECKING, COMMAND, input=WORKER,
           told=ASSIGNEE),
        _t(A.CHECK_PASS, [S.CHECKING], S.CHECKED, FIELD, input=CHECK_RESULT,
           public_note=_l("现场核查通过")),
        _t(A.REWORK, [S.CHECKING], S.DISPATCHED, FIELD, input=CHECK_RESULT, told=HOLDER,
           public_note=_l("核查未通过，责任单位重新办理")),
        _t(A.CLOSE, [S.CHECKED], S.CLOSED, {Role.SHIFT_LEADER}, public_note=_l("已办结"), tell_reporter=True),
        _t(A.EVALUATE, [S.CLOSED], S.EVALUATED, COMMAND, input=Input(NONE, takes=(Takes.RATING,), versioned=False),
           public_note=_l("已评价")),
        _t(A.REOPEN, [S.EVALUATED], S.DISPATCHED, SYSTEM, told=HOLDER,
           public_note=_l("根据评价重新办理"), tell_reporter=True),
        _t(A.REQUEST_OPEN, [S.DISPATCHED, S.HANDLING], None, HANDLER, DEPARTMENT,
           input=REQUEST, told=APPROVING),
        _t(A.REQUEST_VOID, WORKING | {S.REPORTED}, None, COMMAND, input=REQUEST, told=APPROVING),
        _t(A.REQUEST_REFUSE, OPEN, None, APPROVERS, input=NOTE, told=HOLDER),
        _t(A.EXTEND, [S.DISPATCHED, S.HANDLING], None, APPROVERS, told=HOLDER,
           public_note=_l("办理期限经批准延长"), tell_reporter=True),
        _t(A.RETURN, [S.DISPATCHED, S.HANDLING], S.RETURNED, APPROVERS, told=HOLDER, public_note=_l("重新派遣")),
        _t(A.SUSPEND, [S.DISPATCHED, S.HANDLING], S.SUSPENDED, APPROVERS, told=HOLDER,
           public_note=_l("问题需长期解决，暂缓办理"), tell_reporter=True),
        _t(A.VOID, WORKING | {S.REPORTED}, S.VOID, APPROVERS, told=HOLDER,
           public_note=_l("已撤销"), tell_reporter=True),
        _t(A.RESUME, [S.SUSPENDED], None, APPROVERS, told=HOLDER, public_note=_l("恢复办理")),
        _t(A.ESCALATE, OPEN, None,
           {Role.COMMUNITY_STAFF, Role.GRID_LEADER, Role.SHIFT_LEADER, Role.DISPATCHER, *LEADERS},
           input=REASON, told=LEADING),
        _t(A.SUMMON, OPEN, None, LEADERS, input=Input(REQUIRED, takes=(Takes.DEPARTMENTS,)), told=CALLED),
        _t(A.SUMMONS_CONFIRM, OPEN | set(FINISHED_STATUSES), None, HANDLER, SUMMONED),
        _t(A.URGE, WORKING, None, {Role.SHIFT_LEADER, Role.DISPATCHER, *LEADERS}, told=HOLDER),
        _t(A.SUPERVISE, OPEN, None, {Role.SHIFT_LEADER, *LEADERS},
           input=Input(REQUIRED, takes=(Takes.SUPERVISION,)), told=HOLDER),
        _t(A.EXPEDITE, OPEN, None, {Role.SHIFT_LEADER, Role.DISPATCHER, *LEADERS}, input=REASON, told=HOLDER),
        _t(A.PHOTO_ADD, OPEN | {S.CLOSED}, None, COMMAND | FIELD | HANDLER, VISIBLE,
           input=Input(NONE, photo_stage=ANY_STAGE, versioned=False)),
        _t(A.SUPPORT, OPEN, None, SYSTEM, public_note=_l("又有居民反映了同一问题")),
        # Automatic actions of the periodic job (cases.deadlines).
        _t(A.LIGHT_YELLOW, OPEN, None, SYSTEM, quiet=True),
        _t(A.OVERDUE, OPEN, None, SYSTEM, told=LEADING),
        _t(A.AUTO_ESCALATE, OPEN, None, SYSTEM, told=LEADING),
        _t(A.SUMMONS_OVERDUE, OPEN | set(FINISHED_STATUSES), None, SYSTEM),
    ]
}
# fmt: on
assert set(TRANSITIONS) == set(CaseAction.values), "every CaseAction is declared once in the table"

#: The action that records a request of each kind, and the one that applies it once approved.
REQUEST_ASKED: dict[RequestKind, CaseAction] = {
    RequestKind.EXTEND: A.REQUEST_OPEN,
    RequestKind.RETURN: A.REQUEST_OPEN,
    RequestKind.SUSPEND: A.REQUEST_OPEN,
    RequestKind.VOID: A.REQUEST_VOID,
}
REQUEST_APPROVED: dict[RequestKind, CaseAction] = {
    RequestKind.EXTEND: A.EXTEND,
    RequestKind.RETURN: A.RETURN,
    RequestKind.SUSPEND: A.SUSPEND,
    RequestKind.VOID: A.VOID,
}


def transition_of(action: str) -> Transition:
    return TRANSITIONS[action]


#: The public timeline's note of each step, and the steps a reporter who left a phone is told of.
PUBLIC_NOTES: dict[str, Any] = {t.action: t.public_note for t in TRANSITIONS.values() if t.public_note is not None}
REPORTER_STEPS = frozenset(t.action for t in TRANSITIONS.values() if t.tell_reporter)


def transition_label(action: str) -> str:
    transition = TRANSITIONS.get(action)
    return str(transition.label) if transition else action


def actor_roles(user: Any) -> set[str]:
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    cached = getattr(user, "_gridgov_roles", None)
    if cached is None:
        cached = user._gridgov_roles = {group.name for group in user.groups.all()}
    return cached


def transition_check(user: Any, case: Any, action: str, *, system: bool = False) -> Transition:
    """Refuse ``action`` on ``case`` by ``user`` unless the table allows it. Raises a stable error code."""
    transition = TRANSITIONS[action]
    if system:
        _state_check(case, action, transition)
        return transition
    if not transition.roles:
        raise PermissionDenied(_("该操作只能由系统执行"), code="not_permitted")
    if not (getattr(user, "is_superuser", False) or actor_roles(user) & transition.roles):
        raise PermissionDenied(
            _("您的角色不能执行“%(action)s”") % {"action": transition.label},
            code="not_permitted",
            details={"action": action},
        )
    _state_check(case, action, transition)
    if not reaches(user, case, transition.reach):
        raise PermissionDenied(
            _("该案卷不在您的职责范围内，不能执行“%(action)s”") % {"action": transition.label},
            code="not_permitted",
            details={"action": action},
        )
    return transition


def _state_check(case: Any, action: str, transition: Transition) -> None:
    if case.status not in transition.sources:
        raise Conflict(
            _("案卷当前状态为“%(status)s”，不能执行“%(action)s”")
            % {"status": S(case.status).label, "action": transition.label},
            code="invalid_transition",
            details={"status": case.status, "action": action},
        )


def reaches(user: Any, case: Any, reach: str) -> bool:
    if getattr(user, "is_superuser", False):
        return True
    if reach == VISIBLE:
        return True
    if reach == AREA:
        return user_scope(user).covers(case.grid.code)
    department_id = getattr(user, "department_id", None)
    if not department_id:
        return False
    if reach == DEPARTMENT:
        return case.main_department_id == department_id
    return case.summonses.filter(department_id=department_id).exists()


def actions_for(user: Any, case: Any) -> list[str]:
    """Actions the table allows ``user`` on ``case`` now (for showing buttons; services check again)."""
    allowed = []
    roles = actor_roles(user)
    for action, transition in TRANSITIONS.items():
        if case.status not in transition.sources or not transition.roles:
            continue
        if not (user.is_superuser or roles & transition.roles):
            continue
        if transition.reach == SUMMONED:
            continue  # shown per summons
        if reaches(user, case, transition.reach):
            allowed.append(action)
    return allowed


# --- Replay ---------------------------------------------------------------------------------------------------
#: Fields of a case that its events fully determine.
REPLAYED_FIELDS = (
    "status",
    "category_id",
    "priority",
    "level",
    "main_department_id",
    "assignee_id",
    "merged_into_id",
    "step",
    "step_limit_minutes",
    "due_at",
    "handle_due_at",
    "light",
    "resume_status",
    "supervision",
    "expedited",
    "urge_count",
    "rework_count",
    "overdue_count",
    "extension_count",
    "rating",
    "filed_at",
    "dispatched_at",
    "handled_at",
    "closed_at",
)


def as_json(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, models.Model):
        return value.pk
    return value


def case_state(case: Any) -> dict[str, Any]:
    return {name: as_json(getattr(case, name)) for name in REPLAYED_FIELDS}


def case_replay(events: Iterable[Any]) -> dict[str, Any]:
    """The case fields rebuilt from its events alone, in order."""
    state: dict[str, Any] = {}
    for event in events:
        state.update({key: value for key, value in event.payload.get("set", {}).items() if key in REPLAYED_FIELDS})
        if event.to_status:
            state["status"] = event.to_status
    return state
