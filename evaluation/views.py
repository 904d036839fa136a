"""绩效考核 pages: the rankings (with their .xlsx), a person's scorecard (and "我的考核"), the scoring schemes.
Thin views: parse → fetch-and-authorize → build → render."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required, permission_required
from django.http import FileResponse, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from audit.services import Origin
from evaluation import services
from evaluation.choices import PERSON_KINDS, RankingKind
from evaluation.exports import ranking_workbook
from evaluation.params import kind_chosen, period_chosen
from evaluation.rankings import Ranking, ranking_build, scorecard_build
from evaluation.schemes import schemes_listed
from evaluation.selectors import access_person, person_positions, ranking_kinds
from gridgov.http import AuthenticatedHttpRequest
from stats.periods import Period, PeriodKind

#: The period picker's input per period kind (week and month inputs give the period's own key).
PICKER_INPUTS = {
    PeriodKind.DAY: "date",
    PeriodKind.WEEK: "week",
    PeriodKind.MONTH: "month",
    PeriodKind.QUARTER: "text",
    PeriodKind.YEAR: "number",
}


def _picker(period: Period) -> dict[str, Any]:
    return {
        "period": period,
        "period_kinds": PeriodKind.choices,
        "picker_input": PICKER_INPUTS[PeriodKind(period.kind)],
        "previous_key": period.previous().key,
        "next_key": period.next().key if period.end < timezone.localdate() else "",
    }


@login_required
@require_safe
def rankings(request: AuthenticatedHttpRequest) -> HttpResponse:
    kind = kind_chosen(request.user, request.GET.get("by"))
    period = period_chosen(request.GET.get("period"), request.GET.get("kind"))
    ranking = ranking_build(request.user, kind, period)
    labels = dict(RankingKind.choices)
    context = {
        **_picker(period),
        "step_query": f"by={kind}&",
        "ranking": ranking,
        "rows": ranking.rows(),
        "kinds": [(value, labels[value]) for value in ranking_kinds(request.user)],
        "people": kind in PERSON_KINDS,
        "two_levels": kind == RankingKind.DEPARTMENT,
    }
    return render(request, "evaluation/rankings.html", context)


@login_required
@require_safe
def rankings_export(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    kind = kind_chosen(request.user, request.GET.get("by"))
    period = period_chosen(request.GET.get("period"), request.GET.get("kind"))
    ranking: Ranking = ranking_build(request.user, kind, period)
    content, count = ranking_workbook(ranking)
    services.ranking_exported(Origin.of_request(request), kind, period, count)
    return FileResponse(
        io.BytesIO(content),
        as_attachment=True,
        filename=f"绩效排名-{RankingKind(kind).label}-{period.key}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@login_required
@require_safe
def me(request: AuthenticatedHttpRequest) -> HttpResponse:
    target = reverse("evaluation:person", args=[request.user.pk])
    period = request.GET.get("period", "")
    return redirect(f"{target}?{urlencode({'period': period})}" if period else target)


@login_required
@require_safe
def person(request: AuthenticatedHttpRequest, person_id: int) -> HttpResponse:
    someone = access_person(request.user, person_id)
    period = period_chosen(request.GET.get("period"), request.GET.get("kind"))
    services.person_figures_viewed(Origin.of_request(request), someone, period)
    cards = [scorecard_build(someone, position, period) for position in person_positions(someone)]
    context = {
        **_picker(period),
        "step_query": "",
        "person": someone,
        "own": someone.pk == request.user.pk,
        "cards": cards,
        "before": period.previous(),
        "trends": {
            card.position: {
                "label": card.position_label,
                "periods": [item.key for item, _value in card.trend],
                "values": [value for _item, value in card.trend],
            }
            for card in cards
        },
    }
    return render(request, "evaluation/person.html", context)


@login_required
@require_safe
@permission_required("evaluation.view_scoringscheme", raise_exception=True)
def schemes(request: AuthenticatedHttpRequest) -> HttpResponse:
    context = {
        "positions": schemes_listed(timezone.localdate()),
        "may_change": request.user.has_perm("evaluation.change_scoringscheme"),
        "may_add": request.user.has_perm("evaluation.add_scoringscheme"),
    }
    return render(request, "evaluation/schemes.html", context)
