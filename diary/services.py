"""民情日志 state changes. Visits and patrols write their entry here (``entry_for_visit``, ``entry_for_patrol``),
inside the transaction of the visit or the patrol; an entry its author has edited is not rewritten.

Every change writes an audit row; a leader's comment (点评) tells the entry's author through ``notifications``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import uuid
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Model, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import user_scope
from areas.choices import AreaLevel
from areas.models import Area
from audit.models import AuditAction
from audit.services import Origin, audit_record
from cases.models import Case
from diary.choices import EntryKind
from diary.models import DiaryAttachment, DiaryComment, DiaryEntry
from diary.selectors import ADD_PERMISSION, CHANGE_PERMISSION, COMMENT_PERMISSION
from fieldwork.models import CheckIn, Patrol
from fieldwork.selectors import fixes_of, track_filters
from fieldwork.tracks import filter_fixes, segments_distance_m
from gridgov.errors import PermissionDenied, Problems, ValidationFailed
from notifications.services import notify
from registry.choices import SENSITIVE_TAGS
from registry.models import Household, Person, PersonTag, Place
from visits.models import Visit

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
#: A run of digits that could be an ID number or a phone: never kept in an attachment's shown name.
NUMBER_RUN = re.compile(r"\d{6,17}[\dXx]?")
#: Linked records: the field of the request, the entry's relation and the records a user may link.
LINKS: dict[str, str] = {
    "person_ids": "persons",
    "household_ids": "households",
    "place_ids": "places",
    "case_ids": "cases",
    "visit_ids": "visits",
}
TEXT_FIELDS = ("title", "content", "summary")


# --- Sensitive entries ------------------------------------------------------------------------------------------
def persons_sensitive(person_ids: Iterable[int], day: dt.date) -> bool:
    """Whether one of the persons has a sensitive tag (重点人员) active on ``day``."""
    ids = list(person_ids)
    if not ids:
        return False
    return PersonTag.objects.filter(person_id__in=ids, category__in=SENSITIVE_TAGS).active_on(day).exists()


def entry_sensitive(entry: DiaryEntry) -> bool:
    """``sensitive`` of an entry: a linked person has an active sensitive tag or a linked visit is sensitive."""
    if entry.source_visit_id is not None and Visit.objects.filter(pk=entry.source_visit_id, sensitive=True).exists():
        return True
    if entry.visits.filter(sensitive=True).exists():
        return True
    return persons_sensitive(entry.persons.values_list("pk", flat=True), entry.day)


def _sensitive_refresh(entry: DiaryEntry) -> None:
    sensitive = entry_sensitive(entry)
    if sensitive != entry.sensitive:
        entry.sensitive = sensitive
        entry.save(update_fields=["sensitive", "updated_at"])


# --- Automatic entries ------------------------------------------------------------------------------------------
def _visit_title(visit: Visit) -> str:
    subject = visit.person or visit.household or visit.house or visit.building or visit.place
    kind = visit.get_kind_display()
    return f"{kind} · {subject}" if subject is not None else str(kind)


def entry_for_visit(origin: Origin, visit: Visit) -> DiaryEntry:
    """The diary entry of ``visit``: written when the visit is recorded, refreshed after an edit of the visit
    unless its author has edited the entry."""
    entry = DiaryEntry.objects.filter(source_visit=visit).first()
    if entry is not None and entry.edited:
        return entry
    created = entry is None
    if entry is None:
        entry = DiaryEntry(source_visit=visit, author=visit.worker, kind=EntryKind.VISIT)
    entry.grid = visit.grid
    entry.day = timezone.localtime(visit.visited_at).date()
    entry.title = _visit_title(visit)[:120]
    entry.content = visit.findings
    entry.save()
    entry.visits.set([visit])
    entry.persons.set([visit.person] if visit.person is not None else [])
    entry.households.set([visit.household] if visit.household is not None else [])
    entry.places.set([visit.place] if visit.place is not None else [])
    sensitive = visit.sensitive or persons_sensitive([visit.person_id] if visit.person_id else [], entry.day)
    if sensitive != entry.sensitive:
        entry.sensitive = sensitive
        entry.save(update_fields=["sensitive", "updated_at"])
    _audit_change(origin, entry, AuditAction.CREATE if created else AuditAction.UPDATE, {"visit": visit.pk})
    return entry


def _patrol_numbers(patrol: Patrol) -> tuple[float | None, int]:
    """The patrol's filtered distance (metres; ``None`` when there are no fixes) and its check-ins."""
    end = patrol.ended_at or timezone.now()
    checkins = CheckIn.objects.filter(worker_id=patrol.worker_id, device_time__gte=patrol.started_at).filter(
        device_time__lte=end
    )
    fixes = fixes_of(patrol.worker_id, patrol.started_at, end)
    if not len(fixes.times):
        return None, checkins.count()
    keep, _reasons = filter_fixes(fixes, track_filters())
    distance = segments_distance_m(fixes.take(keep), settings.FIELD_SEGMENT_MAX_GAP_SECONDS)
    return distance, checkins.count()


