"""Photos (of cases and of components): checked by content (not by name), stored through Django's storage API with
a thumbnail, and their EXIF location and time read when present. Checking happens before any transaction starts.

An image's dimensions are read from its header (``Image.open`` does not decode) and refused above
``PHOTO_MAX_PIXELS`` before anything is decoded: a small PNG of 13,000 × 13,000 pixels would otherwise take
gigabytes of memory. Pillow's own bomb limit is set to the same number as a second guard."""

from __future__ import annotations

import datetime as dt
import io
import uuid
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from accounts.roles import Role
from cases.models import Case, CasePhoto
from gridgov.errors import ValidationFailed

ACCEPTED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
#: The stored formats and the only content types a stored photo is ever served with.
CONTENT_TYPES = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
THUMBNAIL_SIZE = (320, 320)
PUBLIC_SIZE = (1600, 1600)
GPS_IFD = 0x8825
EXIF_IFD = 0x8769
DATETIME_ORIGINAL = 0x9003
#: Roles that see a case photo's original (with its EXIF location): the command centre and street/district
#: leaders. The departments the case was dispatched to, the person who reported the case and the person who
#: took the photo see it too (:func:`photo_original_allowed`); everyone else who may open the case gets the copy
#: without metadata.
ORIGINAL_ROLES = frozenset(
    {Role.INTAKE_CLERK, Role.SHIFT_LEADER, Role.DISPATCHER, Role.STREET_LEADER, Role.DISTRICT_LEADER}
)

# Pillow warns above this many pixels and refuses above twice as many; the header check below comes first.
Image.MAX_IMAGE_PIXELS = settings.PHOTO_MAX_PIXELS


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


def _invalid(upload: Any, field: str) -> ValidationFailed:
    return ValidationFailed(
        _("“%(name)s”不是可识别的图片") % {"name": getattr(upload, "name", "")},
        code="photo_invalid",
        details={"field": field},
    )


def _too_many_pixels(field: str) -> ValidationFailed:
    limit = settings.PHOTO_MAX_PIXELS / 1_000_000
    return ValidationFailed(
        _("照片像素过多（最多 %(limit)s 百万像素），请缩小后重新上传") % {"limit": f"{limit:g}"},
        code="photo_too_many_pixels",
        details={"field": field},
    )


def _header_check(content: bytes, upload: Any, field: str) -> str:
    """The image's format from its header, after refusing it if it has more pixels than allowed; nothing is
    decoded here."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as image:
                width, height = image.size
                image_format = image.format or ""
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels(field) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise _invalid(upload, field) from None
    if width * height > settings.PHOTO_MAX_PIXELS:
        raise _too_many_pixels(field)
    if image_format not in ACCEPTED_FORMATS:
        raise ValidationFailed(_("照片只接受 JPEG、PNG 或 WebP 格式"), code="photo_invalid", details={"field": field})
    return image_format


def photo_check(upload: Any, field: str = "photos") -> CheckedPhoto:
    """Read an uploaded file and refuse what is not a JPEG, PNG or WebP image within the size and pixel limits."""
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
    image_format = _header_check(content, upload, field)
    try:
        with Image.open(io.BytesIO(content)) as image:
            image.verify()
        with Image.open(io.BytesIO(content)) as image:
            longitude, latitude, taken_at = _exif_of(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels(field) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise _invalid(upload, field) from None
    try:
        copies = copies_of(content)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels(field) from None
    except (OSError, ValueError, SyntaxError):
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


def photo_store(
    case: Case, stage: str, photo: CheckedPhoto, *, event: Any = None, user_id: int | None = None
) -> CasePhoto:
    """Write the files and the row. Call inside the transaction that writes ``event``: if anything fails, the
    files written so far are removed and the error goes on, so the transaction leaves neither row nor file."""
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
    thumbnail, public = photo.copies or copies_of(photo.content)
    try:
        row.image.save(f"{name}.{photo.extension}", ContentFile(photo.content), save=False)
        row.thumbnail.save(f"{name}_thumb.jpg", ContentFile(thumbnail), save=False)
        row.public_image.save(f"{uuid.uuid4().hex}.jpg", ContentFile(public), save=False)
        row.save()
    except BaseException:
        photo_files_delete([row])
        raise
    return row


def photo_files_delete(rows: Iterable[CasePhoto]) -> None:
    """Remove the stored files of photo rows whose transaction did not go through."""
    for row in rows:
        for field_file in (row.image, row.thumbnail, row.public_image):
            if field_file.name:
                field_file.storage.delete(field_file.name)


def photo_original_allowed(user: Any, photo: CasePhoto) -> bool:
    """Whether ``user``, who may already open the photo's case, may also see its original with EXIF location and
    time: the command centre and leaders (:data:`ORIGINAL_ROLES`), a department the case was dispatched to, the
    person who reported the case and the person who took the photo."""
    if not getattr(user, "is_authenticated", False):
        return False
    if photo.uploaded_by_id == user.pk or any(user.has_role(role) for role in ORIGINAL_ROLES):
        return True
    reporter_or_department = Q(reports__reported_by=user)
    if user.department_id:
        reporter_or_department |= Q(assignments__department_id=user.department_id)
    return Case.objects.filter(reporter_or_department, pk=photo.case_id).exists()


def content_type_of(name: str) -> str:
    """The content type a stored photo is served with, from its stored extension (never guessed from content)."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return CONTENT_TYPES.get(extension, "application/octet-stream")
