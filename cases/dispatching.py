"""Who should handle a case: 先属主、后属地 for components, 先属地、后属主 for events (DESIGN §4).

The dispatcher sees the suggestion on the dispatch page and confirms or overrides it; nothing is dispatched here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Department, DepartmentKind
from areas.codes import lineage_codes
from cases.choices import CategoryKind
from cases.models import Case, DispatchRule


@dataclass
class DispatchSuggestion:
    department: Department
    reason: str
    assists: list[Department] = field(default_factory=list)
    level: str = ""
    rule: DispatchRule | None = None


def _rank(rule: DispatchRule, case: Case) -> tuple[int, ...]:
    category_rank = 0 if rule.category_id is None else (2 if rule.category_id == case.category_id else 1)
    area_rank = len(rule.area.code) if rule.area is not None else 0
    timed = int(rule.time_from is not None)
    if case.category and case.category.kind == CategoryKind.COMPONENT:
        return (category_rank, area_rank, timed)
    return (area_rank, category_rank, timed)


def dispatch_suggest(case: Case, at: dt.datetime | None = None) -> DispatchSuggestion | None:
    component = case.component
    if component is not None:
        for department_id, what in (
            (component.maintainer_department_id, _("部件养护单位")),
            (component.owner_department_id, _("部件权属单位")),
            (component.authority_department_id, _("部件主管部门")),
        ):
            if department_id:
                return DispatchSuggestion(
                    Department.objects.get(pk=department_id), _("%(what)s（先属主）") % {"what": what}
                )
    moment = timezone.localtime(at or timezone.now()).time()
    code = case.grid.code
    categories: list[int] = []
    if case.category is not None:
        categories += [case.category.pk, case.category.parent_id or 0]
    rules = [
        rule
        for rule in DispatchRule.objects.filter(is_active=True, department__is_active=True)
        .filter(Q(category__isnull=True) | Q(category_id__in=[c for c in categories if c]))
        .select_related("area", "department")
        .prefetch_related("assist_departments")
        if (rule.area is None or code.startswith(rule.area.code)) and rule.covers_time(moment)
    ]
    if rules:
        best = max(rules, key=lambda rule: _rank(rule, case))
        return DispatchSuggestion(
            best.department,
            _("派遣规则“%(name)s”") % {"name": best.name},
            list(best.assist_departments.all()),
            best.level,
            best,
        )
    kind = case.category.department_kind if case.category else ""
    if kind:
        department = (
            Department.objects.filter(kind=kind, is_active=True)
            .filter(Q(area__isnull=True) | Q(area__code__in=lineage_codes(code)))
            .order_by("-area__code")
            .first()
        )
        if department:
            return DispatchSuggestion(department, _("类别的默认责任部门类型"))
    street = Department.objects.filter(kind=DepartmentKind.STREET_OFFICE, area__code=code[:9], is_active=True).first()
    if street:
        return DispatchSuggestion(street, _("属地街道"))
    return None