def entry_for_patrol(origin: Origin, patrol: Patrol) -> DiaryEntry:
    """The diary entry of an ended patrol (its author may edit it afterwards): its span, distance walked and
    check-ins."""
    entry = DiaryEntry.objects.filter(source_patrol=patrol).first()
    if entry is not None and entry.edited:
        return entry
    created = entry is None
    if entry is None:
        entry = DiaryEntry(source_patrol=patrol, author=patrol.worker, kind=EntryKind.PATROL)
    start = timezone.localtime(patrol.started_at)
    end = timezone.localtime(patrol.ended_at) if patrol.ended_at else None
    entry.grid = patrol.grid
    entry.day = start.date()
    span = f"{start:%H:%M}–{end:%H:%M}" if end else f"{start:%H:%M}"
    entry.title = _("巡查 %(span)s") % {"span": span}
    content = _("在%(grid)s巡查，%(span)s。") % {"grid": patrol.grid.name, "span": span}
    distance, checkins = _patrol_numbers(patrol)
    if distance is not None:
        content += _("行程约 %(km).1f 公里。") % {"km": distance / 1000}
    if checkins:
        content += _("签到 %(count)s 次。") % {"count": checkins}
    entry.content = content
    entry.save()
    _audit_change(origin, entry, AuditAction.CREATE if created else AuditAction.UPDATE, {"patrol": patrol.pk})
    return entry


# --- Entries written by hand ------------------------------------------------------------------------------------
@dataclass
class EntryData:
    """An entry's values as a page or the API sends them; ``None`` leaves a value as it is (on update)."""

    day: dt.date | None = None
    kind: str | None = None
    title: str | None = None
    content: str | None = None
    summary: str | None = None
    grid_code: str | None = None
    links: dict[str, list[int]] = field(default_factory=dict)


def _audit_change(origin: Origin, entry: DiaryEntry, action: str, changes: Mapping[str, Any]) -> None:
    audit_record(origin, action, entry, area_code=entry.grid.code, changes=dict(changes))


def _grid_of(user: Any, grid_code: str | None, problems: Problems) -> Area | None:
    """The entry's grid: the one named (a grid in the user's scope), else the user's own grid."""
    scope = user_scope(user)
    if grid_code:
        grid = Area.objects.filter(code=grid_code, level=AreaLevel.GRID).first()
        if grid is None or not scope.covers(grid.code):
            problems.add("grid_code", _("网格不存在或不在您的管辖范围内"))
            return None
        return grid
    grid = user.areas.filter(level=AreaLevel.GRID).order_by("code").first()
    if grid is None:
        problems.add("grid_code", _("请选择网格"))
    return grid


def _linkable(user: Any, relation: str) -> QuerySet[Any]:
    """The records of ``relation`` that ``user`` may link to an entry (those they may see)."""
    model: type[Model] = {
        "persons": Person,
        "households": Household,
        "places": Place,
        "cases": Case,
        "visits": Visit,
    }[relation]
    return model.objects.visible_to(user)  # type: ignore[attr-defined]


def _links_checked(user: Any, links: Mapping[str, list[int]], problems: Problems) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = {}
    for name, ids in links.items():
        relation = LINKS[name]
        wanted = list(dict.fromkeys(ids))
        rows = list(_linkable(user, relation).filter(pk__in=wanted))
        if len(rows) != len(wanted):
            problems.add(name, _("所选记录不存在或不在您的管辖范围内"))
        found[relation] = rows
    return found


def _text_checked(data: EntryData, problems: Problems, *, creating: bool) -> None:
    if (creating or data.title is not None) and not (data.title or "").strip():
        problems.add("title", _("请填写标题"))
    if data.kind is not None and data.kind not in EntryKind.values:
        problems.add("kind", _("类型无效"))
    for name, limit in (("title", 120), ("summary", 500), ("content", 20_000)):
        value = getattr(data, name)
        if value is not None and len(value) > limit:
            problems.add(name, _("内容过长（最多 %(limit)s 字）") % {"limit": limit})
    if data.day is not None and data.day > timezone.localdate() + dt.timedelta(days=1):
        problems.add("day", _("日期不能晚于今天"))


