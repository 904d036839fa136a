"""Changes of visits (走访): a visit recorded (its subject, grid, answers, photos, the due visits it fulfils, the
registry changes it confirmed and its diary entry, in one transaction), edited by its worker, and a finding turned
into a report for the case loop (a follow-up, the link kept in ``VisitCase``)."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import user_scope
from areas.models import Area, AreaLevel
from audit.models import AuditAction
from audit.services import Origin, audit_record
from cases.choices import Source
from cases.models import Case
from cases.photos import CheckedPhoto, copies_of
from cases.services import ReportData, report_submit
from diary.services import entry_for_visit
from gridgov import timesource
from gridgov.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from registry.choices import SENSITIVE_TAGS, ChangeStatus
from registry.models import Building, House, Household, Person, PersonTag, Place, RegistryChange
from registry.selectors import access_building, access_house, access_household, access_person, access_place
from visits.choices import SENSITIVE_PURPOSES, DueStatus, VisitKind, VisitPurpose
from visits.models import DueVisit, Visit, VisitCase, VisitPhoto
from visits.questions import answers_checked

FINDINGS_MAX = 4000
PHOTOS_MAX = 9
#: Visit times accepted: not before this, not more than a few minutes ahead of the server's clock.
EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
AHEAD = dt.timedelta(minutes=10)


def _refused(message: str, code: str, field_name: str) -> ValidationFailed:
    return ValidationFailed(message, code=code, details=[{"field": field_name, "message": message}])


@dataclass
class VisitData:
    """What a visit says. Subjects are ids, fetched through the registry's access helpers (404 when not the
    worker's); photos are checked already (a page's uploads or the API's digests)."""

    kind: str = VisitKind.HOME
    purposes: list[str] = field(default_factory=list)
    visited_at: dt.datetime | None = None
    person_id: int | None = None
    household_id: int | None = None
    house_id: int | None = None
    building_id: int | None = None
    place_id: int | None = None
    grid_code: str = ""
    lon: float | None = None
    lat: float | None = None
    accuracy: float | None = None
    findings: str = ""
    answers: dict[str, Any] = field(default_factory=dict)
    photos: list[CheckedPhoto] = field(default_factory=list)
    photo_digests: list[str] = field(default_factory=list)  # the uploads' SHA-256, beside ``photos``
    due_visit_id: int | None = None
    confirmed_change_ids: list[int] = field(default_factory=list)


@dataclass
class FollowUpData:
    category_id: int | None
    description: str
    priority: str = ""
    priority_reason: str = ""
    photos: list[CheckedPhoto] = field(default_factory=list)


def _may_record(origin: Origin) -> None:
    if not origin.actor.has_perm("visits.add_visit"):
        raise PermissionDenied(_("您没有记录走访的权限"), code="forbidden")


def _own(origin: Origin, visit: Visit) -> None:
    if visit.worker_id != origin.actor_id or not origin.actor.has_perm("visits.change_visit"):
        raise PermissionDenied(_("只有走访人本人可以修改或转报这条走访"), code="not_visit_worker")


def _kind_checked(kind: str) -> str:
    if kind not in VisitKind.values:
        raise _refused(_("未知的走访方式“%(kind)s”") % {"kind": kind}, "kind_unknown", "kind")
    return kind


def _purposes_checked(purposes: Any) -> list[str]:
    if not isinstance(purposes, list) or not purposes:
        raise _refused(_("请至少选择一项走访事由"), "purposes_required", "purposes")
    for purpose in purposes:
        if purpose not in VisitPurpose.values:
            raise _refused(_("未知的走访事由“%(p)s”") % {"p": purpose}, "purpose_unknown", "purposes")
    return list(dict.fromkeys(purposes))


def _findings_checked(text: str) -> str:
    text = (text or "").strip()
    if len(text) > FINDINGS_MAX:
        raise _refused(_("走访情况不能超过 4000 字"), "findings_too_long", "findings")
    return text


