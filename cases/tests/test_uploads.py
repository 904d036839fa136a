"""Photos uploaded ahead and named by their SHA-256: on a report, on a case step, missing ones refuse the whole
request, the uploader's alone, swept after a week."""

import datetime as dt
import hashlib
import json

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.models import Case, CaseEvent, CasePhoto, PhotoUpload
from cases.tests.test_lifecycle import run_to_dispatched
from cases.uploads import photo_uploads_sweep
from gridgov.testing import IN_A, jpeg, jpeg_bytes


def upload(client: Client, color=(200, 30, 30)):
    return client.post("/api/v1/uploads", {"file": jpeg(color=color)})


def digest_of(color=(200, 30, 30)) -> str:
    return hashlib.sha256(jpeg_bytes((64, 48), color=color)).hexdigest()


def report(client: Client, desk, **fields):
    data = {
        "source": "grid_worker",
        "description": "井盖缺失",
        "longitude": IN_A[0],
        "latitude": IN_A[1],
        "category_id": desk.category.pk,
        **fields,
    }
    return client.post("/api/v1/reports", data)


def test_an_upload_is_kept_once_per_person_under_a_random_name(desk):
    client = desk.world.client("grid_worker_a")
    first = upload(client)
    assert first.status_code == 201, first.content
    assert first.json() == {"sha256": digest_of(), "size": len(jpeg_bytes()), "content_type": "image/jpeg"}
    again = upload(client)
    assert again.status_code == 200 and again.json() == first.json()
    row = PhotoUpload.objects.get()
    assert row.owner == desk.world.user("grid_worker_a") and row.used_at is None
    assert "photo" not in row.file.name and row.file.name.startswith("uploads/") and row.file.name.endswith(".jpg")
    with row.file.open("rb") as stored:
        assert hashlib.sha256(stored.read()).hexdigest() == digest_of()
    assert upload(desk.world.client("grid_worker_b")).status_code == 201  # another person's own copy
    assert PhotoUpload.objects.count() == 2


def test_what_is_not_a_photo_is_refused(desk):
    client = desk.world.client("grid_worker_a")
    for content in (jpeg_bytes()[:40], b"not an image"):  # a cut-off photo, text
        refused = client.post("/api/v1/uploads", {"file": SimpleUploadedFile("p.jpg", content, "image/jpeg")})
        assert refused.status_code == 400 and refused.json()["code"] == "photo_invalid"
    assert not PhotoUpload.objects.exists()
    assert Client().post("/api/v1/uploads", {"file": jpeg()}).status_code == 401


def test_a_report_by_digests_makes_one_case_with_its_photos(desk):
    client = desk.world.client("grid_worker_a")
    red, green, blue = (200, 30, 30), (30, 200, 30), (30, 30, 200)
    for color in (red, green, blue):
        upload(client, color)
    answer = report(
        client,
        desk,
        photo_sha256=[digest_of(red), digest_of(green)],
        before_photo_sha256=[digest_of(blue)],
        idempotency_key="r-1",
    )
    assert answer.status_code == 201, answer.content
    case = Case.objects.get()
    assert sorted(case.photos.values_list("stage", flat=True)) == ["before", "report", "report"]
    assert all(PhotoUpload.objects.values_list("used_at", flat=True))
    again = report(
        client,
        desk,
        photo_sha256=[digest_of(red), digest_of(green)],
        before_photo_sha256=[digest_of(blue)],
        idempotency_key="r-1",
    )
    assert again.status_code == 200 and again.json()["case"]["number"] == case.number
    assert (Case.objects.count(), CasePhoto.objects.count()) == (1, 3)


def test_a_missing_digest_refuses_the_report_and_writes_nothing(desk):
    client = desk.world.client("grid_worker_a")
    upload(client)
    theirs = upload(desk.world.client("grid_worker_b"), (1, 2, 3)).json()["sha256"]  # not worker A's upload
    never = "0" * 64
    refused = report(client, desk, photo_sha256=[digest_of(), never], after_photo_sha256=[theirs])
    assert refused.status_code == 422, refused.content
    body = refused.json()
    assert body["code"] == "photo_missing"
    assert body["details"] == [
        {"field": "photo_sha256.1", "message": never},
        {"field": "after_photo_sha256.0", "message": theirs},
    ]
    assert not Case.objects.exists() and not CasePhoto.objects.exists() and not CaseEvent.objects.exists()
    assert not PhotoUpload.objects.filter(used_at__isnull=False).exists()


