"""Reading early warnings: one access layer (the alert's grid in the viewer's scope, and the permission to read
alerts), fetch-and-authorize, the lists, each alert's last weeks for its sparkline and the words of a probability."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum, Window
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from alerts.models import WarningAlert
from gridgov.errors import NotFound, PermissionDenied
from stats.facts import Measure
from stats.models import StatFact

VIEW_PERMISSION = "alerts.view_warningalert"
CHANGE_PERMISSION = "alerts.change_warningalert"
OPEN, HANDLED = "open", "handled"
STATES = (OPEN, HANDLED)


def may_read_alerts(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_perm(VIEW_PERMISSION))


def alerts_reader(user: Any) -> Any:
    if not may_read_alerts(user):
        raise PermissionDenied(_("您的角色不能查看预警"), code="alerts_not_permitted")
    return user


def alerts_visible(user: Any) -> QuerySet[WarningAlert]:
    """The alerts ``user`` may read: those of grids in their scope; none without the permission."""
    if not may_read_alerts(user):
        return WarningAlert.objects.none()
    return WarningAlert.objects.visible_to(user)


def access_alert(user: Any, alert_id: int) -> WarningAlert:
    """The alert if ``user`` may read it; "not yours" answers 404 like "does not exist"."""
    alert = _with_details(alerts_visible(user)).filter(pk=alert_id).first()
    if alert is None:
        raise NotFound(_("预警不存在"), code="alert_not_found")
    return alert


def _with_details(rows: QuerySet[WarningAlert]) -> QuerySet[WarningAlert]:
    return rows.select_related("grid", "grid__parent", "category", "acknowledged_by")


def alerts_list(user: Any, state: str = OPEN, *, grid_code: str = "", day_from: dt.date | None = None,
                day_to: dt.date | None = None) -> QuerySet[WarningAlert]:  # fmt: skip
    """Open alerts (newest day first, the least likely first) or handled ones (the latest handled first)."""
    rows = _with_details(alerts_visible(user))
    if grid_code:
        rows = rows.filter(grid__code__startswith=grid_code)
    if day_from:
        rows = rows.filter(day__gte=day_from)
    if day_to:
        rows = rows.filter(day__lte=day_to)
    if state == HANDLED:
        return rows.filter(acknowledged_at__isnull=False).order_by("-acknowledged_at", "-id")
    return rows.filter(acknowledged_at__isnull=True).order_by("-day", "probability", "-id")


def alerts_counts(user: Any) -> dict[str, int]:
    totals = alerts_visible(user).aggregate(
        open=Count("pk", filter=Q(acknowledged_at__isnull=True)),
        handled=Count("pk", filter=Q(acknowledged_at__isnull=False)),
    )
    return {OPEN: totals["open"], HANDLED: totals["handled"]}


@dataclass
class WorkbenchCard:
    """The leader's workbench card: how many alerts wait, and the latest three."""

    open: int
    latest: Sequence[WarningAlert]


WORKBENCH_LATEST = 3


def workbench_card(user: Any) -> WorkbenchCard | None:
    """None for who may not read alerts. One query: the count rides on each of the three rows (a window)."""
    if not may_read_alerts(user):
        return None
    rows = list(alerts_list(user, OPEN).annotate(waiting=Window(Count("pk")))[:WORKBENCH_LATEST])
    return WorkbenchCard(rows[0].waiting if rows else 0, rows)


# --- Words and links -------------------------------------------------------------------------------------------
def probability_words(probability: float) -> str:
    """``基线下出现概率约 1/5000``: the probability as one chance in N, N to two significant digits."""
    if probability <= 1e-6:
        return _("基线下出现概率不到百万分之一")
    chances = float(f"{1 / probability:.2g}")
    return _("基线下出现概率约 1/%(n)s") % {"n": f"{chances:.0f}"}


def _stats_cases_path() -> str:
    try:
        return reverse("stats:cases")
    except NoReverseMatch:  # the statistics pages are not installed on this site
        return "/stats/cases/"


def cases_url(alert: WarningAlert) -> str:
    """The cases behind the alert's count: the reports of its grid and category on its day."""
    query = {
        "measure": Measure.REPORT,
        "grid": alert.grid_id,
        "category": alert.category_id,
        "start": alert.day.isoformat(),
        "end": alert.day.isoformat(),
    }
    return _stats_cases_path() + "?" + urlencode(query)


# --- Sparklines ------------------------------------------------------------------------------------------------
def sparkline_days() -> int:
    """The days a sparkline draws: the alert's day and the weeks of its baseline before it."""
    return 7 * settings.ALERTS_WEEKS + 1


def sparklines(alerts: Sequence[WarningAlert]) -> dict[str, dict[str, Any]]:
    """For each alert (by id, as text for JSON), the reports of its grid and category on each day of the eight
    weeks before its day and on the day, with the baseline and the alert's line. One query for all of them."""
    if not alerts:
        return {}
    span = sparkline_days()
    first = min(alert.day for alert in alerts) - dt.timedelta(days=span - 1)
    last = max(alert.day for alert in alerts)
    rows = (
        StatFact.objects.filter(
            measure=Measure.REPORT,
            day__gte=first,
            day__lte=last,
            grid_id__in={alert.grid_id for alert in alerts},
            category_id__in={alert.category_id for alert in alerts},
        )
        .order_by()
        .values("grid_id", "category_id", "day")
        .annotate(total=Sum("count"))
        .values_list("grid_id", "category_id", "day", "total")
    )
    counts: dict[tuple[int, int], dict[dt.date, int]] = defaultdict(dict)
    for grid_id, category_id, day, total in rows:
        counts[(grid_id, category_id)][day] = int(total or 0)
    out = {}
    for alert in alerts:
        series = counts.get((alert.grid_id, alert.category_id), {})
        days = [alert.day - dt.timedelta(days=offset) for offset in range(span - 1, -1, -1)]
        out[str(alert.pk)] = {
            "days": [f"{day:%m-%d}" for day in days],
            "counts": [series.get(day, 0) for day in days],
            "expected": round(alert.expected, 2),
            "threshold": alert.threshold,
        }
    return out
