"""The arithmetic and the table shape of a bulletin.

A bulletin's tables are plain JSON (they are frozen into :attr:`Bulletin.content`): each has a ``key``, a
``title``, ``columns`` (``key``, ``label``, ``unit``, and for counts the ``measure`` behind them) and ``rows``
(``key``, ``cells`` by column, the ``filters`` that select the row's facts, and for two-level tables a ``level``).
Every figure is a number (or ``None`` where there is none): counts as integers, rates as percents rounded to two
decimals, changes as percents (counts) or percentage points (rates). ``personal`` tables hold per-person figures.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from stats.indicators import Sums, indicators_of

#: Units of a column (how a figure is written). A ``figure`` column holds counts or rates as its row's ``unit``
#: says, and so does a ``change`` column (percent of a count, percentage points of a rate).
TEXT, COUNT, RATE, KM, HOURS, CHANGE, FIGURE, RANK = "text", "count", "rate", "km", "hours", "change", "figure", "rank"


def rate_percent(sums: Sums, code: str) -> float | None:
    """An indicator's rate as a percent to two decimals; ``None`` without a denominator."""
    return indicators_of(sums, [code])[code].percent


def indicator_count(sums: Sums, code: str) -> int:
    return int(indicators_of(sums, [code])[code].numerator)


def ratio_percent(numerator: float, denominator: float) -> float | None:
    return round(numerator / denominator * 100, 2) if denominator else None


def count_change(current: float | None, previous: float | None) -> float | None:
    """环比/同比 of a count: the change in percent of the earlier figure (``None`` when that is 0 or missing)."""
    if current is None or previous is None or previous == 0:
        return None
    return round((current - previous) / previous * 100, 2)


def rate_change(current: float | None, previous: float | None) -> float | None:
    """环比/同比 of a rate: the difference in percentage points (``None`` when either rate is missing)."""
    if current is None or previous is None:
        return None
    return round(current - previous, 2)


def change_of(unit: str, current: float | None, previous: float | None) -> float | None:
    return rate_change(current, previous) if unit == RATE else count_change(current, previous)


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    unit: str = COUNT
    measure: str = ""  # the fact measure a count opens (the cases behind the number)
    period: str = ""  # "previous" (上期) or "year_ago" (同期) for a figure of another period than the bulletin's
    names: bool = False  # a text column naming the figures to its right (a row of two indicators, 郑州 style)

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"key": self.key, "label": str(self.label), "unit": self.unit}
        if self.measure:
            data["measure"] = self.measure
        if self.period:
            data["period"] = self.period
        if self.names:
            data["names"] = True
        return data


@dataclass
class Table:
    key: str
    title: str
    columns: list[Column]
    personal: bool = False
    note: str = ""
    rows: list[dict[str, Any]] = field(default_factory=list)

    def add(
        self,
        key: str,
        cells: Mapping[str, Any],
        *,
        filters: Mapping[str, Any] | None = None,
        level: int | None = None,
        unit: str | None = None,
        measures: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """A row; ``unit`` is the unit of its change columns (a table of mixed counts and rates), ``measures``
        the measure behind a cell where it is not the column's."""
        row: dict[str, Any] = {"key": key, "cells": {column.key: cells.get(column.key) for column in self.columns}}
        if filters:
            row["filters"] = dict(filters)
        if level is not None:
            row["level"] = level
        if unit:
            row["unit"] = unit
        if measures:
            row["measures"] = dict(measures)
        self.rows.append(row)
        return row

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": str(self.title),
            "personal": self.personal,
            "note": str(self.note),
            "columns": [column.as_dict() for column in self.columns],
            "rows": self.rows,
        }


def competition_ranks(keys: Iterable[tuple[Any, tuple[Any, ...]]]) -> dict[Any, int]:
    """Ranks "1, 1, 3" of ``(key, score)`` pairs already sorted best first: equal scores share a rank."""
    ranks: dict[Any, int] = {}
    last: tuple[Any, ...] | None = None
    rank = 0
    for position, (key, score) in enumerate(keys, start=1):
        if score != last:
            rank, last = position, score
        ranks[key] = rank
    return ranks


