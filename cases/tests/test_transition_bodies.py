"""Each transition's API body and page form come from its declared input in the transition table: the fields each
endpoint takes, which of them must be sent, and a required text left out answered by the service's own code."""

import re

import pytest
from django.test import Client

from cases.models import Case, CaseRequest
from cases.tests.test_lifecycle import run_to_dispatched

#: path → (the body's fields, the fields that must be sent), as the API has taken them since version 1.
BODIES = {
    "accept": ({"reason", "version", "category_id", "priority", "priority_reason", "level"}, set()),
    "reject": ({"reason", "version"}, set()),
    "verify-request": ({"reason", "version", "worker_id"}, {"worker_id"}),
    "verify": ({"note", "version", "passed"}, {"note", "passed"}),
    "file": ({"reason", "version", "category_id", "priority", "priority_reason", "level"}, set()),
    "merge": ({"reason", "version", "main"}, {"main"}),
    "dispatch": ({"reason", "version", "department", "assists", "handle_minutes"}, {"department"}),
    "accept-task": ({"reason", "version"}, set()),
    "report-result": ({"note", "version"}, {"note"}),
    "check-request": ({"reason", "version", "worker_id"}, {"worker_id"}),
    "check": ({"note", "version", "passed"}, {"note", "passed"}),
    "close": ({"reason", "version"}, set()),
    "evaluate": ({"rating", "comment", "channel"}, {"rating"}),
    "requests": ({"kind", "reason", "extra_minutes"}, {"kind", "reason"}),
    "resume": ({"reason", "version"}, set()),
    "escalate": ({"reason", "version"}, set()),
    "summon": ({"reason", "version", "departments"}, {"departments"}),
    "summons-confirm": ({"reason", "version"}, set()),
    "urge": ({"reason", "version"}, set()),
    "supervise": ({"reason", "version", "level"}, {"level"}),
    "expedite": ({"reason", "version"}, set()),
}


@pytest.fixture(scope="module")
def openapi(django_db_blocker) -> dict:
    with django_db_blocker.unblock():
        return Client().get("/api/v1/openapi.json").json()


def _body_schema(openapi: dict, path: str) -> dict:
    operation = openapi["paths"][f"/api/v1/cases/{{number}}/{path}"]["post"]
    reference = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    return openapi["components"]["schemas"][reference.rsplit("/", 1)[1]]


@pytest.mark.parametrize("path", sorted(BODIES))
def test_each_transition_endpoint_takes_its_fields(openapi, path):
    schema = _body_schema(openapi, path)
    fields, required = BODIES[path]
    assert set(schema["properties"]) == fields
    assert set(schema.get("required", [])) == required


def test_the_transition_endpoints_are_all_listed(openapi):
    posts = {
        path.removeprefix("/api/v1/cases/{number}/")
        for path, operations in openapi["paths"].items()
        if path.startswith("/api/v1/cases/{number}/") and "post" in operations
    }
    assert posts == set(BODIES) | {"photos", "requests/{request_id}/decide"}


def test_a_required_reason_left_out_is_refused_by_the_service(desk):
    case = desk.report()
    shift = desk.world.client("shift_leader")
    response = shift.post(f"/api/v1/cases/{case.number}/reject", {}, content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "reason_required"
    assert Case.objects.get().status == "reported"
    response = shift.post(
        f"/api/v1/cases/{case.number}/reject", {"reason": "不属于受理范围"}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["status"] == "rejected"


def test_a_result_note_and_a_request_reason_must_be_sent(desk):
    case = run_to_dispatched(desk)
    handler = desk.world.client("department_handler")
    url = f"/api/v1/cases/{case.number}"
    response = handler.post(f"{url}/report-result", {}, content_type="application/json")
    assert response.status_code == 422 and response.json()["code"] == "validation_failed"
    assert [problem["field"] for problem in response.json()["details"]] == ["payload.note"]
    response = handler.post(f"{url}/requests", {"kind": "suspend"}, content_type="application/json")
    assert response.status_code == 422 and [p["field"] for p in response.json()["details"]] == ["payload.reason"]
    response = handler.post(f"{url}/requests", {"kind": "suspend", "reason": " "}, content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "reason_required"
    assert not CaseRequest.objects.exists()


def test_the_page_form_of_each_panel_follows_the_table(desk):
    case = desk.report()
    shift = desk.world.client("shift_leader")
    page = shift.get(f"/cases/{case.number}/").content.decode()
    assert 'data-form="reject"' in page
    response = shift.post(f"/cases/{case.number}/act/reject/", {"version": case.version})
    assert response.status_code == 400  # the form wants the reason the table requires, and says so beside it
    assert re.search(
        r'id="reject-reason-errors"[^>]*><div data-error="reason">这个字段是必填项', response.content.decode()
    )
    assert Case.objects.get().status == "reported"
    summoned = desk.world.client("street_leader")
    response = summoned.post(f"/cases/{case.number}/act/summon/", {"reason": "多部门会商"}, follow=True)
    assert Case.objects.get().summonses.count() == 0  # no department chosen: the form refuses
    response = summoned.post(
        f"/cases/{case.number}/act/summon/",
        {"reason": "多部门会商", "departments": [desk.sanitation.pk]},
        follow=True,
    )
    assert response.redirect_chain == [(f"/cases/{case.number}/", 302)]
    assert list(Case.objects.get().summonses.values_list("department", flat=True)) == [desk.sanitation.pk]
