"""Roles (DESIGN §1) as groups with permissions. ``roles_sync`` makes the groups match this table."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    GRID_WORKER = "grid_worker", _("网格员")
    GRID_LEADER = "grid_leader", _("网格长")
    SUPERVISOR = "supervisor", _("监督员")
    BUILDING_HEAD = "building_head", _("楼栋长")
    INTAKE_CLERK = "intake_clerk", _("受理员")
    SHIFT_LEADER = "shift_leader", _("值班长")
    DISPATCHER = "dispatcher", _("派遣员")
    DEPARTMENT_HANDLER = "department_handler", _("部门处置人员")
    COMMUNITY_STAFF = "community_staff", _("社区工作人员")
    STREET_LEADER = "street_leader", _("街道领导")
    DISTRICT_LEADER = "district_leader", _("区领导")
    ADMINISTRATOR = "administrator", _("系统管理员")


#: Roles whose day is outdoors on a phone: their pages get the bottom tab bar below 576 px.
FIELD_ROLES = frozenset({Role.GRID_WORKER, Role.GRID_LEADER, Role.SUPERVISOR, Role.BUILDING_HEAD})

_VIEW_AREAS = ["areas.view_area", "areas.view_areaboundary", "areas.view_boundaryversion"]
_REGISTRY_MODELS = ["building", "house", "household", "person", "persontag", "place", "component"]
_VIEW_REGISTRY = [f"registry.view_{model}" for model in _REGISTRY_MODELS]
_EDIT_REGISTRY = [f"registry.{verb}_{model}" for model in _REGISTRY_MODELS for verb in ("add", "change")]
_FULL_IDENTITY = "registry.view_person_full_identity"
_SENSITIVE_TAGS = "registry.view_sensitive_tags"
_IMPORT = "registry.import_registry"
_EXPORT = "registry.export_registry"
_CALL_BACK = "hotline.reveal_caller_phone"  # the 12345 seats call callers back: the full number, each reveal audited
#: Another person's GPS track and daily field metrics, within the viewer's scope (each track view audited).
_FIELD_WORK = ["fieldwork.view_trackpoint", "fieldwork.view_dailymetric", "fieldwork.view_patrol"]
#: 走访, 民情日志, 八必报 and registry changes from the field (docs/visits.md).
_VISIT_WORK = [
    "visits.view_visit",
    "visits.add_visit",
    "visits.change_visit",
    "visits.view_duevisit",
    "visits.view_mustreport",
    "visits.add_mustreport",
    "diary.view_diaryentry",
    "diary.add_diaryentry",
    "diary.change_diaryentry",
    "registry.view_registrychange",
    "registry.add_registrychange",
    "registry.confirm_registrychange",
    "registry.view_buildingreport",
]
#: Those who oversee visits: compliance, plans' due visits reassigned, diary comments (点评).
_VISIT_OVERSIGHT = [
    "visits.view_visit",
    "visits.view_duevisit",
    "visits.change_duevisit",
    "visits.view_visitcompliance",
    "visits.view_visitplan",
    "visits.view_mustreport",
    "diary.view_diaryentry",
    "diary.comment_diaryentry",
    "registry.view_registrychange",
    "registry.view_buildingreport",
]
#: Statistics, rankings, bulletins and custom reports over one's scope (docs/statistics.md).
_STATS = [
    "stats.view_statfact",
    "evaluation.view_scoringscheme",
    "bulletins.view_bulletin",
    "reports.view_savedreport",
    "reports.add_savedreport",
    "reports.change_savedreport",
    "reports.delete_savedreport",
]
#: Those who read other people's personal scores (their own is everyone's to read).
_EVALUATORS = ["evaluation.evaluate_people"]
#: Early warnings: who reads them and who marks them handled.
_WARNINGS = ["alerts.view_warningalert", "alerts.change_warningalert"]
_LEADER = [
    *_VIEW_AREAS,
    *_VIEW_REGISTRY,
    "areas.check_partition",
    _SENSITIVE_TAGS,
    _EXPORT,
    *_FIELD_WORK,
    *_VISIT_OVERSIGHT,
    *_STATS,
    *_EVALUATORS,
    *_WARNINGS,
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.GRID_WORKER: [*_VIEW_AREAS, *_VIEW_REGISTRY, *_EDIT_REGISTRY, *_VISIT_WORK],
    Role.GRID_LEADER: [
        *_VIEW_AREAS,
        *_VIEW_REGISTRY,
        *_EDIT_REGISTRY,
        _FULL_IDENTITY,
        _SENSITIVE_TAGS,
        _EXPORT,
        *_FIELD_WORK,
        *_VISIT_WORK,
        *_VISIT_OVERSIGHT,
    ],
    Role.SUPERVISOR: [*_VIEW_AREAS, "registry.view_component", "registry.view_place"],
    Role.BUILDING_HEAD: [*_VIEW_AREAS, "registry.add_buildingreport", "registry.view_buildingreport"],
    Role.INTAKE_CLERK: [*_VIEW_AREAS, _CALL_BACK],
    Role.SHIFT_LEADER: [
        *_VIEW_AREAS,
        _CALL_BACK,
        *_FIELD_WORK,
        *_STATS,
        *_EVALUATORS,
        *_WARNINGS,
        "bulletins.publish_bulletin",
    ],
    Role.DISPATCHER: [*_VIEW_AREAS, *_FIELD_WORK, *_STATS, *_WARNINGS],
    Role.DEPARTMENT_HANDLER: [*_VIEW_AREAS, "stats.view_statfact", "bulletins.view_bulletin"],
    Role.COMMUNITY_STAFF: [
        *_VIEW_AREAS,
        *_VIEW_REGISTRY,
        *_EDIT_REGISTRY,
        _FULL_IDENTITY,
        _SENSITIVE_TAGS,
        _IMPORT,
        _EXPORT,
        *_FIELD_WORK,
        *_VISIT_WORK,
        *_VISIT_OVERSIGHT,
        "visits.add_visitplan",
        "visits.change_visitplan",
        *_STATS,
        *_EVALUATORS,
        *_WARNINGS,
    ],
    Role.STREET_LEADER: _LEADER,
    Role.DISTRICT_LEADER: [*_LEADER, "bulletins.publish_bulletin"],
    Role.ADMINISTRATOR: [
        *_LEADER,
        "bulletins.publish_bulletin",
        *[
            f"evaluation.{verb}_{model}"
            for model in ("scoringscheme", "areaclass")
            for verb in ("view", "add", "change")
        ],
        *_EDIT_REGISTRY,
        _IMPORT,
        "areas.add_area",
        "areas.change_area",
        "areas.import_areas",
        "accounts.view_department",
        "accounts.add_department",
        "accounts.change_department",
        "accounts.view_user",
        "accounts.add_user",
        "accounts.change_user",
        "accounts.view_apitoken",
        "accounts.change_apitoken",  # revoking (the admin's only change to a token)
        "cases.view_category",
        "cases.add_category",
        "cases.change_category",
        "cases.view_dispatchrule",
        "cases.add_dispatchrule",
        "cases.change_dispatchrule",
        "cases.view_calendarday",
        "cases.add_calendarday",
        "cases.change_calendarday",
        "cases.view_workinghours",
        "cases.add_workinghours",
        "cases.change_workinghours",
        "cases.view_case",
        "audit.view_auditentry",
        "audit.view_securityalert",
        "audit.change_securityalert",
        *[
            f"fieldwork.{verb}_{model}"
            for model in ("checkpoint", "roster", "roletarget")
            for verb in ("view", "add", "change")
        ],
        *[f"visits.{verb}_visitplan" for verb in ("add", "change")],
        *[f"registry.{verb}_buildingfact" for verb in ("view", "add", "change")],
    ],
}


def roles_sync() -> None:
    """Create or update one group per role with exactly the permissions above (idempotent)."""
    permissions = {
        f"{permission.content_type.app_label}.{permission.codename}": permission
        for permission in Permission.objects.select_related("content_type")
    }
    for role, names in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.set([permissions[name] for name in names if name in permissions])
