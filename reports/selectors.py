"""Which saved reports a user may open: their own and those shared with one of their roles. "Not yours" answers
404, like a report that does not exist; changing or deleting one is its owner's alone."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from gridgov.errors import NotFound, PermissionDenied
from reports.models import ReportShare, SavedReport

VIEW_PERMISSION = "reports.view_savedreport"
ADD_PERMISSION = "reports.add_savedreport"
CHANGE_PERMISSION = "reports.change_savedreport"
DELETE_PERMISSION = "reports.delete_savedreport"


def report_reader(user: Any) -> Any:
    """The user, if they may read custom reports (statistics over their areas); 403 otherwise."""
    if not (getattr(user, "is_authenticated", False) and user.has_perm(VIEW_PERMISSION)):
        raise PermissionDenied(_("您的角色不能使用自定报表"), code="reports_not_permitted")
    return user


def role_codes(user: Any) -> list[str]:
    return [str(role.value) for role in user.roles]


def reports_visible(user: Any) -> QuerySet[SavedReport]:
    """The user's own reports and those shared with one of their roles, owners and shares at hand."""
    if not (getattr(user, "is_authenticated", False) and user.has_perm(VIEW_PERMISSION)):
        return SavedReport.objects.none()
    shared = ReportShare.objects.filter(report=OuterRef("pk"), role__in=role_codes(user))
    return SavedReport.objects.filter(Q(owner=user) | Exists(shared)).select_related("owner").prefetch_related("shares")


def access_report(user: Any, report_id: int) -> SavedReport:
    report_reader(user)
    report = reports_visible(user).filter(pk=report_id).first()
    if report is None:
        raise NotFound(_("报表不存在"), code="report_not_found")
    return report


def report_owned(user: Any, report: SavedReport, permission: str = CHANGE_PERMISSION) -> SavedReport:
    """The report, if ``user`` owns it and holds ``permission``; a report shared with them is theirs to read only."""
    if report.owner_id != user.pk:
        raise PermissionDenied(_("只有创建人可以修改或删除此报表，可另存为自己的报表"), code="report_not_owner")
    if not user.has_perm(permission):
        raise PermissionDenied(_("您的角色不能修改或删除报表"), code="reports_not_permitted")
    return report
