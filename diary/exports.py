"""A month of the 民情日志 as a 台账 document (.docx through python-docx, .pdf through reportlab with the CID font
STSong-Light, so no font file is needed): a title, whose diary and which month, then one section per day with its
entries — kind, title, content, summary, linked persons by name only, leaders' comments. Audited as an export."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from django.utils.translation import gettext as _

from audit.models import AuditAction
from audit.services import Origin, audit_list_read
from diary.models import DiaryEntry
from diary.selectors import diary_reader, entries_of_month
from gridgov.errors import ValidationFailed

MAX_ENTRIES = 2000
FORMATS = ("docx", "pdf")
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_TYPE = "application/pdf"


@dataclass(frozen=True)
class Section:
    """One entry as the document prints it."""

    kind: str
    title: str
    content: str
    summary: str
    persons: list[str]
    comments: list[tuple[str, str]]


def _sections(entries: Iterable[DiaryEntry]) -> list[tuple[dt.date, list[Section]]]:
    days = []
    for day, rows in groupby(entries, key=lambda entry: entry.day):
        sections = [
            Section(
                kind=str(entry.get_kind_display()),
                title=entry.title,
                content=entry.content,
                summary=entry.summary,
                persons=[person.name for person in entry.persons.all()],
                comments=[
                    (comment.author.full_name or comment.author.username, comment.text)
                    for comment in entry.comments.all()
                ],
            )
            for entry in rows
        ]
        days.append((day, sections))
    return days


def _docx(title: str, subtitle: str, days: list[tuple[dt.date, list[Section]]]) -> bytes:
    from docx import Document

    document = Document()
    document.add_heading(title, level=0)
    document.add_paragraph(subtitle)
    if not days:
        document.add_paragraph(_("本月没有日志。"))
    for day, sections in days:
        document.add_heading(f"{day:%Y-%m-%d}", level=1)
        for section in sections:
            document.add_heading(_("【%(kind)s】%(title)s") % {"kind": section.kind, "title": section.title}, level=2)
            if section.content:
                document.add_paragraph(section.content)
            if section.summary:
                document.add_paragraph(_("小结：%(text)s") % {"text": section.summary})
            if section.persons:
                document.add_paragraph(_("相关人员：%(names)s") % {"names": _("、").join(section.persons)})
            for author, text in section.comments:
                document.add_paragraph(_("点评（%(author)s）：%(text)s") % {"author": author, "text": text})
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _pdf(title: str, subtitle: str, days: list[tuple[dt.date, list[Section]]]) -> bytes:
    from xml.sax.saxutils import escape

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    font = "STSong-Light"
    if font not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(font))
    body = ParagraphStyle("body", fontName=font, fontSize=10.5, leading=16, wordWrap="CJK")
    styles = {
        "title": ParagraphStyle("title", parent=body, fontSize=18, leading=26, alignment=1),
        "subtitle": ParagraphStyle("subtitle", parent=body, alignment=1, spaceAfter=12),
        "day": ParagraphStyle("day", parent=body, fontSize=13, leading=20, spaceBefore=10),
        "entry": ParagraphStyle("entry", parent=body, fontSize=11.5, leading=18, spaceBefore=6),
        "body": body,
    }

    def line(text: str, style: str = "body") -> Any:
        return Paragraph(escape(text).replace("\n", "<br/>"), styles[style])

    story: list[Any] = [line(title, "title"), line(subtitle, "subtitle")]
    if not days:
        story.append(line(_("本月没有日志。")))
    for day, sections in days:
        story.append(line(f"{day:%Y-%m-%d}", "day"))
        for section in sections:
            story.append(line(_("【%(kind)s】%(title)s") % {"kind": section.kind, "title": section.title}, "entry"))
            if section.content:
                story.append(line(section.content))
            if section.summary:
                story.append(line(_("小结：%(text)s") % {"text": section.summary}))
            if section.persons:
                story.append(line(_("相关人员：%(names)s") % {"names": _("、").join(section.persons)}))
            for author, text in section.comments:
                story.append(line(_("点评（%(author)s）：%(text)s") % {"author": author, "text": text}))
        story.append(Spacer(1, 6))
    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=A4, title=title, author="gridgov", subject=subtitle)
    document.build(story)
    return buffer.getvalue()


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    file_name: str
    content_type: str


def diary_month_export(
    origin: Origin, month: dt.date, *, author: Any = None, grid: Any = None, file_format: str = "docx"
) -> ExportFile:
    """The month's diary of ``author`` (a user) or of ``grid`` (an area, its subtree) as ``file_format``."""
    user = diary_reader(origin.actor)
    if file_format not in FORMATS:
        raise ValidationFailed(_("导出格式无效"), code="export_format", details={"field": "format"})
    rows = entries_of_month(
        user, month, author_id=author.pk if author is not None else None, grid_code=grid.code if grid else ""
    )
    count = rows.count()
    if count > MAX_ENTRIES:
        raise ValidationFailed(
            _("本月日志超过 %(limit)s 条，请按记录人或网格分别导出") % {"limit": MAX_ENTRIES}, code="export_too_large"
        )
    whose = (author.full_name or author.username) if author is not None else grid.name if grid else ""
    title = _("民情日志台账")
    subtitle = _("%(whose)s · %(year)s年%(month)s月 · 共 %(count)s 条") % {
        "whose": whose,
        "year": month.year,
        "month": month.month,
        "count": count,
    }
    days = _sections(rows)
    content = _docx(title, subtitle, days) if file_format == "docx" else _pdf(title, subtitle, days)
    query = {
        "month": f"{month:%Y-%m}",
        "author": author.pk if author is not None else None,
        "grid": grid.code if grid else None,
        "format": file_format,
    }
    audit_list_read(origin, AuditAction.EXPORT, DiaryEntry, count=count, query=query)
    tag = f"author-{author.pk}" if author is not None else f"grid-{grid.code}" if grid else "all"
    return ExportFile(
        content=content,
        file_name=f"diary-{month:%Y-%m}-{tag}.{file_format}",
        content_type=DOCX_TYPE if file_format == "docx" else PDF_TYPE,
    )
