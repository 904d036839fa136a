"""The 12345 seat's work: take a call (answer it from the knowledge base, or turn it into a case through the case
services), extend a ticket before its deadline, record a callback (回访) after the case closes, and learn which
words go with which category."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import Role
from areas.models import Area
from audit.models import AuditAction
from audit.services import Origin, audit_record, exact_search_allow
from cases.choices import CaseStatus, Priority, Rating
from cases.models import Case, Category
from cases.services import ReportData, case_evaluate, report_submit
from cases.workflow import actor_roles
from cases.worktime import calendar_for
from gridgov import crypto, timesource
from gridgov.errors import Conflict, PermissionDenied, Problems
from gridgov.phones import phone_digits
from hotline.choices import CallOutcome, RequestType, TicketOutcome
from hotline.gazetteer import area_point, places_search
from hotline.models import Callback, KnowledgeArticle, LearnedTerm, SuggestionCorrection, Ticket, TicketLimit
from hotline.text import bigrams

SEATS = {Role.INTAKE_CLERK, Role.SHIFT_LEADER}
#: Common 12345 rules, used until an administrator edits the table (working days; 0 = the same day).
DEFAULT_LIMITS: dict[str, int] = {
    RequestType.CONSULT: 3,
    RequestType.HELP: 3,
    RequestType.COMPLAINT: 13,
    RequestType.REPORT: 13,
    RequestType.SUGGESTION: 13,
    RequestType.CRITICISM: 13,
    RequestType.PRAISE: 3,
}
CALLBACK_ATTEMPTS = 3
#: A callback is due within this many working days after the case closed.
CALLBACK_WORKING_DAYS = 3


def seat_check(user: Any) -> None:
    if not (getattr(user, "is_superuser", False) or actor_roles(user) & SEATS):
        raise PermissionDenied(_("只有热线坐席（受理员、值班长）可以操作"), code="not_permitted")


def working_days_after(start: dt.datetime, days: int) -> dt.datetime:
    """The end of the ``days``-th working day after ``start``'s day (0: the end of that day)."""
    calendar = calendar_for(None)
    day = timezone.localtime(start).date()
    counted = 0
    while counted < days:
        day += dt.timedelta(days=1)
        if calendar.is_workday(day):
            counted += 1
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))


def ticket_limit_days(request_type: str, urgent: bool) -> int:
    if urgent:
        return 0
    configured = TicketLimit.objects.filter(request_type=request_type).values_list("working_days", flat=True).first()
    return DEFAULT_LIMITS.get(request_type, 3) if configured is None else configured


@dataclass
class TicketData:
    caller_phone: str
    request_type: str
    content: str
    caller_name: str = ""
    urgent: bool = False
    address: str = ""
    longitude: float | None = None
    latitude: float | None = None
    category_id: int | None = None
    answer: str = ""
    article_id: int | None = None
    submission_key: str = ""
    area_id: int | None = None  # a community or grid picked when no address matched: filed at its centre
    approximate: bool = False  # the point is a centre (an area's, a road's), not the place itself
    suggested_category_id: int | None = None  # what the desk suggested; another category picked is a correction
    approximate_place: str = ""  # the road or 小区 whose middle gave the point


def _checked(data: TicketData) -> Problems:
    problems = Problems()
    data.caller_phone = phone_digits(data.caller_phone)
    if not 3 <= len(data.caller_phone) <= 15:
        problems.add("caller_phone", _("来电号码应为 3–15 位数字"))
    if data.request_type not in RequestType.values:
        problems.add("request_type", _("请选择诉求类型"))
    data.content = (data.content or "").strip()
    if not data.content:
        problems.add("content", _("请记录诉求内容"))
    elif len(data.content) > 2000:
        problems.add("content", _("诉求内容不能超过 2000 字"))
    answering = data.request_type == RequestType.CONSULT and (data.answer.strip() or data.article_id)
    if not answering and data.request_type != RequestType.PRAISE:
        _location_resolve(data)
        if data.longitude is None:
            problems.add("location", _("转办需要位置：请搜索地址、在地图上点选，或选择社区或网格"))
    if data.article_id and not KnowledgeArticle.objects.filter(pk=data.article_id, is_active=True).exists():
        problems.add("article", _("知识库条目不存在或已停用"))
    return problems