@dataclass
class _Subjects:
    person: Person | None = None
    household: Household | None = None
    house: House | None = None
    building: Building | None = None
    place: Place | None = None

    def grids(self) -> set[int]:
        return {
            record.grid_id
            for record in (self.person, self.household, self.house, self.building, self.place)
            if record is not None
        }


def _subjects_of(origin: Origin, data: VisitData) -> _Subjects:
    """The subjects named (each through its access helper: 404 when not the worker's), completed upwards: a
    person's household and house, a household's house, a house's building (人进户、户进房)."""
    user = origin.actor
    found = _Subjects(
        person=access_person(user, data.person_id) if data.person_id else None,
        household=access_household(user, data.household_id) if data.household_id else None,
        house=access_house(user, data.house_id) if data.house_id else None,
        building=access_building(user, data.building_id) if data.building_id else None,
        place=access_place(user, data.place_id) if data.place_id else None,
    )
    if found.person is not None:
        if found.household is None and found.person.household_id:
            found.household = found.person.household
        if found.house is None and found.person.house_id:
            found.house = found.person.house
    if found.household is not None and found.house is None and found.household.house_id:
        found.house = found.household.house
    if found.house is not None and found.building is None:
        found.building = found.house.building
    return found


def _grid_of(origin: Origin, data: VisitData, subjects: _Subjects) -> Area:
    grids = subjects.grids()
    if len(grids) > 1:
        raise _refused(_("走访对象不在同一网格"), "subjects_in_different_grids", "person_id")
    if grids:
        grid = Area.objects.get(pk=grids.pop())
        if data.grid_code and data.grid_code != grid.code:
            raise _refused(_("所填网格与走访对象所在网格不符"), "grid_mismatch", "grid_code")
    elif data.grid_code:
        named = Area.objects.filter(code=data.grid_code, level=AreaLevel.GRID).first()
        if named is None or not user_scope(origin.actor).covers(named.code):
            raise NotFound(_("网格不存在或不在您的管辖范围内"), code="grid_not_found")
        grid = named
    else:
        raise _refused(_("请选择走访对象或所在网格"), "subject_required", "person_id")
    if not user_scope(origin.actor).covers(grid.code):
        raise NotFound(_("网格不存在或不在您的管辖范围内"), code="grid_not_found")
    return grid


def _location_checked(data: VisitData) -> tuple[float | None, float | None, float | None]:
    if (data.lon is None) != (data.lat is None):
        raise _refused(_("经度和纬度需同时填写"), "location_incomplete", "lon")
    if data.lon is None or data.lat is None:
        return None, None, None
    if not (-180 <= data.lon <= 180 and -90 <= data.lat <= 90):
        raise _refused(_("经纬度超出范围"), "location_invalid", "lon")
    if data.accuracy is not None and not 0 <= data.accuracy <= 100_000:
        raise _refused(_("定位精度超出范围"), "accuracy_invalid", "accuracy")
    return data.lon, data.lat, data.accuracy


def _visited_at_checked(value: dt.datetime | None) -> dt.datetime:
    now = timesource.now()
    if value is None:
        return now
    if timezone.is_naive(value):
        raise _refused(_("时间须带时区（ISO 8601 偏移）"), "time_without_offset", "visited_at")
    if not EARLIEST <= value <= now + AHEAD:
        raise _refused(_("走访时间超出可接受范围"), "time_out_of_range", "visited_at")
    return value


def _sensitive(person: Person | None, purposes: list[str], day: dt.date) -> bool:
    """About a sensitive group (重点人员): a sensitive purpose, or the person has an active sensitive tag."""
    if SENSITIVE_PURPOSES & set(purposes):
        return True
    if person is None:
        return False
    return PersonTag.objects.filter(person=person, category__in=SENSITIVE_TAGS).active_on(day).exists()


