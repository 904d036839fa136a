"""The 12345 seat's pages: the intake desk (keyboard-first), its live panels (caller history, category
suggestion, knowledge base, address search, duplicates), tickets, callbacks and the knowledge base editor."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from audit.services import Origin, exact_search_allow
from cases.selectors import duplicates_at
from gridgov.errors import DomainError, NotFound, form_errors_add
from hotline import forms, gazetteer, selectors, services
from hotline.choices import RequestType
from hotline.models import KnowledgeArticle, Ticket

PAGE_SIZE = 50


def seat_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            services.seat_check(request.user)
        except DomainError:
            raise NotFound(_("页面不存在"), code="not_found") from None
        return view(request, *args, **kwargs)

    return wrapped


@seat_required
def desk(request: HttpRequest) -> HttpResponse:
    form = forms.TicketForm(request.POST or None, initial={"submission_key": uuid.uuid4().hex})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ticket = services.ticket_take(
                Origin.of_request(request),
                services.TicketData(
                    caller_phone=data["caller_phone"],
                    caller_name=data["caller_name"],
                    request_type=data["request_type"],
                    urgent=data["urgent"],
                    content=data["content"],
                    address=data["address"],
                    longitude=data["longitude"],
                    latitude=data["latitude"],
                    category_id=data["category"].pk if data["category"] else None,
                    answer=data["answer"],
                    article_id=data["article"].pk if data["article"] else None,
                    submission_key=data["submission_key"],
                    area_id=data["area"],
                    approximate=data["approximate"],
                    suggested_category_id=data["suggested_category"],
                ),
            )
        except DomainError as error:
            form_errors_add(form, error)
        else:
            text = _("工单 %(number)s 已登记") % {"number": ticket.number}
            if ticket.case is not None:
                text += _("，已转办案卷 %(case)s") % {"case": ticket.case.number}
            if ticket.location_approximate:
                text += _("（约略位置）")
            messages.success(request, text)
            return redirect("hotline:desk")
    context = {"form": form, "areas": gazetteer.area_choices()}
    return render(request, "hotline/desk.html", context, status=400 if form.errors else 200)


@seat_required
@require_GET
def caller(request: HttpRequest) -> HttpResponse:
    phone = request.GET.get("caller_phone", "")[:20]
    # Each lookup tells whether a number has called: a seat's own limit, higher than the registry's.
    exact_search_allow(Origin.of_request(request), "hotline.caller", phone, settings.CALLER_LOOKUPS_PER_MINUTE, 0)
    return render(request, "hotline/_caller.html", selectors.caller_history(phone))


@seat_required
@require_GET
def suggest(request: HttpRequest) -> HttpResponse:
    found = services.category_suggest(request.GET.get("content", "")[:2000])
    return render(request, "hotline/_suggest.html", {"suggestions": found})


@seat_required
@require_GET
def knowledge_search(request: HttpRequest) -> HttpResponse:
    text = request.GET.get("q") or request.GET.get("content", "")
    return render(request, "hotline/_knowledge.html", {"articles": selectors.articles_search(text[:500])})


@seat_required
@require_GET
def addresses(request: HttpRequest) -> HttpResponse:
    text = request.GET.get("address", "")[:100]
    return render(request, "hotline/_addresses.html", {"hits": gazetteer.places_search(text), "text": text.strip()})


@seat_required
@require_GET
def duplicates(request: HttpRequest) -> HttpResponse:
    try:
        category = int(request.GET.get("category", ""))
        longitude, latitude = float(request.GET.get("longitude", "")), float(request.GET.get("latitude", ""))
    except ValueError:
        return HttpResponse("")
    return render(request, "hotline/_duplicates.html", {"found": duplicates_at(category, longitude, latitude)[:5]})


@seat_required
def ticket_list(request: HttpRequest) -> HttpResponse:
    tickets = Ticket.objects.select_related("case", "category", "taken_by")
    if request.GET.get("overdue"):
        tickets = selectors.tickets_overdue().select_related("case", "category", "taken_by")
    return render(
        request, "hotline/tickets.html", {"page": Paginator(tickets, PAGE_SIZE).get_page(request.GET.get("page"))}
    )


@seat_required
def ticket_detail(request: HttpRequest, number: str) -> HttpResponse:
    ticket = get_object_or_404(Ticket.objects.select_related("case", "category", "article"), number=number)
    form = forms.ExtendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.ticket_extend(
                Origin.of_request(request), ticket, form.cleaned_data["working_days"], form.cleaned_data["reason"]
            )
        except DomainError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, _("已延期"))
            return redirect("hotline:ticket", number)
    return render(request, "hotline/ticket.html", {"ticket": ticket, "form": form, "callbacks": ticket.callbacks.all()})


@seat_required
def callbacks(request: HttpRequest) -> HttpResponse:
    queue = selectors.callbacks_queue(request.GET.get("state", ""), request.GET.get("type", ""))
    paginator = Paginator(queue.rows, PAGE_SIZE)
    paginator.count = queue.counts[queue.state or "all"]  # counted with the states already
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "page": page,
        "rows": selectors.callbacks_with_due(page),
        "queue": queue,
        "states": [(state, label, queue.counts[state or "all"]) for state, label in CALLBACK_STATE_LABELS.items()],
        "types": RequestType.choices,
        "form": forms.CallbackForm(),
        "can_reveal": services.may_call_back(request.user),
        "days": services.CALLBACK_WORKING_DAYS,
    }
    return render(request, "hotline/callbacks.html", context)


CALLBACK_STATE_LABELS = {
    "": _lazy("全部待回访"),
    "overdue": _lazy("已超期"),
    "today": _lazy("今日到期"),
    "missed": _lazy("曾未接通"),
    "fresh": _lazy("未回访"),
}


@seat_required
@require_POST
@never_cache
def caller_phone(request: HttpRequest, number: str) -> HttpResponse:
    """The caller's full number for a callback (POST: the number never appears in a URL or a cached page)."""
    ticket = get_object_or_404(Ticket, number=number)
    phone = services.caller_phone_reveal(Origin.of_request(request), ticket)
    context = {"phone": phone, "softphone": services.softphone_link(phone), "ticket": ticket}
    return render(request, "hotline/_phone.html", context)


@seat_required
@require_POST
def callback_record(request: HttpRequest, number: str) -> HttpResponse:
    ticket = get_object_or_404(Ticket, number=number)
    form = forms.CallbackForm(request.POST)
    if form.is_valid():
        try:
            services.callback_record(Origin.of_request(request), ticket, **form.cleaned_data)
        except DomainError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("回访已记录：%(number)s") % {"number": ticket.number})
    else:
        messages.error(request, _("请选择回访结果"))
    return redirect("hotline:callbacks")


@seat_required
def knowledge(request: HttpRequest) -> HttpResponse:
    text = request.GET.get("q", "")
    articles = selectors.articles_search(text, limit=50) if text else KnowledgeArticle.objects.all()[:200]
    return render(request, "hotline/knowledge.html", {"articles": articles, "q": text})


@seat_required
def article_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    article = get_object_or_404(KnowledgeArticle, pk=pk) if pk else None
    form = forms.ArticleForm(request.POST or None, instance=article)
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        saved.updated_by = request.user
        saved.save()
        messages.success(request, _("知识库已保存"))
        return redirect("hotline:knowledge")
    return render(request, "hotline/article.html", {"form": form, "article": article})