def _location_resolve(data: TicketData) -> None:
    """A call without a point: a community or grid picked files at its centre; else the address text's best
    gazetteer hit gives the point (approximate unless it is a building's or a place's own). The text is kept."""
    if data.longitude is not None and data.latitude is not None:
        return
    entry = area_point(data.area_id) if data.area_id else None
    if entry is None and data.address.strip():
        hits = places_search(data.address, limit=1)
        entry = hits[0].entry if hits else None
    if entry is None:
        data.longitude = data.latitude = None
        return
    data.longitude, data.latitude = entry.lon, entry.lat
    data.approximate = not entry.exact
    data.area_id = entry.area_id
    data.approximate_place = "" if entry.exact or entry.area_id else entry.label


def _case_address(data: TicketData) -> str:
    """The case's address: the caller's words, and where the point came from when it is only a centre."""
    if not data.approximate:
        return data.address
    area = Area.objects.filter(pk=data.area_id).values_list("name", flat=True).first() if data.area_id else None
    if area:
        note = _("约略位置：%(place)s中心") % {"place": area}
    elif data.approximate_place:
        note = _("约略位置：%(place)s") % {"place": data.approximate_place}
    else:
        note = _("约略位置")
    return f"{data.address.strip()}（{note}）"[:200]


def ticket_take(origin: Origin, data: TicketData) -> Ticket:
    """A call becomes a ticket. A 咨询 answered from the knowledge base (or by the seat) closes at once (一次办结);
    a 表扬 is recorded; everything else becomes a case with source ``hotline`` in the same transaction."""
    seat_check(origin.actor)
    problems = _checked(data)
    problems.raise_if_any()
    now = timesource.now()
    article = KnowledgeArticle.objects.filter(pk=data.article_id).first() if data.article_id else None
    answer = data.answer.strip() or (article.answer if article else "")
    if data.request_type == RequestType.CONSULT and answer:
        outcome = TicketOutcome.ANSWERED
    elif data.request_type == RequestType.PRAISE:
        outcome = TicketOutcome.RECORDED
    else:
        outcome = TicketOutcome.TRANSFERRED
    with transaction.atomic():
        case = None
        if outcome == TicketOutcome.TRANSFERRED:
            label = RequestType(data.request_type).label
            case = report_submit(
                origin,
                ReportData(
                    source="hotline",
                    description=f"【{label}】{data.content}",
                    longitude=data.longitude,
                    latitude=data.latitude,
                    address=_case_address(data),
                    category_id=data.category_id,
                    # 紧急 is the seat's choice; otherwise the category's default priority.
                    priority=Priority.URGENT if data.urgent else "",
                    priority_reason=_("12345 工单标记为紧急（当日办结）") if data.urgent else "",
                    reporter_name=data.caller_name,
                    reporter_phone=data.caller_phone if len(data.caller_phone) >= 7 else "",
                    notify_reporter=len(data.caller_phone) >= 7,
                    idempotency_key=f"hotline:{data.submission_key}" if data.submission_key else "",
                ),
            ).case
            existing = Ticket.objects.filter(case=case).first()
            if existing is not None:
                return existing  # a retried submission of the same call
        ticket = Ticket.objects.create(
            caller_phone=crypto.encrypt(data.caller_phone),
            caller_phone_hash=crypto.lookup_hash(data.caller_phone),
            caller_phone_masked=crypto.mask_phone(data.caller_phone),
            caller_name=data.caller_name.strip()[:64],
            request_type=data.request_type,
            urgent=data.urgent,
            content=data.content,
            address=data.address.strip()[:200],
            longitude=data.longitude,
            latitude=data.latitude,
            category_id=data.category_id,
            outcome=outcome,
            answer=answer if outcome == TicketOutcome.ANSWERED else "",
            article=article,
            case=case,
            taken_by=origin.actor,
            created_at=now,
            due_at=working_days_after(now, ticket_limit_days(data.request_type, data.urgent)),
            closed_at=now if outcome != TicketOutcome.TRANSFERRED else None,
            area_id=data.area_id,
            location_approximate=data.approximate and data.longitude is not None,
        )
        Ticket.objects.filter(pk=ticket.pk).update(number=f"H{timezone.localtime(now):%Y%m%d}{ticket.pk:06d}")
        ticket.refresh_from_db(fields=["number"])
        if article is not None:
            KnowledgeArticle.objects.filter(pk=article.pk).update(use_count=F("use_count") + 1)
        if data.category_id:
            terms_learn(data.content, data.category_id)
            if data.suggested_category_id and data.suggested_category_id != data.category_id:
                correction_record(origin, ticket, data.suggested_category_id)
    return ticket


