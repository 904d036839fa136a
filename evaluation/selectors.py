"""Who and what a viewer may rank, and whose personal figures they may open (DESIGN §6).

* Rankings need ``stats.view_statfact``. Rankings of people (and another person's figures) need
  ``evaluation.evaluate_people`` and show the people one of whose areas lies in the viewer's scope.
* Departments and areas are ranked on the facts of the viewer's scope (``stats.indicators.facts_visible``): a
  street leader ranks what happened in the street. A department's own staff (部门处置人员 without a role that
  oversees areas) see their department's line alone.
* A person's figures are their own to read; others need ``evaluation.evaluate_people`` and a scope covering one of
  the person's areas. Anyone else gets 404, as for a person who does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.access import user_scope
from accounts.models import Department, DepartmentKind, User
from accounts.roles import Role
from areas.choices import AreaLevel
from areas.models import Area
from evaluation.choices import (
    AREA_KINDS,
    AREA_LEVEL,
    KIND_POSITION,
    OVERSEEING_ROLES,
    PERSON_KINDS,
    POSITION_ROLES,
    RankingKind,
)
from evaluation.models import Position
from gridgov.errors import NotFound, PermissionDenied, ValidationFailed

VIEW_STATISTICS = "stats.view_statfact"
EVALUATE_PEOPLE = "evaluation.evaluate_people"


@dataclass(frozen=True)
class Subject:
    """One ranked thing: a person, a department (a 大队 with its 中队 as ``member_ids``) or an area."""

    kind: str
    id: int
    name: str
    unit: str = ""
    area_code: str = ""  # the area whose class chooses the scheme ('' = the general scheme)
    area_codes: tuple[str, ...] = ()  # a person's areas; an area's own code
    grid_ids: tuple[int, ...] = ()  # the grids a field worker covers
    member_ids: tuple[int, ...] = ()  # a department line: its own id and its units'
    parent_id: int | None = None  # a department unit (中队): its 大队
    level: int = 1

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"

    @property
    def position(self) -> str:
        return KIND_POSITION[self.kind]

    def filters(self, grid_based: bool = False) -> list[tuple[str, str]]:
        """The filters of the cases page (``stats:cases``) that name this subject's cases."""
        if self.kind in PERSON_KINDS:
            if grid_based:
                return [("area", code) for code in self.area_codes]
            return [("person", str(self.id))]
        if self.kind == RankingKind.DEPARTMENT:
            return [("department", str(self.id))]  # a 大队 covers its 中队 (stats.filters.department_members)
        if self.kind == RankingKind.GRID:
            return [("grid", str(self.id))]
        return [("area", self.area_code)]


@dataclass
class Group:
    """A 大队 and its 中队 (a department without units is a group of one)."""

    head: Subject
    units: list[Subject] = field(default_factory=list)


# --- Who may rank what --------------------------------------------------------------------------------------------
def department_only(user: Any) -> int | None:
    """The department whose line alone ``user`` sees: a department handler with no role that oversees areas."""
    if user.is_superuser or not user.department_id:
        return None
    roles = set(user.roles)
    if Role.DEPARTMENT_HANDLER in roles and not roles & OVERSEEING_ROLES:
        return int(user.department_id)
    return None


def ranking_kinds(user: Any) -> list[str]:
    """The kinds of ranking ``user`` may open, in the order of the picker."""
    if not user.has_perm(VIEW_STATISTICS):
        return []
    if department_only(user) is not None:
        return [RankingKind.DEPARTMENT]
    people = list(PERSON_KINDS) if user.has_perm(EVALUATE_PEOPLE) else []
    return [*people, RankingKind.DEPARTMENT, *AREA_KINDS]


def ranking_kind_check(user: Any, kind: str) -> str:
    """``kind`` when ``user`` may rank it; an unknown kind is ``ranking_unknown`` (400), one not theirs 403."""
    if kind not in RankingKind.values:
        raise ValidationFailed(
            _("未知的排名对象“%(kind)s”，可选：%(choices)s")
            % {"kind": kind[:40], "choices": "、".join(RankingKind.values)},
            code="ranking_unknown",
            details={"field": "by"},
        )
    if kind not in ranking_kinds(user):
        raise PermissionDenied(_("无权查看该排名"), code="ranking_forbidden")
    return kind


# --- The people of a position -------------------------------------------------------------------------------------
def person_codes(person: User) -> tuple[str, ...]:
    """The area codes of ``person``'s scope: their areas and their department's area (prefetched)."""
    codes = [area.code for area in person.areas.all()]
    if person.department_id and person.department and person.department.area_id and person.department.area:
        codes.append(person.department.area.code)
    return tuple(sorted(set(codes)))


def _person_name(person: User) -> str:
    return person.full_name or person.username


def _people(position: str) -> list[User]:
    roles = [str(role) for role in POSITION_ROLES[position]]
    return list(
        User.objects.filter(groups__name__in=roles, is_active=True)
        .distinct()
        .select_related("department__area")
        .prefetch_related("areas")
        .order_by("full_name", "username", "pk")
    )


