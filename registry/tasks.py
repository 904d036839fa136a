"""Background work of the registry: checking and writing uploaded imports (idempotent by job status), and
deleting uploads whose job has ended or was never confirmed."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import F
from django.utils import timezone
from django_tasks import task

from audit.models import Channel
from audit.services import Origin
from gridgov.errors import DomainError
from registry.imports import registry_import
from registry.models import ImportJob, ImportStatus
from registry.models.jobs import ENDED_STATUSES

logger = logging.getLogger(__name__)

UNEXPECTED_FAILURE = "检查或导入时发生意外错误，任务已终止；请核对文件后重新上传，或联系管理员"


def import_job_start(user: Any, kind: str, upload: Any) -> ImportJob:
    """Store an upload (random name, private directory) with its SHA-256 and queue its check."""
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    job = ImportJob.objects.create(
        kind=kind, file=upload, file_name=upload.name[:200], file_sha256=digest.hexdigest(), created_by=user
    )
    import_job_check.enqueue(job.pk)
    return job


def import_upload_delete(job: ImportJob) -> None:
    """Delete the job's upload; the job keeps its name, SHA-256 and report."""
    if job.file:
        job.file.delete(save=False)
        ImportJob.objects.filter(pk=job.pk).update(file="")


def _failed(message: str) -> dict[str, Any]:
    return {"problems": [{"row": 0, "column": "", "message": message}]}


def import_job_run(job_id: int, apply: bool) -> None:
    """Check (or write) a job's file. A job is only taken from the status it expects, so running the same task
    twice, or two workers at once, does the work once. Whatever goes wrong, the job ends (never stays running)."""
    expected = ImportStatus.WRITING if apply else ImportStatus.CHECKING
    job = ImportJob.objects.select_related("created_by").filter(pk=job_id, status=expected).first()
    if job is None:
        return
    origin = Origin(actor=job.created_by, channel=Channel.IMPORT, path=f"import:{job.pk}")

    def progress(processed: int, total: int | None) -> None:
        if not apply:  # while writing, the rows are inside the import's transaction
            ImportJob.objects.filter(pk=job.pk).update(processed=processed, total=total)

    try:
        if not job.file:
            raise DomainError("上传的文件已删除，请重新上传", code="import_file_gone")
        report = registry_import(
            origin, job.kind, Path(job.file.path), job.file_name, dry_run=not apply, progress=progress
        )
    except DomainError as error:
        status, body = ImportStatus.FAILED, _failed(str(error.message))
    except Exception:
        logger.exception("Import job %s failed", job.pk)
        status, body = ImportStatus.FAILED, _failed(UNEXPECTED_FAILURE)
    else:
        body = report.as_dict()
        finished = ImportStatus.DONE if apply else ImportStatus.CHECKED
        status = finished if report.ok else ImportStatus.REJECTED
    ImportJob.objects.filter(pk=job.pk, status=expected).update(
        status=status, report=body, finished_at=timezone.now(), processed=F("processed")
    )
    if status in ENDED_STATUSES:
        import_upload_delete(job)


def import_uploads_sweep(now: dt.datetime | None = None) -> int:
    """Expire checked jobs left unconfirmed past ``IMPORT_UPLOAD_KEEP_HOURS`` and delete every upload whose job
    has ended. Idempotent. Returns how many uploads were deleted."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(hours=settings.IMPORT_UPLOAD_KEEP_HOURS)
    ImportJob.objects.filter(status=ImportStatus.CHECKED, created_at__lt=cutoff).update(
        status=ImportStatus.EXPIRED, finished_at=now
    )
    # A job still running after that long lost its worker: it ends as failed (nothing was written).
    ImportJob.objects.filter(created_at__lt=cutoff, status__in=(ImportStatus.CHECKING, ImportStatus.WRITING)).update(
        status=ImportStatus.FAILED, finished_at=now, report=_failed(UNEXPECTED_FAILURE)
    )
    ended = ImportJob.objects.filter(status__in=ENDED_STATUSES).exclude(file="")
    deleted = 0
    for job in ended.iterator():
        import_upload_delete(job)
        deleted += 1
    return deleted


@task()
def import_job_check(job_id: int) -> None:
    import_uploads_sweep()
    import_job_run(job_id, apply=False)


@task()
def import_job_write(job_id: int) -> None:
    import_job_run(job_id, apply=True)
