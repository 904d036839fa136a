from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from registry.tasks import import_uploads_sweep


class Command(BaseCommand):
    help = "Delete the uploads of import jobs that ended or were left unconfirmed (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = import_uploads_sweep()
        self.stdout.write(f"已删除 {deleted} 个导入文件")
