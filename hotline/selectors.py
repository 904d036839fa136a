"""Queries of the hotline desk: the caller's history, the knowledge base, the callback queue, the ticket list."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from cases.choices import ENDED_STATUSES, CaseStatus
from gridgov import crypto, timesource
from hotline import services
from hotline.choices import CallOutcome, RequestType
from hotline.models import Callback, KnowledgeArticle, Ticket
from hotline.services import CALLBACK_ATTEMPTS
from hotline.text import bigrams


def caller_history(phone: str, limit: int = 10) -> dict[str, Any]:
    """The caller's earlier tickets and their cases still open, found by the phone's keyed hash."""
    digits = "".join(character for character in phone if character.isdigit())
    if len(digits) < 3:
        return {"tickets": [], "open_cases": [], "count": 0}
    tickets = Ticket.objects.filter(caller_phone_hash=crypto.lookup_hash(digits)).select_related("case", "category")
    rows = list(tickets[:limit])
    open_cases = [
        ticket.case for ticket in tickets.filter(case__isnull=False).exclude(case__status__in=ENDED_STATUSES)[:limit]
    ]
    return {"tickets": rows, "open_cases": open_cases, "count": tickets.count()}


def articles_search(text: str, limit: int = 5) -> list[KnowledgeArticle]:
    """Active articles ranked by the terms they share with ``text`` (title and keywords count double)."""
    terms = set(bigrams(text))
    if not terms:
        return list(KnowledgeArticle.objects.filter(is_active=True)[:limit])
    condition = Q()
    for term in terms:
        condition |= Q(title__contains=term) | Q(keywords__contains=term) | Q(question__contains=term)
    scored = []
    for article in KnowledgeArticle.objects.filter(is_active=True).filter(condition)[:200]:
        strong = set(bigrams(article.title)) | set(bigrams(article.keywords))
        score = 2 * len(terms & strong) + len(terms & set(bigrams(article.question)))
        scored.append((score, article.use_count, article))
    scored.sort(key=lambda item: (-item[0], -item[1]))
    return [article for _score, _uses, article in scored[:limit]]


def callbacks_due() -> QuerySet[Ticket]:
    """Tickets whose case is closed and not yet evaluated, unless the caller was reached (or refused), or was
    not reached ``CALLBACK_ATTEMPTS`` times, since that closing."""
    since_closing = Callback.objects.filter(ticket=OuterRef("pk"), case_closed_at=OuterRef("case__closed_at"))
    misses = (
        since_closing.filter(outcome=CallOutcome.UNREACHABLE)
        .values("ticket")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return (
        Ticket.objects.filter(case__status=CaseStatus.CLOSED)
        .annotate(done=Exists(since_closing.exclude(outcome=CallOutcome.UNREACHABLE)))
        .annotate(misses=Coalesce(Subquery(misses), 0))
        .filter(done=False, misses__lt=CALLBACK_ATTEMPTS)
        .select_related("case", "category")
        .order_by("case__closed_at")
    )


CALLBACK_STATES = ("overdue", "today", "missed", "fresh")


@dataclass
class CallbackQueue:
    rows: QuerySet[Ticket]
    counts: dict[str, int]
    state: str
    request_type: str


def callbacks_queue(state: str = "", request_type: str = "", now: dt.datetime | None = None) -> CallbackQueue:
    """The callbacks due, filtered by state (``overdue``: past its due date; ``today``: due by tonight;
    ``missed``: the caller was not reached at least once; ``fresh``: not tried yet) and request type, oldest
    closing first, with the count of each state over the whole queue (one query)."""
    now = now or timesource.now()
    overdue_before = services.callbacks_overdue_before(now)
    tonight = timezone.make_aware(dt.datetime.combine(timezone.localtime(now).date(), dt.time(23, 59, 59)))
    today_before = services.callbacks_overdue_before(tonight + dt.timedelta(seconds=1))
    states = {
        "overdue": Q(case__closed_at__lt=overdue_before),
        "today": Q(case__closed_at__gte=overdue_before, case__closed_at__lt=today_before),
        "missed": Q(misses__gt=0),
        "fresh": Q(misses=0),
    }
    due = callbacks_due()
    if request_type in RequestType.values:
        due = due.filter(request_type=request_type)
    else:
        request_type = ""
    counts = due.aggregate(
        all=Count("pk"), **{name: Count("pk", filter=condition) for name, condition in states.items()}
    )
    if state in states:
        due = due.filter(states[state])
    else:
        state = ""
    return CallbackQueue(due, {name: value or 0 for name, value in counts.items()}, state, request_type)


def callbacks_with_due(tickets: Iterable[Ticket], now: dt.datetime | None = None) -> list[Ticket]:
    """Each ticket of a page with its callback's due date (``callback_due``) and whether it is past
    (``callback_late``), from the working calendar in memory."""
    now = now or timesource.now()
    rows = list(tickets)
    for ticket in rows:
        closed_at = ticket.case.closed_at if ticket.case else None
        ticket.callback_due = services.callback_due_at(closed_at) if closed_at else None  # type: ignore[attr-defined]
        ticket.callback_late = bool(closed_at) and ticket.callback_due < now  # type: ignore[attr-defined]
    return rows


def tickets_overdue() -> QuerySet[Ticket]:
    return Ticket.objects.filter(closed_at__isnull=True, due_at__lt=timezone.now())