def ticket_extend(origin: Origin, ticket: Ticket, working_days: int, reason: str) -> Ticket:
    """延期: only a shift leader, only before the deadline has passed."""
    if not (getattr(origin.actor, "is_superuser", False) or Role.SHIFT_LEADER in actor_roles(origin.actor)):
        raise PermissionDenied(_("只有值班长可以批准工单延期"), code="not_permitted")
    problems = Problems()
    if not 1 <= working_days <= 30:
        problems.add("working_days", _("延期天数应为 1–30 个工作日"))
    if not (reason or "").strip():
        problems.add("reason", _("请填写延期理由"))
    problems.raise_if_any()
    with transaction.atomic():
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        now = timesource.now()
        if locked.closed_at is not None:
            raise Conflict(_("工单已办结，不能延期"), code="ticket_closed")
        if locked.due_at <= now:
            raise Conflict(_("工单已超过办理期限，只能在到期前申请延期"), code="ticket_expired")
        locked.due_at = working_days_after(locked.due_at, working_days)
        locked.extension_count += 1
        locked.save(update_fields=["due_at", "extension_count"])
    return locked


def callback_record(origin: Origin, ticket: Ticket, *, outcome: str, rating: str = "", note: str = "") -> Callback:
    """回访 after the ticket's case closed. A reached caller's rating evaluates the case; 不满意 reopens it by rule."""
    seat_check(origin.actor)
    problems = Problems()
    if outcome not in CallOutcome.values:
        problems.add("outcome", _("请选择回访结果"))
    if outcome == CallOutcome.REACHED and rating not in Rating.values:
        problems.add("rating", _("接通后请记录来电人的评价"))
    if outcome != CallOutcome.REACHED and rating:
        problems.add("rating", _("未接通时不能记录评价"))
    problems.raise_if_any()
    with transaction.atomic():
        case = Case.objects.select_for_update(of=("self",)).get(pk=ticket.case_id) if ticket.case_id else None
        if case is None or case.status != CaseStatus.CLOSED or case.closed_at is None:
            raise Conflict(_("案卷尚未结案或已评价，无需回访"), code="callback_not_due")
        callback = Callback.objects.create(
            ticket=ticket,
            case_closed_at=case.closed_at,
            outcome=outcome,
            rating=rating,
            note=(note or "").strip()[:2000],
            called_by=origin.actor,
            called_at=timesource.now(),
        )
        if outcome == CallOutcome.REACHED:
            case_evaluate(origin, case, rating, comment=note, channel="hotline")
            Ticket.objects.filter(pk=ticket.pk, closed_at__isnull=True).update(closed_at=callback.called_at)
    return callback


# --- Calling back -----------------------------------------------------------------------------------------------
def may_call_back(user: Any) -> bool:
    """A seat who calls callers back: sees their full number (each reveal audited)."""
    return bool(user.has_perm("hotline.reveal_caller_phone"))


def caller_phone_reveal(origin: Origin, ticket: Ticket) -> str:
    """The caller's full number for a callback: one audit row per reveal (which ticket, never the number),
    limited per minute and day like the exact searches (a refusal is audited and alerts once)."""
    seat_check(origin.actor)
    if not may_call_back(origin.actor):
        raise PermissionDenied(_("您的角色不能查看完整来电号码"), code="reveal_not_permitted")
    exact_search_allow(
        origin,
        "hotline.reveal",
        ticket.number or "",
        settings.CALLER_REVEALS_PER_MINUTE,
        settings.CALLER_REVEALS_PER_DAY,
    )
    audit_record(origin, AuditAction.REVEAL, ticket, fields=["caller_phone"], detail={"ticket": ticket.number})
    return crypto.decrypt(ticket.caller_phone)


SOFTPHONE_SCHEMES = ("sip:", "sips:", "callto:", "tel:", "http://", "https://")


def softphone_link(number: str) -> str:
    """The configured softphone link for a number (``GRIDGOV_SOFTPHONE_URL`` with ``{number}``), or ""."""
    template = settings.SOFTPHONE_URL
    if "{number}" not in template or not template.lower().startswith(SOFTPHONE_SCHEMES):
        return ""
    return template.replace("{number}", quote(phone_digits(number), safe=""))


def callback_due_at(closed_at: dt.datetime) -> dt.datetime:
    """A callback is due by the end of the ``CALLBACK_WORKING_DAYS``-th working day after the case closed."""
    return working_days_after(closed_at, CALLBACK_WORKING_DAYS)


def callbacks_overdue_before(now: dt.datetime) -> dt.datetime:
    """The moment before which a closing makes its callback overdue at ``now`` (closings are compared with it in
    the database; the working calendar is walked back from today)."""
    day = timezone.localtime(now).date()
    while working_days_after(timezone.make_aware(dt.datetime.combine(day, dt.time(12))), CALLBACK_WORKING_DAYS) >= now:
        day -= dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0)))


