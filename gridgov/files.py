"""Every stored file is served here, after an access check; nothing serves MEDIA_ROOT directly.

Case photos come in three variants (DESIGN §3 "Security"):

* ``original`` — the upload as received, with its EXIF location and time: only to those who may open the case
  and whose part in it allows originals (:func:`cases.photos.photo_original_allowed`); each view is audited.
  Others who may open the case get the public copy instead.
* ``thumbnail`` — a small re-encoded copy without metadata: to whoever may open the case.
* ``public`` — a larger re-encoded copy without metadata: to whoever may open the case, and to anyone (no login)
  when the photo is public (:func:`cases.public.photo_is_public`).

Component photos (re-encoded on upload) go to those who may see the component; visit photos (re-encoded on upload)
to those who may see the visit (a sensitive visit's only with the permission for sensitive groups). "Not yours"
answers 404 like "does not exist". The bytes go out through django-sendfile2: streamed by Django, or by the front
server through ``X-Accel-Redirect``/``X-Sendfile`` (``GRIDGOV_SENDFILE_BACKEND``, docs/configuration.md).
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django_sendfile import sendfile

from audit.models import AuditAction
from audit.services import Origin, audit_record
from cases.models import CasePhoto
from cases.photos import content_type_of, photo_original_allowed
from cases.public import photo_is_public, public_photos, report_by_follow_token
from cases.selectors import access_case
from diary.models import DiaryAttachment
from diary.selectors import access_entry
from gridgov.errors import NotFound
from registry.models import ComponentPhoto
from registry.selectors import access_component
from visits.models import VisitPhoto
from visits.selectors import access_visit

ORIGINAL, THUMBNAIL, PUBLIC = "original", "thumbnail", "public"
VARIANTS = (ORIGINAL, THUMBNAIL, PUBLIC)
PRIVATE_CACHE = "private, no-store"
PUBLIC_CACHE = "public, max-age=3600"


# --- Links (pages, the API and Open311 build their URLs here) ---------------------------------------------------
def case_photo_url(photo: CasePhoto, variant: str) -> str:
    return reverse("files:case-photo", args=[photo.pk, variant])


def case_photo_link(user: Any, photo: CasePhoto) -> str:
    """The largest variant ``user`` may open: the original where allowed, otherwise the public copy."""
    return case_photo_url(photo, ORIGINAL if photo_original_allowed(user, photo) else PUBLIC)


def follow_photo_url(token: str, photo: CasePhoto) -> str:
    return reverse("files:follow-photo", args=[token, photo.pk])


def component_photo_url(photo: ComponentPhoto) -> str:
    return reverse("files:component-photo", args=[photo.pk])


def visit_photo_url(photo: VisitPhoto) -> str:
    return reverse("files:visit-photo", args=[photo.pk])


# --- Sending ----------------------------------------------------------------------------------------------------
def _send(request: HttpRequest, field_file: Any, *, name: str, cache: str) -> HttpResponse:
    """The stored file with a content type from its stored format, a neutral name and no sniffing."""
    if not field_file:
        raise Http404
    content_type = content_type_of(field_file.name)
    extension = field_file.name.rsplit(".", 1)[-1].lower() if content_type != "application/octet-stream" else "bin"
    response = sendfile(
        request, field_file.path, attachment=False, attachment_filename=f"{name}.{extension}", mimetype=content_type
    )
    response["Content-Type"] = content_type
    response["Cache-Control"] = cache
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _case_photo(photo_id: int) -> CasePhoto:
    photo = CasePhoto.objects.select_related("case__category").filter(pk=photo_id).first()
    if photo is None:
        raise NotFound(_("照片不存在"), code="photo_not_found")
    return photo


def _may_open_case(user: Any, photo: CasePhoto) -> bool:
    if not user.is_authenticated:
        return False
    try:
        access_case(user, photo.case.number)
    except NotFound:
        return False
    return True


@require_GET
def case_photo(request: HttpRequest, photo_id: int, variant: str) -> HttpResponse:
    if variant not in VARIANTS:
        raise Http404
    photo = _case_photo(photo_id)
    name = f"photo-{photo.pk}"
    if _may_open_case(request.user, photo):
        if variant == THUMBNAIL:
            return _send(request, photo.thumbnail, name=f"{name}-thumbnail", cache=PRIVATE_CACHE)
        if variant == ORIGINAL and photo_original_allowed(request.user, photo):
            audit_record(
                Origin.of_request(request),
                AuditAction.VIEW,
                photo,
                area_code=photo.case.grid.code,
                fields=["image"],
                detail={"case": photo.case.number, "variant": ORIGINAL},
            )
            return _send(request, photo.image, name=f"{name}-original", cache=PRIVATE_CACHE)
        cache = PUBLIC_CACHE if photo_is_public(photo) else PRIVATE_CACHE
        return _send(request, photo.public_image, name=name, cache=cache)
    if variant == PUBLIC and photo_is_public(photo):
        return _send(request, photo.public_image, name=name, cache=PUBLIC_CACHE)
    raise NotFound(_("照片不存在"), code="photo_not_found")


@require_GET
def follow_photo(request: HttpRequest, token: str, photo_id: int) -> HttpResponse:
    """The public copy of a photo the reporter's private follow page shows (whatever the case's category)."""
    found = report_by_follow_token(token)
    if found is None:
        raise NotFound(_("照片不存在"), code="photo_not_found")
    photos = public_photos(found.case)
    photo = next((item for item in photos["before"] + photos["after"] if item.pk == photo_id), None)
    if photo is None:
        raise NotFound(_("照片不存在"), code="photo_not_found")
    return _send(request, photo.public_image, name=f"photo-{photo.pk}", cache=PRIVATE_CACHE)


@require_GET
def component_photo(request: HttpRequest, photo_id: int) -> HttpResponse:
    """A component's photo to those who may see the component (the same rule as its page; 404 otherwise)."""
    if not request.user.has_perm("registry.view_component"):
        raise NotFound(_("照片不存在"), code="photo_not_found")
    photo = ComponentPhoto.objects.filter(pk=photo_id).first()
    if photo is None:
        raise NotFound(_("照片不存在"), code="photo_not_found")
    access_component(request.user, photo.component_id)
    return _send(request, photo.image, name=f"component-photo-{photo.pk}", cache=PRIVATE_CACHE)


