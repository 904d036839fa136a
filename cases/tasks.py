"""Background work of the case workflow: telling people about case events, and the deadline job."""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse
from django_tasks import task

from accounts.access import users_covering
from accounts.models import User
from accounts.roles import Role
from cases.models import CaseEvent
from cases.workflow import APPROVING, ASSIGNEE, CALLED, HOLDER, LEADING, TRANSITIONS, transition_label
from gridgov import crypto
from notifications.services import notify, notify_phone


def _told(event: CaseEvent) -> QuerySet[User]:
    """The people :attr:`Transition.told <cases.workflow.Transition.told>` names for this event."""
    case = event.case
    told = TRANSITIONS[event.action].told
    if told == HOLDER and case.main_department_id:
        return User.objects.filter(department_id=case.main_department_id, is_active=True)
    if told == ASSIGNEE and case.assignee_id:
        return User.objects.filter(pk=case.assignee_id)
    if told == APPROVING:
        return users_covering(case.grid.code, [Role.SHIFT_LEADER, Role.DISPATCHER])
    if told == LEADING:
        return users_covering(case.grid.code, [Role.STREET_LEADER, Role.DISTRICT_LEADER, Role.SHIFT_LEADER])
    if told == CALLED:
        return User.objects.filter(department_id__in=event.payload.get("departments", []), is_active=True)
    return User.objects.none()


def recipients_of(event: CaseEvent) -> list[int]:
    """Who is told of an event, as its transition declares (the actor never is)."""
    people = _told(event).exclude(pk=event.actor_id or 0)
    return list(people.values_list("pk", flat=True).distinct())


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
    transition = TRANSITIONS[event.action]
    if transition.tell_reporter:
        note = str(transition.public_note)
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