# --- Category suggestion -----------------------------------------------------------------------------------------
#: What one correction weighs per shared term: enough that the corrected category leads for a similar text.
CORRECTION_WEIGHT = 3.0


def _terms_add(category_id: int, counts: Counter[str], field: str) -> None:
    """Add ``counts`` to the ``field`` (count, corrected or rejected) of each term under a category."""
    if not counts:
        return
    known = dict(LearnedTerm.objects.filter(category_id=category_id, term__in=list(counts)).values_list("term", "pk"))
    for term, count in counts.items():
        if term in known:
            LearnedTerm.objects.filter(pk=known[term]).update(**{field: F(field) + count})
    LearnedTerm.objects.bulk_create(
        [
            LearnedTerm(term=term, category_id=category_id, **{field: count})
            for term, count in counts.items()
            if term not in known
        ],
        ignore_conflicts=True,
    )


def terms_learn(text: str, category_id: int) -> None:
    """Count the ticket's terms under its category (the suggestion of the next similar call improves)."""
    _terms_add(category_id, Counter(bigrams(text)), "count")


def correction_record(origin: Origin, ticket: Ticket, suggested_id: int) -> SuggestionCorrection | None:
    """The seat filed ``ticket`` under another category than the suggested one: each term of its text now leans
    to the chosen category and away from the suggested one (see :func:`category_suggest`)."""
    if ticket.category_id is None or not Category.objects.filter(pk=suggested_id).exists():
        return None
    terms = Counter(dict.fromkeys(bigrams(ticket.content), 1))
    _terms_add(ticket.category_id, terms, "corrected")
    _terms_add(suggested_id, terms, "rejected")
    return SuggestionCorrection.objects.create(
        ticket=ticket,
        suggested_id=suggested_id,
        chosen_id=ticket.category_id,
        terms=sorted(terms),
        corrected_by=origin.actor,
        corrected_at=timesource.now(),
    )


@dataclass
class Suggestion:
    category: Category
    score: float
    reasons: list[str]


def category_suggest(text: str, limit: int = 3) -> list[Suggestion]:
    """Subclasses ranked for a text, each with why: its terms met in the category's own names (3 per term, 1 in
    the parent's), in past tickets filed under it (up to 2 per term, by how specific the term is to it), and in
    the seats' corrections (``CORRECTION_WEIGHT`` per term, less what was corrected away from it)."""
    terms = set(bigrams(text))
    if not terms:
        return []
    scores: defaultdict[int, float] = defaultdict(float)
    why: defaultdict[int, list[tuple[float, str]]] = defaultdict(list)
    for category in Category.objects.filter(parent__isnull=False, is_active=True).select_related("parent"):
        own = terms & set(bigrams(category.name))
        parent = terms & set(bigrams(category.parent.name)) if category.parent else set()
        if own or parent:
            scores[category.pk] += 3 * len(own) + len(parent)
            shown = "、".join(sorted(own or parent))
            why[category.pk].append((3 * len(own) + len(parent), _("名称含“%(terms)s”") % {"terms": shown}))
    learned = list(
        LearnedTerm.objects.filter(term__in=terms).values_list("term", "category_id", "count", "corrected", "rejected")
    )
    totals: Counter[str] = Counter()
    corrections: Counter[str] = Counter()
    for term, _category, count, corrected, _rejected in learned:
        totals[term] += count
        corrections[term] += corrected
    for term, category_id, count, corrected, rejected in learned:
        if count:
            scores[category_id] += 2 * count / totals[term]
        if corrected or rejected:
            weight = CORRECTION_WEIGHT * (corrected - rejected) / max(corrections[term], 1)
            scores[category_id] += weight
            if corrected:
                reason = _("“%(term)s”被纠正为此类 %(count)s 次") % {"term": term, "count": corrected}
                why[category_id].append((weight, reason))
    for category_id, score in list(scores.items()):
        learned_only = score - sum(weight for weight, _reason in why[category_id])
        if learned_only > 0.5:
            why[category_id].append((learned_only, _("以往同类工单用词")))
    ranked = [(pk, score) for pk, score in sorted(scores.items(), key=lambda item: item[1], reverse=True) if score > 0][
        :limit
    ]
    categories = Category.objects.select_related("parent").in_bulk([pk for pk, _score in ranked])
    return [
        Suggestion(
            categories[pk],
            round(score, 2),
            [reason for _weight, reason in sorted(why[pk], key=lambda item: -item[0])[:3]],
        )
        for pk, score in ranked
    ]
