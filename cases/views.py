"""Case pages: the command centre's queues, the department inbox, the grid worker's tasks, reporting, and one
page per case with its timeline and the actions its viewer may take. Thin views: parse → access → service."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import Department
from areas.selectors import own_grid
from audit.services import Origin
from cases import forms, services
from cases.choices import CaseAction, CaseStatus, Light, RequestStatus, Source
from cases.dispatching import dispatch_suggest
from cases.exports import cases_export
from cases.handoffs import next_step
from cases.models import Case, CaseRequest
from cases.selectors import (
    QUEUES,
    CaseFilter,
    access_case,
    access_saved_filter,
    area_options,
    case_list,
    case_sorted,
    categories_recent,
    category_options,
    duplicates_of,
    queue_counts,
    queue_q,
    saved_filters_of,
    sort_checked,
)
from cases.services import list_query
from cases.workflow import COMMAND, FIELD, REQUEST_ASKED, TRANSITIONS, actions_for, actor_roles, transition_label
from gridgov.errors import DomainError, PermissionDenied, ValidationFailed, form_errors_add
from gridgov.files import case_photo_link
from gridgov.http import AuthenticatedHttpRequest

PAGE_SIZE = 50
S = CaseStatus
A = CaseAction


def _filter_of(params: QueryDict) -> CaseFilter:
    def day(name: str) -> dt.date | None:
        try:
            return dt.date.fromisoformat(params.get(name, ""))
        except ValueError:
            return None

    def text(name: str) -> str:
        return params.get(name, "").strip()[:100]

    return CaseFilter(
        status=text("status"),
        light=text("light"),
        category=text("category"),
        area=text("area"),
        department=text("department"),
        source=text("source"),
        text=text("text"),
        date_from=day("date_from"),
        date_to=day("date_to"),
    )


#: The columns a click on the header sorts by, in the order of the table.
SORT_COLUMNS = ("number", "light", "status", "category", "area", "created", "due")
SORT_LABELS = {
    "number": gettext_lazy("编号"),
    "light": gettext_lazy("亮灯"),
    "status": gettext_lazy("状态"),
    "category": gettext_lazy("类别"),
    "area": gettext_lazy("网格"),
    "created": gettext_lazy("上报时间"),
    "due": gettext_lazy("环节截止"),
}
#: What a bulk action does and who may: the transition each case goes through.
BULK_ACTIONS = {"accept": A.ACCEPT, "dispatch": A.DISPATCH}


def _bulk_actions(user: Any) -> dict[str, Any]:
    roles = actor_roles(user)
    return {name: action for name, action in BULK_ACTIONS.items() if roles & TRANSITIONS[action].roles}


def _queue_of(params: QueryDict) -> str:
    name = params.get("queue", "all")
    return name if name in QUEUES else "all"


def _list_rows(user: Any, params: QueryDict) -> tuple[QuerySet[Case], QuerySet[Case]]:
    """The cases of the list's filters (every tab) and those of its tab in its order."""
    filtered = case_list(user, _filter_of(params))
    rows = case_sorted(filtered.filter(queue_q(user, _queue_of(params))), params.get("sort", ""))
    return filtered, rows


def _with(params: QueryDict, **changes: str) -> str:
    """The list's query string (never a page number) with ``changes``; an empty value drops its parameter."""
    query = QueryDict(list_query(params), mutable=True)
    for name, value in changes.items():
        if value:
            query[name] = value
        else:
            query.pop(name, None)
    return query.urlencode()


def _sort_headers(params: QueryDict) -> dict[str, dict[str, Any]]:
    """Per sortable column: the link that sorts by it (a second click reverses) and its aria-sort."""
    current = sort_checked(params.get("sort", ""))
    headers = {}
    for key in SORT_COLUMNS:
        state = "ascending" if current == key else "descending" if current == f"-{key}" else ""
        headers[key] = {
            "key": key,
            "label": SORT_LABELS[key],
            "query": _with(params, sort=f"-{key}" if state == "ascending" else key),
            "state": state,
        }
    return headers


