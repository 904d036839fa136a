"""A bulletin as a PDF laid out after GB/T 9704-2012 (党政机关公文格式), with its Chinese font embedded.

- A4 (210 × 297 mm); the text block (版心) 156 × 225 mm, 37 mm from the top edge and 28 mm from the left;
- the title in 2号 (22 pt) bold serif, centred; body text in 3号 (16 pt) on the standard's grid of 22 lines of 28
  characters per page (characters step 156/28 mm, lines 225/22 mm; a paragraph's first line indented two);
- page numbers "— N —" in 4号 (14 pt) 7 mm below the text block, right on odd pages and left on even ones, one
  character in from the edge;
- tables in 5号 (10.5 pt) or smaller for wide ones; a table that runs over a page repeats its header row.

The font is Noto Serif SC (SIL Open Font License 1.1) from the npm package ``@expo-google-fonts/noto-serif-sc``,
installed at setup (``package.json``) and read from ``settings.BULLETIN_FONT``/``BULLETIN_FONT_BOLD``; reportlab
embeds the glyphs used as TrueType subsets (``/FontFile2``) with their Unicode map, so the text can be searched and
copied. Without the font files the PDF is refused with ``pdf_font_missing`` (nothing is fetched at run time).
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils.translation import gettext as _
from reportlab.platypus import Flowable

from bulletins.figures import CHANGE, COUNT, FIGURE, HOURS, KM, RANK, RATE, TEXT, changes_table
from bulletins.formatting import cell_text
from gridgov.errors import DomainError

MM = 72 / 25.4
PAGE_WIDTH, PAGE_HEIGHT = 210 * MM, 297 * MM
LEFT, TOP = 28 * MM, 37 * MM
TEXT_WIDTH, TEXT_HEIGHT = 156 * MM, 225 * MM
BOTTOM = PAGE_HEIGHT - TOP - TEXT_HEIGHT
LINES_PER_PAGE, CHARS_PER_LINE = 22, 28
LINE_PITCH = TEXT_HEIGHT / LINES_PER_PAGE
CHAR_PITCH = TEXT_WIDTH / CHARS_PER_LINE
TITLE_SIZE, BODY_SIZE, PAGE_NUMBER_SIZE, TABLE_SIZE = 22.0, 16.0, 14.0, 10.5
REGULAR, BOLD = "GridgovSerif", "GridgovSerif-Bold"
#: Punctuation that may not begin a line (避头): it stays at the end of the line before, in the margin.
NO_LINE_START = frozenset("，。、；：？！）》」』”’〉】…%,.;:?!)]")
NUMERALS = "一二三四五六七八九十"


class FontMissing(DomainError):
    """The PDF's font is not installed (the server's set-up was not run)."""

    code = "pdf_font_missing"
    status = 503


_registered: set[str] = set()


def fonts_register() -> tuple[str, str]:
    """Register the regular and the bold font once per process; refuse clearly when a file is missing."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    for name, path in ((REGULAR, Path(settings.BULLETIN_FONT)), (BOLD, Path(settings.BULLETIN_FONT_BOLD))):
        if name in _registered:
            continue
        if not path.is_file():
            raise FontMissing(
                _(
                    "通报 PDF 所需的中文字体文件不存在：%(path)s。请运行 python3 dev.py setup 安装 npm 包 "
                    "@expo-google-fonts/noto-serif-sc，或用 GRIDGOV_BULLETIN_FONT、GRIDGOV_BULLETIN_FONT_BOLD "
                    "指定 TrueType 字体文件。"
                )
                % {"path": path}
            )
        pdfmetrics.registerFont(TTFont(name, str(path)))
        _registered.add(name)
    return REGULAR, BOLD


def _advance(character: str, font: str, size: float, char_space: float) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return stringWidth(character, font, size) + char_space


def text_lines(
    text: str, width: float, *, font: str, size: float, char_space: float, indent: float = 0.0
) -> list[tuple[float, str]]:
    """Break ``text`` into lines of at most ``width`` points (each character advancing its width plus
    ``char_space``), the first line starting ``indent`` in; a character that may not begin a line hangs at the end
    of the line before. Returns (x offset, line) pairs; ``\\n`` starts a new paragraph, indented again."""
    lines: list[tuple[float, str]] = []
    for paragraph in text.split("\n"):
        offset, used, current = indent, indent, ""
        for character in paragraph:
            step = _advance(character, font, size, char_space)
            if current and used + step > width + 0.01 and character not in NO_LINE_START:
                lines.append((offset, current))
                offset, used, current = 0.0, 0.0, ""
            current += character
            used += step
        lines.append((offset, current))
    return lines


def line_width(line: str, font: str, size: float, char_space: float) -> float:
    return sum(_advance(character, font, size, char_space) for character in line)


