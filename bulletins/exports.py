"""A bulletin as a file (PDF per GB/T 9704, .xlsx, CSV of one table), as the reader may see it; each export is
audited."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit.models import AuditAction
from audit.services import Origin, audit_record
from bulletins.models import Bulletin
from bulletins.selectors import changes_for, content_for
from gridgov.errors import NotFound, ValidationFailed

PDF_TYPE = "application/pdf"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
FORMATS = ("pdf", "xlsx", "csv")


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    file_name: str
    content_type: str


def subtitle_of(bulletin: Bulletin) -> str:
    parts = [
        bulletin.content.get("period_label", bulletin.period_key),
        _("第%(version)d版") % {"version": bulletin.version},
        _("%(date)s发布") % {"date": f"{timezone.localtime(bulletin.published_at):%Y-%m-%d}"},
    ]
    if bulletin.version > 1:
        parts.append(_("更正"))
    return _("（%(text)s）") % {"text": " · ".join(str(part) for part in parts)}


def overview_of(bulletin: Bulletin, content: dict[str, Any]) -> list[tuple[str, str]]:
    rows = [
        (_("标题"), bulletin.title),
        (_("统计周期"), str(content.get("period_label", bulletin.period_key))),
        (_("范围"), bulletin.area.name),
        (_("版本"), _("第%(version)d版") % {"version": bulletin.version}),
        (_("发布时间"), f"{timezone.localtime(bulletin.published_at):%Y-%m-%d %H:%M}"),
        (_("概况"), str(content.get("headline", ""))),
    ]
    rows.extend((_("说明"), str(paragraph)) for paragraph in content.get("paragraphs", []))
    return rows


def _file_name(bulletin: Bulletin, extension: str, suffix: str = "") -> str:
    tail = f"-{suffix}" if suffix else ""
    return f"bulletin-{bulletin.area.code}-{bulletin.kind}-{bulletin.period_key}-v{bulletin.version}{tail}.{extension}"


def bulletin_export(origin: Origin, bulletin: Bulletin, file_format: str, *, table_key: str = "") -> ExportFile:
    """The bulletin as ``file_format`` for ``origin.actor`` (who has been authorized to read it)."""
    if file_format not in FORMATS:
        raise ValidationFailed(_("导出格式无效"), code="export_format", details={"field": "format"})
    user = origin.actor
    content = content_for(user, bulletin)
    changes = changes_for(user, bulletin)
    if file_format == "csv" and not any(table["key"] == table_key for table in content["tables"]):
        raise NotFound(_("通报中没有这张表"), code="table_not_found", details={"field": "table"})
    with translation.override(settings.LANGUAGE_CODE):  # the document's language, whatever the reader's
        exported = _render(bulletin, file_format, content, changes, table_key)
    audit_record(
        origin,
        AuditAction.EXPORT,
        bulletin,
        area_code=bulletin.area.code,
        detail={"format": file_format, "table": table_key or None},
    )
    return exported


def _render(
    bulletin: Bulletin, file_format: str, content: dict[str, Any], changes: list[dict[str, Any]], table_key: str
) -> ExportFile:
    from bulletins import pdf, spreadsheet

    if file_format == "pdf":
        exported = ExportFile(
            pdf.bulletin_pdf(bulletin.title, subtitle_of(bulletin), content, changes),
            _file_name(bulletin, "pdf"),
            PDF_TYPE,
        )
    elif file_format == "xlsx":
        exported = ExportFile(
            spreadsheet.bulletin_workbook(overview_of(bulletin, content), content["tables"], changes),
            _file_name(bulletin, "xlsx"),
            XLSX_TYPE,
        )
    else:
        table = next(table for table in content["tables"] if table["key"] == table_key)
        exported = ExportFile(spreadsheet.table_csv(table), _file_name(bulletin, "csv", table_key), CSV_TYPE)
    return exported
