"""How a bulletin's figures are written (page, PDF, spreadsheet, CSV) and where each count opens the cases behind
it (the statistics drill-down page, ``stats:cases``, with the row's filters and the column's period)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse

from bulletins.figures import COUNT, FIGURE, figure_text

#: The drill-down page's path where its URL name is not installed.
CASES_PATH = "/stats/cases/"


def unit_of(column: Mapping[str, Any], row: Mapping[str, Any]) -> str:
    """A column's unit; a ``figure`` column takes its row's (a table of counts and rates)."""
    unit = str(column.get("unit", COUNT))
    if unit == FIGURE:
        return str(row.get("unit") or COUNT)
    return unit


def cell_text(column: Mapping[str, Any], row: Mapping[str, Any]) -> str:
    unit = unit_of(column, row)
    return figure_text(row["cells"].get(column["key"]), unit, row.get("unit"))


def cases_path() -> str:
    try:
        return reverse("stats:cases")
    except NoReverseMatch:
        return CASES_PATH


def cases_link(content: Mapping[str, Any], column: Mapping[str, Any], row: Mapping[str, Any]) -> str:
    """The cases behind a count ("" for a figure that is not a count of a measure)."""
    measure = (row.get("measures") or {}).get(column["key"]) or column.get("measure")
    filters = row.get("filters")
    value = row["cells"].get(column["key"])
    if not measure or not filters or unit_of(column, row) != COUNT or not value:
        return ""
    period = content["period"]
    if column.get("period") == "previous":
        period = content["previous"]["period"]
    elif column.get("period") == "year_ago":
        period = content["year_ago"]["period"]
    query = {"measure": measure, "period": period, **filters}
    return f"{cases_path()}?{urlencode(query)}"