def _due_named(origin: Origin, due_visit_id: int | None) -> DueVisit | None:
    if due_visit_id is None:
        return None
    due = DueVisit.objects.visible_to(origin.actor).filter(pk=due_visit_id).select_related("person").first()
    if due is None:
        raise NotFound(_("应走访记录不存在"), code="due_visit_not_found")
    if due.status != DueStatus.OPEN:
        raise Conflict(_("该应走访已完成或已取消"), code="due_visit_not_open")
    return due


def _changes_named(origin: Origin, ids: list[int], subjects: _Subjects) -> list[RegistryChange]:
    """Pending registry changes of the visit's subjects, named by the worker as confirmed on the spot."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return []
    same_subject = Q(pk__in=[])
    for name in ("person", "household", "house"):
        record = getattr(subjects, name)
        if record is not None:
            same_subject |= Q(**{name: record})
    rows = list(
        RegistryChange.objects.visible_to(origin.actor).filter(same_subject, pk__in=wanted, status=ChangeStatus.PENDING)
    )
    found = {row.pk for row in rows}
    missing = [pk for pk in wanted if pk not in found]
    if missing:
        message = _("信息变动不存在、已处理或不是本次走访对象的")
        raise ValidationFailed(
            message,
            code="change_not_linkable",
            details=[{"field": "confirmed_change_ids", "message": str(pk)} for pk in missing],
        )
    return rows


def _photos_store(visit: Visit, photos: list[CheckedPhoto], digests: list[str]) -> list[VisitPhoto]:
    """A re-encoded copy of each photo (upright, no EXIF or other metadata, a random name): the visit keeps its
    own location; the file carries nothing else."""
    rows = []
    for index, photo in enumerate(photos):
        _thumbnail, copy = photo.copies or copies_of(photo.content)
        digest = digests[index] if index < len(digests) else hashlib.sha256(photo.content).hexdigest()
        row = VisitPhoto(visit=visit, content_type="image/jpeg", sha256=digest)
        row.file.save(f"{uuid.uuid4().hex}.jpg", ContentFile(copy), save=False)
        rows.append(row)
    try:
        VisitPhoto.objects.bulk_create(rows)
    except BaseException:
        for row in rows:
            row.file.storage.delete(str(row.file.name))
        raise
    return rows


def _fulfil(visit: Visit, due: DueVisit | None) -> int:
    """Every open due visit of the visited person whose window has started by the visit's (local) date, and the
    one named, become done with this visit."""
    day = timezone.localtime(visit.visited_at).date()
    condition = Q(pk=due.pk) if due is not None else Q(pk__in=[])
    if visit.person_id is not None:
        condition |= Q(person_id=visit.person_id, window_start__lte=day)
    return DueVisit.objects.filter(condition, status=DueStatus.OPEN).update(
        status=DueStatus.DONE, visit=visit, done_on=day
    )


def _snapshot(visit: Visit) -> dict[str, Any]:
    return {
        "kind": visit.kind,
        "purposes": list(visit.purposes),
        "findings": visit.findings,
        "answers": visit.answers,
        "sensitive": visit.sensitive,
    }


def visit_record(origin: Origin, data: VisitData) -> Visit:
    """Record a visit: checked completely before anything is written, then the visit, its photos, the registry
    changes it confirmed, the due visits it fulfils, its diary entry and the audit row in one transaction."""
    _may_record(origin)
    kind = _kind_checked(data.kind)
    purposes = _purposes_checked(data.purposes)
    answers = answers_checked(data.answers, purposes)
    findings = _findings_checked(data.findings)
    visited_at = _visited_at_checked(data.visited_at)
    lon, lat, accuracy = _location_checked(data)
    if len(data.photos) > PHOTOS_MAX:
        raise _refused(_("照片最多 9 张"), "too_many_photos", "photos")
    due = _due_named(origin, data.due_visit_id)
    if due is not None:
        if data.person_id is None:
            data.person_id = due.person_id
        elif data.person_id != due.person_id:
            raise _refused(_("应走访记录的对象不是本次走访对象"), "due_visit_other_person", "due_visit_id")
    subjects = _subjects_of(origin, data)
    grid = _grid_of(origin, data, subjects)
    changes = _changes_named(origin, data.confirmed_change_ids, subjects)
    day = timezone.localtime(visited_at).date()
    visit = Visit(
        worker=origin.actor,
        grid=grid,
        visited_at=visited_at,
        kind=kind,
        purposes=purposes,
        person=subjects.person,
        household=subjects.household,
        house=subjects.house,
        building=subjects.building,
        place=subjects.place,
        lon=lon,
        lat=lat,
        accuracy=accuracy,
        findings=findings,
        answers=answers,
        sensitive=_sensitive(subjects.person, purposes, day),
    )
    with transaction.atomic():
        visit.save()
        _photos_store(visit, data.photos, data.photo_digests)
        if changes:
            visit.registry_changes.set(changes)
        fulfilled = _fulfil(visit, due)
        entry_for_visit(origin, visit)
        audit_record(
            origin,
            AuditAction.CREATE,
            visit,
            area_code=grid.code,
            changes={name: [None, value] for name, value in _snapshot(visit).items()},
            detail={"due_visits_done": fulfilled, "changes": [change.pk for change in changes]},
        )
    return visit


@dataclass
class VisitEdit:
    """What its worker may change afterwards (``None``: unchanged)."""

    kind: str | None = None
    purposes: list[str] | None = None
    findings: str | None = None
    answers: dict[str, Any] | None = None


def visit_update(origin: Origin, visit: Visit, data: VisitEdit) -> Visit:
    """Its worker corrects a visit; answers are checked against the purposes it then has; the sensitive mark is
    computed again and the diary entry follows (unless its author edited the entry)."""
    _own(origin, visit)
    purposes = _purposes_checked(data.purposes) if data.purposes is not None else list(visit.purposes)
    answers = answers_checked(data.answers if data.answers is not None else visit.answers, purposes)
    before = _snapshot(visit)
    if data.kind is not None:
        visit.kind = _kind_checked(data.kind)
    if data.findings is not None:
        visit.findings = _findings_checked(data.findings)
    visit.purposes = purposes
    visit.answers = answers
    visit.sensitive = _sensitive(visit.person, purposes, timezone.localtime(visit.visited_at).date())
    after = _snapshot(visit)
    changes = {name: [before[name], after[name]] for name in after if before[name] != after[name]}
    if not changes:
        return visit
    with transaction.atomic():
        visit.save()
        entry_for_visit(origin, visit)
        audit_record(origin, AuditAction.UPDATE, visit, area_code=visit.grid.code, changes=changes)
    return visit


def visit_view(origin: Origin, visit: Visit) -> None:
    """Record that ``origin`` read the visit (notes about a resident, like a read of their record)."""
    audit_record(origin, AuditAction.VIEW, visit, area_code=visit.grid.code)


def _subject_address(visit: Visit) -> str:
    addresses = [record.address for record in (visit.place, visit.house, visit.building) if record is not None]
    return next((str(address)[:200] for address in addresses if address), "")


def visit_follow_up(origin: Origin, visit: Visit, data: FollowUpData) -> Case:
    """转为案件上报: the visit's worker turns a finding into a report for the case loop (source 网格员巡查上报),
    at the visit's place (its fix, else its grid), the link kept in ``VisitCase``."""
    _own(origin, visit)
    report = ReportData(
        source=Source.GRID_WORKER,
        description=data.description,
        longitude=visit.lon,
        latitude=visit.lat,
        grid_code="" if visit.lon is not None else visit.grid.code,
        address=_subject_address(visit),
        category_id=data.category_id,
        priority=data.priority,
        priority_reason=data.priority_reason,
        place_id=visit.place_id,
        photos=data.photos,
    )
    with transaction.atomic():
        case = report_submit(origin, report).case
        VisitCase.objects.create(visit=visit, case=case)
        audit_record(
            origin,
            AuditAction.UPDATE,
            visit,
            area_code=visit.grid.code,
            changes={"follow_ups": [None, case.number]},
        )
    return case