@pytest.mark.parametrize("bad", ["ABC", "g" * 64, "a" * 63])
def test_a_digest_that_is_not_one_is_refused(desk, bad):
    refused = report(desk.world.client("grid_worker_a"), desk, photo_sha256=[bad])
    assert refused.status_code == 422 and refused.json()["code"] == "validation_failed"
    too_many = report(desk.world.client("grid_worker_a"), desk, photo_sha256=[digest_of()] * 21)
    assert too_many.status_code == 422
    assert not Case.objects.exists()


def test_naming_more_photos_reads_them_in_one_query(desk):
    client = desk.world.client("grid_worker_a")
    colors = [(10 * n, 20, 30) for n in range(5)]
    for color in colors:
        upload(client, color)
    with CaptureQueriesContext(connection) as one:
        assert report(client, desk, photo_sha256=[digest_of(colors[0])]).status_code == 201
    with CaptureQueriesContext(connection) as five:
        assert report(client, desk, photo_sha256=[digest_of(color) for color in colors]).status_code == 201
    photo_writes = 4  # each further photo: one INSERT of its row (its files go to storage)
    assert len(five) <= len(one) + photo_writes


def test_case_photos_by_digest_as_json_or_form(desk):
    case = run_to_dispatched(desk)
    handler = desk.world.client("department_handler")
    upload(handler)
    upload(handler, (1, 2, 3))
    url = f"/api/v1/cases/{case.number}/photos"
    answer = handler.post(url, {"stage": "after", "photo_sha256": [digest_of()]}, "application/json")
    assert answer.status_code == 200, answer.content
    assert [photo["stage"] for photo in answer.json()["photos"]].count("after") == 1
    by_form = handler.post(url, {"stage": "after", "photo_sha256": [digest_of((1, 2, 3))], "photos": [jpeg()]})
    assert by_form.status_code == 200, by_form.content
    assert case.photos.filter(stage="after").count() == 3
    missing = handler.post(url, {"stage": "after", "photo_sha256": ["f" * 64]}, "application/json")
    assert missing.status_code == 422 and missing.json()["code"] == "photo_missing"
    broken = handler.post(url, "{not json", "application/json")
    assert broken.status_code == 400 and broken.json()["code"] == "bad_request_body"
    empty = handler.post(url, json.dumps({"stage": "after", "photo_sha256": []}), "application/json")
    assert empty.status_code == 422 and empty.json()["details"][0]["field"] == "photo_sha256"
    assert case.photos.filter(stage="after").count() == 3
    other = desk.world.client("grid_worker_b")  # not grid A's: the case is not theirs
    assert other.post(url, {"stage": "after", "photo_sha256": [digest_of()]}, "application/json").status_code == 404


def test_uploads_are_swept_a_week_after_their_last_upload(desk):
    client = desk.world.client("grid_worker_a")
    upload(client)
    upload(client, (1, 2, 3))
    old = timezone.now() - dt.timedelta(days=settings.PHOTO_UPLOAD_KEEP_DAYS, seconds=1)
    PhotoUpload.objects.update(uploaded_at=old)
    upload(client, (1, 2, 3))  # uploaded again: kept another week
    swept = PhotoUpload.objects.get(sha256=digest_of())
    assert photo_uploads_sweep() == {"deleted": 1}
    assert list(PhotoUpload.objects.values_list("sha256", flat=True)) == [digest_of((1, 2, 3))]
    assert not swept.file.storage.exists(swept.file.name)
    refused = report(client, desk, photo_sha256=[digest_of()])
    assert refused.status_code == 422 and refused.json()["code"] == "photo_missing"
    assert "cases.uploads.photo_uploads_sweep" in settings.PERIODIC_JOBS
