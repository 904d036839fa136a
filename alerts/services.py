"""Changes to early warnings: the detector's findings recorded (one alert per grid × category × day, its leaders
told once), and an alert marked handled (已处理) with a note."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import users_covering
from accounts.roles import Role
from alerts.detection import Finding
from alerts.models import WarningAlert
from alerts.selectors import CHANGE_PERMISSION, probability_words
from audit.models import AuditAction
from audit.services import Origin, audit_record
from gridgov.errors import Conflict, PermissionDenied, ValidationFailed
from notifications.choices import NoticeKind
from notifications.services import notify

#: Who is told of a new alert: those whose workbench shows their area's situation (辖区态势) and who cover the grid.
TOLD_ROLES = (Role.STREET_LEADER, Role.DISTRICT_LEADER, Role.COMMUNITY_STAFF)
NOTE_MAX = 500


@dataclass
class Recorded:
    created: int = 0
    updated: int = 0
    notified: int = 0


def _numbers(finding: Finding) -> dict[str, object]:
    return {
        "observed": finding.observed,
        "expected": finding.expected,
        "probability": finding.probability,
        "threshold": finding.threshold,
        "method": finding.method,
        "baseline": list(finding.history),
    }


def alerts_record(findings: Iterable[Finding], now: dt.datetime | None = None) -> Recorded:
    """Record the findings: a new grid × category × day becomes an alert and its leaders are told; one already
    recorded takes a higher count (and its probability) without telling anyone again; the same count changes
    nothing. Safe to run twice or in parallel (the key is unique; a count only goes up)."""
    now = now or timezone.now()
    recorded = Recorded()
    for finding in findings:
        with transaction.atomic():
            alert, created = WarningAlert.objects.get_or_create(
                grid_id=finding.grid_id,
                category_id=finding.category_id,
                day=finding.day,
                defaults={**_numbers(finding), "created_at": now},
            )
            if created:
                recorded.created += 1
                recorded.notified += alert_notify(alert)
            else:
                recorded.updated += WarningAlert.objects.filter(pk=alert.pk, observed__lt=finding.observed).update(
                    **_numbers(finding), updated_at=now
                )
    return recorded


def alert_recipients(alert: WarningAlert) -> list[int]:
    return list(
        users_covering(alert.grid.code, TOLD_ROLES, through_department=False)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def alert_notify(alert: WarningAlert) -> int:
    """Tell the leaders covering the alert's grid (once: the cause names the alert). Returns the messages written."""
    recipients = alert_recipients(alert)
    if not recipients:
        return 0
    title = _("预警：%(grid)s %(category)s %(day)s上报 %(observed)s 件，基线约 %(expected)s 件") % {
        "grid": alert.grid.name,
        "category": alert.category.name,
        "day": f"{alert.day:%m-%d}",
        "observed": alert.observed,
        "expected": f"{alert.expected:.1f}",
    }
    return notify(
        recipients,
        title=title,
        body=_("%(words)s。请核实是否有集中发生的问题。") % {"words": probability_words(alert.probability)},
        link=reverse("alerts:detail", args=[alert.pk]),
        cause=f"warning_alert:{alert.pk}",
        template="warning_alert",
        data={"alert": alert.pk, "grid": alert.grid.code, "day": alert.day.isoformat()},
        kind=NoticeKind.ALERT,
        at=alert.created_at,
    )


def alert_acknowledge(origin: Origin, alert: WarningAlert, note: str) -> WarningAlert:
    """Mark an alert the user may see as handled (已处理), with what was found or done."""
    user = origin.actor
    if not user.has_perm(CHANGE_PERMISSION):
        raise PermissionDenied(_("您的角色不能处理预警"), code="alert_change_not_permitted")
    note = (note or "").strip()
    if not note:
        raise ValidationFailed(_("请填写处理说明"), code="alert_note_required", details={"field": "note"})
    if len(note) > NOTE_MAX:
        raise ValidationFailed(
            _("处理说明过长（最多 %(max)s 字）") % {"max": NOTE_MAX},
            code="alert_note_too_long",
            details={"field": "note"},
        )
    now = timezone.now()
    with transaction.atomic():
        changed = WarningAlert.objects.filter(pk=alert.pk, acknowledged_at__isnull=True).update(
            acknowledged_at=now, acknowledged_by=user, note=note
        )
        if not changed:
            raise Conflict(_("该预警已处理"), code="alert_already_handled")
        audit_record(
            origin,
            AuditAction.UPDATE,
            alert,
            area_code=alert.grid.code,
            changes={"acknowledged_at": [None, now.isoformat()], "note": ["", note]},
        )
    alert.acknowledged_at, alert.acknowledged_by, alert.note = now, user, note
    return alert
