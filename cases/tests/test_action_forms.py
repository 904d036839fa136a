"""The case page's action forms: Bootstrap controls with their labels tied to them and their errors beside them;
posted through htmx they swap the case panel in place; a priority other than the category's default needs a reason,
on the pages and in the API."""

import re
from html.parser import HTMLParser

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from accounts.models import User
from cases import services
from cases.choices import CaseAction
from cases.models import Case, CaseEvent, Category
from cases.tests.test_lifecycle import run_to_dispatched
from gridgov.testing import IN_A, jpeg

HTMX = {"HTTP_HX_REQUEST": "true"}


class Controls(HTMLParser):
    """The labels and form controls of a page (or a piece of one)."""

    def __init__(self) -> None:
        super().__init__()
        self.labels: list[str] = []
        self.controls: list[dict[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "label" and "for" in found:
            self.labels.append(found["for"])
        elif tag in ("input", "select", "textarea") and found.get("type") not in ("hidden", "submit"):
            self.controls.append({"tag": tag, **found})


def controls_of(html: str) -> Controls:
    parser = Controls()
    parser.feed(html)
    return parser


def action_forms(html: str) -> str:
    return "".join(re.findall(r'<form [^>]*data-form="[a-z_]+".*?</form>', html, re.S))


def panel_of(html: str, name: str) -> str:
    found = re.search(rf'<form [^>]*data-form="{name}".*?</form>', html, re.S)
    assert found, name
    return found.group(0)


@pytest.fixture
def root(desk) -> Client:
    """A superuser: every action the state allows, so every panel of each state is on the page."""
    user = User.objects.create_superuser("root", password="test-password-1")
    client = Client()
    client.force_login(user)
    return client


def states(desk) -> list[Case]:
    reported = desk.report()
    filed = services.case_file(desk.origin("shift_leader"), desk.report())
    dispatched = run_to_dispatched(desk)
    services.case_request_open(desk.origin("department_handler"), dispatched, "extend", "需采购", extra_minutes=60)
    checking = services.case_report_result(desk.origin("department_handler"), run_to_dispatched(desk), "已处理")
    checked = services.case_check(desk.origin("grid_worker_a"), checking, passed=True, note="已核查")
    checking = services.case_report_result(desk.origin("department_handler"), run_to_dispatched(desk), "已处理")
    return [reported, filed, dispatched, checking, checked]


def test_every_action_form_is_styled_and_each_label_names_its_control(desk, root):
    seen = set()
    for case in states(desk):
        html = root.get(f"/cases/{case.number}/").content.decode()
        forms = action_forms(html)
        seen |= set(re.findall(r'data-form="([a-z_]+)"', forms))
        found = controls_of(forms)
        ids = [control["id"] for control in found.controls]
        assert len(ids) == len(set(ids)), "ids are unique on the page"
        for control in found.controls:
            assert control["id"] in found.labels, (case.status, control)
            wanted = "form-check-input" if control.get("type") == "checkbox" else (
                "form-select" if control["tag"] == "select" else "form-control")  # fmt: skip
            assert wanted in control["class"].split(), (case.status, control)
            assert f'id="{control["id"]}-errors"' in forms, "each control has its errors box beside it"
        for label in found.labels:
            assert f'id="{label}"' in forms, label
    assert {"accept", "file", "reject", "verify_request", "merge", "dispatch", "accept_task", "report_result",
            "check_request", "check", "close", "decide", "supervise", "summon", "photos"} <= seen  # fmt: skip


def test_a_result_of_work_asks_for_its_note_alone(desk, root):
    """处置反馈, 核实 and 核查 keep their 处理说明: no second box beside it whose text the action would drop."""
    checking = services.case_report_result(desk.origin("department_handler"), run_to_dispatched(desk), "已处理")
    worker = desk.world.user("grid_worker_a")
    verifying = services.case_verify_request(desk.origin("intake_clerk"), desk.report(), worker)
    pages = {
        "report_result": root.get(f"/cases/{run_to_dispatched(desk).number}/"),
        "check": root.get(f"/cases/{checking.number}/"),
        "verify": root.get(f"/cases/{verifying.number}/"),
    }
    for name, page in pages.items():
        texts = re.findall(r'<textarea[^>]*name="(\w+)"', panel_of(page.content.decode(), name))
        assert texts == ["note"], (name, texts)


def test_the_note_given_at_accepting_a_task_is_kept_on_its_event(desk):
    """签收 shows a 说明 box: what is typed there is on the timeline (the API takes the same ``reason``)."""
    case = run_to_dispatched(desk)
    handler = desk.world.client("department_handler")
    response = handler.post(
        f"/cases/{case.number}/act/accept_task/", {"reason": "已安排王师傅前往", "version": case.version}
    )
    assert response.status_code == 302
    event = CaseEvent.objects.filter(case=case, action=CaseAction.ACCEPT_TASK).get()
    assert event.reason == "已安排王师傅前往"
    assert "已安排王师傅前往" in handler.get(f"/cases/{case.number}/").content.decode()


def test_multi_selects_are_searchable_pickers_served_locally(desk, root):
    case = services.case_file(desk.origin("shift_leader"), desk.report())
    html = root.get(f"/cases/{case.number}/").content.decode()
    assists = re.search(r"<select[^>]*name=\"assists\"[^>]*>", panel_of(html, "dispatch")).group(0)
    assert "data-picker" in assists and "multiple" in assists and "form-select" in assists
    assert 'src="/static/vendor/tom-select/js/tom-select.base.min.js"' in html
    assert 'src="/static/web/pickers.js"' in html
    assert finders.find("vendor/tom-select/js/tom-select.base.min.js")  # from node_modules (package.json)
    assert finders.find("vendor/tom-select/css/tom-select.bootstrap5.min.css")


def test_an_action_through_htmx_answers_the_case_panel_with_its_message(desk):
    case = desk.report()
    shift = desk.world.client("shift_leader")
    response = shift.post(f"/cases/{case.number}/act/file/", {"reason": "符合", "version": case.version}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith('<div id="case-panel"')
    assert "<html" not in html and 'role="status">已立案</div>' in html and 'data-status="filed"' in html
    assert '<li class="list-group-item" data-action="file">' in html  # the timeline with the new step
    assert 'id="case-map-card" hx-preserve="true"' in html  # the map stays as it is
    assert Case.objects.get().status == "filed"
    assert 'role="status">已立案' not in shift.get(f"/cases/{case.number}/").content.decode()  # shown once


def test_a_refused_action_comes_back_open_with_its_errors_and_what_was_typed(desk):
    case = run_to_dispatched(desk)
    handler = desk.world.client("department_handler")
    response = handler.post(f"/cases/{case.number}/act/report_result/", {"note": " ", "version": case.version},
                            **HTMX)  # fmt: skip
    assert response.status_code == 400
    form = panel_of(response.content.decode(), "report_result")
    assert re.search(r'id="report_result-note-errors"[^>]*><div data-error="note">这个字段是必填项', form)
    assert 'class="form-control is-invalid"' in form and 'aria-describedby="report_result-note-errors"' in form
    assert 'id="report_result-photos-box" hx-preserve="true"' in form  # the chosen photos stay in the page
    assert 'id="act-report_result" class="accordion-collapse collapse show"' in response.content.decode()
    stale = handler.post(f"/cases/{case.number}/act/accept_task/", {"version": case.version - 1}, **HTMX)
    assert stale.status_code == 409
    form = panel_of(stale.content.decode(), "accept_task")
    assert "案卷已被他人更新，请刷新后重试" in form
    assert f'name="version" value="{case.version}"' in form  # a resubmit answers the case as it is now
    typed = handler.post(f"/cases/{case.number}/act/request/", {"kind": "extend", "reason": "需采购材料",
                                                                "extra_hours": "0.1"}, **HTMX)  # fmt: skip
    form = panel_of(typed.content.decode(), "request")
    assert typed.status_code == 400 and "需采购材料</textarea>" in form and 'value="0.1"' in form
    assert Case.objects.get(pk=case.pk).version == case.version


def test_without_javascript_the_forms_post_and_redirect(desk):
    case = desk.report()
    shift = desk.world.client("shift_leader")
    response = shift.post(f"/cases/{case.number}/act/reject/", {"reason": "", "version": case.version})
    assert response.status_code == 400 and "<html" in response.content.decode()
    assert 'id="act-reject" class="accordion-collapse collapse show"' in response.content.decode()
    response = shift.post(f"/cases/{case.number}/act/file/", {"reason": "符合", "version": case.version})
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.number}/"
    assert 'py-2">已立案</div>' in shift.get(response["Location"]).content.decode()  # the message


# --- Priority --------------------------------------------------------------------------------------------------


@pytest.fixture
def urgent(desk) -> Category:
    Category.objects.filter(pk=desk.category.pk).update(default_priority="urgent")
    return Category.objects.get(pk=desk.category.pk)


def test_the_report_form_preselects_the_categorys_default_and_asks_why_for_another(desk, urgent):
    client = desk.world.client("grid_worker_a")
    page = client.get("/cases/report/").content.decode()
    assert re.search(rf'<option value="{urgent.pk}"[^>]* data-priority="urgent"', page)
    assert re.search(r'<select name="priority" class="form-select" data-default="normal"', page)
    assert re.search(r'<label class="form-label" for="id_priority_reason">优先级理由</label>', page)
    data = {"source": "grid_worker", "category": urgent.pk, "description": "井盖缺失", "priority": "normal",
            "longitude": IN_A[0], "latitude": IN_A[1], "idempotency_key": "k1", "photos": [jpeg()]}  # fmt: skip
    refused = client.post("/cases/report/", data)
    assert refused.status_code == 200 and not Case.objects.exists()
    assert refused.context["form"].errors == {"priority_reason": ["所选优先级“一般”与类别默认的“紧急”不同，请填写理由"]}
    assert 'data-default="urgent"' in refused.content.decode()  # the chosen category's default
    response = client.post("/cases/report/", {**data, "priority_reason": "已设置围挡", "photos": [jpeg()]})
    case = Case.objects.get()
    assert response.status_code == 302 and case.priority == "normal"
    html = desk.world.client("dispatcher").get(f"/cases/{case.number}/").content.decode()
    assert re.search(r'data-action="report">.*?<div data-priority>优先级：一般（理由：已设置围挡）</div>', html, re.S)


def test_the_filing_form_keeps_the_cases_priority_and_records_why_it_changes(desk, urgent):
    case = desk.report()
    assert case.priority == "urgent"
    shift = desk.world.client("shift_leader")
    form = panel_of(shift.get(f"/cases/{case.number}/").content.decode(), "file")
    assert re.search(r'<select name="priority" class="form-select" data-default="urgent" data-current="urgent"', form)
    assert re.search(r'<option value="urgent" selected>', form)
    data = {"category": urgent.pk, "priority": "normal", "reason": "立案", "version": case.version}
    refused = shift.post(f"/cases/{case.number}/act/file/", data, **HTMX)
    assert refused.status_code == 422 and Case.objects.get().status == "reported"
    assert re.search(r'data-error="priority_reason">所选优先级“一般”与类别默认的“紧急”不同，请填写理由',
                     panel_of(refused.content.decode(), "file"))  # fmt: skip
    done = shift.post(f"/cases/{case.number}/act/file/", {**data, "priority_reason": "夜间无车流"}, **HTMX)
    assert done.status_code == 200 and Case.objects.get().priority == "normal"
    assert re.search(r'data-action="file">.*?优先级：一般（理由：夜间无车流）', done.content.decode(), re.S)


def test_the_api_refuses_another_priority_without_a_reason(desk, urgent):
    client = desk.world.client("grid_worker_a")
    body = {"source": "grid_worker", "description": "井盖缺失", "longitude": IN_A[0], "latitude": IN_A[1],
            "category_id": urgent.pk}  # fmt: skip
    refused = client.post("/api/v1/reports", {**body, "priority": "normal"})
    assert refused.status_code == 422 and not Case.objects.exists()
    assert refused.json() == {
        "code": "priority_reason_required",
        "message": "所选优先级“一般”与类别默认的“紧急”不同，请填写理由",
        "details": [{"field": "priority_reason", "message": "所选优先级“一般”与类别默认的“紧急”不同，请填写理由"}],
    }
    created = client.post("/api/v1/reports", body)
    assert created.status_code == 201 and created.json()["case"]["priority"] == "urgent"  # the default
    number = created.json()["case"]["number"]
    shift = desk.world.client("shift_leader")
    url = f"/api/v1/cases/{number}/file"
    refused = shift.post(url, {"priority": "normal"}, content_type="application/json")
    assert refused.status_code == 422 and refused.json()["code"] == "priority_reason_required"
    filed = shift.post(url, {"priority": "normal", "priority_reason": "已有临时措施"}, content_type="application/json")
    assert filed.status_code == 200 and filed.json()["priority"] == "normal"
    assert [event["priority_reason"] for event in filed.json()["events"]] == ["", "已有临时措施"]
