"""Import uploads move to private storage under random names. Uploads kept from before (in MEDIA_ROOT, under
their original names) are deleted after their SHA-256 is recorded; jobs still waiting on one end as expired."""

import hashlib

from django.core.files.storage import default_storage
from django.db import migrations, models
from django.utils import timezone

import registry.models.jobs


def old_uploads_delete(apps, schema_editor):
    ImportJob = apps.get_model("registry", "ImportJob")
    for job in ImportJob.objects.exclude(file="").iterator():
        name = job.file.name
        if default_storage.exists(name):
            digest = hashlib.sha256()
            with default_storage.open(name, "rb") as handle:
                for chunk in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(chunk)
            job.file_sha256 = digest.hexdigest()
            default_storage.delete(name)
        if job.status in ("checking", "checked", "writing"):
            job.status = "expired"
            job.finished_at = timezone.now()
        job.file = ""
        job.save(update_fields=["file", "file_sha256", "status", "finished_at"])


class Migration(migrations.Migration):

    dependencies = [
        ('registry', '0002_short_masks'),
    ]

    operations = [
        migrations.AddField(
            model_name='importjob',
            name='file_sha256',
            field=models.CharField(blank=True, max_length=64, verbose_name='文件 SHA-256'),
        ),
        migrations.AlterField(
            model_name='importjob',
            name='file',
            field=models.FileField(blank=True, storage=registry.models.jobs.import_storage, upload_to=registry.models.jobs.import_upload_name, verbose_name='文件'),
        ),
        migrations.AlterField(
            model_name='importjob',
            name='status',
            field=models.CharField(choices=[('checking', '检查中'), ('checked', '检查完成'), ('rejected', '有错误'), ('writing', '导入中'), ('done', '已导入'), ('failed', '失败'), ('expired', '未确认已过期')], default='checking', max_length=16, verbose_name='状态'),
        ),
        migrations.RunPython(old_uploads_delete, migrations.RunPython.noop),
    ]
