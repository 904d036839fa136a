"""Pages of visit plans, due visits (the worker's list, a month calendar, a grid's list with reassignment), the
worker's agenda and compliance. Thin: parse, fetch through the plan and agenda modules, render."""

from __future__ import annotations

import calendar as month_calendar
import datetime as dt
from collections import Counter
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.access import user_scope
from areas.models import Area
from audit.services import Origin
from gridgov import timesource
from gridgov.errors import DomainError, PermissionDenied
from gridgov.forms import StyledForm
from gridgov.http import AuthenticatedHttpRequest
from registry.choices import SENSITIVE_TAGS, TagCategory
from visits.agenda import agenda_of
from visits.choices import DueLight, IntervalUnit, PlanSubject, VisitPurpose
from visits.compliance import compliance_rows, compliance_summary
from visits.models import VisitPlan, may_see_sensitive
from visits.plans import (
    access_due_visit,
    access_plan,
    due_light,
    due_row,
    due_visit_assign,
    due_visits_filtered,
    grid_workers,
    plan_coverage_count,
    plans_visible_to,
    visit_plan_save,
)

LIST_LIMIT = 200


def _today() -> dt.date:
    return timezone.localdate(timesource.now())


def _require(request: AuthenticatedHttpRequest, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied(str(_("您的角色不能使用此页面")), code="not_permitted")


# ── Plans ───────────────────────────────────────────────────────────────────────────────────────────────────


class PlanForm(StyledForm):
    name = forms.CharField(label=_("名称"), max_length=100)
    subject = forms.ChoiceField(label=_("对象"), choices=PlanSubject.choices)
    tag_category = forms.ChoiceField(label=_("人员标签"), required=False)
    area = forms.ModelChoiceField(
        label=_("适用区域"), queryset=Area.objects.none(), required=False, empty_label=_("全部区域")
    )
    interval = forms.IntegerField(
        label=_("走访周期"),
        min_value=1,
        max_value=366,
        help_text=_("按人员标签：两次走访最多间隔；流动人口：纳入的天数"),
    )
    interval_unit = forms.ChoiceField(label=_("周期单位"), choices=IntervalUnit.choices)
    first_within = forms.IntegerField(label=_("首次走访期限"), min_value=1, max_value=366, initial=7)
    purpose = forms.ChoiceField(label=_("走访事由"), required=False)
    active = forms.BooleanField(label=_("启用"), required=False, initial=True)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        categories = [
            (value, label)
            for value, label in TagCategory.choices
            if value not in SENSITIVE_TAGS or may_see_sensitive(user)
        ]
        tag_field = self.fields["tag_category"]
        assert isinstance(tag_field, forms.ChoiceField)
        tag_field.choices = [("", "—"), *categories]
        purpose_field = self.fields["purpose"]
        assert isinstance(purpose_field, forms.ChoiceField)
        purpose_field.choices = [("", "—"), *VisitPurpose.choices]
        area_field = self.fields["area"]
        assert isinstance(area_field, forms.ModelChoiceField)
        area_field.queryset = (
            Area.objects.visible_to(user).exclude(level="grid").order_by("code")
            if not user.is_staff
            else Area.objects.order_by("code")
        )
        if not user.is_staff:
            area_field.required = True


def _plan_page(request: AuthenticatedHttpRequest, plan: VisitPlan | None) -> HttpResponse:
    form: PlanForm
    if request.method == "POST":
        form = PlanForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                saved = visit_plan_save(Origin.of_request(request), form.cleaned_data, plan)
            except DomainError as error:
                for problem in error.details or [{"field": "", "message": error.message}]:
                    form.add_error(problem.get("field") or None, problem["message"])
            else:
                messages.success(request, _("走访计划已保存，明日生成的应走访将按新规则计算"))
                return redirect(reverse("planning:plan-list") + f"#plan-{saved.pk}")
        status = 400
    else:
        initial = (
            {name: getattr(plan, name) for name in ("name", "subject", "tag_category", "interval", "interval_unit",
                                                   "first_within", "purpose", "active")} | {"area": plan.area_id}
            if plan
            else {}
        )  # fmt: skip
        form = PlanForm(initial=initial, user=request.user)
        status = 200
    return render(request, "visits/plan_form.html", {"form": form, "plan": plan}, status=status)


@login_required
@require_safe
def plan_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require(request, "visits.view_visitplan")
    today = _today()
    plans = list(plans_visible_to(request.user).order_by("-active", "name", "id"))
    tags = dict(TagCategory.choices)
    rows = [
        {
            "plan": plan,
            "tag_label": tags.get(plan.tag_category, plan.tag_category),
            "covered": plan_coverage_count(plan, today, request.user),
        }
        for plan in plans
    ]
    return render(
        request,
        "visits/plan_list.html",
        {"rows": rows, "may_add": request.user.has_perm("visits.add_visitplan")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require(request, "visits.add_visitplan")
    return _plan_page(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    _require(request, "visits.change_visitplan")
    return _plan_page(request, access_plan(request.user, plan_id))


# ── Due visits ──────────────────────────────────────────────────────────────────────────────────────────────

TABS = {"today": _("今日"), "week": _("本周"), "overdue": _("已逾期"), "grid": _("网格全部")}


@login_required
@require_safe
def due_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require(request, "visits.view_duevisit")
    today = _today()
    leads = request.user.has_perm("visits.change_duevisit")
    tab = request.GET.get("tab") or "today"
    if tab not in TABS or (tab == "grid" and not leads):
        tab = "today"
    grid_code = request.GET.get("grid", "") if tab == "grid" else ""
    if grid_code and not (grid_code.isdigit() and user_scope(request.user).covers(grid_code)):
        grid_code = ""
    mine = tab != "grid"
    if tab == "today":
        rows = due_visits_filtered(request.user, today, mine=True, until=today)
    elif tab == "week":
        rows = due_visits_filtered(request.user, today, mine=True, until=today + dt.timedelta(days=6 - today.weekday()))
    elif tab == "overdue":
        rows = due_visits_filtered(request.user, today, mine=True, lights=[DueLight.RED])
    else:
        rows = due_visits_filtered(request.user, today, mine=False, grid_code=grid_code)
    shown = [due_row(due, today, request.user) for due in rows[:LIST_LIMIT]]
    workers: dict[str, list[Any]] = {}
    if tab == "grid":
        for row in shown:
            if row["grid_code"] not in workers:
                workers[row["grid_code"]] = grid_workers(row["grid_code"])
            row["workers"] = workers[row["grid_code"]]
    grids = (
        Area.objects.visible_to(request.user).filter(level="grid").order_by("code")[:LIST_LIMIT]
        if tab == "grid"
        else []
    )
    context = {
        "tab": tab,
        "tabs": [(key, label) for key, label in TABS.items() if key != "grid" or leads],
        "rows": shown,
        "more": len(shown) == LIST_LIMIT,
        "mine": mine,
        "grids": grids,
        "grid_code": grid_code,
        "today": today,
    }
    return render(request, "visits/due_list.html", context)


@login_required
@require_POST
def due_assign(request: AuthenticatedHttpRequest, due_id: int) -> HttpResponse:
    _require(request, "visits.change_duevisit")
    due = access_due_visit(request.user, due_id)
    worker_id = request.POST.get("worker_id", "")
    try:
        if not worker_id.isdigit():
            raise PermissionDenied(str(_("请选择网格员")), code="worker_required")
        due_visit_assign(Origin.of_request(request), due, int(worker_id))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已改派"))
    return redirect(reverse("planning:due-list") + f"?tab=grid&grid={due.grid.code}")


#: The calendar's column heads, Monday first (as ``calendar.Calendar`` orders the days).
WEEKDAYS = (
    pgettext_lazy("weekday", "一"),
    pgettext_lazy("weekday", "二"),
    pgettext_lazy("weekday", "三"),
    pgettext_lazy("weekday", "四"),
    pgettext_lazy("weekday", "五"),
    pgettext_lazy("weekday", "六"),
    pgettext_lazy("weekday", "日"),
)


@login_required
@require_safe
def due_calendar(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require(request, "visits.view_duevisit")
    today = _today()
    try:
        first = dt.date.fromisoformat(request.GET.get("month", "") + "-01")
    except ValueError:
        first = today.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    rows = due_visits_filtered(request.user, today, mine=True).filter(due_on__gte=first, due_on__lt=following)
    counts: dict[dt.date, Counter[str]] = {}
    for due in rows.select_related(None).select_related("plan").only("due_on", "plan__interval", "status"):
        counts.setdefault(due.due_on, Counter())[due_light(due.due_on, today, due.plan.interval)] += 1
    weeks = []
    for week in month_calendar.Calendar().monthdatescalendar(first.year, first.month):
        weeks.append(
            [
                {
                    "day": day,
                    "inside": day.month == first.month,
                    "today": day == today,
                    "counts": [(light, counts.get(day, Counter())[light]) for light in ("red", "yellow", "green")],
                    "total": sum(counts.get(day, Counter()).values()),
                }
                for day in week
            ]
        )
    context = {
        "month": first,
        "weeks": weeks,
        "weekdays": WEEKDAYS,
        "previous": (first - dt.timedelta(days=1)).strftime("%Y-%m"),
        "next": following.strftime("%Y-%m"),
        "total": sum(sum(counter.values()) for counter in counts.values()),
    }
    return render(request, "visits/due_calendar.html", context)


# ── Agenda and compliance ───────────────────────────────────────────────────────────────────────────────────


@login_required
@require_safe
def agenda_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require(request, "visits.view_duevisit")
    try:
        day = dt.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        day = _today()
    agenda = agenda_of(request.user, day)
    data = agenda.as_dict()
    data["date"] = day.isoformat()
    for stop in data["stops"]:
        stop["due_on"], stop["window_start"] = stop["due_on"].isoformat(), stop["window_start"].isoformat()
        stop["visit_url"] = f"/visits/new/?due={stop['id']}"
    return render(request, "visits/agenda.html", {"agenda": agenda, "data": data, "day": day})


@login_required
@require_safe
def compliance_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require(request, "visits.view_visitcompliance")
    today = _today()
    try:
        month = dt.date.fromisoformat(request.GET.get("month", "") + "-01")
    except ValueError:
        month = today.replace(day=1)
    summary = compliance_summary(compliance_rows(request.user, month))
    context = {
        "month": month,
        "sections": [
            (key, title, summary.get(key, []))
            for key, title in (("worker", _("网格员")), ("grid", _("网格")), ("plan", _("走访计划")))
        ],
        "previous": (month - dt.timedelta(days=1)).strftime("%Y-%m"),
        "next": ((month + dt.timedelta(days=32)).replace(day=1)).strftime("%Y-%m"),
        "empty": not any(summary.values()),
    }
    return render(request, "visits/compliance.html", context)
