"""Exports: the .xlsx continues on a new sheet every 10,000 rows, each with its header bold and frozen; the .csv is
UTF-8 with a byte-order mark; rates as percentages; no cell runs as a formula; every export is an audit row."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from areas.models import Area
from audit.models import AuditEntry
from audit.services import Origin
from reports.exports import ROWS_PER_SHEET, csv_of, report_export, workbook_split
from reports.models import SavedReport
from reports.tests.conftest import spec_of

HEADERS = ["街道", "结案率", "上报数"]
UNITS = ["text", "rate", "count"]


def test_the_workbook_continues_on_a_new_sheet_after_10000_rows():
    rows = ([f"第{index}行", 0.5, index] for index in range(10_001))
    workbook = load_workbook(io.BytesIO(workbook_split("报表", HEADERS, UNITS, rows, frozen_columns=1)))
    assert ROWS_PER_SHEET == 10_000
    assert workbook.sheetnames == ["报表", "报表 (2)"]
    first, second = workbook.worksheets
    assert first.max_row == 10_001 and second.max_row == 2  # each with its header row
    assert [cell.value for cell in second[1]] == HEADERS
    assert [cell.value for cell in second[2]] == ["第10000行", 0.5, 10_000]
    for sheet in (first, second):
        assert all(cell.font.b for cell in sheet[1])
        assert sheet.freeze_panes == "B2"
    assert first["B2"].number_format == "0.00%"


def test_the_split_follows_the_limit_given():
    rows = [["a", None, 1], ["b", 0.25, 2], ["c", 1.0, 3]]
    workbook = load_workbook(io.BytesIO(workbook_split("报表", HEADERS, UNITS, rows, rows_per_sheet=2)))
    assert [sheet.max_row for sheet in workbook.worksheets] == [3, 2]
    assert workbook.worksheets[0]["B2"].value is None  # no denominator: an empty cell, not 0 %
    assert workbook.worksheets[0].freeze_panes == "A2"
    empty = load_workbook(io.BytesIO(workbook_split("报表", HEADERS, UNITS, [])))
    assert [[cell.value for cell in row] for row in empty.worksheets[0].iter_rows()] == [HEADERS]


def test_the_csv_starts_with_a_byte_order_mark_and_writes_rates_as_percentages():
    content = csv_of(HEADERS, UNITS, [["一街道", 0.8, 12], ["=HYPERLINK(1)", None, 0]])
    assert content.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert lines == [HEADERS, ["一街道", "80.00%", "12"], ["'=HYPERLINK(1)", "", "0"]]


def _report(world, **change):
    spec = spec_of(["area:street"], ["rate:close_rate", "count:report"], ["period:month"], **change)
    return SavedReport.objects.create(name="街道/结案率", owner=world.user("street_leader"), spec=spec)


def test_a_report_exports_its_table_and_the_export_is_audited(facts):
    world = facts.world
    report = _report(world)
    leader = Origin(world.user("street_leader"), "page", "/reports/1/export/")
    exported = report_export(leader, report, "xlsx", rows_per_sheet=1)
    assert exported.file_name.startswith("街道_结案率-") and exported.file_name.endswith(".xlsx")
    workbook = load_workbook(io.BytesIO(exported.content))
    # The street leader covers street 1 only: one row, then the totals row, one per sheet.
    assert len(workbook.worksheets) == 2
    header = [cell.value for cell in workbook.worksheets[0][1]]
    assert header[:3] == ["街道", "2026年1月 · 结案率", "2026年1月 · 上报数"]
    assert header[-2:] == ["合计 · 结案率", "合计 · 上报数"]
    street = [cell.value for cell in workbook.worksheets[0][2]]
    assert street[:3] == ["一街道", 0.8, 6]
    assert street[-2:] == [0.8, 7]
    assert workbook.worksheets[1]["A2"].value == "合计"
    entry = AuditEntry.objects.get(action="export", object_type="reports.savedreport")
    assert entry.actor == world.user("street_leader")
    assert entry.detail["count"] == 1 and entry.detail["query"]["report"] == report.pk
    assert entry.detail["query"]["format"] == "xlsx"


def test_a_shared_report_exports_the_numbers_of_whoever_exports_it(facts):
    world = facts.world
    report = _report(world)
    administrator = Origin(world.user("administrator"), "page")
    content = report_export(administrator, report, "csv").content.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(content)))
    assert [line[0] for line in lines] == ["街道", "一街道", "二街道", "合计"]
    assert lines[-1][-1] == "12"


def test_names_that_look_like_formulas_are_written_as_text(facts):
    world = facts.world
    Area.objects.filter(pk=world.areas["110101001"].pk).update(name="=1+2")
    report = _report(world)
    content = report_export(Origin(world.user("street_leader"), "page"), report, "csv").content.decode("utf-8-sig")
    assert "\n'=1+2," in content.replace("\r\n", "\n")
