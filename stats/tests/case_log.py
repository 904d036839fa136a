"""Hand-made case histories for the statistics' tests.

A :class:`CaseLog` writes a :class:`~cases.models.Case` row and, step by step, the :class:`~cases.models.CaseEvent`
rows the services would write: each ``payload["set"]`` holds the fields its step wrote, as
:func:`cases.workflow.as_json` writes them. Every deadline is given by the test (the instant the next step must
meet), not computed on the working calendar, so the expected figures can be worked out by hand. The case row
follows the log (status, times), so :func:`stats.indicators.durations_of` reads what the log says.

The events bypass the services (and so the facts kept current); run :func:`stats.facts.facts_rebuild` after
writing them.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any
from zoneinfo import ZoneInfo

from accounts.models import Department
from cases.choices import CaseAction, CaseStatus, Light, Source, Step
from cases.models import Case, CaseEvent, Category
from cases.workflow import as_json
from gridgov.testing import World

A = CaseAction
S = CaseStatus
SITE_ZONE = ZoneInfo("Asia/Shanghai")
_numbers = itertools.count(1)


def local(month: int, day: int, hour: int = 9, minute: int = 0, *, year: int = 2026) -> dt.datetime:
    """An instant given in the site's local time (Asia/Shanghai, UTC+8)."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=SITE_ZONE)


def after(moment: dt.datetime, minutes: float) -> dt.datetime:
    return moment + dt.timedelta(minutes=minutes)