def _list_context(request: AuthenticatedHttpRequest, params: QueryDict) -> dict[str, Any]:
    user = request.user
    filtered, rows = _list_rows(user, params)
    queue_name = _queue_of(params)
    counts = queue_counts(filtered, user)
    paginator = Paginator(rows, PAGE_SIZE)
    paginator.count = counts[queue_name]  # the tab's count is the list's: no second COUNT over the table
    bulk = _bulk_actions(user)
    querystring = list_query(params)
    return {
        "page": paginator.get_page(params.get("page")),
        "querystring": querystring,
        "querystring_without_page": f"{querystring}&" if querystring else "",
        "queues": [(name, queue.label, counts[name], _with(params, queue=name)) for name, queue in QUEUES.items()],
        "queue": queue_name,
        "query": _filter_of(params),
        "sort": sort_checked(params.get("sort", "")),
        "sort_headers": _sort_headers(params),
        "sorts": [(key, SORT_LABELS[key]) for key in SORT_COLUMNS],
        "saved_filters": saved_filters_of(user),
        "bulk": bulk,
        "bulk_statuses": {status for action in bulk.values() for status in TRANSITIONS[action].sources},
        "bulk_limit": services.BULK_LIMIT,
        "departments": Department.objects.filter(is_active=True).order_by("name") if "dispatch" in bulk else (),
    }


def _results_wanted(request: HttpRequest) -> bool:
    """An htmx request for the list's results only (a history restore asks for the whole page)."""
    return request.headers.get("HX-Target") == "case-results" and not request.headers.get("HX-History-Restore-Request")


def _list_url(params: QueryDict, *, page: str = "") -> str:
    """The list's address with its own parameters only (no empty ones), as a bookmark keeps it."""
    query = _with(params, page=page if page.isdigit() else "")
    return reverse("cases:list") + (f"?{query}" if query else "")


@login_required
def case_index(request: AuthenticatedHttpRequest) -> HttpResponse:
    context = _list_context(request, request.GET)
    if _results_wanted(request):
        response = render(request, "cases/_results.html", {**context, "partial": True})
        response["HX-Push-Url"] = _list_url(request.GET, page=request.GET.get("page", ""))
        return response
    return render(
        request,
        "cases/list.html",
        {
            **context,
            "lights": Light.choices,
            "sources": Source.choices,
            "areas": area_options(request.user),
            "categories": category_options(),
            "can_report": bool(actor_roles(request.user) & (FIELD | COMMAND)) or request.user.is_superuser,
        },
    )


def _back(request: AuthenticatedHttpRequest) -> HttpResponse:
    """After a post from the list: the list again with the same filters (only its results for htmx, the URL kept
    as the list's), else a redirect to it."""
    params = QueryDict(request.POST.get("back", ""))
    if _results_wanted(request):
        response = render(request, "cases/_results.html", {**_list_context(request, params), "partial": True})
        response["HX-Push-Url"] = _list_url(params)
        return response
    return redirect(_list_url(params))