def entry_create(origin: Origin, data: EntryData) -> DiaryEntry:
    """A diary entry written by hand (民情日志) by ``origin``'s user in one of their grids."""
    user = origin.actor
    if not user.has_perm(ADD_PERMISSION):
        raise PermissionDenied(_("您的角色不能写民情日志"), code="diary_not_permitted")
    problems = Problems()
    _text_checked(data, problems, creating=True)
    grid = _grid_of(user, data.grid_code, problems)
    links = _links_checked(user, data.links, problems)
    problems.raise_if_any()
    assert grid is not None
    with transaction.atomic():
        entry = DiaryEntry.objects.create(
            author=user,
            grid=grid,
            day=data.day or timezone.localdate(),
            kind=data.kind or EntryKind.OTHER,
            title=(data.title or "").strip(),
            content=data.content or "",
            summary=data.summary or "",
        )
        for relation, rows in links.items():
            getattr(entry, relation).set(rows)
        entry.sensitive = entry_sensitive(entry)
        entry.save(update_fields=["sensitive"])
        changes: dict[str, Any] = {name: [None, str(getattr(entry, name))] for name in ("day", "kind", *TEXT_FIELDS)}
        changes.update({relation: [None, sorted(row.pk for row in rows)] for relation, rows in links.items()})
        _audit_change(origin, entry, AuditAction.CREATE, changes)
    return entry


def entry_update(origin: Origin, entry: DiaryEntry, data: EntryData) -> DiaryEntry:
    """Its author changes an entry; an automatic entry (of a visit or a patrol) is then ``edited`` and no longer
    rewritten from its source."""
    user = origin.actor
    if entry.author_id != user.pk or not user.has_perm(CHANGE_PERMISSION):
        raise PermissionDenied(_("只有记录人可以修改日志"), code="not_entry_author")
    problems = Problems()
    _text_checked(data, problems, creating=False)
    grid = _grid_of(user, data.grid_code, problems) if data.grid_code else entry.grid
    links = _links_checked(user, data.links, problems)
    problems.raise_if_any()
    assert grid is not None
    changes: dict[str, Any] = {}
    with transaction.atomic():
        entry = DiaryEntry.objects.select_for_update().select_related("grid").get(pk=entry.pk)
        for name in ("day", "kind", *TEXT_FIELDS):
            value = getattr(data, name)
            if value is None:
                continue
            value = value.strip() if name == "title" else value
            if value != getattr(entry, name):
                changes[name] = [str(getattr(entry, name)), str(value)]
                setattr(entry, name, value)
        if grid.pk != entry.grid_id:
            changes["grid"] = [entry.grid.code, grid.code]
            entry.grid = grid
        for relation, rows in links.items():
            before = sorted(getattr(entry, relation).values_list("pk", flat=True))
            after = sorted(row.pk for row in rows)
            if before != after:
                changes[relation] = [before, after]
                getattr(entry, relation).set(rows)
        if not changes:
            return entry
        automatic = entry.source_visit_id is not None or entry.source_patrol_id is not None
        if automatic and not entry.edited:
            entry.edited = True
            changes["edited"] = [False, True]
        entry.save()
        _sensitive_refresh(entry)
        _audit_change(origin, entry, AuditAction.UPDATE, changes)
    return entry


# --- Comments (点评) ---------------------------------------------------------------------------------------------
def entry_comment(origin: Origin, entry: DiaryEntry, text: str) -> DiaryComment:
    """A leader's comment on an entry they may read (the entry's grid is in their scope); its author is told."""
    user = origin.actor
    if not user.has_perm(COMMENT_PERMISSION):
        raise PermissionDenied(_("您的角色不能点评民情日志"), code="comment_not_permitted")
    text = (text or "").strip()
    if not text:
        raise ValidationFailed(_("请填写点评内容"), code="comment_empty", details={"field": "text"})
    if len(text) > 2000:
        raise ValidationFailed(_("点评过长（最多 2000 字）"), code="comment_too_long", details={"field": "text"})
    with transaction.atomic():
        comment = DiaryComment.objects.create(entry=entry, author=user, text=text)
        audit_record(
            origin,
            AuditAction.CREATE,
            comment,
            area_code=entry.grid.code,
            changes={"text": [None, text]},
            detail={"entry": entry.pk},
        )
        if entry.author_id != user.pk:
            _comment_notify(comment, entry, user)
    return comment


