from typing import Any

from django.core.management.base import BaseCommand

from hotline.gazetteer import gazetteer_rebuild


class Command(BaseCommand):
    help = "Rebuild the hotline desk's address gazetteer from the areas and the registry (after bulk imports)."

    def handle(self, *args: Any, **options: Any) -> None:
        count = gazetteer_rebuild()
        self.stdout.write(f"{count} gazetteer entries")
