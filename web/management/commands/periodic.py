"""The clock of the background work: run each job of ``settings.PERIODIC_JOBS`` once, or every N seconds."""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


def _counts(result: Any) -> dict[str, Any]:
    if dataclasses.is_dataclass(result) and not isinstance(result, type):
        return dataclasses.asdict(result)
    return dict(result) if isinstance(result, dict) else {"result": result}


class Command(BaseCommand):
    help = "Run the periodic jobs (case deadlines, the outbox sweep; idempotent, safe to run in parallel)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--every", type=int, default=0, help="Repeat every N seconds (0 = run once).")

    def handle(self, *args: Any, every: int, **options: Any) -> None:
        jobs: list[tuple[str, Callable[[], Any]]] = [(path, import_string(path)) for path in settings.PERIODIC_JOBS]
        while True:
            for path, job in jobs:
                self._run(path, job, quiet=bool(every))
            if not every:
                return
            time.sleep(every)

    def _run(self, path: str, job: Callable[[], Any], *, quiet: bool) -> None:
        try:
            counts = _counts(job())
        except Exception:  # one failing job must not stop the others; the next round tries again
            logger.exception("periodic job %s failed", path)
            return
        if not quiet or any(value for value in counts.values() if isinstance(value, int)):
            self.stdout.write(f"{path}: " + ", ".join(f"{name} {value}" for name, value in counts.items()))
