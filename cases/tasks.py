"""Background work of the case workflow: telling people about case events, and the deadline job."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django_tasks import task

from accounts.access import users_covering
from accounts.models import User
from accounts.roles import Role
from cases.models import CaseEvent
from cases.public import REPORTER_STEPS, STEP_NOTES
from cases.workflow import transition_label
from gridgov import crypto
from notifications.services import notify, notify_phone


def recipients_of(event: CaseEvent) -> list[int]:
    """Who is told of an event: the department on dispatch and rework, the worker on a verify or check task,
    dispatchers and shift leaders on requests, leaders on red lights and escalations, summoned departments."""
    case = event.case
    code = case.grid.code
    people = User.objects.none()
    if event.action in ("dispatch", "rework", "reopen", "urge", "supervise", "expedite") and case.main_department_id:
        people = User.objects.filter(department_id=case.main_department_id, is_active=True)
    elif event.action in ("verify_request", "check_request") and case.assignee_id:
        people = User.objects.filter(pk=case.assignee_id)
    elif event.action in ("request_open", "request_void"):
        people = users_covering(code, [Role.SHIFT_LEADER, Role.DISPATCHER])
    elif event.action in ("overdue", "auto_escalate", "escalate"):
        people = users_covering(code, [Role.STREET_LEADER, Role.DISTRICT_LEADER, Role.SHIFT_LEADER])
    elif event.action == "summon":
        people = User.objects.filter(department_id__in=event.payload.get("departments", []), is_active=True)
    elif event.action in ("extend", "return", "suspend", "void", "request_refuse", "resume"):
        people = User.objects.filter(department_id=case.main_department_id, is_active=True)
    return list(people.exclude(pk=event.actor_id or 0).values_list("pk", flat=True).distinct())


def case_event_notify(event: CaseEvent) -> int:
    """Staff concerned by the event, and every reporter of the case who left a phone when the step is public."""
    case = event.case
    sent = 0
    users = recipients_of(event)
    if users:
        sent += notify(
            users,
            title=f"案卷 {case.number}：{transition_label(event.action)}",
            body=event.reason[:500],
            link=reverse("cases:detail", args=[case.number]),
            cause=f"case_event:{event.pk}",
            data={"case": case.number, "action": event.action},
        )
    if event.action in REPORTER_STEPS:
        note = str(STEP_NOTES[event.action])
        for stored in (
            case.reports.filter(notify_reporter=True)
            .exclude(reporter_phone="")
            .values_list("reporter_phone", flat=True)
        ):
            sent += notify_phone(
                crypto.decrypt(stored),
                title=f"您反映的问题（编号 {case.number}）：{note}",
                cause=f"case_event:{event.pk}",
                data={"case": case.number, "step": note},
            )
    return sent


@task()
def case_events_notify(event_ids: list[int]) -> int:
    sent = 0
    for event in CaseEvent.objects.filter(pk__in=event_ids).select_related("case__grid"):
        sent += case_event_notify(event)
    return sent


@task()
def case_deadlines_sweep() -> dict[str, Any]:
    from cases.deadlines import deadlines_sweep

    return deadlines_sweep().__dict__