def _comment_notify(comment: DiaryComment, entry: DiaryEntry, commenter: Any) -> None:
    notify(
        [entry.author_id],
        title=_("%(name)s点评了您的日志：%(title)s")
        % {"name": commenter.full_name or commenter.username, "title": entry.title},
        body=comment.text[:200],
        link=reverse("diary:detail", args=[entry.pk]),
        cause=f"diary_comment:{comment.pk}",
        template="diary_comment",
    )


def entry_open(origin: Origin, entry: DiaryEntry) -> int:
    """Its author opens an entry: the comments not yet seen are marked read (the reader's mark). Returns how many."""
    if entry.author_id != origin.actor_id:
        return 0
    now = timezone.now()
    marked = DiaryComment.objects.filter(entry=entry, read_at__isnull=True).update(read_at=now)
    if marked:
        for comment in entry.comments.all():
            if comment.read_at is None:
                comment.read_at = now
    return marked


# --- Attachments ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CheckedFile:
    content: bytes
    extension: str
    content_type: str
    name: str


def _sniff(content: bytes) -> tuple[str, str] | None:
    """The type of a file from its first bytes (and a ZIP's entries): never from its name or its declared type."""
    if content.startswith(b"%PDF-"):
        return "pdf", "application/pdf"
    if content.startswith(b"\xff\xd8\xff"):
        return "jpg", "image/jpeg"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png", "image/png"
    if content.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, ValueError, OSError):
            return None
        if "[Content_Types].xml" not in names:
            return None
        if "word/document.xml" in names:
            return "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        if "xl/workbook.xml" in names:
            return "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return None


def shown_name(name: str, extension: str) -> str:
    """An attachment's shown name: the base name without path, digits that could be an ID number or a phone
    masked, and the sniffed extension."""
    base = re.split(r"[\\/]", name or "")[-1]
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = NUMBER_RUN.sub("***", stem).strip() or _("附件")
    return f"{stem[:180]}.{extension}"


def attachment_check(upload: Any) -> CheckedFile:
    """A file fit to attach: at most 10 MB, a PDF, JPEG, PNG, DOCX or XLSX by its content."""
    size = getattr(upload, "size", None) or 0
    if size > MAX_ATTACHMENT_BYTES:
        raise ValidationFailed(_("附件不能超过 10 MB"), code="attachment_too_large", details={"field": "file"})
    content = upload.read(MAX_ATTACHMENT_BYTES + 1)
    if len(content) > MAX_ATTACHMENT_BYTES:
        raise ValidationFailed(_("附件不能超过 10 MB"), code="attachment_too_large", details={"field": "file"})
    if not content:
        raise ValidationFailed(_("附件是空的"), code="attachment_empty", details={"field": "file"})
    sniffed = _sniff(content)
    if sniffed is None:
        raise ValidationFailed(
            _("只能上传 PDF、JPEG、PNG、Word（docx）或 Excel（xlsx）文件"),
            code="attachment_type",
            details={"field": "file"},
        )
    extension, content_type = sniffed
    return CheckedFile(content, extension, content_type, shown_name(getattr(upload, "name", ""), extension))


def attachment_allowed(user: Any, entry: DiaryEntry) -> None:
    """Only an entry's author adds its attachments."""
    if entry.author_id != user.pk or not user.has_perm(CHANGE_PERMISSION):
        raise PermissionDenied(_("只有记录人可以添加附件"), code="not_entry_author")


def attachment_add(origin: Origin, entry: DiaryEntry, checked: CheckedFile) -> DiaryAttachment:
    """Attach a checked file to its author's entry, stored under a random name with its SHA-256."""
    attachment_allowed(origin.actor, entry)
    digest = hashlib.sha256(checked.content).hexdigest()
    with transaction.atomic():
        attachment = DiaryAttachment(
            entry=entry,
            name=checked.name,
            content_type=checked.content_type,
            size=len(checked.content),
            sha256=digest,
        )
        attachment.file.save(f"{uuid.uuid4().hex}.{checked.extension}", ContentFile(checked.content), save=False)
        attachment.save()
        audit_record(
            origin,
            AuditAction.CREATE,
            attachment,
            area_code=entry.grid.code,
            changes={"file": [None, digest]},
            detail={"entry": entry.pk, "size": attachment.size, "content_type": attachment.content_type},
        )
    return attachment
