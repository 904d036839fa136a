"""民情日志 state changes. Visits and patrols write their entry here (``entry_for_visit``, ``entry_for_patrol``),
inside the transaction of the visit or the patrol; an entry its author has edited is not rewritten."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import Origin
from diary.choices import EntryKind
from diary.models import DiaryEntry
from fieldwork.models import Patrol
from visits.models import Visit


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
    if entry is None:
        entry = DiaryEntry(source_visit=visit, author=visit.worker, kind=EntryKind.VISIT)
    entry.grid = visit.grid
    entry.day = timezone.localtime(visit.visited_at).date()
    entry.title = _visit_title(visit)[:120]
    entry.content = visit.findings
    entry.sensitive = visit.sensitive
    entry.save()
    entry.visits.set([visit])
    entry.persons.set([visit.person] if visit.person is not None else [])
    entry.households.set([visit.household] if visit.household is not None else [])
    entry.places.set([visit.place] if visit.place is not None else [])
    return entry


def entry_for_patrol(origin: Origin, patrol: Patrol) -> DiaryEntry:
    """The diary entry of an ended patrol (its author may edit it afterwards)."""
    entry = DiaryEntry.objects.filter(source_patrol=patrol).first()
    if entry is not None and entry.edited:
        return entry
    if entry is None:
        entry = DiaryEntry(source_patrol=patrol, author=patrol.worker, kind=EntryKind.PATROL)
    start = timezone.localtime(patrol.started_at)
    end = timezone.localtime(patrol.ended_at) if patrol.ended_at else None
    entry.grid = patrol.grid
    entry.day = start.date()
    span = f"{start:%H:%M}–{end:%H:%M}" if end else f"{start:%H:%M}"
    entry.title = _("巡查 %(span)s") % {"span": span}
    entry.content = _("在%(grid)s巡查，%(span)s。") % {"grid": patrol.grid.name, "span": span}
    entry.save()
    return entry
