from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from areas.models import Area
from areas.services import areas_export, latest_version_number


class Command(BaseCommand):
    help = "Export areas and boundaries as a re-importable GeoJSON FeatureCollection."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--root", default="", help="Only this area and everything under it.")
        parser.add_argument(
            "--boundary-version",
            dest="boundary_version",
            type=int,
            default=None,
            help="Boundary version (default: latest).",
        )

    def handle(self, *args: Any, path: Path, root: str, boundary_version: int | None, **options: Any) -> None:
        number = boundary_version if boundary_version is not None else latest_version_number()
        areas = Area.objects.at_version(number).select_related("department")
        if root:
            if not areas.filter(code=root).exists():
                raise CommandError(f"区域 {root} 不存在")
            areas = areas.filter(code__startswith=root)
        collection = areas_export(areas, number)
        path.write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")
        self.stdout.write(f"{len(collection['features'])} 个区域 → {path}")
