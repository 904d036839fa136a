"""Visit compliance (走访完成率): due visits of a month against those done on time, late or missed, per worker,
grid and plan, stored by an idempotent job for evaluation, and the rates the page and the API show."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone

from visits.choices import DueStatus
from visits.models import DueVisit, VisitCompliance

COUNTED = ("due", "on_time", "late", "missed", "pending")


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    """The first day of ``month`` and the first day of the next one."""
    first = month.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following


def visit_compliance_compute(month: dt.date, *, today: dt.date | None = None) -> int:
    """Count the due visits of ``month`` (not cancelled) per worker, grid and plan and store them (update, create,
    delete stale rows): on time = done by the due day, late = done after it, missed = still open after it,
    pending = still open and not yet due (so that due = on time + late + missed + pending).
    Recomputing on the same day gives the same rows. Returns the number of rows the month has."""
    today = today or timezone.localdate()
    first, following = month_bounds(month)
    counted = (
        DueVisit.objects.filter(due_on__gte=first, due_on__lt=following)
        .exclude(status=DueStatus.CANCELLED)
        .values("worker_id", "grid_id", "plan_id", "plan__sensitive")
        .annotate(
            due=Count("id"),
            on_time=Count("id", filter=Q(status=DueStatus.DONE, done_on__lte=F("due_on"))),
            late=Count("id", filter=Q(status=DueStatus.DONE, done_on__gt=F("due_on"))),
            missed=Count("id", filter=Q(status=DueStatus.OPEN, due_on__lt=today)),
            pending=Count("id", filter=Q(status=DueStatus.OPEN, due_on__gte=today)),
        )
        .order_by()
    )
    fresh: dict[tuple[int | None, int, int], dict[str, Any]] = {
        (row["worker_id"], row["grid_id"], row["plan_id"]): dict(row) for row in counted
    }
    with transaction.atomic():
        stored = {
            (row.worker_id, row.grid_id, row.plan_id): row
            for row in VisitCompliance.objects.select_for_update().filter(month=first)
        }
        changed: list[VisitCompliance] = []
        created: list[VisitCompliance] = []
        for key, row in fresh.items():
            values = {name: row[name] for name in COUNTED}
            existing = stored.get(key)
            if existing is None:
                created.append(
                    VisitCompliance(
                        month=first,
                        worker_id=key[0],
                        grid_id=key[1],
                        plan_id=key[2],
                        sensitive=row["plan__sensitive"],
                        **values,
                    )
                )
            elif any(getattr(existing, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(existing, name, value)
                changed.append(existing)
        stale = [row.pk for key, row in stored.items() if key not in fresh]
        if stale:
            VisitCompliance.objects.filter(pk__in=stale).delete()
        VisitCompliance.objects.bulk_update(changed, [*COUNTED, "computed_at"], batch_size=1000)
        VisitCompliance.objects.bulk_create(created, batch_size=1000, ignore_conflicts=True)
    return len(fresh)


def rate_of(on_time: int, due: int) -> float | None:
    """Visits done on time / visits due (None when nothing was due)."""
    return round(on_time / due, 4) if due else None


def compliance_rows(user: Any, month: dt.date, *, grid_code: str = "", worker_id: int | None = None) -> QuerySet:
    """The stored rows of ``month`` the user may see (their scope; sensitive plans only with permission)."""
    rows = (
        VisitCompliance.objects.visible_to(user)
        .filter(month=month.replace(day=1))
        .select_related("worker", "grid", "plan")
        .order_by("grid__code", "worker_id", "plan_id")
    )
    if grid_code:
        rows = rows.filter(grid__code__startswith=grid_code)
    if worker_id is not None:
        rows = rows.filter(worker_id=worker_id)
    return rows


@dataclass
class RateLine:
    key: Any
    label: str
    due: int = 0
    on_time: int = 0
    late: int = 0
    missed: int = 0
    pending: int = 0

    @property
    def rate(self) -> float | None:
        return rate_of(self.on_time, self.due)

    @property
    def percent(self) -> str:
        return "—" if self.rate is None else f"{self.rate * 100:.1f}%"


def compliance_summary(rows: QuerySet) -> dict[str, list[RateLine]]:
    """Totals per worker, per grid and per group (plan) of the visible rows, for the compliance page."""
    groups: dict[str, dict[Any, RateLine]] = {"worker": {}, "grid": {}, "plan": {}}
    totals = rows.values(
        "worker_id", "worker__username", "worker__full_name", "grid__code", "grid__name", "plan_id", "plan__name"
    ).annotate(**{f"sum_{name}": Sum(name) for name in COUNTED})
    for row in totals:
        name = row["worker__full_name"] or row["worker__username"] or ""
        keys = {
            "worker": (row["worker_id"], name),
            "grid": (row["grid__code"], row["grid__name"]),
            "plan": (row["plan_id"], row["plan__name"]),
        }
        for group, (key, label) in keys.items():
            line = groups[group].setdefault(key, RateLine(key, label))
            for counted in COUNTED:
                setattr(line, counted, getattr(line, counted) + (row[f"sum_{counted}"] or 0))
    ordered: dict[str, list[RateLine]] = defaultdict(list)
    for group, lines in groups.items():
        ordered[group] = sorted(lines.values(), key=lambda line: (line.rate is None, line.rate or 0, str(line.key)))
    return dict(ordered)
