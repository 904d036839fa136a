"""预测预警 pages: the list of open and handled alerts with their sparklines, one alert (where a notification
links), and marking an alert handled. Thin views: parse → fetch-and-authorize → one service → render."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from alerts import services
from alerts.forms import AcknowledgeForm
from alerts.models import WarningAlert
from alerts.selectors import (
    CHANGE_PERMISSION,
    HANDLED,
    OPEN,
    STATES,
    access_alert,
    alerts_counts,
    alerts_list,
    alerts_reader,
    cases_url,
    probability_words,
    sparklines,
)
from audit.services import Origin
from gridgov.errors import DomainError, ValidationFailed, form_errors_add
from gridgov.http import AuthenticatedHttpRequest

PAGE_SIZE = 20


def _rows(request: AuthenticatedHttpRequest, alerts: list[WarningAlert], **forms: AcknowledgeForm) -> list[Any]:
    """Each alert with what its card shows: words, the link to its cases, the form to mark it handled."""
    may_change = request.user.has_perm(CHANGE_PERMISSION)
    back = request.get_full_path()
    today = timezone.localdate()
    rows = []
    for alert in alerts:
        form = forms.get(str(alert.pk))
        if form is None and may_change and not alert.handled:
            form = AcknowledgeForm(initial={"next": back}, auto_id=f"alert-{alert.pk}-%s")
        rows.append(
            {
                "alert": alert,
                "words": probability_words(alert.probability),
                "cases_url": cases_url(alert),
                "form": form,
                "today": alert.day == today,
            }
        )
    return rows


@login_required
@require_safe
def alert_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    alerts_reader(request.user)
    tab = request.GET.get("tab") or OPEN
    if tab not in STATES:
        raise ValidationFailed(_("没有这个列表：请选择“待处理”或“已处理”"), code="alert_tab_invalid")
    page = Paginator(alerts_list(request.user, tab), PAGE_SIZE).get_page(request.GET.get("page"))
    alerts = list(page.object_list)
    context = {
        "tab": tab,
        "tabs": [(OPEN, _("待处理")), (HANDLED, _("已处理"))],
        "counts": alerts_counts(request.user),
        "page": page,
        "rows": _rows(request, alerts),
        "series": sparklines(alerts),
        "querystring_without_page": f"tab={tab}&",
        "weeks": settings.ALERTS_WEEKS,
    }
    return render(request, "alerts/list.html", context)


def _detail(request: AuthenticatedHttpRequest, alert: WarningAlert, status: int = 200, **forms: Any) -> HttpResponse:
    context = {
        "rows": _rows(request, [alert], **forms),
        "series": sparklines([alert]),
        "alert": alert,
        "weeks": settings.ALERTS_WEEKS,
    }
    return render(request, "alerts/detail.html", context, status=status)


@login_required
@require_safe
def alert_detail(request: AuthenticatedHttpRequest, alert_id: int) -> HttpResponse:
    return _detail(request, access_alert(request.user, alert_id))


@login_required
@require_POST
def alert_acknowledge(request: AuthenticatedHttpRequest, alert_id: int) -> HttpResponse:
    alert = access_alert(request.user, alert_id)
    form = AcknowledgeForm(request.POST, auto_id=f"alert-{alert.pk}-%s")
    if not form.is_valid():
        return _detail(request, alert, 400, **{str(alert.pk): form})
    try:
        services.alert_acknowledge(Origin.of_request(request), alert, form.cleaned_data["note"])
    except DomainError as error:
        form_errors_add(form, error)
        return _detail(request, alert, error.status, **{str(alert.pk): form})
    messages.success(request, _("预警已标记为已处理"))
    back = form.cleaned_data.get("next") or ""
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("alerts:detail", alert.pk)
