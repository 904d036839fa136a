"""Publish (or correct) bulletins by hand: ``manage.py bulletins_publish --kind month --period 2026-11 [--area CODE]``.
Without ``--period`` the last finished period of the kind; without ``--area`` each district and each street."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from audit.models import Channel
from audit.services import Origin
from bulletins.services import area_check, bulletin_publish, last_finished, publishing_areas
from gridgov.errors import DomainError
from stats.periods import PeriodKind


class Command(BaseCommand):
    help = "Publish the bulletins of a period (a correction where the figures changed; nothing where they did not)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--kind", required=True, choices=PeriodKind.values, help="day, week, month, quarter or year"
        )
        parser.add_argument(
            "--period", default="", help="2026-11-28, 2026-W48, 2026-11, 2026-Q4 or 2026 (default: last)"
        )
        parser.add_argument("--area", default="", help="An area code (default: each district and each street)")

    def handle(self, *args: Any, kind: str, period: str, area: str, **options: Any) -> None:
        try:
            areas = [area_check(area)] if area else publishing_areas()
            chosen = period or last_finished(kind).key
            for place in areas:
                published = bulletin_publish(kind, chosen, place, origin=Origin(None, Channel.COMMAND))
                self.stdout.write(f"{place.code} {published.outcome}: {published.message}")
        except DomainError as error:
            raise CommandError(f"{error.code}: {error.message}") from None
