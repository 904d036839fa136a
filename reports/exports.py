"""A report's table as a file: .xlsx (one sheet, continued on another sheet every 10,000 rows, each with its header
in bold and frozen) or .csv (UTF-8 with a byte-order mark, so Excel opens the Chinese text correctly). Rates are
written as percentages, means of minutes to one decimal, a figure without a denominator as an empty cell. Every
cell goes through ``registry.tabular.cell_safe`` (no formula runs), and each export is an audit row."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from audit.models import AuditAction
from audit.services import Origin, audit_list_read
from gridgov.errors import ValidationFailed
from registry.tabular import cell_safe, csv_bytes
from reports.engine import Cell, Table, report_run
from reports.models import SavedReport
from reports.selectors import report_reader
from reports.spec import COUNT, MINUTES, RATE, spec_parse

#: An .xlsx sheet holds at most this many data rows; the rest continue on the next sheet (报表 (2), …).
ROWS_PER_SHEET = 10_000
FORMATS = ("xlsx", "csv")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
TEXT = "text"


def _value(cell: Cell, unit: str) -> Any:
    if cell.value is None:
        return None
    if unit == COUNT:
        return int(cell.value)
    if unit == MINUTES:
        return round(cell.value, 1)
    return round(cell.value, 6)


def table_lines(table: Table) -> tuple[list[str], list[str], Iterator[list[Any]]]:
    """The headers, the unit of each column and the rows of the table as one flat sheet (the totals row last)."""
    headers = table.headers()
    units = [TEXT] * len(table.spec.rows)
    for _column in table.columns:
        units += [info.unit for info in table.measures]
    with_total_column = len(headers) > len(units)
    if with_total_column:
        units += [info.unit for info in table.measures]

    def values(row_cells: Sequence[Sequence[Cell]], total: Sequence[Cell]) -> list[Any]:
        found = [
            _value(cell, info.unit) for column in row_cells for cell, info in zip(column, table.measures, strict=True)
        ]
        if with_total_column:
            found += [_value(cell, info.unit) for cell, info in zip(total, table.measures, strict=True)]
        return found

    def lines() -> Iterator[list[Any]]:
        for row in table.rows:
            yield [member.label for member in row.members] + values(row.cells, row.total)
        labels = [_("合计")] + [""] * (len(table.spec.rows) - 1)
        yield labels + values(table.totals.cells, table.totals.total)

    return headers, units, lines()


def workbook_split(
    title: str,
    headers: list[str],
    units: list[str],
    rows: Iterable[Sequence[Any]],
    *,
    rows_per_sheet: int = ROWS_PER_SHEET,
    frozen_columns: int = 0,
) -> bytes:
    """An .xlsx of ``rows`` under ``headers``: a new sheet after every ``rows_per_sheet`` rows, each sheet starting
    with the header row (bold, frozen with the first ``frozen_columns`` columns); rates as percentages."""
    if rows_per_sheet < 1:
        raise ValueError("rows_per_sheet must be at least 1")
    workbook = Workbook(write_only=True)
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    sheets = 0
    sheet: Any = None
    written = rows_per_sheet

    def sheet_new() -> Any:
        nonlocal sheets
        sheets += 1
        created = workbook.create_sheet(title if sheets == 1 else f"{title} ({sheets})")
        created.freeze_panes = f"{get_column_letter(frozen_columns + 1)}2"
        for index, header in enumerate(headers, start=1):
            created.column_dimensions[get_column_letter(index)].width = min(max(10, len(header) * 2 + 2), 40)
        heads = []
        for header in headers:
            head = WriteOnlyCell(created, value=cell_safe(header))
            head.font, head.fill = bold, fill
            heads.append(head)
        created.append(heads)
        return created

    for row in rows:
        if written >= rows_per_sheet:
            sheet, written = sheet_new(), 0
        cells: list[Any] = []
        for value, unit in zip(row, units, strict=False):
            if unit == RATE and value is not None:
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "0.00%"
                cells.append(cell)
            elif unit == MINUTES and value is not None:
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "0.0"
                cells.append(cell)
            else:
                cells.append(cell_safe(value))
        sheet.append(cells)
        written += 1
    if sheet is None:
        sheet_new()
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_of(headers: list[str], units: list[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """The rows as CSV (UTF-8 with BOM); rates as ``85.00%``."""

    def text(value: Any, unit: str) -> Any:
        if value is None:
            return ""
        if unit == RATE:
            return f"{value * 100:.2f}%"
        return value

    return csv_bytes(headers, ([text(value, unit) for value, unit in zip(row, units, strict=False)] for row in rows))


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    file_name: str
    content_type: str
    rows: int


def report_export(
    origin: Origin, report: SavedReport, file_format: str, *, rows_per_sheet: int = ROWS_PER_SHEET
) -> ExportFile:
    """The report (already opened by :func:`reports.selectors.access_report`) over the areas of whoever exports
    it, as ``file_format``; one audit row names the report, its spec and the number of rows."""
    user = report_reader(origin.actor)
    if file_format not in FORMATS:
        raise ValidationFailed(_("导出格式无效（应为 xlsx 或 csv）"), code="export_format", details={"field": "format"})
    table = report_run(spec_parse(report.spec), user)
    headers, units, lines = table_lines(table)
    if file_format == "xlsx":
        content = workbook_split(
            _("报表"), headers, units, lines, rows_per_sheet=rows_per_sheet, frozen_columns=len(table.spec.rows)
        )
        content_type = XLSX_TYPE
    else:
        content, content_type = csv_of(headers, units, lines), CSV_TYPE
    audit_list_read(
        origin,
        AuditAction.EXPORT,
        SavedReport,
        count=len(table.rows),
        query={"report": report.pk, "name": report.name, "format": file_format, "spec": report.spec},
    )
    safe_name = re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", report.name)
    file_name = f"{safe_name}-{timezone.localdate():%Y%m%d}.{file_format}"
    return ExportFile(content, file_name, content_type, len(table.rows))
