"""A ranking as .xlsx: the lines the viewer sees on the page, each indicator with its numerator, denominator and the
period before, rates to 2 decimals (no cell a spreadsheet would run as a formula: ``registry.tabular``)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext as _

from evaluation.choices import RankingKind
from evaluation.rankings import Cell, Line, Ranking
from registry.tabular import workbook_bytes


def _number(value: float | None) -> Any:
    if value is None:
        return ""
    return int(value) if float(value).is_integer() else round(value, 2)


def _cell_values(cell: Cell) -> list[Any]:
    value = cell.now.value
    return [
        _number(cell.shown),
        _number(value.numerator),
        _number(value.denominator) if not cell.column.is_count else "",
        _number(cell.now.score),
        _number(cell.shown_before),
    ]


def _headers(ranking: Ranking) -> list[str]:
    headers = [_("排名"), _("名称"), _("单位")]
    if ranking.kind == RankingKind.DEPARTMENT:
        headers.insert(1, _("层级"))
    for column in ranking.columns:
        shown = column.label if column.is_count else f"{column.label}（%）"
        headers += [
            shown,
            column.numerator_label or _("%(label)s·分子") % {"label": column.label},
            column.denominator_label or _("%(label)s·分母") % {"label": column.label},
            _("%(label)s·得分") % {"label": column.label},
            _("%(label)s·上期") % {"label": column.label},
        ]
    return [*headers, _("综合指标值"), _("等级"), _("上期综合指标值"), _("上期排名"), _("排名变化"), _("考核方案")]


def _row(ranking: Ranking, line: Line) -> list[Any]:
    subject = line.subject
    row: list[Any] = [line.rank or "", subject.name, subject.unit]
    if ranking.kind == RankingKind.DEPARTMENT:
        row.insert(1, _("中队") if subject.level == 2 else _("大队"))
    for cell in line.cells:
        row += _cell_values(cell)
    return [
        *row,
        _number(line.now.composite),
        line.now.grade or "",
        _number(line.before.composite),
        line.rank_before or "",
        line.rank_change if line.rank_change is not None else "",
        str(line.scheme),
    ]


def ranking_workbook(ranking: Ranking) -> tuple[bytes, int]:
    """The .xlsx of ``ranking`` and how many lines it holds."""
    lines = ranking.rows()

    def rows() -> Iterator[list[Any]]:
        for line in lines:
            yield _row(ranking, line)

    title = re.sub(r"[\\*?:/\[\]]", "-", f"{RankingKind(ranking.kind).label} {ranking.period.key}")[:31]
    return workbook_bytes(title, _headers(ranking), rows()), len(lines)
