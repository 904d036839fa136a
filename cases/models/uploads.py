"""Photos a phone uploads ahead of the report or step that uses them (``POST /api/v1/uploads``), named by their
SHA-256: a report sent again after a lost answer names its photos instead of carrying them again."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def _upload_path(instance: PhotoUpload, filename: str) -> str:
    return f"uploads/{filename}"  # a random name (cases.uploads): nothing of the uploader or the photo in it


class PhotoUpload(models.Model):
    """One photo one person uploaded; theirs alone to use. Kept ``PHOTO_UPLOAD_KEEP_DAYS`` after its last upload
    (a case keeps its own copy of every photo it uses)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), related_name="+", on_delete=models.CASCADE
    )
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    file = models.FileField(_("文件"), upload_to=_upload_path)
    content_type = models.CharField(_("类型"), max_length=32)
    size = models.PositiveIntegerField(_("大小"))
    uploaded_at = models.DateTimeField(_("上传时间"), db_index=True)
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("预上传照片")
        verbose_name_plural = _("预上传照片")
        constraints = [models.UniqueConstraint(fields=["owner", "sha256"], name="photo_upload_owner_sha256")]

    def __str__(self) -> str:
        return self.sha256
