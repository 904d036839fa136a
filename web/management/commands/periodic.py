"""The clock of the background work: run each job of ``settings.PERIODIC_JOBS`` once, or every N seconds."""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.module_loading import import_string

from web.models import PeriodicRun, PeriodicRunOutcome

logger = logging.getLogger(__name__)


def _counts(result: Any) -> dict[str, Any]:
    if dataclasses.is_dataclass(result) and not isinstance(result, type):
        return dataclasses.asdict(result)
    return dict(result) if isinstance(result, dict) else {"result": result}


def _jsonable(counts: dict[str, Any]) -> dict[str, Any]:
    return {
        name: value if isinstance(value, int | float | str | bool) or value is None else str(value)
        for name, value in counts.items()
    }


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
        # Each run is recorded (start, end, outcome) so the administrator's workbench can tell a stalled clock.
        PeriodicRun.objects.update_or_create(
            job=path,
            defaults={"started_at": timezone.now(), "finished_at": None, "outcome": PeriodicRunOutcome.RUNNING},
        )
        try:
            counts = _counts(job())
        except Exception as error:  # one failing job must not stop the others; the next round tries again
            logger.exception("periodic job %s failed", path)
            PeriodicRun.objects.filter(job=path).update(
                finished_at=timezone.now(), outcome=PeriodicRunOutcome.FAILED, error=repr(error)[:300]
            )
            return
        finished = timezone.now()
        PeriodicRun.objects.filter(job=path).update(
            finished_at=finished,
            outcome=PeriodicRunOutcome.OK,
            counts=_jsonable(counts),
            error="",
            last_ok_at=finished,
        )
        if not quiet or any(value for value in counts.values() if isinstance(value, int)):
            self.stdout.write(f"{path}: " + ", ".join(f"{name} {value}" for name, value in counts.items()))
