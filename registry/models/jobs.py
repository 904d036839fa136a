"""Import jobs. The uploaded file holds residents' ID numbers and phones in clear: it is stored under a random
name in a private directory that no URL serves (``GRIDGOV_IMPORT_UPLOAD_DIR``), and deleted as soon as the job
ends (written, rejected, failed, or left unconfirmed past ``GRIDGOV_IMPORT_UPLOAD_KEEP_HOURS``). The job keeps
the file's SHA-256, its original name as display text, and the check report."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils.translation import gettext_lazy as _


def import_storage() -> FileSystemStorage:
    """Private storage: no base URL, outside MEDIA_ROOT."""
    return FileSystemStorage(location=settings.IMPORT_UPLOAD_DIR, base_url=None)


def import_upload_name(job: ImportJob, file_name: str) -> str:
    """A random name that says nothing of the file (only its type survives, for the reader)."""
    suffix = Path(file_name).suffix.lower()
    return f"{uuid.uuid4().hex}{suffix if suffix in ('.xlsx', '.csv') else ''}"


class ImportStatus(models.TextChoices):
    CHECKING = "checking", _("检查中")
    CHECKED = "checked", _("检查完成")
    REJECTED = "rejected", _("有错误")
    WRITING = "writing", _("导入中")
    DONE = "done", _("已导入")
    FAILED = "failed", _("失败")
    EXPIRED = "expired", _("未确认已过期")


# A job in one of these has ended: its upload is deleted.
ENDED_STATUSES = (ImportStatus.REJECTED, ImportStatus.DONE, ImportStatus.FAILED, ImportStatus.EXPIRED)


class ImportJob(models.Model):
    """An uploaded spreadsheet on its way in: checked first (dry run), then written all at once on request.
    The background task updates ``processed`` so the page can show progress."""

    kind = models.CharField(_("类型"), max_length=16)
    file = models.FileField(_("文件"), upload_to=import_upload_name, storage=import_storage, blank=True)
    file_name = models.CharField(_("文件名"), max_length=200)
    file_sha256 = models.CharField(_("文件 SHA-256"), max_length=64, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.CHECKING)
    processed = models.PositiveIntegerField(_("已处理行数"), default=0)
    total = models.PositiveIntegerField(_("总行数"), null=True, blank=True)
    report = models.JSONField(_("报告"), default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.CASCADE)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name}（{self.get_status_display()}）"

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.processed / self.total)) if self.total else 0

    @property
    def running(self) -> bool:
        return self.status in (ImportStatus.CHECKING, ImportStatus.WRITING)
