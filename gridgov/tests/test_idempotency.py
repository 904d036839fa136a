"""Idempotency-Key on the API's changes: a retry gets the first answer and writes nothing; the same key on another
request, a key too long, a failed first try, keys per person, two at once."""

import datetime as dt
import threading
import time

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import timezone

from accounts.models import ApiToken, IdempotentRequest
from cases import services
from cases.models import Case, CaseEvent, CasePhoto, Category
from cases.seed import categories_ensure
from gridgov import idempotency
from gridgov.idempotency import idempotent_requests_sweep
from gridgov.testing import IN_A, World, jpeg


@pytest.fixture
def category(world) -> Category:
    categories_ensure()
    return Category.objects.get(kind="event", code="0102")


def report(client: Client, category: Category, key: str | None, **fields):
    data = {
        "source": "grid_worker",
        "description": "井盖缺失",
        "longitude": IN_A[0],
        "latitude": IN_A[1],
        "category_id": category.pk,
        "photos": [jpeg()],
        **fields,
    }
    headers = {"Idempotency-Key": key} if key is not None else {}
    return client.post("/api/v1/reports", data, headers=headers)


def test_a_retry_gets_the_first_answer_and_writes_nothing(world: World, category):
    client = world.client("grid_worker_a")
    first = report(client, category, "c0ffee-1")
    assert first.status_code == 201, first.content
    assert "Idempotent-Replayed" not in first
    again = report(client, category, "c0ffee-1")
    assert again.status_code == 201 and again.content == first.content
    assert again["Idempotent-Replayed"] == "true" and again["Content-Type"] == first["Content-Type"]
    assert (Case.objects.count(), CaseEvent.objects.count(), CasePhoto.objects.count()) == (1, 1, 1)
    row = IdempotentRequest.objects.get()
    assert (row.user, row.key, row.status) == (world.user("grid_worker_a"), "c0ffee-1", 201)


def test_the_same_key_on_another_request_is_refused(world, category):
    client = world.client("grid_worker_a")
    assert report(client, category, "k-1").status_code == 201
    other_text = report(client, category, "k-1", description="路灯不亮")
    assert other_text.status_code == 422 and other_text.json()["code"] == "idempotency_key_reused"
    other_photo = report(client, category, "k-1", photos=[jpeg(color=(1, 2, 3))])
    assert other_photo.status_code == 422 and other_photo.json()["code"] == "idempotency_key_reused"
    elsewhere = client.post("/api/v1/locate/batch", {"points": [list(IN_A)]}, "application/json",
                            HTTP_IDEMPOTENCY_KEY="k-1")  # fmt: skip
    assert elsewhere.status_code == 422 and elsewhere.json()["code"] == "idempotency_key_reused"
    assert Case.objects.count() == 1


def test_a_key_over_255_characters_is_refused(world, category):
    client = world.client("grid_worker_a")
    refused = report(client, category, "k" * 256)
    assert refused.status_code == 400 and refused.json()["code"] == "idempotency_key_invalid"
    assert not Case.objects.exists() and not IdempotentRequest.objects.exists()
    assert report(client, category, "k" * 255).status_code == 201
    assert report(client, category, "").json()["code"] == "idempotency_key_invalid"


def test_without_a_key_each_request_runs(world, category):
    client = world.client("grid_worker_a")
    assert [report(client, category, None).status_code for _ in range(2)] == [201, 201]
    assert Case.objects.count() == 2 and not IdempotentRequest.objects.exists()


def test_a_refusal_is_kept_and_replayed_too(world, category):
    client = world.client("grid_worker_a")
    refused = report(client, category, "k-2", longitude=121, latitude=31)
    assert refused.status_code == 400 and refused.json()["code"] == "record_invalid"
    again = report(client, category, "k-2", longitude=121, latitude=31)
    assert again.status_code == 400 and again["Idempotent-Replayed"] == "true" and again.content == refused.content


def test_a_server_error_is_not_kept_and_the_retry_runs(world, category, monkeypatch):
    real = services.report_submit
    calls = []

    def failing_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "report_submit", failing_once)
    client = world.client("grid_worker_a")
    client.raise_request_exception = False
    assert report(client, category, "k-3").status_code == 500
    assert not IdempotentRequest.objects.exists()
    retried = report(client, category, "k-3")
    assert retried.status_code == 201 and "Idempotent-Replayed" not in retried
    assert Case.objects.count() == 1 and len(calls) == 2