class GridText(Flowable):
    """Text on the standard's line grid: each line one pitch (225/22 mm) high; body text compressed so that 28
    characters of 3号 fill the 156 mm line. Splits between lines across pages."""

    def __init__(
        self,
        text: str = "",
        *,
        font: str = REGULAR,
        size: float = BODY_SIZE,
        indent_chars: float = 2,
        align: str = "left",
        on_grid: bool = True,
        lines: list[tuple[float, str]] | None = None,
    ) -> None:
        super().__init__()
        self.text = text
        self.font = font
        self.size = size
        self.indent_chars = indent_chars
        self.align = align
        self.on_grid = on_grid
        self.char_space = CHAR_PITCH - size if on_grid else 0.0
        self.lines = lines
        self.width = TEXT_WIDTH
        self.height = 0.0

    def _broken(self, width: float) -> list[tuple[float, str]]:
        if self.lines is None:
            indent = self.indent_chars * (CHAR_PITCH if self.on_grid else self.size)

            def broken(within: float) -> list[tuple[float, str]]:
                return text_lines(
                    self.text, within, font=self.font, size=self.size, char_space=self.char_space, indent=indent
                )

            lines = broken(width)
            if self.align == "center" and len(lines) > 1:
                # A centred title's lines of about equal length (no line of one or two characters at the end).
                whole = line_width(self.text, self.font, self.size, self.char_space)
                balanced = broken(whole / len(lines) + self.size)
                lines = balanced if len(balanced) == len(lines) else lines
            self.lines = lines
        return self.lines

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        self.height = len(self._broken(available_width)) * LINE_PITCH
        return self.width, self.height

    def _copy(self, lines: list[tuple[float, str]]) -> GridText:
        return GridText(
            font=self.font,
            size=self.size,
            indent_chars=self.indent_chars,
            align=self.align,
            on_grid=self.on_grid,
            lines=lines,
        )

    def split(self, available_width: float, available_height: float) -> list[Any]:
        lines = self._broken(available_width)
        fits = int(available_height / LINE_PITCH + 1e-6)
        if fits <= 0:
            return []
        if fits >= len(lines):
            return [self]
        return [self._copy(lines[:fits]), self._copy(lines[fits:])]

    def draw(self) -> None:
        canvas = self.canv
        lines = self.lines or []
        baseline = (LINE_PITCH - self.size) / 2 + 0.12 * self.size
        for index, (offset, line) in enumerate(lines):
            x = offset
            if self.align == "center":
                x = (self.width - line_width(line, self.font, self.size, self.char_space)) / 2
            y = self.height - (index + 1) * LINE_PITCH + baseline
            text = canvas.beginText(x, y)
            text.setFont(self.font, self.size)
            text.setCharSpace(self.char_space)
            text.textOut(line)
            canvas.drawText(text)


def _page_number(canvas: Any, document: Any) -> None:
    """ "— N —" 7 mm below the text block: right on odd pages, left on even ones, one character in."""
    number = document.page
    label = f"— {number} —"
    canvas.saveState()
    canvas.setFont(REGULAR, PAGE_NUMBER_SIZE)
    y = BOTTOM - 7 * MM - PAGE_NUMBER_SIZE * 0.88
    if number % 2:
        canvas.drawRightString(LEFT + TEXT_WIDTH - PAGE_NUMBER_SIZE, y, label)
    else:
        canvas.drawString(LEFT + PAGE_NUMBER_SIZE, y, label)
    canvas.restoreState()


#: Font sizes tried for a table, 5号 first, until its columns fit the line.
TABLE_SIZES = (TABLE_SIZE, 9.0, 8.0, 7.5, 7.0)
CELL_PADDING = 4.0


