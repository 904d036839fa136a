from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from areas.choices import Datum
from areas.services import AreaImportError, areas_import


class Command(BaseCommand):
    help = "Import areas and boundaries from a GeoJSON FeatureCollection (all or nothing)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--datum", choices=Datum.values, default=Datum.WGS84)
        parser.add_argument("--replace", action="store_true", help="The file is the whole tree: retire missing areas.")
        parser.add_argument("--dry-run", action="store_true", help="Validate and report; write nothing.")
        parser.add_argument("--effective-from", type=dt.datetime.fromisoformat, default=None)
        parser.add_argument("--name", default="")

    def handle(self, *args: Any, path: Path, **options: Any) -> None:
        try:
            collection = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise CommandError(f"无法读取 {path}：{error}") from None
        total = len(collection.get("features") or []) if isinstance(collection, dict) else 0
        with tqdm(total=total, desc="校验", unit="要素", file=self.stderr) as bar:
            try:
                summary = areas_import(
                    collection,
                    datum=options["datum"],
                    replace=options["replace"],
                    dry_run=options["dry_run"],
                    effective_from=options["effective_from"],
                    name=options["name"],
                    progress=bar.update,
                )
            except AreaImportError as error:
                raise CommandError("\n".join([error.message.split("：")[0], *map(str, error.problems)])) from None
        self.stdout.write(json.dumps(summary.as_dict(), ensure_ascii=False))
