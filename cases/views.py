"""Case pages: the command centre's queues, the department inbox, the grid worker's tasks, reporting, and one
page per case with its timeline and the actions its viewer may take. Thin views: parse → access → service."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from areas.selectors import area_roots
from audit.services import Origin
from cases import forms, services
from cases.choices import FINISHED_STATUSES, CaseAction, CaseStatus, Light, RequestStatus, Source
from cases.dispatching import dispatch_suggest
from cases.handoffs import next_step
from cases.models import Case, CaseRequest
from cases.selectors import CaseFilter, access_case, case_list, duplicates_of
from cases.workflow import COMMAND, FIELD, REQUEST_ASKED, TRANSITIONS, actions_for, actor_roles, transition_label
from gridgov.errors import DomainError, form_errors_add
from gridgov.files import case_photo_link
from gridgov.http import AuthenticatedHttpRequest

PAGE_SIZE = 50
S = CaseStatus
A = CaseAction


@dataclass(frozen=True)
class Queue:
    label: Any
    statuses: tuple[str, ...] = ()
    light: str = ""
    mine: bool = False


QUEUES: dict[str, Queue] = {
    "all": Queue(gettext_lazy("全部")),
    "intake": Queue(gettext_lazy("待受理立案"), (S.REPORTED, S.ACCEPTED, S.VERIFYING)),
    "dispatch": Queue(gettext_lazy("待派遣"), (S.FILED, S.RETURNED)),
    "handling": Queue(gettext_lazy("处置中"), (S.DISPATCHED, S.HANDLING)),
    "check": Queue(gettext_lazy("待核查"), (S.HANDLED, S.SELF_RESOLVED, S.CHECKING)),
    "close": Queue(gettext_lazy("待结案"), (S.CHECKED,)),
    "suspended": Queue(gettext_lazy("挂账"), (S.SUSPENDED,)),
    "overdue": Queue(gettext_lazy("超时"), light=Light.RED),
    "finished": Queue(gettext_lazy("已结案"), FINISHED_STATUSES),
    "mine": Queue(gettext_lazy("我的任务"), mine=True),
}


def _filter_of(request: HttpRequest) -> CaseFilter:
    def day(name: str) -> dt.date | None:
        try:
            return dt.date.fromisoformat(request.GET.get(name, ""))
        except ValueError:
            return None

    def text(name: str) -> str:
        return request.GET.get(name, "").strip()[:100]

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


@login_required
def case_index(request: AuthenticatedHttpRequest) -> HttpResponse:
    queue_name = request.GET.get("queue", "all")
    queue = QUEUES.get(queue_name, QUEUES["all"])
    query = _filter_of(request)
    if queue.statuses and not query.status:
        query.status = ",".join(queue.statuses)
    if queue.light:
        query.light = queue.light
    rows = case_list(request.user, query)
    if queue.mine:
        roles = actor_roles(request.user)
        if roles & FIELD:
            rows = rows.filter(assignee=request.user, status__in=[S.VERIFYING, S.CHECKING])
        elif request.user.department_id:
            rows = rows.filter(main_department_id=request.user.department_id, status__in=[S.DISPATCHED, S.HANDLING])
    params = request.GET.copy()
    params.pop("page", None)
    rest = params.urlencode()
    return render(
        request,
        "cases/list.html",
        {
            "page": Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page")),
            "querystring_without_page": rest + "&" if rest else "",
            "queues": QUEUES,
            "queue": queue_name,
            "query": query,
            "statuses": CaseStatus.choices,
            "lights": Light.choices,
            "sources": Source.choices,
            "can_report": bool(actor_roles(request.user) & (FIELD | COMMAND)) or request.user.is_superuser,
        },
    )


@login_required
def case_report(request: HttpRequest) -> HttpResponse:
    form = forms.ReportForm(request.POST or None, request.FILES or None, user=request.user)
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
    roots = area_roots(request.user)
    return render(request, "cases/report.html", {"form": form, "map_area": roots[0].code if roots else ""})


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
        lambda o, c, d: services.case_accept_task(o, c, version=d["version"]),
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
