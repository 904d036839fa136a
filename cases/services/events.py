"""Case events: the one place that builds a :class:`CaseEvent` row and writes it, then hands it to the
notification task once the transaction commits (unless its transition is quiet)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction

from cases.models import CaseEvent
from cases.tasks import case_events_notify
from cases.workflow import TRANSITIONS
from stats.facts import EventContext, facts_add

SYSTEM_CHANNEL = "system"


def events_publish(event_ids: Sequence[int]) -> None:
    """After commit: hand the new events to the notification task (recipients are worked out there)."""
    case_events_notify.enqueue(list(event_ids))


def event_build(
    case_id: int,
    action: str,
    at: dt.datetime,
    *,
    from_status: str,
    to_status: str,
    payload: dict[str, Any],
    actor_id: int | None = None,
    reason: str = "",
    channel: str = SYSTEM_CHANNEL,
) -> CaseEvent:
    """One event row, not yet written. ``action`` must be declared in :data:`cases.workflow.TRANSITIONS`."""
    if action not in TRANSITIONS:
        raise ValueError(f"undeclared case action {action!r}")
    return CaseEvent(
        case_id=case_id,
        at=at,
        actor_id=actor_id,
        action=action,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        payload=payload,
        channel=channel,
    )


def events_save(events: list[CaseEvent], contexts: Mapping[int, EventContext] | None = None) -> list[CaseEvent]:
    """Write built events (one insert, or batches) inside the caller's transaction, add what they count for to
    the statistics' facts (``contexts``: the case around each event, where the caller has it) and publish them
    after the transaction."""
    if len(events) == 1:
        events[0].save(force_insert=True)
        saved = events
    else:
        saved = CaseEvent.objects.bulk_create(events, batch_size=5000)
    facts_add(saved, contexts)
    ids = [event.pk for event in saved if event.pk and not TRANSITIONS[event.action].quiet]
    if ids:
        transaction.on_commit(lambda: events_publish(ids))
    return saved
