"""Queries of the hotline desk: the caller's history, the knowledge base, the callback queue, the ticket list."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from cases.choices import ENDED_STATUSES, CaseStatus
from gridgov import crypto
from hotline.choices import CallOutcome
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


def tickets_overdue() -> QuerySet[Ticket]:
    return Ticket.objects.filter(closed_at__isnull=True, due_at__lt=timezone.now())
