"""Reading and writing spreadsheets: .xlsx (openpyxl, streaming) and .csv (UTF-8 or GB18030, as Excel saves it).

Rows come out as tuples of cleaned text; numbers that Excel stored as numbers are turned back into text, and
18-digit numbers that Excel has already rounded are reported rather than silently accepted.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from gridgov.errors import ValidationFailed

EXCEL_PRECISION_LOST = "EXCEL_PRECISION_LOST"
UNREADABLE_XLSX = "无法读取 Excel 文件：文件已损坏或含有不允许的内容（如 XML 实体），请用 Excel 另存为 .xlsx 后重新上传"


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if value.is_integer():
            if abs(value) >= 1e15:  # Excel keeps 15 significant digits: an ID number stored as a number is lost
                return EXCEL_PRECISION_LOST
            return str(int(value))
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


@dataclass
class Sheet:
    headers: list[str]
    rows: Iterator[tuple[int, list[str]]]  # (1-based row number in the file, cells)
    total: int | None  # data rows, when known up front


def _csv_encoding(path: Path) -> str:
    with path.open("rb") as handle:
        try:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                chunk.decode("utf-8")  # a multi-byte character split at a chunk edge is tolerated below
        except UnicodeDecodeError as error:
            if error.start < len(chunk) - 3:
                return "gb18030"
    return "utf-8-sig"


def sheet_open(path: Path, file_name: str) -> Sheet:
    """Open an uploaded .xlsx or .csv; raises ValidationFailed for anything else or an unreadable file."""
    suffix = Path(file_name).suffix.lower()
    if suffix == ".xlsx":
        # openpyxl parses through defusedxml (installed): a file with XML entities (a "billion laughs" bomb) is
        # refused while reading, like any damaged file, at load or at any later row.
        try:
            workbook = load_workbook(path, read_only=True, data_only=True)
            worksheet = workbook.worksheets[0]
            values = worksheet.iter_rows(values_only=True)
            headers = [cell_text(value) for value in next(values, ())]
            total = max((worksheet.max_row or 1) - 1, 0) if worksheet.max_row else None
        except Exception:
            raise ValidationFailed(UNREADABLE_XLSX, code="file_unreadable") from None

        def xlsx_rows() -> Iterator[tuple[int, list[str]]]:
            try:
                for number, row in enumerate(values, start=2):
                    cells = [cell_text(value) for value in row]
                    if any(cells):
                        yield number, cells
            except Exception:
                raise ValidationFailed(UNREADABLE_XLSX, code="file_unreadable") from None
            finally:
                workbook.close()

        return Sheet(headers, xlsx_rows(), total)
    if suffix == ".csv":
        encoding = _csv_encoding(path)
        with path.open(encoding=encoding, newline="") as handle:
            total = max(sum(1 for _line in handle) - 1, 0)
        handle = path.open(encoding=encoding, newline="")
        reader = csv.reader(handle)
        headers = [cell.strip() for cell in next(reader, [])]

        def csv_rows() -> Iterator[tuple[int, list[str]]]:
            try:
                for number, row in enumerate(reader, start=2):
                    cells = [cell.strip() for cell in row]
                    if any(cells):
                        yield number, cells
            except (csv.Error, UnicodeDecodeError):
                raise ValidationFailed("无法读取 CSV 文件：内容格式有误", code="file_unreadable") from None
            finally:
                handle.close()

        return Sheet(headers, csv_rows(), total)
    raise ValidationFailed("只支持 .xlsx 和 .csv 文件", code="file_type_unsupported")


# A cell starting with one of these is run as a formula by Excel, WPS or LibreOffice (CSV injection, OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell_safe(value: Any) -> Any:
    """A value to write into a spreadsheet cell: text that a spreadsheet would run as a formula gets a leading
    single quote, so it is shown as the text it is. Every spreadsheet and CSV writer goes through this."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _safe_row(row: Iterable[Any]) -> list[Any]:
    return [cell_safe(value) for value in row]


def csv_write(target: IO[str], headers: list[str], rows: Iterable[Iterable[Any]]) -> None:
    """One CSV table (UTF-8 with BOM, as Excel opens it), every cell neutralised like the .xlsx ones."""
    writer = csv.writer(target)
    writer.writerow(_safe_row(headers))
    for row in rows:
        writer.writerow(_safe_row(cell_text(value) if not isinstance(value, str) else value for value in row))


def csv_bytes(headers: list[str], rows: Iterable[Iterable[Any]]) -> bytes:
    buffer = io.StringIO()
    csv_write(buffer, headers, rows)
    return buffer.getvalue().encode("utf-8-sig")


def workbook_write(
    target: IO[bytes] | Path,
    title: str,
    headers: list[str],
    rows: Iterable[Iterable[Any]],
    *,
    choices: dict[int, list[str]] | None = None,
    notes: list[tuple[str, ...]] | None = None,
) -> None:
    """Write one sheet (streaming for exports; with drop-down lists and a notes sheet for templates)."""
    if choices or notes:
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = title
        sheet.append(_safe_row(headers))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="DDEBF7")
        for index, header in enumerate(headers, start=1):
            sheet.column_dimensions[sheet.cell(1, index).column_letter].width = max(12, len(header) * 2 + 4)
        for row in rows:
            sheet.append(_safe_row(row))
        for index, values in (choices or {}).items():
            letter = sheet.cell(1, index + 1).column_letter
            validation = DataValidation(type="list", formula1='"' + ",".join(values) + '"', allow_blank=True)
            sheet.add_data_validation(validation)
            validation.add(f"{letter}2:{letter}100000")
        if notes:
            help_sheet = workbook.create_sheet("填写说明")
            for note in notes:
                help_sheet.append(_safe_row(note))
            help_sheet.column_dimensions["A"].width = 20
            help_sheet.column_dimensions["D"].width = 80
    else:
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(title)
        sheet.append(_safe_row(headers))
        for row in rows:
            sheet.append(_safe_row(row))
    workbook.save(target)


def workbook_bytes(*args: Any, **kwargs: Any) -> bytes:
    buffer = io.BytesIO()
    workbook_write(buffer, *args, **kwargs)
    return buffer.getvalue()
