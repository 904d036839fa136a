"""Case photos: checked by content (not by name), stored through Django's storage API with a thumbnail, and
their EXIF location and time read when present. Checking happens before any transaction starts."""

from __future__ import annotations

import datetime as dt
import io
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from gridgov.errors import ValidationFailed

ACCEPTED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
THUMBNAIL_SIZE = (320, 320)
PUBLIC_SIZE = (1600, 1600)
GPS_IFD = 0x8825
EXIF_IFD = 0x8769
DATETIME_ORIGINAL = 0x9003


@dataclass
class CheckedPhoto:
    content: bytes
    extension: str
    longitude: float | None
    latitude: float | None
    taken_at: dt.datetime | None
    # The thumbnail and the public copy, made while checking (outside any transaction) when known.
    copies: tuple[bytes, bytes] | None = None


def _degrees(value: Any, reference: str) -> float | None:
    try:
        degrees, minutes, seconds = (float(part) for part in value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    result = degrees + minutes / 60 + seconds / 3600
    return -result if reference in ("S", "W") else result


def _exif_of(image: Image.Image) -> tuple[float | None, float | None, dt.datetime | None]:
    exif = image.getexif()
    gps = exif.get_ifd(GPS_IFD)
    longitude = latitude = None
    if gps.get(2) and gps.get(4):
        latitude = _degrees(gps[2], gps.get(1, "N"))
        longitude = _degrees(gps[4], gps.get(3, "E"))
    taken_at = None
    original = exif.get_ifd(EXIF_IFD).get(DATETIME_ORIGINAL)
    if isinstance(original, str):
        try:
            taken_at = timezone.make_aware(dt.datetime.strptime(original.strip("\x00 "), "%Y:%m:%d %H:%M:%S"))
        except ValueError:
            taken_at = None
    return longitude, latitude, taken_at


def photo_check(upload: Any, field: str = "photos") -> CheckedPhoto:
    """Read an uploaded file and refuse what is not a JPEG, PNG or WebP image within the size limit."""
    limit = settings.PHOTO_MAX_MEGABYTES * 1024 * 1024
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise ValidationFailed(
            _("照片“%(name)s”超过 %(limit)d MB") % {"name": upload.name, "limit": settings.PHOTO_MAX_MEGABYTES},
            code="photo_too_large",
            details={"field": field},
        )
    content = upload.read()
    if len(content) > limit:
        raise ValidationFailed(_("照片超过大小限制"), code="photo_too_large", details={"field": field})
    try:
        with Image.open(io.BytesIO(content)) as image:
            image_format = image.format or ""
            image.verify()
        with Image.open(io.BytesIO(content)) as image:
            longitude, latitude, taken_at = _exif_of(image)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationFailed(
            _("“%(name)s”不是可识别的图片") % {"name": getattr(upload, "name", "")},
            code="photo_invalid",
            details={"field": field},
        ) from None
    if image_format not in ACCEPTED_FORMATS:
        raise ValidationFailed(_("照片只接受 JPEG、PNG 或 WebP 格式"), code="photo_invalid", details={"field": field})
    try:
        copies = copies_of(content)
    except (OSError, ValueError, Image.DecompressionBombError):
        raise ValidationFailed(_("照片无法读取，请重新拍摄"), code="photo_invalid", details={"field": field}) from None
    return CheckedPhoto(content, ACCEPTED_FORMATS[image_format], longitude, latitude, taken_at, copies)


def _jpeg(image: Image.Image, size: tuple[int, int], quality: int) -> bytes:
    copy = image.copy()
    copy.thumbnail(size)
    buffer = io.BytesIO()
    copy.save(buffer, "JPEG", quality=quality)  # no exif= given: the copy carries no metadata
    return buffer.getvalue()


def copies_of(content: bytes) -> tuple[bytes, bytes]:
    """The thumbnail and the public copy: upright (EXIF orientation applied), re-encoded, without any metadata,
    so the location and time of a resident's photo stay in our record only."""
    with Image.open(io.BytesIO(content)) as opened:
        image = ImageOps.exif_transpose(opened).convert("RGB")
    return _jpeg(image, THUMBNAIL_SIZE, 80), _jpeg(image, PUBLIC_SIZE, 85)


def photo_store(case: Any, stage: str, photo: CheckedPhoto, *, event: Any = None, user_id: int | None = None) -> Any:
    from cases.models import CasePhoto

    name = uuid.uuid4().hex
    row = CasePhoto(
        case=case,
        event=event,
        stage=stage,
        longitude=photo.longitude,
        latitude=photo.latitude,
        taken_at=photo.taken_at,
        uploaded_by_id=user_id,
    )
    row.image.save(f"{name}.{photo.extension}", ContentFile(photo.content), save=False)
    thumbnail, public = photo.copies or copies_of(photo.content)
    row.thumbnail.save(f"{name}_thumb.jpg", ContentFile(thumbnail), save=False)
    row.public_image.save(f"{uuid.uuid4().hex}.jpg", ContentFile(public), save=False)
    row.save()
    return row