def top_and_bottom(ranked: list[Any], most: int = 3) -> tuple[list[Any], list[Any]]:
    """The first and the last of a list ranked best first, at most ``most`` each and never the same unit twice
    (of two units one is top and one bottom; of four, two and two)."""
    top = ranked[: min(most, (len(ranked) + 1) // 2)]
    rest = ranked[len(top) :]
    return top, rest[-most:] if rest else []


# --- Figures of a table, to compare two versions ------------------------------------------------------------------
def table_figures(tables: Iterable[Mapping[str, Any]]) -> dict[tuple[str, str, str], dict[str, Any]]:
    """Every figure of the tables by (table, row, column) key, with the labels a reader knows them by."""
    figures: dict[tuple[str, str, str], dict[str, Any]] = {}
    for table in tables:
        labels: dict[str, str] = {}
        beside = ""
        for column in table["columns"]:
            # 上期 beside a rate reads "结案率（上期）"
            labels[column["key"]] = (
                f"{beside}（{column['label']}）" if column.get("period") and beside else column["label"]
            )
            if not column.get("period"):
                beside = column["label"]
        # What names a figure: the naming column to its left (or the row's first text column).
        namer: dict[str, str] = {}
        first_text = next((column["key"] for column in table["columns"] if column["unit"] == TEXT), "")
        current = first_text
        for column in table["columns"]:
            if column.get("names"):
                current = column["key"]
            namer[column["key"]] = current
        for row in table["rows"]:
            for column in table["columns"]:
                key = column["key"]
                if column["unit"] == TEXT:
                    continue
                figures[(table["key"], row["key"], key)] = {
                    "table": table["title"],
                    "row": str(row["cells"].get(namer[key]) or ""),
                    "column": labels[key],
                    "value": row["cells"].get(key),
                    "personal": bool(table.get("personal")),
                    "unit": column["unit"],
                    "row_unit": row.get("unit") or "",
                }
    return figures


def figures_changed(old: Iterable[Mapping[str, Any]], new: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The figures that differ between two versions' tables (one appearing or vanishing included), in the new
    version's order: ``table``, ``row``, ``column`` (labels and keys), ``old`` and ``new``."""
    before = table_figures(old)
    after = table_figures(new)
    changes: list[dict[str, Any]] = []
    for key in [*after, *(key for key in before if key not in after)]:
        was = before.get(key, {}).get("value")
        now = after.get(key, {}).get("value")
        if was == now:
            continue
        label = after.get(key) or before[key]
        changes.append(
            {
                "table_key": key[0],
                "row_key": key[1],
                "column_key": key[2],
                "table": label["table"],
                "row": label["row"],
                "column": label["column"],
                "old": was,
                "new": now,
                "personal": label["personal"],
                "unit": label["unit"],
                "row_unit": label["row_unit"],
            }
        )
    return changes


def figure_text(value: Any, unit: str, row_unit: str | None = None) -> str:
    if value is None or value == "":
        return "—" if unit != TEXT else ""
    if unit == TEXT:
        return str(value)
    if unit in (COUNT, RANK):
        return f"{int(value)}"
    if unit == RATE:
        return f"{float(value):.2f}%"
    if unit == KM:
        return f"{float(value):.2f}"
    if unit == HOURS:
        return f"{float(value):.1f}"
    if unit == CHANGE:
        if row_unit == RATE:
            return _("%(value)+.2f个百分点") % {"value": float(value)}
        return f"{float(value):+.2f}%"
    return str(value)


def change_text(change: Mapping[str, Any], which: str) -> str:
    """A changed figure written as the table writes it (``which`` is ``old`` or ``new``)."""
    unit = str(change.get("unit") or COUNT)
    row_unit = str(change.get("row_unit") or "") or None
    if unit == FIGURE:
        unit = row_unit or COUNT
    return figure_text(change.get(which), unit, row_unit)


def changes_table(changes: list[dict[str, Any]]) -> dict[str, Any]:
    """A correction's differences as a table (for the PDF and the workbook)."""
    columns = [
        {"key": "table", "label": _("表"), "unit": TEXT},
        {"key": "row", "label": _("行"), "unit": TEXT},
        {"key": "column", "label": _("列"), "unit": TEXT},
        {"key": "old", "label": _("原值"), "unit": TEXT},
        {"key": "new", "label": _("新值"), "unit": TEXT},
    ]
    rows = [
        {
            "key": str(index),
            "cells": {
                "table": change["table"],
                "row": change["row"],
                "column": change["column"],
                "old": change_text(change, "old"),
                "new": change_text(change, "new"),
            },
        }
        for index, change in enumerate(changes)
    ]
    return {"key": "changes", "title": _("更正说明"), "columns": columns, "rows": rows}