def test_keys_belong_to_each_person(world, category):
    first = report(world.client("grid_worker_a"), category, "k-4")
    second = report(world.client("grid_worker_b"), category, "k-4", longitude=IN_A[0], latitude=IN_A[1])
    assert first.status_code == 201 and second.status_code == 400  # worker B's own request, run (not B's grid)
    assert "Idempotent-Replayed" not in second and IdempotentRequest.objects.count() == 2


def test_a_bearer_token_and_a_json_body(world, category):
    case = report(world.client("grid_worker_a"), category, None).json()["case"]["number"]
    _token, key = ApiToken.issue(world.user("dispatcher"), "p")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    body = {"reason": "受理"}
    first = client.post(f"/api/v1/cases/{case}/accept", body, "application/json", HTTP_IDEMPOTENCY_KEY="u-1")
    again = client.post(f"/api/v1/cases/{case}/accept", body, "application/json", HTTP_IDEMPOTENCY_KEY="u-1")
    assert first.status_code == again.status_code == 200 and first.content == again.content  # not 409: replayed
    assert again["Idempotent-Replayed"] == "true" and CaseEvent.objects.filter(action="accept").count() == 1
    unkeyed = client.post(f"/api/v1/cases/{case}/accept", body, "application/json")
    assert unkeyed.status_code == 409  # without the key, the second 受理 runs and is refused


def test_signing_in_keeps_nothing(world):
    body = {"username": "worker_a", "password": "test-password-1", "device_name": "手机"}
    answers = [Client().post("/api/v1/auth/token", body, "application/json", HTTP_IDEMPOTENCY_KEY="s-1")
               for _ in range(2)]  # fmt: skip
    assert [answer.status_code for answer in answers] == [201, 201]
    assert answers[0].json()["token"] != answers[1].json()["token"]  # the secret is never kept for a replay
    assert not IdempotentRequest.objects.exists()


def test_rows_are_swept_after_the_keeping_days(world, category):
    client = world.client("grid_worker_a")
    report(client, category, "old")
    report(client, category, "new")
    IdempotentRequest.objects.filter(key="old").update(
        created_at=timezone.now() - dt.timedelta(days=settings.IDEMPOTENCY_KEEP_DAYS, seconds=1)
    )
    assert idempotent_requests_sweep() == {"deleted": 1}
    assert list(IdempotentRequest.objects.values_list("key", flat=True)) == ["new"]
    assert "gridgov.idempotency.idempotent_requests_sweep" in settings.PERIODIC_JOBS


def test_a_request_abandoned_by_a_dead_process_runs_again(world, category):
    client = world.client("grid_worker_a")
    first = report(client, category, "k-5")
    row = IdempotentRequest.objects.get()
    IdempotentRequest.objects.filter(pk=row.pk).update(status=None, body=b"")  # as if it died before answering
    busy = report(client, category, "k-5")
    assert busy.status_code == 409 and busy.json()["code"] == "idempotency_key_in_flight"
    stale = timezone.now() - idempotency.ABANDONED_AFTER - dt.timedelta(seconds=1)
    IdempotentRequest.objects.filter(pk=row.pk).update(created_at=stale)
    assert report(client, category, "k-5").status_code == 201 and first.status_code == 201


def _parallel(world: World, category: Category, monkeypatch, pause: float) -> list:
    """Two requests with one key at once (each thread its own connection); the first holds the key ``pause`` s."""
    real = services.report_submit

    def slow(*args, **kwargs):
        time.sleep(pause)
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "report_submit", slow)
    start = threading.Barrier(2)
    answers: list = [None, None]

    def send(index: int) -> None:
        client = world.client("grid_worker_a")
        start.wait()
        try:
            answers[index] = report(client, category, "same-key")
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def test_two_at_once_run_once_and_the_second_gets_the_answer(transactional_db, world, category, monkeypatch):
    answers = _parallel(world, category, monkeypatch, pause=0.5)
    assert [answer.status_code for answer in answers] == [201, 201]
    assert answers[0].content == answers[1].content
    assert sorted(answer.get("Idempotent-Replayed", "") for answer in answers) == ["", "true"]
    assert Case.objects.count() == 1


def test_two_at_once_the_second_is_told_to_retry_when_the_first_is_slow(transactional_db, world, category,
                                                                         monkeypatch):  # fmt: skip
    monkeypatch.setattr(idempotency, "WAIT_SECONDS", 0.2)
    answers = _parallel(world, category, monkeypatch, pause=1.0)
    assert sorted(answer.status_code for answer in answers) == [201, 409]
    busy = next(answer for answer in answers if answer.status_code == 409)
    assert busy.json()["code"] == "idempotency_key_in_flight"
    assert Case.objects.count() == 1