@require_GET
def diary_attachment(request: HttpRequest, attachment_id: int) -> HttpResponse:
    """A diary entry's attachment to those who may read the entry (404 otherwise), as a download under a neutral
    name; the type is the one sniffed on upload."""
    attachment = DiaryAttachment.objects.filter(pk=attachment_id).first()
    if attachment is None or not request.user.is_authenticated:
        raise NotFound(_("附件不存在"), code="attachment_not_found")
    try:
        access_entry(request.user, attachment.entry_id)
    except NotFound:
        raise NotFound(_("附件不存在"), code="attachment_not_found") from None
    extension = (attachment.file.name or "").rsplit(".", 1)[-1].lower()
    response = sendfile(
        request,
        attachment.file.path,
        attachment=True,
        attachment_filename=f"diary-attachment-{attachment.pk}.{extension}",
        mimetype=attachment.content_type,
    )
    response["Content-Type"] = attachment.content_type
    response["Cache-Control"] = PRIVATE_CACHE
    response["X-Content-Type-Options"] = "nosniff"
    return response


def visit_photo(request: HttpRequest, photo_id: int) -> HttpResponse:
    """A visit's photo to those who may see the visit (the same rule as its page; 404 otherwise)."""
    if not request.user.is_authenticated:
        raise NotFound(_("照片不存在"), code="photo_not_found")
    photo = VisitPhoto.objects.filter(pk=photo_id).first()
    if photo is None:
        raise NotFound(_("照片不存在"), code="photo_not_found")
    access_visit(request.user, photo.visit_id)
    return _send(request, photo.file, name=f"visit-photo-{photo.pk}", cache=PRIVATE_CACHE)


app_name = "files"
urlpatterns = [
    path("cases/photo/<int:photo_id>/<str:variant>/", case_photo, name="case-photo"),
    path("follow/<str:token>/photo/<int:photo_id>/", follow_photo, name="follow-photo"),
    path("components/photo/<int:photo_id>/", component_photo, name="component-photo"),
    path("diary/attachment/<int:attachment_id>/", diary_attachment, name="diary-attachment"),
    path("visits/photo/<int:photo_id>/", visit_photo, name="visit-photo"),
]
