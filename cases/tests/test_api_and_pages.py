"""The case API and pages: the same services behind them, scope as 404, stable error codes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pytest_django.asserts import assertRedirects

from cases.models import Case, CaseEvent
from cases.tests.test_lifecycle import run_to_dispatched
from gridgov.testing import IN_A, check_access, jpeg


def post_report(client, **fields):
    data = {"source": "grid_worker", "description": "井盖缺失", "longitude": IN_A[0], "latitude": IN_A[1], **fields}
    return client.post("/api/v1/reports", data)


def test_report_over_the_api_with_photos_and_retry(desk):
    client = desk.world.client("grid_worker_a")
    first = post_report(client, category_id=desk.category.pk, idempotency_key="k-1", photos=[jpeg(), jpeg()])
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["created"] and body["case"]["status"] == "reported" and body["case"]["grid_code"] == "110101001001001"
    again = post_report(client, category_id=desk.category.pk, idempotency_key="k-1", photos=[jpeg(), jpeg()])
    assert again.status_code == 200 and again.json()["case"]["number"] == body["case"]["number"]
    assert not again.json()["created"]
    other = post_report(client, category_id=desk.category.pk, idempotency_key="k-1")  # the photos left out
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    assert Case.objects.get().photos.count() == 2
    # The second report nearby is proposed as a duplicate.
    other = post_report(client, category_id=desk.category.pk).json()
    assert [item["number"] for item in other["duplicates"]] == [body["case"]["number"]]


def test_bad_reports_get_codes_and_write_nothing(desk):
    client = desk.world.client("grid_worker_a")
    response = post_report(client, longitude=200, category_id=desk.category.pk)
    assert response.status_code == 400 and response.json()["code"] == "record_invalid"
    assert response.json()["details"][0]["field"] == "location"
    text = client.post(
        "/api/v1/reports",
        {
            "source": "grid_worker",
            "description": "x",
            "longitude": IN_A[0],
            "latitude": IN_A[1],
            "photos": [jpeg().__class__("a.jpg", b"not an image")],
        },
    )
    assert text.status_code == 400 and text.json()["code"] == "photo_invalid"
    assert not Case.objects.exists() and not CaseEvent.objects.exists()
    assert desk.world.client("anonymous").post("/api/v1/reports", {}).status_code == 401


def test_case_detail_is_scoped(desk):
    case = desk.report()
    allowed = ["grid_worker_a", "community_staff", "street_leader", "dispatcher", "administrator"]
    check_access(desk.world, f"/api/v1/cases/{case.number}", allowed)
    check_access(desk.world, f"/cases/{case.number}/", allowed)
    run_to_dispatched(desk)  # the handler sees only the case given to their department
    handler = desk.world.client("department_handler")
    assert handler.get(f"/api/v1/cases/{case.number}").status_code == 404
    assert handler.get("/api/v1/cases").json()["count"] == 1


def test_transitions_over_the_api(desk):
    case = desk.report()
    shift = desk.world.client("shift_leader")
    url = f"/api/v1/cases/{case.number}"
    response = shift.post(f"{url}/file", {"reason": "立案"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "filed"
    assert "accept_task" not in response.json()["actions"]  # the department accepts, not the command centre
    response = shift.post(f"{url}/close", {}, content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (409, "invalid_transition")
    worker = desk.world.client("grid_worker_a")
    response = worker.post(f"{url}/dispatch", {"department": "HW"}, content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (403, "not_permitted")
    dispatcher = desk.world.client("dispatcher")
    suggestion = dispatcher.get(f"{url}/dispatch-suggestion")
    assert suggestion.status_code == 200  # the category's usual department, the world's sanitation office
    assert suggestion.json()["department"] == "HW" and suggestion.json()["department_name"] == "环卫所"
    response = dispatcher.post(f"{url}/dispatch", {"department": "NOPE"}, content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (400, "record_invalid")
    stale = dispatcher.post(f"{url}/dispatch", {"department": "HW", "version": 0}, content_type="application/json")
    assert (stale.status_code, stale.json()["code"]) == (409, "case_changed")
    response = dispatcher.post(
        f"{url}/dispatch", {"department": "HW", "assists": ["CG"]}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["main_department"] == "HW"
    handler = desk.world.client("department_handler")
    response = handler.post(
        f"{url}/requests", {"kind": "extend", "reason": "缺材料", "extra_minutes": 120}, content_type="application/json"
    )
    assert response.status_code == 200
    request_id = Case.objects.get().requests.get().pk
    response = dispatcher.post(
        f"{url}/requests/{request_id}/decide", {"approve": True}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["events"][-1]["action"] == "extend"
    photos = handler.post(f"{url}/photos", {"stage": "after", "photos": [jpeg()]})
    assert photos.status_code == 200 and photos.json()["photos"][0]["stage"] == "after"
    assert (
        desk.world.client("grid_worker_b").post(f"{url}/urge", {}, content_type="application/json").status_code == 404
    )


def test_case_list_filters_and_constant_queries(desk):
    for _ in range(3):
        desk.report()
    run_to_dispatched(desk)
    client = desk.world.client("dispatcher")
    body = client.get("/api/v1/cases", {"status": "dispatched"}).json()
    assert body["count"] == 1 and body["results"][0]["main_department"] == "HW"
    assert client.get("/api/v1/cases", {"area": "110101002"}).json()["count"] == 0
    assert client.get("/api/v1/cases", {"category": "01", "light": "green"}).json()["count"] == 4
    assert client.get("/api/v1/cases", {"text": "暴露垃圾"}).json()["count"] == 4
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/cases")
    for _ in range(10):
        desk.report()
    with CaptureQueriesContext(connection) as many:
        client.get("/api/v1/cases")
    assert len(few) == len(many)
    with CaptureQueriesContext(connection) as page_few:
        client.get("/cases/")
    desk.report()
    with CaptureQueriesContext(connection) as page_many:
        assert client.get("/cases/").status_code == 200
    assert len(page_few) == len(page_many)


def test_report_page_files_one_case_per_form(desk):
    client = desk.world.client("grid_worker_a")
    page = client.get("/cases/report/")
    assert page.status_code == 200
    key = page.context["form"]["idempotency_key"].value()
    data = {
        "source": "grid_worker",
        "category": desk.category.pk,
        "description": "路灯不亮",
        "priority": "normal",
        "longitude": IN_A[0],
        "latitude": IN_A[1],
        "idempotency_key": key,
        "photos": [jpeg()],
    }
    response = client.post("/cases/report/", data)
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.number}/"
    data["photos"] = [jpeg()]
    assertRedirects(client.post("/cases/report/", data), f"/cases/{case.number}/")  # a double submit
    assert Case.objects.count() == 1
    data["photos"] = [jpeg()]
    bad = client.post("/cases/report/", {**data, "idempotency_key": "other", "longitude": 121, "latitude": 31})
    assert bad.status_code == 200, bad
    assert "不在任何网格内" in str(bad.context["form"].errors), bad.context["form"].errors
    assert Case.objects.count() == 1


def test_detail_page_actions_and_timeline(desk):
    case = desk.report()
    shift = desk.world.client("shift_leader")
    page = shift.get(f"/cases/{case.number}/").content.decode()
    assert 'data-form="file"' in page and 'data-form="dispatch"' not in page
    response = shift.post(f"/cases/{case.number}/act/file/", {"reason": "符合", "version": case.version})
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.number}/"
    dispatcher = desk.world.client("dispatcher")
    page = dispatcher.get(f"/cases/{case.number}/").content.decode()
    assert 'data-form="dispatch"' in page and "data-suggestion" in page
    response = dispatcher.post(
        f"/cases/{case.number}/act/dispatch/", {"department": desk.sanitation.pk, "version": 0}, follow=True
    )
    assert "案卷已被他人更新" in response.content.decode(), [str(m) for m in response.context["messages"]]
    response = dispatcher.post(f"/cases/{case.number}/act/dispatch/", {"department": desk.sanitation.pk}, follow=True)
    assert Case.objects.get().status == "dispatched"
    timeline = response.content.decode()
    assert timeline.count('data-action="') >= 3 and "派遣" in timeline
    handler = desk.world.client("department_handler")
    handler.post(f"/cases/{case.number}/act/report_result/", {"note": "已清理", "photos": [jpeg()]})
    assert Case.objects.get().status == "checking"  # handled, and the check went to the grid's worker by rule
    assert handler.get("/cases/?queue=mine").status_code == 200
    assert desk.world.client("community_staff").get("/cases/overview/").status_code == 200


@pytest.mark.parametrize("url", ["/cases/", "/cases/approvals/", "/messages/", "/cases/report/"])
def test_pages_need_login(desk, url):
    assertRedirects(desk.world.client("anonymous").get(url), f"/accounts/login/?next={url}")
