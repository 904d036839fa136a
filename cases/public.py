"""What the public may know of a case (DESIGN §5 "Public status"): open or closed, a plain-language note of each
step, the expected completion time and the before/after photos once closed. Never a person, a phone, an internal
note or a reason typed by staff. The portal, Open311 and the reporter's messages all read from here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from cases.choices import ENDED_STATUSES, FINISHED_STATUSES, CaseStatus, PhotoStage
from cases.models import Case, CaseEvent, CasePhoto, Report
from cases.workflow import PUBLIC_NOTES
from gridgov import crypto

S = CaseStatus

#: The plain-language note of each state, as the public sees it.
STATUS_NOTES: dict[str, Any] = {
    S.REPORTED: _("已收到您的反映，等待受理"),
    S.ACCEPTED: _("已受理，正在审核立案"),
    S.VERIFYING: _("已受理，网格员正在现场核实"),
    S.FILED: _("已立案，正在派往责任单位"),
    S.DISPATCHED: _("已派至责任单位办理"),
    S.RETURNED: _("正在重新派往责任单位"),
    S.HANDLING: _("责任单位正在办理"),
    S.HANDLED: _("责任单位已办理，等待现场核查"),
    S.SELF_RESOLVED: _("网格员已现场处置，等待核查"),
    S.CHECKING: _("正在现场核查办理结果"),
    S.CHECKED: _("核查通过，即将办结"),
    S.SUSPENDED: _("问题需长期解决，暂缓办理"),
    S.CLOSED: _("已办结"),
    S.EVALUATED: _("已办结，感谢您的评价"),
    S.REJECTED: _("经审核不予立案（不属于受理范围或经核实不属实）"),
    S.MERGED: _("与同一问题合并办理"),
    S.VOID: _("已撤销"),
}

#: The steps of the timeline the public sees (declared on the transition table); every other event stays inside.
STEP_NOTES = PUBLIC_NOTES

#: Between two digit groups: a space or two, a dash or a dot (after NFKC, so full-width ones count too).
_GAP = r"(?:[ \t]{1,2}|[ \t]?[-.][ \t]?)"
#: Phone and ID numbers as people write them: unbroken (11–18 digits, an ID's final X), a mobile as 3-4-4 or 3-8,
#: a landline as area code + number, an ID as 6-8-4 or 6-4-4-4 — each group split by a gap or not.
_PHONE_OR_ID = re.compile(
    r"(?<![\dX])(?:"
    rf"\d{{6}}{_GAP}?\d{{8}}{_GAP}?\d{{3}}[\dX]"
    rf"|\d{{6}}{_GAP}\d{{4}}{_GAP}\d{{4}}{_GAP}\d{{3}}[\dX]"
    rf"|1\d{{2}}{_GAP}\d{{4}}{_GAP}?\d{{4}}"
    rf"|1\d{{2}}{_GAP}?\d{{4}}{_GAP}\d{{4}}"
    rf"|0\d{{2,3}}{_GAP}\d{{7,8}}"
    r"|\d{11,18}X?"
    r")(?![\dX])",
    re.IGNORECASE,
)


def _normalized(text: str) -> tuple[str, list[int]]:
    """``text`` under NFKC (full-width digits, X, spaces and dashes become ASCII), with the index in ``text`` of
    every character of the result, so that a match can be masked in the original."""
    characters: list[str] = []
    origins: list[int] = []
    for index, character in enumerate(text):
        folded = unicodedata.normalize("NFKC", character)
        characters.append(folded)
        origins.extend([index] * len(folded))
    return "".join(characters), origins


def public_text(text: str) -> str:
    """A text a resident typed, safe to publish: phone and ID numbers inside it, however spaced or written (full-
    width digits too), are masked by the rule of every other mask (``gridgov.crypto``, docs/privacy.md)."""
    text = text or ""
    folded, origins = _normalized(text)
    masked = list(text)
    for match in _PHONE_OR_ID.finditer(folded):
        places = [origins[i] for i in range(match.start(), match.end()) if folded[i].isdigit() or folded[i] in "Xx"]
        digits = "".join(
            folded[i] for i in range(match.start(), match.end()) if folded[i].isdigit() or folded[i] in "Xx"
        )
        shown = crypto.mask_number(digits)
        for place, character in zip(places, shown, strict=True):
            if character == "*":
                masked[place] = "*"
    return "".join(masked)


def public_state(case: Case) -> str:
    """Open311's ``open``/``closed``."""
    return "closed" if case.status in ENDED_STATUSES else "open"


def status_note(case: Case) -> str:
    return str(STATUS_NOTES.get(case.status, ""))


def expected_at(case: Case) -> dt.datetime | None:
    """The expected completion time: the handling deadline once dispatched, otherwise the current step's."""
    if case.status in ENDED_STATUSES:
        return None
    return case.handle_due_at or case.due_at


@dataclass(frozen=True)
class PublicStep:
    at: dt.datetime
    action: str
    note: str


def public_steps(events: list[CaseEvent]) -> list[PublicStep]:
    """The public timeline of one case from its events (the caller fetches them; only action and time are read)."""
    steps = []
    for event in events:
        note = STEP_NOTES.get(event.action)
        if note is not None:
            steps.append(PublicStep(event.at, event.action, str(note)))
    return steps


#: Stages whose photos' public copies (no metadata) anyone may see of a public case; verify/check photos stay inside.
PUBLIC_PHOTO_STAGES = (PhotoStage.REPORT, PhotoStage.BEFORE, PhotoStage.AFTER)


def public_photos(case: Case) -> dict[str, list[CasePhoto]]:
    """Before/after photos once the case is closed (the public copies only); nothing while it is open."""
    if case.status not in FINISHED_STATUSES:
        return {"before": [], "after": []}
    photos = list(case.photos.exclude(public_image="").filter(stage__in=PUBLIC_PHOTO_STAGES))
    return {
        "before": [photo for photo in photos if photo.stage in (PhotoStage.REPORT, PhotoStage.BEFORE)],
        "after": [photo for photo in photos if photo.stage == PhotoStage.AFTER],
    }


def public_cases() -> QuerySet[Case]:
    """Cases anyone may look up: those in a public category (merged and voided ones show as closed)."""
    return Case.objects.filter(category__is_public=True)


def photo_is_public(photo: CasePhoto) -> bool:
    """Whether anyone may see the photo's public copy: a report/before/after photo of a case anyone may look up
    (what Open311 lists as the case's ``media_url``)."""
    return (
        bool(photo.public_image)
        and photo.stage in PUBLIC_PHOTO_STAGES
        and public_cases().filter(pk=photo.case_id).exists()
    )


# --- The private follow link (the portal makes the token; only its hash is stored) ---------------------
def follow_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def report_by_follow_token(token: str) -> Report | None:
    if not token or len(token) > 64:
        return None
    return (
        Report.objects.filter(follow_token_hash=follow_token_hash(token))
        .select_related("case__category", "case__main_department")
        .first()
    )
