"""Background work of the registry: checking and writing uploaded imports (idempotent by job status)."""

from __future__ import annotations

from pathlib import Path

from django.db.models import F
from django.utils import timezone
from django_tasks import task

from audit.models import Channel
from audit.services import Origin
from gridgov.errors import DomainError
from registry.imports import registry_import
from registry.models import ImportJob, ImportStatus


def import_job_run(job_id: int, apply: bool) -> None:
    """Check (or write) a job's file. A job is only taken from the status it expects, so running the same task
    twice, or two workers at once, does the work once."""
    expected = ImportStatus.WRITING if apply else ImportStatus.CHECKING
    job = ImportJob.objects.select_related("created_by").filter(pk=job_id, status=expected).first()
    if job is None:
        return
    origin = Origin(actor=job.created_by, channel=Channel.IMPORT, path=f"import:{job.pk}")

    def progress(processed: int, total: int | None) -> None:
        if not apply:  # while writing, the rows are inside the import's transaction
            ImportJob.objects.filter(pk=job.pk).update(processed=processed, total=total)

    try:
        report = registry_import(
            origin, job.kind, Path(job.file.path), job.file_name, dry_run=not apply, progress=progress
        )
    except DomainError as error:
        status, body = ImportStatus.FAILED, {"problems": [{"row": 0, "column": "", "message": error.message}]}
    else:
        body = report.as_dict()
        finished = ImportStatus.DONE if apply else ImportStatus.CHECKED
        status = finished if report.ok else ImportStatus.REJECTED
    ImportJob.objects.filter(pk=job.pk, status=expected).update(
        status=status, report=body, finished_at=timezone.now(), processed=F("processed")
    )


@task()
def import_job_check(job_id: int) -> None:
    import_job_run(job_id, apply=False)


@task()
def import_job_write(job_id: int) -> None:
    import_job_run(job_id, apply=True)
