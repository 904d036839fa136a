from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from accounts.models import User
from audit.models import Channel
from audit.services import Origin
from gridgov.errors import DomainError
from registry.imports import KINDS, registry_import


class Command(BaseCommand):
    help = "Check (--dry-run) or import buildings, houses, persons, places or components from .xlsx/.csv."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("kind", choices=sorted(KINDS))
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="check every row and write nothing")
        parser.add_argument("--as-user", help="username whose scope applies and who is recorded in the history")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = None
        if options["as_user"]:
            actor = User.objects.filter(username=options["as_user"]).first()
            if actor is None:
                raise CommandError(f"没有用户 {options['as_user']}")
        bar = tqdm(unit="行", desc=str(options["file"].name))

        def progress(processed: int, total: int | None) -> None:
            bar.total = total
            bar.n = processed
            bar.refresh()

        try:
            report = registry_import(
                Origin(actor, Channel.COMMAND, f"command:{options['file']}"),
                options["kind"],
                options["file"],
                dry_run=options["dry_run"],
                progress=progress,
            )
        except DomainError as error:
            raise CommandError(error.message) from None
        finally:
            bar.close()
        for problem in report.problems:
            self.stderr.write(f"第 {problem.row} 行 [{problem.column}] {problem.message}")
        if not report.ok:
            raise CommandError(f"{len(report.problems)} 个问题，未做任何修改（共 {report.rows} 行）")
        verb = "检查通过" if options["dry_run"] else "已导入"
        self.stdout.write(self.style.SUCCESS(f"{verb}：{report.valid} / {report.rows} 行，写入 {report.created} 条"))
