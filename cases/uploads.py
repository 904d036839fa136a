"""Photos uploaded ahead of use, named by their SHA-256 (``POST /api/v1/uploads``): a report or a case step then
names them (``photo_sha256``…) instead of carrying them, so a retry after a lost answer sends a few bytes.

Each upload is checked like any case photo (:func:`cases.photos.photo_check`) and stored under a random name; only
its uploader may use it, and nothing serves the files. A digest that is not one of the caller's uploads refuses the
whole request with 422 ``photo_missing`` (its details list the missing digests) before anything is written."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from cases.models import PhotoUpload
from cases.photos import CONTENT_TYPES, CheckedPhoto, photo_check
from gridgov.errors import Unprocessable

#: The most photos one list of a request may name.
DIGESTS_MAX = 20
DIGEST_PATTERN = r"^[0-9a-f]{64}$"


def upload_save(user: User, upload: Any) -> tuple[PhotoUpload, bool]:
    """Check and keep one uploaded photo; ``(row, False)`` when this person had uploaded the same photo already
    (it is then kept another ``PHOTO_UPLOAD_KEEP_DAYS``)."""
    photo = photo_check(upload, "file")
    digest = hashlib.sha256(photo.content).hexdigest()
    now = timezone.now()
    known = PhotoUpload.objects.filter(owner=user, sha256=digest).first()
    if known is not None and known.file.storage.exists(str(known.file.name)):
        PhotoUpload.objects.filter(pk=known.pk).update(uploaded_at=now)
        known.uploaded_at = now
        return known, False
    if known is not None:  # the row outlived its file: upload it again
        known.delete()
    content_type = CONTENT_TYPES[photo.extension]
    row = PhotoUpload(owner=user, sha256=digest, content_type=content_type, size=len(photo.content), uploaded_at=now)
    row.file.save(f"{uuid.uuid4().hex}.{photo.extension}", ContentFile(photo.content), save=False)
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:  # the same photo, uploaded in parallel, was kept first
        row.file.storage.delete(str(row.file.name))
        return PhotoUpload.objects.get(owner=user, sha256=digest), False
    return row, True


def photos_of_uploads(user: User, fields: dict[str, Iterable[str]]) -> dict[str, list[CheckedPhoto]]:
    """The photos ``user`` uploaded under the digests of each field (``{"photo_sha256": [...]}``), checked again
    as case photos, in the order named. Refuses with 422 ``photo_missing`` (details: each missing digest under
    its field) if any is not one of the user's uploads."""
    named = {field: list(dict.fromkeys(digests)) for field, digests in fields.items()}
    wanted = {digest for digests in named.values() for digest in digests}
    rows = {row.sha256: row for row in PhotoUpload.objects.filter(owner=user, sha256__in=wanted)}
    contents: dict[str, bytes] = {}
    for digest, row in rows.items():
        try:
            with row.file.open("rb") as stored:
                contents[digest] = stored.read()
        except FileNotFoundError:
            continue  # swept meanwhile: missing
    missing = [
        {"field": f"{field}.{index}", "message": digest}
        for field, digests in named.items()
        for index, digest in enumerate(digests)
        if digest not in contents
    ]
    if missing:
        raise Unprocessable(
            _("有 %(count)d 张照片尚未上传，请先上传后重试") % {"count": len(missing)},
            code="photo_missing",
            details=missing,
        )
    return {
        field: [photo_check(ContentFile(contents[digest], name=rows[digest].file.name), field) for digest in digests]
        for field, digests in named.items()
    }


def uploads_used(user: User, digests: Iterable[str]) -> None:
    """Note that these uploads went into a case (each case keeps its own copy)."""
    PhotoUpload.objects.filter(owner=user, sha256__in=set(digests)).update(used_at=timezone.now())


def photo_uploads_sweep() -> dict[str, int]:
    """Delete uploads (rows and files) last uploaded more than ``PHOTO_UPLOAD_KEEP_DAYS`` ago (a periodic job)."""
    before = timezone.now() - dt.timedelta(days=settings.PHOTO_UPLOAD_KEEP_DAYS)
    deleted = 0
    for row in PhotoUpload.objects.filter(uploaded_at__lt=before).iterator():
        if PhotoUpload.objects.filter(pk=row.pk, uploaded_at__lt=before).delete()[0]:  # not uploaded again since
            row.file.storage.delete(str(row.file.name))
            deleted += 1
    return {"deleted": deleted}
