from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from areas.choices import AreaLevel
from evaluation.models import Position


class RankingKind(models.TextChoices):
    """What a ranking ranks (``by`` in the address and the API)."""

    FIELD_WORKER = "field_worker", _("监督员/网格员")
    INTAKE_CLERK = "intake_clerk", _("受理员")
    SHIFT_LEADER = "shift_leader", _("值班长")
    DISPATCHER = "dispatcher", _("派遣员")
    DEPARTMENT = "department", _("专业部门")
    STREET = "street", _("街道")
    COMMUNITY = "community", _("社区")
    GRID = "grid", _("网格")


PERSON_KINDS = (RankingKind.FIELD_WORKER, RankingKind.INTAKE_CLERK, RankingKind.SHIFT_LEADER, RankingKind.DISPATCHER)
AREA_KINDS = (RankingKind.STREET, RankingKind.COMMUNITY, RankingKind.GRID)
AREA_LEVEL = {
    RankingKind.STREET: AreaLevel.STREET,
    RankingKind.COMMUNITY: AreaLevel.COMMUNITY,
    RankingKind.GRID: AreaLevel.GRID,
}

#: The position whose scheme scores each kind of ranking.
KIND_POSITION: dict[str, str] = {
    RankingKind.FIELD_WORKER: Position.FIELD_WORKER,
    RankingKind.INTAKE_CLERK: Position.INTAKE_CLERK,
    RankingKind.SHIFT_LEADER: Position.SHIFT_LEADER,
    RankingKind.DISPATCHER: Position.DISPATCHER,
    RankingKind.DEPARTMENT: Position.DEPARTMENT,
    RankingKind.STREET: Position.AREA,
    RankingKind.COMMUNITY: Position.AREA,
    RankingKind.GRID: Position.AREA,
}

#: The roles that make a person one of a position's people.
POSITION_ROLES: dict[str, tuple[str, ...]] = {
    Position.FIELD_WORKER: (Role.GRID_WORKER, Role.GRID_LEADER, Role.SUPERVISOR),
    Position.INTAKE_CLERK: (Role.INTAKE_CLERK,),
    Position.SHIFT_LEADER: (Role.SHIFT_LEADER,),
    Position.DISPATCHER: (Role.DISPATCHER,),
}

#: Roles that oversee areas: with one of them a department handler sees more than their own department.
OVERSEEING_ROLES = frozenset(
    {
        Role.SHIFT_LEADER,
        Role.DISPATCHER,
        Role.COMMUNITY_STAFF,
        Role.STREET_LEADER,
        Role.DISTRICT_LEADER,
        Role.ADMINISTRATOR,
    }
)