def _grids_under(people: list[User]) -> dict[str, list[int]]:
    """The grids under each area code of ``people`` (a grid is its own; the grids of larger areas in one query)."""
    out: dict[str, list[int]] = {}
    larger: set[str] = set()
    for person in people:
        for area in person.areas.all():
            if area.level == AreaLevel.GRID:
                out[area.code] = [area.pk]
            else:
                larger.add(area.code)
        if person.department and person.department.area:
            larger.add(person.department.area.code)
    larger -= set(out)
    if not larger:
        return out
    out.update({code: [] for code in larger})
    condition = Q()
    for code in larger:
        condition |= Q(code__startswith=code)
    lengths = sorted({len(code) for code in larger})
    for pk, code in Area.objects.current().filter(condition, level=AreaLevel.GRID).values_list("pk", "code"):
        for length in lengths:
            if code[:length] in larger:
                out[code[:length]].append(pk)
    return out


def person_subjects(position: str, people: list[User]) -> list[Subject]:
    kind = next(kind for kind, pos in KIND_POSITION.items() if pos == position and kind in PERSON_KINDS)
    grids = _grids_under(people) if position == Position.FIELD_WORKER else {}
    out = []
    for person in people:
        codes = person_codes(person)
        names = "、".join(area.name for area in person.areas.all())
        unit = names or (person.department.name if person.department else "")
        grid_ids = tuple(sorted({pk for code in codes for pk in grids.get(code, [])}))
        out.append(
            Subject(
                kind=kind,
                id=person.pk,
                name=_person_name(person),
                unit=unit,
                area_code=max(codes, key=len) if codes else "",
                area_codes=codes,
                grid_ids=grid_ids,
            )
        )
    return out


def people_visible(user: Any, position: str) -> list[Subject]:
    """The people of ``position`` whose figures ``user`` may see (one of their areas in ``user``'s scope)."""
    scope = user_scope(user)
    people = [
        person
        for person in _people(position)
        if scope.everything or any(scope.covers(code) for code in person_codes(person))
    ]
    return person_subjects(position, people)


def person_positions(person: User) -> list[str]:
    """The positions ``person`` is evaluated in, from their roles."""
    roles = set(person.roles)
    return [position for position, wanted in POSITION_ROLES.items() if roles & set(wanted)]


def access_person(user: Any, person_id: int) -> User:
    """The person ``user`` may see the figures of: themself, or someone whose area lies in the scope of a user with
    ``evaluation.evaluate_people``. Anyone else, like a person who does not exist, is 404."""
    person = (
        User.objects.filter(pk=person_id, is_active=True)
        .select_related("department__area")
        .prefetch_related("areas", "groups")
        .first()
    )
    if person is not None and person.pk == user.pk:
        return person
    if person is not None and user.has_perm(EVALUATE_PEOPLE):
        scope = user_scope(user)
        if scope.everything or any(scope.covers(code) for code in person_codes(person)):
            return person
    raise NotFound(_("人员不存在"), code="person_not_found")


# --- Departments and areas ----------------------------------------------------------------------------------------
def _department_subject(department: Department, member_ids: tuple[int, ...] = (), level: int = 1) -> Subject:
    return Subject(
        kind=RankingKind.DEPARTMENT,
        id=department.pk,
        name=department.name,
        unit=department.parent.name if level == 2 and department.parent else department.get_kind_display(),
        area_code=department.area.code if department.area else "",
        member_ids=member_ids or (department.pk,),
        parent_id=department.parent_id if level == 2 else None,
        level=level,
    )


def department_groups(user: Any) -> list[Group]:
    """The departments ``user`` ranks, in two levels (大队 → 中队). The command centre is not ranked."""
    own = department_only(user)
    departments = Department.objects.filter(is_active=True).select_related("parent", "area")
    if own is not None:
        departments = departments.filter(pk=own)
    else:
        departments = departments.exclude(kind=DepartmentKind.COMMAND_CENTRE)
    rows = list(departments.order_by("code"))
    present = {department.pk for department in rows}
    units: dict[int, list[Department]] = {}
    heads = []
    for department in rows:
        if department.parent_id is not None and department.parent_id in present:
            units.setdefault(department.parent_id, []).append(department)
        else:
            heads.append(department)
    groups = []
    for head in heads:
        children = units.get(head.pk, [])
        members = (head.pk, *(child.pk for child in children))
        groups.append(
            Group(
                _department_subject(head, members),
                [_department_subject(child, level=2) for child in children],
            )
        )
    return groups


def area_subjects(user: Any, kind: str) -> list[Subject]:
    """The streets, communities or grids in ``user``'s scope."""
    level = AREA_LEVEL[RankingKind(kind)]
    areas = Area.objects.visible_to(user).current().filter(level=level).select_related("parent").order_by("code")
    return [
        Subject(
            kind=kind,
            id=area.pk,
            name=area.name,
            unit=area.parent.name if area.parent else "",
            area_code=area.code,
            area_codes=(area.code,),
        )
        for area in areas
    ]


def kind_is_people(kind: str) -> bool:
    return kind in PERSON_KINDS


def kind_is_area(kind: str) -> bool:
    return kind in AREA_KINDS
