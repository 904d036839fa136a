"""The files of a bulletin: the PDF after GB/T 9704 (A4, the 22 × 28 grid, page numbers, the Chinese font embedded
and its text extractable, a long table's header repeated), the refusal without the font, the .xlsx (a sheet per
table, header bold and frozen, split at the row limit) and the CSV of one table; per-person tables only for those
who may read other people's figures."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from audit.models import AuditEntry
from audit.services import Origin
from bulletins import pdf
from bulletins.exports import bulletin_export
from bulletins.services import bulletin_publish
from bulletins.spreadsheet import bulletin_workbook, sheet_parts
from gridgov.errors import DomainError

OCTOBER = dt.date(2026, 10, 14)


@pytest.fixture
def bulletin(facts, world):
    facts.cases(OCTOBER, 12, closed=9, closed_on_time=6)
    facts.cases(OCTOBER, 4, closed=4, closed_on_time=4, grid=world.grid_c)
    return bulletin_publish("month", "2026-10", "110101").bulletin


def _pdf_of(world, bulletin, persona="administrator") -> PdfReader:
    exported = bulletin_export(Origin(world.user(persona)), bulletin, "pdf")
    assert exported.content_type == "application/pdf" and exported.file_name.endswith("-v1.pdf")
    return PdfReader(io.BytesIO(exported.content))


def test_the_pdf_embeds_its_chinese_font_and_its_text_can_be_read(world, bulletin):
    reader = _pdf_of(world, bulletin)
    descriptors = [
        font.get_object()["/FontDescriptor"].get_object()
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
        if "/FontDescriptor" in font.get_object()
    ]
    assert descriptors and all("/FontFile2" in descriptor for descriptor in descriptors)
    assert {str(descriptor["/FontName"]).split("+")[-1] for descriptor in descriptors} == {
        "NotoSerifSC-Regular",
        "NotoSerifSC-Bold",
    }
    first = reader.pages[0].extract_text().replace("\n", "")
    assert "测试区2026年10月网格化管理工作月评比通报" in first
    assert "主要指标" in first and "— 1 —" in first
    assert reader.metadata.title == bulletin.title


def test_the_pdf_page_is_a4_with_the_standard_s_text_block():
    assert (round(pdf.PAGE_WIDTH, 1), round(pdf.PAGE_HEIGHT, 1)) == (595.3, 841.9)
    assert (round(pdf.LEFT / pdf.MM), round(pdf.TOP / pdf.MM)) == (28, 37)
    assert (round(pdf.TEXT_WIDTH / pdf.MM), round(pdf.TEXT_HEIGHT / pdf.MM)) == (156, 225)
    assert (
        pdf.numeral(1) == "一" and pdf.numeral(10) == "十" and pdf.numeral(12) == "十二" and pdf.numeral(21) == "二十一"
    )


def test_body_text_runs_28_characters_a_line_and_22_lines_a_page():
    pdf.fonts_register()
    paragraph = pdf.GridText("网" * (28 * 30), indent_chars=0)
    _width, height = paragraph.wrap(pdf.TEXT_WIDTH, pdf.TEXT_HEIGHT)
    assert [len(line) for _offset, line in paragraph.lines] == [28] * 30
    assert height == pytest.approx(30 * pdf.TEXT_HEIGHT / 22)
    first, rest = paragraph.split(pdf.TEXT_WIDTH, pdf.TEXT_HEIGHT)
    assert (len(first.lines), len(rest.lines)) == (22, 8)
    indented = pdf.GridText("网" * 30)
    indented.wrap(pdf.TEXT_WIDTH, pdf.TEXT_HEIGHT)
    assert [len(line) for _offset, line in indented.lines] == [26, 4]
    hanging = pdf.GridText("网" * 28 + "。后", indent_chars=0)
    hanging.wrap(pdf.TEXT_WIDTH, pdf.TEXT_HEIGHT)
    assert [line for _offset, line in hanging.lines] == ["网" * 28 + "。", "后"]  # 。 never starts a line


def test_a_long_table_repeats_its_header_on_every_page(world, bulletin):
    content = dict(bulletin.content)
    long = {
        "key": "long",
        "title": "长表",
        "personal": False,
        "note": "",
        "columns": [
            {"key": "name", "label": "名称列", "unit": "text"},
            {"key": "n", "label": "数量列", "unit": "count"},
        ],
        "rows": [{"key": str(i), "cells": {"name": f"第{i}行", "n": i}} for i in range(200)],
    }
    content["tables"] = [long]
    reader = PdfReader(io.BytesIO(pdf.bulletin_pdf("长表测试", "（测试）", content)))
    assert len(reader.pages) >= 3
    for number, page in enumerate(reader.pages, start=1):
        text = page.extract_text()
        assert "名称列" in text and f"— {number} —" in text


def test_without_the_font_the_pdf_is_refused_with_a_clear_message(world, bulletin, settings, monkeypatch):
    monkeypatch.setattr(pdf, "_registered", set())
    settings.BULLETIN_FONT = settings.BASE_DIR / "no-such-font.ttf"
    response = world.client("administrator").get(f"/bulletins/{bulletin.pk}/pdf")
    assert response.status_code == 503
    page = response.content.decode()
    assert "no-such-font.ttf" in page and "@expo-google-fonts/noto-serif-sc" in page
    with pytest.raises(DomainError) as refused:
        pdf.fonts_register()
    assert refused.value.code == "pdf_font_missing"


def test_the_workbook_has_a_sheet_per_table_with_a_bold_frozen_header(world, bulletin):
    exported = bulletin_export(Origin(world.user("administrator")), bulletin, "xlsx")
    workbook = load_workbook(io.BytesIO(exported.content))
    titles = [table["title"] for table in bulletin.content["tables"]]
    assert workbook.sheetnames == ["通报", *titles]
    sheet = workbook["主要指标"]
    assert [cell.value for cell in sheet[1]] == ["指标", "本期", "上期", "环比", "去年同期", "同比"]
    assert all(cell.font.bold for cell in sheet[1]) and sheet.freeze_panes == "A2"
    assert [cell.value for cell in sheet[2]][:2] == ["上报问题", 16]
    close = next(row for row in sheet.iter_rows(min_row=2) if row[0].value == "结案率")
    assert close[1].value == 81.25 and close[1].number_format == '0.00"%"'
    overview = {row[0].value: row[1].value for row in workbook["通报"].iter_rows(min_row=2)}
    assert overview["标题"] == bulletin.title and overview["概况"].startswith("2026年10月，测试区共上报问题16件")
    assert AuditEntry.objects.filter(object_id=str(bulletin.pk), action="export").exists()


def test_a_table_longer_than_the_limit_goes_on_in_numbered_sheets():
    rows = list(range(5))
    assert [(name, list(part)) for name, part in sheet_parts("按区域", rows, limit=2)] == [
        ("按区域", [0, 1]),
        ("按区域 (2)", [2, 3]),
        ("按区域 (3)", [4]),
    ]
    assert sheet_parts("空表", [], limit=2) == [("空表", [])]
    assert sheet_parts("a" * 40, rows, limit=4)[1][0] == "a" * 27 + " (2)"  # Excel's 31 characters
    assert sheet_parts("按:区/域?", rows, limit=10)[0][0] == "按_区_域_"
    table = {
        "key": "t",
        "title": "网格",
        "columns": [{"key": "name", "label": "名称", "unit": "text"}, {"key": "n", "label": "数", "unit": "count"}],
        "rows": [{"key": str(i), "cells": {"name": f"网格{i}", "n": i}} for i in range(5)],
    }
    workbook = load_workbook(io.BytesIO(bulletin_workbook([("标题", "测试")], [table], limit=2)))
    assert workbook.sheetnames == ["通报", "网格", "网格 (2)", "网格 (3)"]
    assert [[cell.value for cell in row] for row in workbook["网格 (3)"].iter_rows()] == [["名称", "数"], ["网格4", 4]]
    assert workbook["网格 (2)"].freeze_panes == "A2" and workbook["网格 (2)"]["A1"].font.bold


def test_the_csv_holds_one_table(world, bulletin):
    response = world.client("administrator").get(f"/bulletins/{bulletin.pk}/csv?table=by_area")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = response.getvalue().decode("utf-8")
    assert text.startswith("\ufeff区域,排名,上报数")
    assert "结案率（%）" in text.splitlines()[0]
    assert re.search(r"^一街道,2,12,12,9,12,75\.0,", text.splitlines()[1])
    missing = world.client("administrator").get(f"/bulletins/{bulletin.pk}/csv?table=nothing")
    assert missing.status_code == 404


def test_per_person_tables_are_for_those_who_read_other_people_s_figures(world, bulletin):
    administrator = load_workbook(
        io.BytesIO(bulletin_export(Origin(world.user("administrator")), bulletin, "xlsx").content)
    )
    dispatcher = load_workbook(io.BytesIO(bulletin_export(Origin(world.user("dispatcher")), bulletin, "xlsx").content))
    assert "附件：网格员工作情况" in administrator.sheetnames
    assert "附件：网格员工作情况" not in dispatcher.sheetnames
    assert "网格员工作情况" not in "".join(page.extract_text() for page in _pdf_of(world, bulletin, "dispatcher").pages)
    assert world.client("dispatcher").get(f"/bulletins/{bulletin.pk}/csv?table=workers").status_code == 404
    page = world.client("dispatcher").get(f"/bulletins/{bulletin.pk}/").content.decode()
    assert "网格员工作情况" not in page and "worker_a" not in page
    assert "worker_a" in world.client("administrator").get(f"/bulletins/{bulletin.pk}/").content.decode()
