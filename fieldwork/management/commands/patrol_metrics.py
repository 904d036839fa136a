from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from fieldwork.metrics import day_metrics_compute


class Command(BaseCommand):
    help = "Compute the daily field metrics of a day (default: yesterday) for every field worker (idempotent)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--day", help="YYYY-MM-DD (default: yesterday, local time)")
        parser.add_argument("--days", type=int, default=1, help="How many days ending with --day.")

    def handle(self, *args: Any, day: str | None, days: int, **options: Any) -> None:
        try:
            last = dt.date.fromisoformat(day) if day else timezone.localdate() - dt.timedelta(days=1)
        except ValueError:
            raise CommandError(f"--day {day!r} is not YYYY-MM-DD") from None
        if not 1 <= days <= 366:
            raise CommandError("--days must be between 1 and 366")
        for back in range(days - 1, -1, -1):
            current = last - dt.timedelta(days=back)
            started = time.perf_counter()
            rows = day_metrics_compute(current)
            self.stdout.write(f"{current}: {rows} 人，用时 {time.perf_counter() - started:.1f} 秒")
