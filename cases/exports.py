"""Export of a case list to .xlsx: the rows the user sees in the list (their scope, the tab, the filters and the
order), what the list shows and nothing of the reporter, no cell a spreadsheet would run as a formula
(``registry.tabular`` writes every cell through ``cell_safe``). Bounded; each export is audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditAction
from audit.services import Origin, audit_list_read
from cases.models import Case
from gridgov.errors import ValidationFailed
from registry.tabular import workbook_bytes

#: At most this many cases in one file; a larger list is refused with a message to narrow it.
EXPORT_LIMIT = 5000


def _when(value: dt.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


COLUMNS: tuple[tuple[str, Callable[[Case], Any]], ...] = (
    ("案卷编号", lambda case: case.number),
    ("状态", lambda case: case.get_status_display()),
    ("亮灯", lambda case: case.get_light_display()),
    ("大类", lambda case: case.category.parent.name if case.category and case.category.parent else ""),
    ("小类", lambda case: case.category.name if case.category else ""),
    ("问题描述", lambda case: case.description),
    ("地址", lambda case: case.address),
    ("网格编码", lambda case: case.grid.code),
    ("网格", lambda case: case.grid.name),
    ("主办部门", lambda case: case.main_department.name if case.main_department else ""),
    ("来源", lambda case: case.get_source_display()),
    ("优先级", lambda case: case.get_priority_display()),
    ("上报时间", lambda case: _when(case.created_at)),
    ("环节截止", lambda case: _when(case.due_at)),
    ("结案时间", lambda case: _when(case.closed_at)),
)


def cases_export(origin: Origin, cases: QuerySet[Case], query: dict[str, Any]) -> tuple[bytes, str]:
    """The .xlsx of ``cases`` (a list already within the user's scope) and its file name; ``query`` is what the
    audit row keeps of the filters."""
    count = cases.count()
    if count > EXPORT_LIMIT:
        raise ValidationFailed(
            _("共 %(count)s 件，超过单次导出上限 %(limit)s 件，请缩小筛选范围后再导出")
            % {"count": count, "limit": EXPORT_LIMIT},
            code="export_too_large",
        )
    rows = cases.select_related("category__parent", "grid", "main_department")[:EXPORT_LIMIT]

    written = 0

    def lines() -> Iterator[list[Any]]:
        nonlocal written
        for case in rows.iterator(chunk_size=1000):
            written += 1
            yield [value(case) for _header, value in COLUMNS]

    content = workbook_bytes("案件", [header for header, _value in COLUMNS], lines())
    audit_list_read(origin, AuditAction.EXPORT, Case, count=written, query=query)
    return content, f"案件-{timezone.localdate():%Y%m%d}.xlsx"
