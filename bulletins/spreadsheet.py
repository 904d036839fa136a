""".xlsx (openpyxl) and CSV of a bulletin: the workbook has a sheet 通报 (title, period, area, version and the
headline), then one sheet per table (its header row bold and frozen; a table past ``SHEET_ROWS`` rows goes on
in ``表名 (2)``, ``表名 (3)``…), then 更正说明 for a correction. Counts and rates are numbers (rates in percent with
two decimals), so they can be summed and charted. A CSV holds one table (UTF-8 with a byte-order mark, for Excel).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeVar

from django.utils.translation import gettext as _

from bulletins.figures import CHANGE, HOURS, KM, RATE, TEXT, changes_table
from bulletins.formatting import unit_of

#: Rows of one sheet, as JimuReport splits its exports (Excel itself holds 1,048,576).
SHEET_ROWS = 10_000
SHEET_NAME_MAX = 31
_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
Row = TypeVar("Row")


def sheet_name(title: str, part: int = 1) -> str:
    """A sheet's name from a table's title: Excel's forbidden characters replaced, 31 characters at most, and
    `` (2)``, `` (3)``… for the parts after the first."""
    suffix = f" ({part})" if part > 1 else ""
    clean = _FORBIDDEN.sub("_", str(title)).strip("'") or _("表")
    return clean[: SHEET_NAME_MAX - len(suffix)] + suffix


def sheet_parts(title: str, rows: Sequence[Row], limit: int = SHEET_ROWS) -> list[tuple[str, Sequence[Row]]]:
    """A table's rows split into sheets of at most ``limit`` rows each: ``表名``, ``表名 (2)``… (one empty sheet
    for a table without rows)."""
    if limit < 1:
        raise ValueError("limit must be positive")
    if not rows:
        return [(sheet_name(title), rows)]
    return [
        (sheet_name(title, index + 1), rows[start : start + limit])
        for index, start in enumerate(range(0, len(rows), limit))
    ]


def _number_format(unit: str, row_unit: str | None) -> str:
    if unit == RATE:
        return '0.00"%"'
    if unit == CHANGE:
        return '+0.00"个百分点";-0.00"个百分点";0.00"个百分点"' if row_unit == RATE else '+0.00"%";-0.00"%";0.00"%"'
    if unit == KM:
        return "0.00"
    if unit == HOURS:
        return "0.0"
    return "0"


def _unique(name: str, taken: set[str]) -> str:
    candidate, number = name, 2
    while candidate.lower() in taken:
        tail = f"~{number}"
        candidate = name[: SHEET_NAME_MAX - len(tail)] + tail
        number += 1
    taken.add(candidate.lower())
    return candidate


def bulletin_workbook(
    overview: Iterable[tuple[str, str]],
    tables: Iterable[Mapping[str, Any]],
    changes: list[dict[str, Any]] | None = None,
    *,
    limit: int = SHEET_ROWS,
) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    bold = Font(bold=True)
    taken: set[str] = set()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _unique(sheet_name(_("通报")), taken)
    sheet.append([_("项目"), _("内容")])
    for label, value in overview:
        sheet.append([label, value])
    sheet.column_dimensions["A"].width = 14
    sheet.column_dimensions["B"].width = 100
    for cell in sheet[1]:
        cell.font = bold
    for row in sheet.iter_rows(min_row=2):
        row[1].alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    all_tables = list(tables)
    if changes:
        all_tables.append(changes_table(changes))
    for table in all_tables:
        columns = table["columns"]
        for name, rows in sheet_parts(str(table["title"]), table["rows"], limit):
            part = workbook.create_sheet(_unique(name, taken))
            part.append([str(column["label"]) for column in columns])
            for cell in part[1]:
                cell.font = bold
            part.freeze_panes = "A2"
            for row in rows:
                values = []
                for column in columns:
                    value = row["cells"].get(column["key"])
                    if column["unit"] == TEXT and row.get("level") == 2 and column is columns[0]:
                        value = "\u3000" + str(value or "")
                    values.append(value)
                part.append(values)
                for cell, column in zip(part[part.max_row], columns, strict=True):
                    if column["unit"] != TEXT:
                        cell.number_format = _number_format(unit_of(column, row), row.get("unit"))
                    elif row.get("level") == 1:
                        cell.font = bold
            for index, column in enumerate(columns, start=1):
                letter = part.cell(row=1, column=index).column_letter
                part.column_dimensions[letter].width = 22 if column["unit"] == TEXT else 12
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def table_csv(table: Mapping[str, Any]) -> bytes:
    """One table as CSV: the header row, then the figures (rates in percent, "%" in their header)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    columns = table["columns"]
    writer.writerow([str(column["label"]) + ("（%）" if column["unit"] == RATE else "") for column in columns])
    for row in table["rows"]:
        writer.writerow(
            ["" if row["cells"].get(column["key"]) is None else row["cells"][column["key"]] for column in columns]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
