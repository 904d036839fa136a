"""The visits API: record (photos by digest, idempotent replay), list with filters, read, correct, follow-ups;
bad input answers 4xx with a code, never 500."""

from __future__ import annotations

import hashlib
import json

import pytest
from django.test import Client

from accounts.roles import Role
from audit.models import AuditEntry
from cases.models import Case
from gridgov.testing import IN_A, jpeg, jpeg_bytes, make_user
from visits.choices import DueStatus
from visits.models import DueVisit, Visit, VisitCase

BODY = {
    "visited_at": "2026-01-05T10:00:00+08:00",
    "kind": "home",
    "purposes": ["elderly_alone"],
    "findings": "老人身体尚可",
    "answers": {"elderly_alone": {"health": "good", "contact_reached": True}},
}


def post(client, url, body, **headers):
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


def patch(client, url, body):
    return client.patch(url, json.dumps(body), content_type="application/json")


def test_record_a_visit_with_photos_by_digest(field):
    client = field.client()
    assert client.post("/api/v1/uploads", {"file": jpeg()}).status_code == 201
    digest = hashlib.sha256(jpeg_bytes(color=(200, 30, 30))).hexdigest()
    body = {**BODY, "person_id": field.elderly.pk, "lon": IN_A[0], "lat": IN_A[1], "accuracy": 8.5,
            "photo_sha256": [digest], "due_visit_id": field.due.pk}  # fmt: skip
    answer = post(client, "/api/v1/visits", body)
    assert answer.status_code == 201, answer.content
    out = answer.json()
    visit = Visit.objects.get()
    assert out["id"] == visit.pk and out["person_name"] == "赵大爷" and out["subject_label"] == "赵大爷"
    assert out["grid_code"] == field.world.grid_a.code and out["kind_label"] == "入户走访"
    assert out["purpose_labels"] == ["独居老人"] and out["accuracy"] == 8.5 and out["sensitive"] is False
    assert out["photos"] == [f"/files/visits/photo/{visit.photos.get().pk}/"]
    assert out["answers"] == BODY["answers"] and out["follow_ups"] == []
    assert DueVisit.objects.get(pk=field.due.pk).status == DueStatus.DONE
    assert client.get(out["photos"][0]).status_code == 200


def test_a_replayed_idempotency_key_records_one_visit(field):
    client = field.client()
    body = {**BODY, "person_id": field.elderly.pk}
    first = post(client, "/api/v1/visits", body, HTTP_IDEMPOTENCY_KEY="v-1")
    again = post(client, "/api/v1/visits", body, HTTP_IDEMPOTENCY_KEY="v-1")
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert Visit.objects.count() == 1
    other = post(client, "/api/v1/visits", {**body, "findings": "别的"}, HTTP_IDEMPOTENCY_KEY="v-1")
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"purposes": []}, 422, None),
        ({"purposes": ["astrology"]}, 400, "purpose_unknown"),
        ({"kind": "telepathy"}, 400, "kind_unknown"),
        ({"answers": {"elderly_alone": {"shoe_size": 42}}}, 400, "answer_unknown_question"),
        ({"answers": {"disabled": {"health": "good"}}}, 400, "answer_purpose_not_chosen"),
        ({"lon": 116.4}, 400, "location_incomplete"),
        ({"lon": 500, "lat": 39.9}, 422, None),
        ({"visited_at": "2099-01-01T00:00:00+08:00"}, 400, "time_out_of_range"),
        ({"photo_sha256": ["0" * 64]}, 422, "photo_missing"),
        ({"photo_sha256": ["not-a-digest"]}, 422, None),
        ({"person_id": 0}, 422, None),
        ({"person_id": 2**40}, 422, None),
        ({"person_id": None}, 400, "subject_required"),
        ({"due_visit_id": 999999}, 404, "due_visit_not_found"),
        ({"confirmed_change_ids": [999999]}, 400, "change_not_linkable"),
        ({"grid_code": "110101001001002"}, 400, "grid_mismatch"),
    ],
)
def test_bad_input_answers_4xx_with_a_code(field, change, status, code):
    answer = post(field.client(), "/api/v1/visits", {**BODY, "person_id": field.elderly.pk, **change})
    assert answer.status_code == status, answer.content
    assert "code" in answer.json()
    if code:
        assert answer.json()["code"] == code
    assert not Visit.objects.exists()


def test_not_a_json_object_is_refused(field):
    assert post(field.client(), "/api/v1/visits", ["x"]).status_code in (400, 422)


def test_scope_and_permission(field):
    body = {**BODY, "person_id": field.elderly.pk}
    assert post(field.client("grid_worker_b"), "/api/v1/visits", body).json()["code"] == "person_not_found"
    assert post(field.client("street_leader"), "/api/v1/visits", body).status_code == 403
    assert post(field.client("anonymous"), "/api/v1/visits", body).status_code == 401
    assert not Visit.objects.exists()


