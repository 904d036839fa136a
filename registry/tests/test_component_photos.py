"""Component photos go through the same checker as case photos and are kept only as a re-encoded copy under a
random name, served through the access check of the component (gridgov/files.py)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pytest_django.asserts import assertRedirects

from cases.models import Category
from gridgov.testing import check_access, has_gps, jpeg_bytes, png_of_pixels
from registry.models import Component, ComponentPhoto

# Roles with registry.view_component whose scope covers grid A; the dispatcher and the department handler have no
# registry permission, grid worker B's scope is grid B only.
MAY_SEE = ["grid_worker_a", "community_staff", "street_leader", "administrator"]


@pytest.fixture
def component(world):
    category = Category.objects.get(kind="component", code="0118")
    response = world.client("grid_worker_a").post(
        "/registry/components/new/",
        {"category": category.pk, "lon": 116.405, "lat": 39.91, "datum": "wgs84", "state": "intact", "in_use": "on"},
    )
    component = Component.objects.get()
    assertRedirects(response, f"/registry/components/{component.pk}/")
    return component


def upload(world, component, name, content, persona="grid_worker_a"):
    file = SimpleUploadedFile(name, content, content_type="image/jpeg")
    return world.client(persona).post(f"/registry/components/{component.pk}/photos/", {"image": file}, follow=True)


def gif_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("P", (8, 8)).save(buffer, "GIF")
    return buffer.getvalue()


def test_a_photo_is_stored_re_encoded_without_metadata_under_a_random_name(world, component):
    page = upload(world, component, "李四家-13800138000.jpg", jpeg_bytes(gps=True))
    assert page.status_code == 200
    photo = ComponentPhoto.objects.get()
    stored = photo.image.read()
    assert not has_gps(stored) and "13800138000" not in photo.image.name and photo.image.name.endswith(".jpg")
    html = page.content.decode()
    assert f"/files/components/photo/{photo.pk}/" in html and "/media/" not in html


def test_a_jpeg_html_polyglot_is_never_served_as_html(world, component):
    polyglot = jpeg_bytes() + b"<html><script>alert(document.cookie)</script></html>"
    upload(world, component, "x.html", polyglot)
    photo = ComponentPhoto.objects.get()
    assert b"<script" not in photo.image.read() and not photo.image.name.endswith(".html")
    response = world.client("street_leader").get(f"/files/components/photo/{photo.pk}/")
    assert response.status_code == 200 and b"<script" not in response.content
    assert response["Content-Type"] == "image/jpeg" and response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == f'inline; filename="component-photo-{photo.pk}.jpg"'
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(gif_bytes(), "只接受 JPEG、PNG 或 WebP", id="gif"),
        pytest.param(png_of_pixels(13_000, 13_000), "像素过多", id="pixels"),
        pytest.param(b"<html>hello</html>", "不是可识别的图片", id="text"),
    ],
)
def test_what_is_not_an_accepted_photo_is_refused_with_a_clear_message(world, component, content, message):
    page = upload(world, component, "p.jpg", content)
    assert message in page.content.decode() and not ComponentPhoto.objects.exists()


def test_component_photos_go_only_to_those_who_may_see_the_component(world, component):
    upload(world, component, "p.jpg", jpeg_bytes())
    photo = ComponentPhoto.objects.get()
    statuses = check_access(world, f"/files/components/photo/{photo.pk}/", MAY_SEE, anonymous_status=404)
    assert statuses["grid_worker_b"] == 404  # refused the component page too
    assert world.client("grid_worker_b").get(f"/registry/components/{component.pk}/").status_code == 404
