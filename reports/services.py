"""Saving, changing and deleting custom reports. The spec is checked and stored in its normal form
(:meth:`reports.spec.Spec.as_dict`); a report is shared with roles, never with named people."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.roles import Role
from audit.services import Origin
from gridgov.errors import PermissionDenied, Problems
from reports.models import ReportShare, SavedReport
from reports.selectors import ADD_PERMISSION, DELETE_PERMISSION, report_owned, report_reader
from reports.spec import spec_parse

NAME_LENGTH = 100


def _name_clean(name: Any, problems: Problems) -> str:
    text = " ".join(str(name or "").split())
    if not text:
        problems.add("name", _("请填写报表名称"))
    elif len(text) > NAME_LENGTH:
        problems.add("name", _("报表名称不能超过 %(limit)s 个字") % {"limit": NAME_LENGTH})
    return text


def _roles_clean(roles: Iterable[Any], problems: Problems) -> list[str]:
    chosen = [str(role) for role in roles]
    unknown = [role for role in chosen if role not in Role.values]
    if unknown:
        problems.add("shared_roles", _("未知的角色：%(roles)s") % {"roles": "、".join(role[:32] for role in unknown)})
    return [role for role in Role.values if role in chosen]


def _shares_set(report: SavedReport, roles: list[str]) -> None:
    report.shares.exclude(role__in=roles).delete()
    have = set(report.shares.values_list("role", flat=True))
    ReportShare.objects.bulk_create([ReportShare(report=report, role=role) for role in roles if role not in have])


def report_create(origin: Origin, name: Any, spec: Any, roles: Iterable[Any] = ()) -> SavedReport:
    user = report_reader(origin.actor)
    if not user.has_perm(ADD_PERMISSION):
        raise PermissionDenied(_("您的角色不能新建报表"), code="reports_not_permitted")
    parsed = spec_parse(spec)
    problems = Problems()
    text = _name_clean(name, problems)
    chosen = _roles_clean(roles, problems)
    problems.raise_if_any()
    with transaction.atomic():
        report = SavedReport.objects.create(name=text, owner=user, spec=parsed.as_dict())
        _shares_set(report, chosen)
    return report


def report_update(
    origin: Origin,
    report: SavedReport,
    *,
    name: Any = None,
    spec: Any = None,
    roles: Iterable[Any] | None = None,
) -> SavedReport:
    """Change what is given (``None``: left as it is); the owner's alone."""
    report_owned(report_reader(origin.actor), report)
    parsed = spec_parse(spec) if spec is not None else None
    problems = Problems()
    text = _name_clean(name, problems) if name is not None else report.name
    chosen = _roles_clean(roles, problems) if roles is not None else None
    problems.raise_if_any()
    with transaction.atomic():
        report.name = text
        if parsed is not None:
            report.spec = parsed.as_dict()
        report.save()
        if chosen is not None:
            _shares_set(report, chosen)
    return report


def report_delete(origin: Origin, report: SavedReport) -> None:
    report_owned(report_reader(origin.actor), report, DELETE_PERMISSION)
    report.delete()