@login_required
@require_POST
def saved_filter_save(request: AuthenticatedHttpRequest) -> HttpResponse:
    try:
        saved = services.saved_filter_save(
            Origin.of_request(request), request.POST.get("name", ""), QueryDict(request.POST.get("back", ""))
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已保存常用筛选“%(name)s”") % {"name": saved.name})
    return _back(request)


@login_required
@require_POST
def saved_filter_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    saved = access_saved_filter(request.user, pk)
    services.saved_filter_delete(saved)
    messages.success(request, _("已删除常用筛选“%(name)s”") % {"name": saved.name})
    return _back(request)


@login_required
@require_POST
def case_bulk(request: AuthenticatedHttpRequest) -> HttpResponse:
    """受理 or 派遣 the checked cases, each through its own service call; report which succeeded and which not."""
    allowed = _bulk_actions(request.user)
    if not allowed:
        raise PermissionDenied(_("无权批量办理"), code="not_permitted")
    name = request.POST.get("action", "")
    origin = Origin.of_request(request)
    numbers = request.POST.getlist("case")
    reason = request.POST.get("reason", "").strip()[:2000]
    try:
        if name == "accept" and "accept" in allowed:
            result = services.cases_accept_many(origin, numbers, reason=reason)
        elif name == "dispatch" and "dispatch" in allowed:
            department = request.POST.get("department", "")
            result = services.cases_dispatch_many(
                origin, numbers, int(department) if department.isdigit() else None, reason=reason
            )
        else:
            raise ValidationFailed(_("请选择批量操作"), code="record_invalid", details={"field": "action"})
    except DomainError as error:
        messages.error(request, error.message)
        return _back(request)
    label = ACTIONS[name].label
    if result.done:
        messages.success(
            request,
            _("已%(action)s %(count)s 件：%(numbers)s")
            % {"action": label, "count": len(result.done), "numbers": "、".join(result.done)},
        )
    for number, reason_refused in result.failed:
        refusal = {"number": number, "action": label, "reason": reason_refused}
        messages.error(request, _("%(number)s 未%(action)s：%(reason)s") % refusal)
    return _back(request)


@login_required
def case_export(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    """The current list (scope, tab, filters, order) as .xlsx; refused with a message when too long."""
    _filtered, rows = _list_rows(request.user, request.GET)
    audited = dict(QueryDict(list_query(request.GET)).items())
    try:
        content, file_name = cases_export(Origin.of_request(request), rows, audited)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(_list_url(request.GET))
    return FileResponse(
        io.BytesIO(content),
        as_attachment=True,
        filename=file_name,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@login_required
def case_report(request: HttpRequest) -> HttpResponse:
    grid = own_grid(request.user)  # a grid worker without a fix starts on their grid's centre
    form = forms.ReportForm(
        request.POST or None,
        request.FILES or None,
        user=request.user,
        recent=categories_recent(request.user),
        initial={"longitude": round(grid.longitude, 6), "latitude": round(grid.latitude, 6)} if grid else None,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        report = services.ReportData(
            source=data["source"],
            description=data["description"],
            longitude=data["longitude"],
            latitude=data["latitude"],
            address=data["address"],
            category_id=data["category"].pk if data["category"] else None,
            priority=data["priority"],
            priority_reason=data["priority_reason"],
            reporter_name=data["reporter_name"],
            reporter_phone=data["reporter_phone"],
            idempotency_key=data["idempotency_key"],
            self_resolved=data["self_resolved"],
            photos=data["photos"],
            before_photos=data["before_photos"],
            after_photos=data["after_photos"],
        )
        try:
            result = services.report_submit(Origin.of_request(request), report)
        except DomainError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, _("已上报，案卷编号 %(number)s") % {"number": result.case.number})
            return redirect("cases:detail", result.case.number)
    return render(request, "cases/report.html", {"form": form, "grid": grid})


def _kinds_for(user: Any, case: Case) -> list[str]:
    actions = actions_for(user, case)
    return [kind for kind, action in REQUEST_ASKED.items() if action in actions]


@login_required
def case_detail(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    return _case_page(request, access_case(request.user, number))


def _case_page(
    request: AuthenticatedHttpRequest, case: Case, *, refused: tuple[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    """The case page, or only its panel (status, next step, actions, timeline) for a form posted through htmx.
    ``refused``: the panel name and bound form of a refused action, shown open with its errors and values."""
    actions = actions_for(request.user, case)
    pending = case.requests.filter(status=RequestStatus.PENDING).select_related("requested_by").first()
    summons_pending = (
        request.user.department_id
        and case.summonses.filter(department_id=request.user.department_id, confirmed_at__isnull=True).exists()
    )
    upcoming = next_step(case)
    panels = [
        (name, label, refused[1] if refused and refused[0] == name else _form(name, request.user, case))
        for name, label in _panels(actions, case, pending)
    ]
    if upcoming:  # the panel of the step the case waits for comes first, open
        panels.sort(key=lambda panel: upcoming.action not in ACTIONS[panel[0]].needs)
    partial = bool(request.headers.get("HX-Request"))
    return render(
        request,
        "cases/_panel.html" if partial else "cases/detail.html",
        {
            "partial": partial,
            "open_panel": refused[0] if refused else (panels[0][0] if panels else ""),
            "case": case,
            "timeline": [
                (event, transition_label(event.action))
                for event in case.events.select_related("actor").order_by("at", "id")
            ],
            "photos": [(photo, case_photo_link(request.user, photo)) for photo in case.photos.all()],
            "reports": case.reports.all(),
            "assignments": case.assignments.select_related("department"),
            "summonses": case.summonses.select_related("department"),
            "pending": pending,
            "decision_form": _decision_form(case, pending, refused),
            "can_decide": pending and (A.EXTEND in actions or A.REQUEST_REFUSE in actions),
            "summons_pending": summons_pending,
            "panels": panels,
            "next_step": upcoming,
            "actions": actions,
            "duplicates": duplicates_of(case) if case.status in (S.REPORTED, S.ACCEPTED, S.VERIFYING) else [],
            "suggestion": dispatch_suggest(case) if A.DISPATCH in actions else None,
        },
        status=status,
    )


def _decision_form(case: Case, pending: Any, refused: tuple[str, Any] | None) -> Any:
    if refused and refused[0] == "decide":
        return refused[1]
    return forms.DecisionForm(case=case, initial={"request_id": pending.pk}, auto_id="decide-%s") if pending else None


def _panels(actions: list[str], case: Case, pending: Any) -> list[tuple[str, str]]:
    shown = []
    for name, action in ACTIONS.items():
        if action.needs and any(need in actions for need in action.needs):
            if name == "request" and pending:
                continue
            shown.append((name, str(action.label)))
    return shown


def _form_extra(name: str, user: Any, case: Case) -> dict[str, Any]:
    if name == "dispatch":
        return {"suggestion": dispatch_suggest(case)}
    if name == "request":
        return {"kinds": _kinds_for(user, case)}
    return {}


def _form(name: str, user: Any, case: Case, *data: Any) -> Any:
    """The action's form; its free text is required where the transition table says so."""
    spec = ACTIONS[name]
    form = spec.form(*data, case=case, auto_id=f"{name}-%s", **_form_extra(name, user, case))
    for action in spec.needs:
        declared = TRANSITIONS[action].input
        if declared.text_required and declared.text_field in form.fields:
            form.fields[declared.text_field].required = True
    return form


@dataclass(frozen=True)
class Action:
    """A panel of the case page: its label, the service it runs with the form's clean data, and the transitions
    it makes (its panel shows when the table allows one of them; its form is the one their input declares)."""

    label: Any
    run: Callable[[Origin, Case, dict[str, Any]], Any]
    needs: tuple[CaseAction, ...] = ()
    own_form: type[forms.CaseForm] | None = None  # only for a panel that makes no transition of its own

    def __post_init__(self) -> None:
        _ = self.form  # a panel whose transitions disagree on their input fails at import, not on a click

    @property
    def form(self) -> type[forms.CaseForm]:
        if self.own_form is not None:
            return self.own_form
        declared = {TRANSITIONS[action].input for action in self.needs}
        if len(declared) != 1:
            raise TypeError(f"a panel's transitions take one input: {', '.join(self.needs)}")
        return forms.form_for(declared.pop())


def _minutes(hours: float | None) -> int | None:
    return round(hours * 60) if hours else None


def _decide(origin: Origin, case: Case, data: dict[str, Any]) -> Any:
    request = CaseRequest.objects.filter(pk=data["request_id"], case=case).first()
    if request is None:
        raise DomainError(_("申请不存在"), code="request_not_found")
    return services.case_request_decide(origin, request, approve=data["approve"], note=data["note"])


ACTIONS: dict[str, Action] = {
    "accept": Action(
        gettext_lazy("受理"),
        lambda o, c, d: services.case_accept(
            o,
            c,
            category=d["category"],
            priority=d["priority"],
            priority_reason=d["priority_reason"],
            level=d["level"],
            reason=d["reason"],
            version=d["version"],
        ),
        (A.ACCEPT,),
    ),
    "file": Action(
        gettext_lazy("立案"),
        lambda o, c, d: services.case_file(
            o,
            c,
            category=d["category"],
            priority=d["priority"],
            priority_reason=d["priority_reason"],
            level=d["level"],
            reason=d["reason"],
            version=d["version"],
        ),
        (A.FILE,),
    ),
    "verify_request": Action(
        gettext_lazy("派发核实"),
        lambda o, c, d: services.case_verify_request(o, c, d["worker"], reason=d["reason"], version=d["version"]),
        (A.VERIFY_REQUEST,),
    ),
    "verify": Action(
        gettext_lazy("核实"),
        lambda o, c, d: services.case_verify(
            o, c, confirmed=d["passed"], note=d["note"], photos=d["photos"], version=d["version"]
        ),
        (A.VERIFY_CONFIRM, A.VERIFY_DENY),
    ),
    "reject": Action(
        gettext_lazy("不予立案"),
        lambda o, c, d: services.case_reject(o, c, d["reason"], version=d["version"]),
        (A.REJECT,),
    ),
    "merge": Action(
        gettext_lazy("合并到主案卷"),
        lambda o, c, d: services.case_merge(o, c, access_case(o.actor, d["main"]), reason=d["reason"]),
        (A.MERGE,),
    ),
    "dispatch": Action(
        gettext_lazy("派遣"),
        lambda o, c, d: services.case_dispatch(
            o,
            c,
            d["department"],
            assists=d["assists"],
            handle_minutes=_minutes(d["handle_hours"]),
            reason=d["reason"],
            version=d["version"],
        ),
        (A.DISPATCH,),
    ),
    "accept_task": Action(
        gettext_lazy("签收"),
        lambda o, c, d: services.case_accept_task(o, c, reason=d["reason"], version=d["version"]),
        (A.ACCEPT_TASK,),
    ),
    "report_result": Action(
        gettext_lazy("处置反馈"),
        lambda o, c, d: services.case_report_result(o, c, d["note"], photos=d["photos"], version=d["version"]),
        (A.REPORT_RESULT,),
    ),
    "check_request": Action(
        gettext_lazy("派发核查"),
        lambda o, c, d: services.case_check_request(o, c, d["worker"], reason=d["reason"], version=d["version"]),
        (A.CHECK_REQUEST,),
    ),
    "check": Action(
        gettext_lazy("核查"),
        lambda o, c, d: services.case_check(
            o, c, passed=d["passed"], note=d["note"], photos=d["photos"], version=d["version"]
        ),
        (A.CHECK_PASS, A.REWORK),
    ),
    "close": Action(
        gettext_lazy("结案"),
        lambda o, c, d: services.case_close(o, c, reason=d["reason"], version=d["version"]),
        (A.CLOSE,),
    ),
    "evaluate": Action(
        gettext_lazy("评价（回访）"),
        lambda o, c, d: services.case_evaluate(o, c, d["rating"], comment=d["comment"], channel="callback"),
        (A.EVALUATE,),
    ),
    "request": Action(
        gettext_lazy("申请延期/回退/挂账/作废"),
        lambda o, c, d: services.case_request_open(
            o, c, d["kind"], d["reason"], extra_minutes=_minutes(d["extra_hours"])
        ),
        (A.REQUEST_OPEN, A.REQUEST_VOID),
    ),
    "decide": Action(gettext_lazy("审批"), _decide, own_form=forms.DecisionForm),
    "resume": Action(
        gettext_lazy("恢复办理"),
        lambda o, c, d: services.case_resume(o, c, reason=d["reason"]),
        (A.RESUME,),
    ),
    "escalate": Action(
        gettext_lazy("上报上级"),
        lambda o, c, d: services.case_escalate(o, c, d["reason"]),
        (A.ESCALATE,),
    ),
    "summon": Action(
        gettext_lazy("吹哨"),
        lambda o, c, d: services.case_summon(o, c, d["departments"], d["reason"]),
        (A.SUMMON,),
    ),
    "summons_confirm": Action(
        gettext_lazy("报到"), lambda o, c, d: services.case_summons_confirm(o, c), (A.SUMMONS_CONFIRM,)
    ),
    "urge": Action(gettext_lazy("催办"), lambda o, c, d: services.case_urge(o, c, d["reason"]), (A.URGE,)),
    "supervise": Action(
        gettext_lazy("督办"),
        lambda o, c, d: services.case_supervise(o, c, d["level"], d["reason"]),
        (A.SUPERVISE,),
    ),
    "expedite": Action(
        gettext_lazy("加急"),
        lambda o, c, d: services.case_expedite(o, c, d["reason"]),
        (A.EXPEDITE,),
    ),
    "photos": Action(
        gettext_lazy("补充照片"),
        lambda o, c, d: services.case_photos_add(o, c, d["stage"], d["photos"]),
        (A.PHOTO_ADD,),
    ),
}


@login_required
@require_POST
def case_act(request: AuthenticatedHttpRequest, number: str, action: str) -> HttpResponse:
    """One action of the case page. Done: through htmx the case's panel comes back in place (with the message),
    otherwise a redirect to the case. Refused: the form comes back open with its errors beside its fields and
    what was typed (the chosen photos stay in the page, see cases/templates/cases/_field.html)."""
    case = access_case(request.user, number)
    spec = ACTIONS.get(action)
    if spec is None:
        return redirect("cases:detail", number)
    form = _form(action, request.user, case, request.POST, request.FILES)
    status = 400
    if form.is_valid():
        try:
            spec.run(Origin.of_request(request), case, form.cleaned_data)
        except DomainError as error:
            _refusal_show(form, error)
            status = error.status
        else:
            messages.success(request, _("已%(action)s") % {"action": spec.label})
            if request.headers.get("HX-Request"):
                return _case_page(request, access_case(request.user, number))
            return redirect("cases:detail", number)
    if "version" in form.fields:  # the panel comes back as the case is now: a resubmit answers that version
        form.data = form.data.copy()
        form.data["version"] = str(case.version)
    return _case_page(request, case, refused=(action, form), status=status)


def _refusal_show(form: Any, error: DomainError) -> None:
    """A service's refusal on the form: each problem beside its field, the rest (a case that moved on, a role
    that may not…) above the form."""
    shown = False
    for problem in error.details or []:
        field = form.fields.get(problem["field"])
        if field is not None and not field.widget.is_hidden:
            form.add_error(problem["field"], problem["message"])
            shown = True
    if not shown:
        form.add_error(None, str(error.message))


@login_required
def approvals(request: HttpRequest) -> HttpResponse:
    visible = Case.objects.visible_to(request.user).values("pk")
    pending = (
        CaseRequest.objects.filter(status=RequestStatus.PENDING, case__in=visible)
        .select_related("case", "requested_by", "department")
        .order_by("requested_at")
    )
    return render(request, "cases/approvals.html", {"pending": pending})


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    """The overdue board: open cases by light and by department."""
    open_cases = case_list(request.user, CaseFilter(open_only=True))
    by_light = dict(open_cases.order_by().values_list("light").annotate(total=Count("pk")))
    by_department = (
        open_cases.filter(light=Light.RED)
        .order_by()
        .values("main_department__name")
        .annotate(total=Count("pk"))
        .order_by("-total")[:20]
    )
    return render(
        request,
        "cases/overview.html",
        {
            "by_light": by_light,
            "by_department": by_department,
            "red": open_cases.filter(light=Light.RED)[:50],
        },
    )
