"""The pages of the command centre and the leaders on field work: live positions (在岗监控) with their JSON, a
worker's day played back (轨迹回放), and the day's statistics per grid (巡查统计) with their .xlsx. Queries live
in ``fieldwork/monitoring.py`` and ``fieldwork/playback.py``."""

from __future__ import annotations

import io
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from audit.services import Origin
from fieldwork import monitoring
from fieldwork.exports import stats_export
from fieldwork.playback import playback_data
from gridgov.errors import DomainError
from gridgov.http import AuthenticatedHttpRequest


@login_required
@require_safe
def live_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    monitoring.monitor_required(request.user)
    context = {
        "grids": monitoring.live_grids(request.user),
        "data": monitoring.live_positions(request.user),
        "stale_minutes": int(monitoring.STALE_AFTER.total_seconds() // 60),
    }
    return render(request, "fieldwork/live.html", context)


@login_required
@require_safe
def live_data(request: AuthenticatedHttpRequest) -> JsonResponse:
    try:
        monitoring.monitor_required(request.user)
    except DomainError as error:
        return JsonResponse(error.as_dict(), status=error.status)
    return JsonResponse(monitoring.live_positions(request.user))


@login_required
@require_safe
def playback_page(request: AuthenticatedHttpRequest, worker_id: int) -> HttpResponse:
    day = monitoring.day_param(request.GET.get("date"))
    data = playback_data(Origin.of_request(request), worker_id, day)
    context = {
        "day": day,
        "today": timezone.localdate(),
        "data": data,
        "may_monitor": monitoring.may_monitor(request.user),
    }
    return render(request, "fieldwork/playback.html", context)


@login_required
@require_safe
def stats_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    monitoring.monitor_required(request.user)
    selection = monitoring.stats_filter(request.user, request.GET)
    rows = list(monitoring.stats_rows(request.user, selection))
    # Each column's header sorts by it, descending first, ascending on a second click.
    sort_links = {
        key: urlencode(selection.query(sort=("" if selection.sort == key and selection.descending else "-") + key))
        for key in monitoring.SORTS
    }
    context = {
        "selection": selection,
        "rows": rows,
        "totals": monitoring.stats_totals(rows),
        "areas": monitoring.stats_areas(request.user),
        "sort_links": sort_links,
        "today": timezone.localdate(),
        "query": urlencode(selection.query()),
    }
    return render(request, "fieldwork/stats.html", context)


@login_required
@require_safe
def stats_xlsx(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    monitoring.monitor_required(request.user)
    selection = monitoring.stats_filter(request.user, request.GET)
    rows = monitoring.stats_rows(request.user, selection)
    try:
        content, file_name = stats_export(Origin.of_request(request), rows, selection.query())
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(reverse("fieldwork:stats") + "?" + urlencode(selection.query()))
    return FileResponse(
        io.BytesIO(content),
        as_attachment=True,
        filename=file_name,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
