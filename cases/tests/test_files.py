"""Stored case photos reach people only through gridgov/files.py: originals (with their EXIF location) to those
whose part in the case allows them, copies without metadata to others in scope, public copies of public cases to
anyone; nothing is linked or served under /media/."""

import importlib
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import Resolver404, clear_url_caches, resolve
from django_sendfile.utils import _get_sendfile

from audit.models import AuditEntry
from cases import services
from cases.models import Case, CasePhoto, Category
from cases.photos import photo_check
from gridgov.testing import PERSONAS, case_run_to_closed, check_access, has_gps, jpeg_bytes

IN_SCOPE = ["grid_worker_a", "community_staff", "street_leader", "dispatcher", "administrator"]
ORIGINAL_ALLOWED = {"grid_worker_a", "street_leader", "dispatcher"}  # reporter, leader, command centre
UPLOAD_NAME = "王家门口-13800138000.jpg"


def gps_photo():
    return photo_check(SimpleUploadedFile(UPLOAD_NAME, jpeg_bytes(gps=True), content_type="image/jpeg"))


def reported(desk, category=None):
    """A case in grid A reported by grid worker A with one photo carrying an EXIF location."""
    return desk.report(photos=[gps_photo()], category_id=(category or desk.category).pk)


def photo_url(photo, variant):
    return f"/files/cases/photo/{photo.pk}/{variant}/"


def body_has_gps(response) -> bool:
    return has_gps(response.content)


def test_originals_go_to_roles_that_may_see_them_and_copies_to_others_in_scope(desk):
    photo = reported(desk).photos.get()
    assert has_gps(photo.image.read())
    statuses = check_access(desk.world, photo_url(photo, "original"), IN_SCOPE, anonymous_status=404)
    assert statuses["grid_worker_b"] == statuses["department_handler"] == 404
    for persona in IN_SCOPE:
        response = desk.world.client(persona).get(photo_url(photo, "original"))
        assert body_has_gps(response) == (persona in ORIGINAL_ALLOWED), persona
    # The department the case is dispatched to sees the original too.
    services.case_file(desk.origin("shift_leader"), photo.case)
    services.case_dispatch(desk.origin("dispatcher"), photo.case, desk.sanitation)
    assert body_has_gps(desk.world.client("department_handler").get(photo_url(photo, "original")))


def test_thumbnails_go_to_whoever_may_open_the_case_without_metadata(desk):
    photo = reported(desk).photos.get()
    check_access(
        desk.world,
        photo_url(photo, "thumbnail"),
        IN_SCOPE,
        anonymous_status=404,
        check=lambda response: not body_has_gps(response) or pytest.fail("thumbnail carries GPS"),
    )


def test_public_copy_of_a_public_case_goes_to_anyone_and_of_another_case_to_no_outsider(desk):
    public = reported(desk).photos.get()
    for persona in PERSONAS:
        response = desk.world.client(persona).get(photo_url(public, "public"))
        assert response.status_code == 200 and not body_has_gps(response), persona
    assert Client().get(photo_url(public, "public"))["Cache-Control"].startswith("public")
    dispute = Category.objects.get(kind="governance", code="G101")  # not public
    private = reported(desk, dispute).photos.get()
    check_access(desk.world, photo_url(private, "public"), IN_SCOPE, anonymous_status=404)
    assert Client().get(photo_url(private, "original")).status_code == 404
    assert Client().get(photo_url(private, "thumbnail")).status_code == 404


def test_verify_and_check_photos_are_never_public(desk):
    closed = case_run_to_closed(desk.world, reported(desk))
    inside = closed.photos.get(stage="check")
    assert Client().get(photo_url(inside, "public")).status_code == 404
    assert desk.world.client("grid_worker_a").get(photo_url(inside, "public")).status_code == 200  # in scope


