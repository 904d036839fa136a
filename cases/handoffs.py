"""Who acts next on a case: the step each state waits for on the main path of the loop (受理 → 立案 → 派遣 → 签收 →
处置反馈 → 派发核查 → 核查 → 结案 → 评价) and the words the case page shows ("下一步：值班长立案")."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from accounts.roles import Role
from cases.choices import CaseAction, CaseStatus
from cases.models import Case
from cases.workflow import TRANSITIONS

S, A = CaseStatus, CaseAction

#: The action each open state waits for on the main path; side flows (回退, 挂账, 作废…) are not "next".
NEXT_ACTION: dict[str, CaseAction] = {
    S.REPORTED: A.ACCEPT,
    S.ACCEPTED: A.FILE,
    S.VERIFYING: A.VERIFY_CONFIRM,
    S.FILED: A.DISPATCH,
    S.RETURNED: A.DISPATCH,
    S.DISPATCHED: A.ACCEPT_TASK,
    S.HANDLING: A.REPORT_RESULT,
    S.HANDLED: A.CHECK_REQUEST,
    S.SELF_RESOLVED: A.CHECK_REQUEST,
    S.CHECKING: A.CHECK_PASS,
    S.CHECKED: A.CLOSE,
    S.CLOSED: A.EVALUATE,
    S.SUSPENDED: A.RESUME,
}
#: The word for the step where the action's own label names an outcome (核查通过 → 核查, 核实属实 → 核实).
STEP_WORDS = {A.VERIFY_CONFIRM: _l("核实"), A.CHECK_PASS: _l("核查")}
#: The one role named when several may act (the one whose queue holds the case).
MAIN_ROLE = {A.ACCEPT: Role.INTAKE_CLERK, A.DISPATCH: Role.DISPATCHER, A.CHECK_REQUEST: Role.DISPATCHER,
             A.EVALUATE: Role.INTAKE_CLERK, A.RESUME: Role.SHIFT_LEADER}  # fmt: skip


@dataclass(frozen=True)
class NextStep:
    action: CaseAction
    who: str  # a role, a department or a person, as the page names them
    what: str  # the step

    def __str__(self) -> str:
        return _("下一步：%(who)s%(what)s") % {"who": self.who, "what": self.what}


def next_step(case: Case) -> NextStep | None:
    """The step the case waits for and who takes it; None once nothing more is expected."""
    action = NEXT_ACTION.get(case.status)
    if action is None:
        return None
    what = str(STEP_WORDS.get(action) or TRANSITIONS[action].label)
    if action in (A.ACCEPT_TASK, A.REPORT_RESULT) and case.main_department is not None:
        who = case.main_department.name
    elif action in (A.VERIFY_CONFIRM, A.CHECK_PASS) and case.assignee_id:
        who = _("网格员%(name)s") % {"name": case.assignee}
    else:
        roles = TRANSITIONS[action].roles
        role = MAIN_ROLE.get(action) or next(role for role in Role if role in roles)
        who = str(role.label)
    return NextStep(action, who, what)
