from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportStatus(models.TextChoices):
    CHECKING = "checking", _("检查中")
    CHECKED = "checked", _("检查完成")
    REJECTED = "rejected", _("有错误")
    WRITING = "writing", _("导入中")
    DONE = "done", _("已导入")
    FAILED = "failed", _("失败")


class ImportJob(models.Model):
    """An uploaded spreadsheet on its way in: checked first (dry run), then written all at once on request.
    The background task updates ``processed`` so the page can show progress."""

    kind = models.CharField(_("类型"), max_length=16)
    file = models.FileField(_("文件"), upload_to="imports/%Y/%m/")
    file_name = models.CharField(_("文件名"), max_length=200)
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