def test_list_filters_and_hides_sensitive_visits(field, django_assert_max_num_queries):
    client = field.client()
    mine = post(client, "/api/v1/visits", {**BODY, "person_id": field.elderly.pk}).json()
    post(client, "/api/v1/visits", {**BODY, "person_id": field.place.pk and None, "place_id": field.place.pk,
                                     "purposes": ["safety_check"], "answers": {}})  # fmt: skip
    post(client, "/api/v1/visits", {**BODY, "person_id": field.watched.pk, "purposes": ["info_check"], "answers": {}})
    assert Visit.objects.count() == 3
    with django_assert_max_num_queries(8):
        rows = client.get("/api/v1/visits").json()
    # their own visits, the one about a 重点人员 too, never flagged to a worker without the permission
    assert len(rows) == 3 and not any(row["sensitive"] for row in rows)
    colleague = make_user("worker_a2", Role.GRID_WORKER, [field.world.grid_a])
    colleague_client = Client()
    colleague_client.force_login(colleague)
    assert len(colleague_client.get("/api/v1/visits").json()) == 2  # another worker of grid A: not the 重点人员's
    assert [row["sensitive"] for row in field.client("community_staff").get("/api/v1/visits").json()].count(True) == 1
    staff = field.client("community_staff").get("/api/v1/visits").json()
    assert len(staff) == 3
    assert [row["id"] for row in client.get(f"/api/v1/visits?person_id={field.elderly.pk}").json()] == [mine["id"]]
    assert len(client.get(f"/api/v1/visits?place_id={field.place.pk}").json()) == 1
    assert len(client.get("/api/v1/visits?mine=true&date_from=2026-01-05&date_to=2026-01-05").json()) == 3
    assert client.get("/api/v1/visits?date_from=2026-01-06").json() == []
    assert field.client("grid_worker_b").get("/api/v1/visits").json() == []
    assert field.client("dispatcher").get("/api/v1/visits").json() == []  # no visits permission
    assert client.get("/api/v1/visits?date_from=yesterday").status_code == 422


def test_read_and_correct_ones_own_visit(field):
    client = field.client()
    created = post(client, "/api/v1/visits", {**BODY, "person_id": field.elderly.pk}).json()
    url = f"/api/v1/visits/{created['id']}"
    assert client.get(url).json() == created
    assert (
        AuditEntry.objects.filter(object_type="visits.visit", object_id=str(created["id"]), action="view").count() == 1
    )
    assert field.client("grid_worker_b").get(url).status_code == 404
    assert field.client("community_staff").get(url).status_code == 200
    changed = patch(client, url, {"findings": "需要送餐", "answers": {"elderly_alone": {"health": "poor"}}})
    assert changed.status_code == 200 and changed.json()["answers"] == {"elderly_alone": {"health": "poor"}}
    assert patch(field.client("community_staff"), url, {"findings": "改"}).json()["code"] == "not_visit_worker"
    assert patch(client, url, {"purposes": ["nope"]}).json()["code"] == "purpose_unknown"
    assert patch(client, url, {"answers": {"elderly_alone": {"health": 3}}}).json()["code"] == "answer_invalid"
    assert patch(client, "/api/v1/visits/999999", {"findings": "x"}).status_code == 404
    assert Visit.objects.get().findings == "需要送餐"


def test_a_follow_up_files_a_report_and_keeps_the_link(field):
    client = field.client()
    created = post(client, "/api/v1/visits", {**BODY, "person_id": field.elderly.pk, "lon": IN_A[0], "lat": IN_A[1]})
    url = f"/api/v1/visits/{created.json()['id']}/follow-ups"
    body = {"category_id": field.category.pk, "description": "楼道堆放杂物"}
    answer = post(client, url, body, HTTP_IDEMPOTENCY_KEY="f-1")
    assert answer.status_code == 201, answer.content
    case = Case.objects.get()
    assert answer.json() == {"visit_id": created.json()["id"], "case_id": case.pk, "case_number": case.number}
    assert post(client, url, body, HTTP_IDEMPOTENCY_KEY="f-1").json() == answer.json()
    assert Case.objects.count() == VisitCase.objects.count() == 1
    shown = client.get(f"/api/v1/visits/{created.json()['id']}").json()
    assert shown["follow_ups"] == [{"case_id": case.pk, "case_number": case.number}]
    assert post(client, url, {"description": ""}).status_code == 422
    assert post(client, url, {"category_id": 999999, "description": "x"}).json()["code"] == "record_invalid"
    assert post(field.client("grid_worker_b"), url, body).status_code == 404
    assert post(field.client("community_staff"), url, body).status_code == 403
    assert Case.objects.count() == 1