def table_layout(columns: Sequence[Mapping[str, Any]], texts: Sequence[Sequence[str]]) -> tuple[float, list[float]]:
    """The font size and the column widths of a table: every figure on one line (a header may wrap at two
    characters), text columns at least four characters wide; the largest size where that fits the 156 mm, the
    columns then widened in proportion to fill it."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    for size in TABLE_SIZES:
        needs, floors = [], []
        for index, column in enumerate(columns):
            widest = max((stringWidth(text[index], REGULAR, size) for text in texts), default=0.0)
            if column["unit"] == TEXT:
                floor = 4 * size + CELL_PADDING
                needs.append(max(min(widest, 14 * size) + CELL_PADDING, floor))
                floors.append(floor)
            else:
                need = max(widest, 2 * size) + CELL_PADDING
                needs.append(need)
                floors.append(need)
        if sum(floors) > TEXT_WIDTH and size != TABLE_SIZES[-1]:
            continue
        total = sum(needs)
        if total <= TEXT_WIDTH:
            return size, [need * TEXT_WIDTH / total for need in needs]
        # Too wide: the text columns give up room, down to their floor.
        spare = TEXT_WIDTH - sum(floor for floor, column in zip(floors, columns, strict=True) if column["unit"] != TEXT)
        text_needs = sum(need for need, column in zip(needs, columns, strict=True) if column["unit"] == TEXT)
        return size, [
            need * spare / text_needs if column["unit"] == TEXT else need
            for need, column in zip(needs, columns, strict=True)
        ]
    raise AssertionError("unreachable")  # pragma: no cover - the last size always returns


NUMERIC = frozenset({COUNT, RATE, KM, HOURS, CHANGE, FIGURE, RANK})


def table_flowable(table: Mapping[str, Any]) -> Any:
    """A bulletin table as a reportlab table with its header row repeated on every page it runs over."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, Table, TableStyle

    columns = table["columns"]
    texts = [[cell_text(column, row) for column in columns] for row in table["rows"]]
    size, widths = table_layout(columns, texts)
    base = ParagraphStyle("cell", fontName=REGULAR, fontSize=size, leading=size * 1.3, wordWrap="CJK")
    head = ParagraphStyle("head", parent=base, fontName=BOLD, alignment=TA_CENTER)
    text = ParagraphStyle("text", parent=base, alignment=TA_LEFT)
    group = ParagraphStyle("group", parent=text, fontName=BOLD)
    number = ParagraphStyle("number", parent=base, alignment=TA_RIGHT)
    data: list[list[Any]] = [[Paragraph(escape(str(column["label"])), head) for column in columns]]
    commands: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.92, 0.92, 0.92)),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
    ]
    for index, (row, row_texts) in enumerate(zip(table["rows"], texts, strict=True), start=1):
        cells = []
        for column, text_value in zip(columns, row_texts, strict=True):
            value = escape(text_value)
            if column["unit"] == TEXT:
                indented = "\u3000" + value if row.get("level") == 2 and column is columns[0] else value
                cells.append(Paragraph(indented, group if row.get("level") == 1 else text))
            else:
                cells.append(Paragraph(value, number))
        data.append(cells)
        if row.get("level") == 1:
            commands.append(("BACKGROUND", (0, index), (-1, index), colors.Color(0.97, 0.97, 0.97)))
    if not table["rows"]:
        data.append([Paragraph(escape(_("本期无数据")), text)] + [""] * (len(columns) - 1))
        commands.append(("SPAN", (0, 1), (-1, 1)))
    flowable = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    flowable.setStyle(TableStyle(commands))
    return flowable


def _note(text: str) -> Any:
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph

    style = ParagraphStyle("note", fontName=REGULAR, fontSize=TABLE_SIZE, leading=TABLE_SIZE * 1.5, wordWrap="CJK")
    return Paragraph(escape(text), style)


def numeral(index: int) -> str:
    """一, 二 … 十, 十一 … (section numbers of a 公文)."""
    if index <= 10:
        return NUMERALS[index - 1]
    tens, ones = divmod(index, 10)
    return (NUMERALS[tens - 1] if tens > 1 else "") + "十" + (NUMERALS[ones - 1] if ones else "")


def bulletin_pdf(
    title: str, subtitle: str, content: Mapping[str, Any], changes: list[dict[str, Any]] | None = None
) -> bytes:
    """The PDF of a bulletin's document (``content`` as the reader may see it)."""
    from reportlab.platypus import BaseDocTemplate, Frame, PageBreak, PageTemplate, Spacer

    _regular, bold = fonts_register()
    story: list[Any] = [
        GridText(title, font=bold, size=TITLE_SIZE, indent_chars=0, align="center", on_grid=False),
        GridText(subtitle, indent_chars=0, align="center"),
        Spacer(1, LINE_PITCH),
        GridText(str(content.get("headline", ""))),
    ]
    story.extend(GridText(str(paragraph)) for paragraph in content.get("paragraphs", []))
    tables = list(content.get("tables", []))
    section = 0
    for table in (table for table in tables if not table.get("personal")):
        section += 1
        story.append(GridText(f"{numeral(section)}、{table['title']}", font=bold))
        story.append(table_flowable(table))
        if table.get("note"):
            story.append(_note(str(table["note"])))
        story.append(Spacer(1, LINE_PITCH / 2))
    if changes:
        section += 1
        story.append(GridText(f"{numeral(section)}、{_('更正说明')}", font=bold))
        story.append(table_flowable(changes_table(changes)))
    for table in (table for table in tables if table.get("personal")):
        story.append(PageBreak())
        story.append(GridText(_("附件"), font=bold, indent_chars=0))
        heading = str(table["title"]).removeprefix(_("附件："))
        story.append(GridText(heading, font=bold, size=TITLE_SIZE, indent_chars=0, align="center", on_grid=False))
        story.append(table_flowable(table))
        if table.get("note"):
            story.append(_note(str(table["note"])))
    buffer = io.BytesIO()
    document = BaseDocTemplate(
        buffer,
        pagesize=(PAGE_WIDTH, PAGE_HEIGHT),
        leftMargin=LEFT,
        rightMargin=PAGE_WIDTH - LEFT - TEXT_WIDTH,
        topMargin=TOP,
        bottomMargin=BOTTOM,
        title=title,
        author="gridgov",
        subject=subtitle,
        creator="gridgov",
    )
    frame = Frame(
        LEFT,
        BOTTOM,
        TEXT_WIDTH,
        TEXT_HEIGHT,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="text-block",
    )
    document.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=_page_number)])
    document.build(story)
    return buffer.getvalue()
