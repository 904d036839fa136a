"""Images that cannot exhaust memory: the pixel count is read from the header and refused before anything is
decoded, on the anonymous portal and the API alike; no size of image gives a 500."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from cases.models import Case, Category
from cases.photos import photo_check
from gridgov.errors import ValidationFailed
from gridgov.testing import IN_A, jpeg_bytes, png_of_pixels

BOMBS = [pytest.param(13_000, 13_000, id="13000²"), pytest.param(20_000, 20_000, id="20000²")]


def bomb(width: int, height: int) -> SimpleUploadedFile:
    return SimpleUploadedFile("p.png", png_of_pixels(width, height), content_type="image/png")


@pytest.mark.parametrize(("width", "height"), BOMBS)
def test_the_api_refuses_too_many_pixels_with_a_code(desk, width, height):
    response = desk.world.client("grid_worker_a").post(
        "/api/v1/reports",
        {
            "source": "grid_worker",
            "description": "井盖缺失",
            "longitude": IN_A[0],
            "latitude": IN_A[1],
            "photos": [bomb(width, height)],
        },
    )
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "photo_too_many_pixels" and "像素过多" in body["message"]
    assert not Case.objects.exists()


@pytest.mark.parametrize(("width", "height"), BOMBS)
def test_the_anonymous_portal_refuses_too_many_pixels(world, width, height):
    garbage = Category.objects.get(kind="event", code="0102")
    data = {
        "category": garbage.pk,
        "description": "楼下垃圾堆了三天",
        "longitude": IN_A[0],
        "latitude": IN_A[1],
        "submission_key": "a" * 32,
        "photos": [bomb(width, height)],
    }
    response = Client().post("/portal/report/", data)
    assert response.status_code == 400 and "像素过多" in response.content.decode()
    assert not Case.objects.exists()


def test_the_limit_is_a_setting_and_counts_pixels_not_bytes(db):
    with override_settings(PHOTO_MAX_PIXELS=64 * 48):
        assert photo_check(SimpleUploadedFile("a.jpg", jpeg_bytes((64, 48)))).extension == "jpg"
        with pytest.raises(ValidationFailed) as refused:
            photo_check(SimpleUploadedFile("b.jpg", jpeg_bytes((65, 48))))
    assert refused.value.code == "photo_too_many_pixels"
    assert photo_check(SimpleUploadedFile("c.png", png_of_pixels(3000, 2000))).extension == "png"
