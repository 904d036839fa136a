from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from audit.models import Channel
from audit.services import Origin
from registry.exports import EXPORTS, registry_export
from registry.selectors import PersonQuery


class Command(BaseCommand):
    help = "Export a registry list to .xlsx (or .csv by the file's suffix) as a user may see it (scope, masking)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("kind", choices=sorted(EXPORTS))
        parser.add_argument("file", type=Path)
        parser.add_argument("--as-user", required=True, help="username whose scope and permissions apply")
        parser.add_argument("--area", default="", help="only this area code (prefix)")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = User.objects.filter(username=options["as_user"]).first()
        if actor is None:
            raise CommandError(f"没有用户 {options['as_user']}")
        origin = Origin(actor, Channel.COMMAND, f"command:{options['file']}")
        file_format = "csv" if options["file"].suffix.lower() == ".csv" else "xlsx"
        content, _name = registry_export(
            origin, options["kind"], PersonQuery(), grid=options["area"], file_format=file_format
        )
        options["file"].write_bytes(content)
        self.stdout.write(self.style.SUCCESS(f"已导出到 {options['file']}"))
