"""The choices a ranking or a scorecard is asked for (``by``, ``period``, ``kind``), checked into values or refused
with a stable code: ``ranking_unknown``, ``ranking_forbidden``, ``period_invalid``."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from evaluation.selectors import ranking_kind_check, ranking_kinds
from gridgov.errors import PermissionDenied, ValidationFailed
from stats.periods import Period, PeriodKind, period_of, period_parse

#: The longest ``period`` or ``by`` value read (anything longer is not one).
LONGEST = 40


def period_chosen(key: str | None, kind: str | None = None) -> Period:
    """The period named by ``key`` (this month when empty); with ``kind`` of another length, the period of that
    kind containing the named one's last day (or today, if sooner): switching 月 → 周 keeps the picker near."""
    key = (key or "").strip()[:LONGEST]
    kind = (kind or "").strip()
    if kind and kind not in PeriodKind.values:
        raise ValidationFailed(_("未知的统计周期类型"), code="period_invalid", details={"field": "kind"})
    today = timezone.localdate()
    period = period_parse(key) if key else period_of(kind or PeriodKind.MONTH, today)
    if kind and kind != period.kind:
        period = period_of(kind, min(period.end, today))
    return period


def kind_chosen(user: Any, by: str | None) -> str:
    """The ranking ``by`` names (the first the user may open when empty), checked against what ``user`` may rank."""
    kinds = ranking_kinds(user)
    if not kinds:
        raise PermissionDenied(_("无权查看绩效排名"), code="ranking_forbidden")
    by = (by or "").strip()[:LONGEST]
    return ranking_kind_check(user, by) if by else kinds[0]