class CaseLog:
    """One case and its events, written as the services write them. Each step returns the log, so steps chain.

    ``by`` names a persona of the test world (``None``: the system, or an anonymous reporter). Deadlines:
    ``due`` is the deadline of the step that starts (the intake, dispatch, handling, check or closing clock).
    """

    def __init__(
        self,
        world: World,
        category: Category,
        reported_at: dt.datetime,
        *,
        source: str = Source.GRID_WORKER,
        by: str | None = "grid_worker_a",
        grid: Any = None,
        due: dt.datetime | None = None,
        self_resolved: bool = False,
    ) -> None:
        self.world = world
        self.case = Case.objects.create(
            number=f"K{next(_numbers):09d}",
            source=source,
            description="手工写成的案卷",
            grid=grid or world.grid_a,
            category=category,
            created_at=reported_at,
            updated_at=reported_at,
        )
        initial: dict[str, Any] = {
            "category_id": category.pk,
            "priority": "normal",
            "main_department_id": None,
            "due_at": due or after(reported_at, 120 if self_resolved else 30),
            "handle_due_at": None,
            "light": Light.GREEN,
            "resume_status": "",
            "rework_count": 0,
            "overdue_count": 0,
            "extension_count": 0,
            "rating": "",
            "filed_at": None,
            "dispatched_at": None,
            "handled_at": reported_at if self_resolved else None,
            "closed_at": None,
        }
        if self_resolved:
            self._write(A.SELF_RESOLVE, reported_at, by, S.SELF_RESOLVED, step=Step.CHECK, **initial)
        else:
            self._write(A.REPORT, reported_at, by, S.REPORTED, step=Step.INTAKE, **initial)

    @property
    def pk(self) -> int:
        return self.case.pk

    def _write(self, action: str, at: dt.datetime, by: str | None, status: str | None = None, **fields: Any) -> CaseLog:
        first = not CaseEvent.objects.filter(case=self.case).exists()
        to_status = status or self.case.status  # a mark keeps the state, as transition_apply writes it
        CaseEvent.objects.create(
            case=self.case,
            at=at,
            actor=self.world.users[by] if by else None,
            action=action,
            from_status="" if first else self.case.status,
            to_status=to_status,
            payload={"set": {name: as_json(value) for name, value in fields.items()}},
        )
        for name, value in fields.items():
            setattr(self.case, name, value)
        self.case.status = to_status
        self.case.updated_at = at
        self.case.save()
        return self

    # --- Intake ---------------------------------------------------------------------------------------------------
    def accept(self, at: dt.datetime, *, by: str = "intake_clerk") -> CaseLog:
        """受理: the intake clock started at the report runs on."""
        return self._write(A.ACCEPT, at, by, S.ACCEPTED)

    def verify_request(self, at: dt.datetime, *, due: dt.datetime, by: str = "intake_clerk") -> CaseLog:
        worker = self.world.user("grid_worker_a")
        return self._write(A.VERIFY_REQUEST, at, by, S.VERIFYING, assignee_id=worker.pk, step=Step.VERIFY, due_at=due)

    def verify(
        self, at: dt.datetime, *, confirmed: bool, due: dt.datetime | None = None, by: str = "grid_worker_a"
    ) -> CaseLog:
        """核实属实 (a new intake clock, ``due``) or 不属实 (the case ends as rejected)."""
        if confirmed:
            return self._write(A.VERIFY_CONFIRM, at, by, S.ACCEPTED, assignee_id=None, step=Step.INTAKE, due_at=due)
        return self._write(A.VERIFY_DENY, at, by, S.REJECTED, assignee_id=None, step="", due_at=None)

    def reject(self, at: dt.datetime, *, by: str = "shift_leader") -> CaseLog:
        return self._write(A.REJECT, at, by, S.REJECTED, step="", due_at=None, light=Light.NONE)

    def file(self, at: dt.datetime, *, due: dt.datetime, by: str = "shift_leader") -> CaseLog:
        """立案; ``due``: the dispatch deadline."""
        return self._write(A.FILE, at, by, S.FILED, filed_at=at, step=Step.DISPATCH, due_at=due)

    # --- Dispatch and handling ------------------------------------------------------------------------------------
    def dispatch(
        self, at: dt.datetime, *, due: dt.datetime, department: Department | None = None, by: str = "dispatcher"
    ) -> CaseLog:
        """派遣; ``due``: the handling deadline (also ``handle_due_at``)."""
        department = department or self.world.department
        return self._write(
            A.DISPATCH,
            at,
            by,
            S.DISPATCHED,
            main_department_id=department.pk,
            dispatched_at=at,
            step=Step.HANDLE,
            due_at=due,
            handle_due_at=due,
        )

    def handle(self, at: dt.datetime, *, due: dt.datetime | None = None, by: str = "department_handler") -> CaseLog:
        """处置反馈; ``due``: the check deadline (two hours by default)."""
        return self._write(
            A.REPORT_RESULT, at, by, S.HANDLED, handled_at=at, step=Step.CHECK, due_at=due or after(at, 120)
        )

    def check_request(self, at: dt.datetime, *, by: str | None = None) -> CaseLog:
        """派发核查 (by rule when ``by`` is None): the check clock started at 处置反馈 runs on."""
        return self._write(A.CHECK_REQUEST, at, by, S.CHECKING, assignee_id=self.world.user("grid_worker_a").pk)

    def check_pass(self, at: dt.datetime, *, due: dt.datetime | None = None, by: str = "grid_worker_a") -> CaseLog:
        """核查通过; ``due``: the closing deadline (30 minutes by default)."""
        return self._write(
            A.CHECK_PASS, at, by, S.CHECKED, assignee_id=None, step=Step.CLOSE, due_at=due or after(at, 30)
        )

    def rework(self, at: dt.datetime, *, due: dt.datetime, by: str = "grid_worker_a") -> CaseLog:
        """核查未通过, 返工: back to the department with a new handling deadline ``due``."""
        return self._write(
            A.REWORK,
            at,
            by,
            S.DISPATCHED,
            assignee_id=None,
            rework_count=self.case.rework_count + 1,
            dispatched_at=at,
            step=Step.HANDLE,
            due_at=due,
            handle_due_at=due,
        )

    def close(self, at: dt.datetime, *, by: str = "shift_leader") -> CaseLog:
        return self._write(A.CLOSE, at, by, S.CLOSED, closed_at=at, step="", due_at=None, light=Light.NONE)

    def evaluate(self, at: dt.datetime, rating: str, *, by: str = "intake_clerk") -> CaseLog:
        return self._write(A.EVALUATE, at, by, S.EVALUATED, rating=rating)

    def reopen(self, at: dt.datetime, *, due: dt.datetime) -> CaseLog:
        """不满意重办 (by the system after 评价不满意): back to the department, ``closed_at`` cleared."""
        return self._write(
            A.REOPEN,
            at,
            None,
            S.DISPATCHED,
            rework_count=self.case.rework_count + 1,
            closed_at=None,
            dispatched_at=at,
            step=Step.HANDLE,
            due_at=due,
            handle_due_at=due,
            light=Light.GREEN,
        )

    # --- Side flows and marks -------------------------------------------------------------------------------------
    def extend(self, at: dt.datetime, *, due: dt.datetime, by: str = "dispatcher") -> CaseLog:
        """延期 approved: a later handling deadline ``due``."""
        count = self.case.extension_count + 1
        return self._write(A.EXTEND, at, by, extension_count=count, due_at=due, handle_due_at=due)

    def return_to_dispatch(self, at: dt.datetime, *, due: dt.datetime, by: str = "dispatcher") -> CaseLog:
        """回退 approved: the department gives the case back; ``due``: the new dispatch deadline."""
        return self._write(
            A.RETURN,
            at,
            by,
            S.RETURNED,
            main_department_id=None,
            handle_due_at=None,
            step=Step.DISPATCH,
            due_at=due,
        )

    def suspend(self, at: dt.datetime, *, by: str = "dispatcher") -> CaseLog:
        """挂账 approved: the clock stops (its instants cleared); ``handle_due_at`` is left as it was."""
        return self._write(
            A.SUSPEND, at, by, S.SUSPENDED, resume_status=self.case.status, due_at=None, light=Light.NONE
        )

    def resume(self, at: dt.datetime, *, due: dt.datetime, by: str = "dispatcher") -> CaseLog:
        """恢复办理: the handling clock restarts with the minutes banked; ``due``: its new deadline."""
        status = self.case.resume_status
        return self._write(A.RESUME, at, by, status, resume_status="", due_at=due, handle_due_at=due, light=Light.GREEN)

    def void(self, at: dt.datetime, *, by: str = "dispatcher") -> CaseLog:
        return self._write(A.VOID, at, by, S.VOID, step="", due_at=None, light=Light.NONE)

    def overdue(self, at: dt.datetime) -> CaseLog:
        """超时 (the periodic job): the step went red."""
        return self._write(A.OVERDUE, at, None, overdue_count=self.case.overdue_count + 1, light=Light.RED)

    def merge(self, at: dt.datetime, *, by: str = "intake_clerk") -> CaseLog:
        return self._write(A.MERGE, at, by, S.MERGED, step="", due_at=None, light=Light.NONE)