def test_headers_are_safe_and_the_name_neutral(desk):
    photo = reported(desk).photos.get()
    response = desk.world.client("dispatcher").get(photo_url(photo, "original"))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("inline") and f"photo-{photo.pk}-original.jpg" in disposition
    assert "13800138000" not in disposition and "%E7%8E%8B" not in disposition
    thumbnail = desk.world.client("community_staff").get(photo_url(photo, "thumbnail"))
    assert thumbnail["Cache-Control"] == "private, no-store" and thumbnail["Content-Type"] == "image/jpeg"
    assert desk.world.client("dispatcher").get(photo_url(photo, "bogus")).status_code == 404


def test_each_view_of_an_original_is_audited(desk):
    photo = reported(desk).photos.get()
    desk.world.client("dispatcher").get(photo_url(photo, "original"))
    desk.world.client("community_staff").get(photo_url(photo, "original"))  # gets the copy: not an original view
    desk.world.client("dispatcher").get(photo_url(photo, "thumbnail"))
    rows = AuditEntry.objects.filter(object_type="cases.casephoto", object_id=str(photo.pk), action="view")
    assert [(row.actor_id, row.detail["variant"]) for row in rows] == [(desk.world.users["dispatcher"].pk, "original")]


def test_no_page_or_answer_links_media_and_links_work(desk):
    case = reported(desk)
    dispatcher = desk.world.client("dispatcher")
    page = dispatcher.get(f"/cases/{case.number}/").content.decode()
    api = dispatcher.get(f"/api/v1/cases/{case.number}").json()
    assert "/media/" not in page and "/media/" not in str(api)
    photo = api["photos"][0]
    assert photo["url"].endswith("/original/") and photo["thumbnail"].endswith("/thumbnail/")
    assert body_has_gps(dispatcher.get(photo["url"])) and dispatcher.get(photo["thumbnail"]).status_code == 200
    links = re.findall(r'(?:href|src)="(/files/[^"]+)"', page)
    assert len(links) == 2 and all(dispatcher.get(link).status_code == 200 for link in links)
    # Someone in scope without the right to originals is linked to the copy.
    staff = desk.world.client("community_staff").get(f"/api/v1/cases/{case.number}").json()
    assert staff["photos"][0]["url"].endswith("/public/")
    # Open311 and the public case page.
    closed = case_run_to_closed(desk.world, Case.objects.get(pk=case.pk))
    open311 = Client().get(f"/open311/v2/requests/{closed.number}.json").json()[0]
    assert open311["media_url"].startswith("http://testserver/files/cases/photo/")
    assert not body_has_gps(Client().get(open311["media_url"]))
    public_page = Client().get(f"/portal/cases/{closed.number}/").content.decode()
    assert "/media/" not in public_page and "/files/" not in public_page  # a number alone shows no photo


def test_nothing_serves_media_even_in_debug(desk, settings):
    photo: CasePhoto = reported(desk).photos.get()
    settings.DEBUG = True
    try:
        importlib.reload(importlib.import_module("gridgov.urls"))
        clear_url_caches()
        with pytest.raises(Resolver404):
            resolve(f"/media/{photo.image.name}")
        assert Client().get(f"/media/{photo.image.name}").status_code == 404
    finally:
        settings.DEBUG = False
        importlib.reload(importlib.import_module("gridgov.urls"))
        clear_url_caches()


def test_behind_nginx_the_front_server_sends_the_checked_file(desk, settings):
    photo = reported(desk).photos.get()
    settings.SENDFILE_BACKEND = settings.SENDFILE_BACKENDS["nginx"]
    _get_sendfile.cache_clear()  # the backend is chosen once per process
    try:
        response = desk.world.client("dispatcher").get(photo_url(photo, "original"))
        assert response["X-Accel-Redirect"] == f"/protected-files/{photo.image.name}" and response.content == b""
        assert response["Content-Type"] == "image/jpeg" and response["X-Content-Type-Options"] == "nosniff"
        assert Client().get(photo_url(photo, "original")).status_code == 404  # the check still comes first
    finally:
        _get_sendfile.cache_clear()
