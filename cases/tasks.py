"""Background work of the case workflow: telling people about case events, and the deadline job.

- Each event's recipients are worked out once (:func:`recipients_of`), each person once however many of their
  roles or areas cover the case, and never the actor. One event is one cause: a person gets one message of it.
- Routine events of the periodic job (:data:`GROUPED`: cases turning red, escalated automatically) that reach a
  person several at once (one sweep hands its events over in one batch) are told as one grouped message per person
  ("12 个案件进入红灯") that lists the cases: one in-app row, one text on every other channel.
- Every message names the case(s) it is about and the state in which it still needs its reader (the badge of
  :mod:`notifications.selectors`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django_tasks import task

from accounts.access import users_covering
from accounts.models import User
from accounts.roles import Role
from cases.choices import CaseAction
from cases.models import CaseEvent
from cases.workflow import APPROVING, ASSIGNEE, CALLED, HOLDER, LEADING, OPEN, TRANSITIONS, transition_label
from gridgov import crypto
from notifications.choices import NoticeKind
from notifications.services import notify, notify_phone

#: The kind of message of each group of people told (their choice of channels is per kind).
KIND_OF_TOLD = {
    HOLDER: NoticeKind.TASK,
    ASSIGNEE: NoticeKind.TASK,
    APPROVING: NoticeKind.APPROVAL,
    LEADING: NoticeKind.ALERT,
    CALLED: NoticeKind.SUMMONS,
}
#: Routine events told as one grouped message per person when several reach them at once; the title of the group.
GROUPED: dict[str, str] = {
    CaseAction.OVERDUE: "%(count)s 个案件进入红灯",
    CaseAction.AUTO_ESCALATE: "%(count)s 个案件自动升级",
}
#: How many case numbers a grouped message's text names (the in-app message lists them all).
GROUP_TEXT_NUMBERS = 10


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
    """Who is told of an event, as its transition declares: each person once, the actor never."""
    people = _told(event).exclude(pk=event.actor_id or 0).order_by().values_list("pk", flat=True)
    return sorted(set(people))


def _item(event: CaseEvent) -> dict[str, object]:
    """What the message keeps of its case: the case, the event, and the state in which it still waits on the reader
    (none once the event leaves the case finished)."""
    case = event.case
    return {
        "case": case.pk,
        "event": event.pk,
        "waits_while": event.to_status if event.to_status in OPEN else "",
        "title": f"{case.number} {transition_label(event.action)}",
    }


def case_event_notify(event: CaseEvent, users: list[int] | None = None) -> int:
    """Staff concerned by the event, and every reporter of the case who left a phone when the step is public."""
    case = event.case
    sent = 0
    transition = TRANSITIONS[event.action]
    users = recipients_of(event) if users is None else users
    if users:
        sent += notify(
            users,
            title=f"案卷 {case.number}：{transition_label(event.action)}",
            body=event.reason[:500],
            link=reverse("cases:detail", args=[case.number]),
            cause=f"case_event:{event.pk}",
            data={"case": case.number, "action": event.action},
            kind=KIND_OF_TOLD.get(transition.told, NoticeKind.OTHER),
            items=[_item(event)],
            at=event.at,
        )
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


def _grouped_notify(action: str, told: list[tuple[CaseEvent, list[int]]]) -> int:
    """One message per person for the routine events of one batch: a person reached by one event gets that
    event's own message; several, one grouped message whose cause is the batch's first event of the kind (a
    repeated batch writes nothing)."""
    events_of: dict[int, list[CaseEvent]] = defaultdict(list)
    for event, users in told:
        for user_id in users:
            events_of[user_id].append(event)
    first = min(event.pk for event, _users in told)
    people_of: dict[tuple[int, ...], list[int]] = defaultdict(list)
    sent = 0
    for user_id, events in events_of.items():
        if len(events) == 1:
            sent += case_event_notify(events[0], [user_id])
        else:
            people_of[tuple(event.pk for event in events)].append(user_id)
    by_pk = {event.pk: event for event, _users in told}
    kind = KIND_OF_TOLD.get(TRANSITIONS[action].told, NoticeKind.OTHER)
    for event_ids, users in people_of.items():
        events = [by_pk[pk] for pk in event_ids]
        numbers = [event.case.number for event in events]
        more = _("等") if len(numbers) > GROUP_TEXT_NUMBERS else ""
        sent += notify(
            users,
            title=_(GROUPED[action]) % {"count": len(events)},
            body="、".join(numbers[:GROUP_TEXT_NUMBERS]) + more,
            cause=f"case_events:{action}:{first}",
            data={"cases": numbers, "action": action},
            kind=kind,
            items=[_item(event) for event in events],
            at=max(event.at for event in events),
        )
    return sent


def events_notify(events: Iterable[CaseEvent]) -> int:
    """Tell the people of each event; the routine ones of :data:`GROUPED` grouped per person."""
    sent = 0
    grouped: dict[str, list[tuple[CaseEvent, list[int]]]] = defaultdict(list)
    for event in events:
        if event.action in GROUPED:
            grouped[event.action].append((event, recipients_of(event)))
        else:
            sent += case_event_notify(event)
    for action, told in grouped.items():
        sent += _grouped_notify(action, told)
    return sent


@task()
def case_events_notify(event_ids: list[int]) -> int:
    return events_notify(CaseEvent.objects.filter(pk__in=event_ids).select_related("case__grid").order_by("pk"))
