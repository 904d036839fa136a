from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from cases.deadlines import deadlines_sweep


class Command(BaseCommand):
    help = "Recompute case lights, escalate overdue cases and summonses (idempotent; safe to run in parallel)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--every", type=int, default=0, help="Repeat every N seconds (0 = run once).")

    def handle(self, *args: Any, every: int, **options: Any) -> None:
        while True:
            result = deadlines_sweep()
            if result.changed or not every:
                counts = (result.yellow, result.red, result.escalated, result.summons_red)
                self.stdout.write("黄灯 {}，红灯 {}，自动升级 {}，报到超时 {}".format(*counts))
            if not every:
                return
            time.sleep(every)
