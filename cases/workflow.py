"""The case state machine, declared once: which action moves a case from which states to which, and who may.

Services in :mod:`cases.services` are the only code that changes a case; each one names its action here and
:func:`transition_check` refuses what the table does not allow. Marks (催办, 督办, 加急, 吹哨, 升级…) keep the state.
:func:`case_replay` rebuilds a case from its events, which the tests run over every demo case.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from accounts.access import user_scope
from accounts.roles import Role
from cases.choices import OPEN_STATUSES, CaseAction, CaseStatus
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
OPEN = frozenset(OPEN_STATUSES) | {S.SUSPENDED}


@dataclass(frozen=True)
class Transition:
    action: str
    label: Any
    sources: frozenset[str]
    target: str | None  # None: a mark, the state stays
    roles: frozenset[str]
    reach: str = AREA


def _t(action: CaseAction, sources: Iterable[str], target: str | None, roles: Iterable[str], reach: str = AREA):
    return Transition(action, action.label, frozenset(sources), target, frozenset(roles), reach)


# fmt: off
TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        _t(A.REPORT, [""], S.REPORTED, SYSTEM),
        _t(A.SELF_RESOLVE, [""], S.SELF_RESOLVED, SYSTEM),
        _t(A.ACCEPT, [S.REPORTED], S.ACCEPTED, COMMAND),
        _t(A.REJECT, [S.REPORTED, S.ACCEPTED], S.REJECTED, INTAKE),
        _t(A.VERIFY_REQUEST, [S.REPORTED, S.ACCEPTED], S.VERIFYING, COMMAND),
        _t(A.VERIFY_CONFIRM, [S.VERIFYING], S.ACCEPTED, FIELD),
        _t(A.VERIFY_DENY, [S.VERIFYING], S.REJECTED, FIELD),
        _t(A.FILE, [S.REPORTED, S.ACCEPTED], S.FILED, {Role.SHIFT_LEADER}),
        _t(A.MERGE, [S.REPORTED, S.ACCEPTED, S.VERIFYING], S.MERGED, COMMAND),
        _t(A.ABSORB, OPEN | {S.CLOSED}, None, COMMAND),
        _t(A.DISPATCH, [S.FILED, S.RETURNED], S.DISPATCHED, {Role.DISPATCHER, Role.SHIFT_LEADER}),
        _t(A.ACCEPT_TASK, [S.DISPATCHED], S.HANDLING, HANDLER, DEPARTMENT),
        _t(A.REPORT_RESULT, [S.DISPATCHED, S.HANDLING], S.HANDLED, HANDLER, DEPARTMENT),
        _t(A.CHECK_REQUEST, [S.HANDLED, S.SELF_RESOLVED], S.CHECKING, COMMAND),
        _t(A.CHECK_PASS, [S.CHECKING], S.CHECKED, FIELD),
        _t(A.REWORK, [S.CHECKING], S.DISPATCHED, FIELD),
        _t(A.CLOSE, [S.CHECKED], S.CLOSED, {Role.SHIFT_LEADER}),
        _t(A.EVALUATE, [S.CLOSED], S.EVALUATED, COMMAND),
        _t(A.REOPEN, [S.EVALUATED], S.DISPATCHED, SYSTEM),
        _t(A.REQUEST_OPEN, [S.DISPATCHED, S.HANDLING], None, HANDLER, DEPARTMENT),
        _t(A.REQUEST_VOID, WORKING | {S.REPORTED}, None, COMMAND),
        _t(A.REQUEST_REFUSE, OPEN, None, APPROVERS),
        _t(A.EXTEND, [S.DISPATCHED, S.HANDLING], None, APPROVERS),
        _t(A.RETURN, [S.DISPATCHED, S.HANDLING], S.RETURNED, APPROVERS),
        _t(A.SUSPEND, [S.DISPATCHED, S.HANDLING], S.SUSPENDED, APPROVERS),
        _t(A.VOID, WORKING | {S.REPORTED}, S.VOID, APPROVERS),
        _t(A.RESUME, [S.SUSPENDED], None, APPROVERS),
        _t(A.ESCALATE, OPEN, None,
           {Role.COMMUNITY_STAFF, Role.GRID_LEADER, Role.SHIFT_LEADER, Role.DISPATCHER, *LEADERS}),
        _t(A.SUMMON, OPEN, None, LEADERS),
        _t(A.SUMMONS_CONFIRM, OPEN | {S.CLOSED, S.EVALUATED}, None, HANDLER, SUMMONED),
        _t(A.URGE, WORKING, None, {Role.SHIFT_LEADER, Role.DISPATCHER, *LEADERS}),
        _t(A.SUPERVISE, OPEN, None, {Role.SHIFT_LEADER, *LEADERS}),
        _t(A.EXPEDITE, OPEN, None, {Role.SHIFT_LEADER, Role.DISPATCHER, *LEADERS}),
        _t(A.PHOTO_ADD, OPEN | {S.CLOSED}, None, COMMAND | FIELD | HANDLER, VISIBLE),
        _t(A.SUPPORT, OPEN, None, SYSTEM),
        # Automatic actions of the periodic job (cases.deadlines).
        _t(A.LIGHT_YELLOW, OPEN, None, SYSTEM),
        _t(A.OVERDUE, OPEN, None, SYSTEM),
        _t(A.AUTO_ESCALATE, OPEN, None, SYSTEM),
        _t(A.SUMMONS_OVERDUE, OPEN | {S.CLOSED, S.EVALUATED}, None, SYSTEM),
    ]
}
# fmt: on


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
