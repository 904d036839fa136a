from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from maps.basemap import basemap_write


class Command(BaseCommand):
    help = "Write the offline base map (PMTiles) from the current areas and buildings to GRIDGOV_BASEMAP_PMTILES."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--output", help="Another path than the configured one.")

    def handle(self, *args: Any, output: str | None, **options: Any) -> None:
        written = basemap_write(output or settings.MAP_BASEMAP_PMTILES)
        self.stdout.write(f"{written.path}: {written.tiles} tiles, {written.size / 1024:.0f} KiB")
