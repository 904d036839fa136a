"""The day's patrol statistics (巡查统计) as .xlsx: the rows the user sees on the page (scope, day, area, order),
no cell a spreadsheet would run as a formula (``registry.tabular``), bounded, each export audited."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from audit.models import AuditAction
from audit.services import Origin, audit_list_read
from fieldwork.models import DailyMetric
from gridgov.errors import ValidationFailed
from registry.tabular import workbook_bytes

#: At most this many rows in one file.
EXPORT_LIMIT = 20000


def _rate(value: float | None) -> Any:
    return round(100 * value, 1) if value is not None else ""


def _area(row: DailyMetric, depth: int) -> str:
    area = row.grid
    for _step in range(depth):
        area = area.parent if area else None
    return area.name if area else ""


COLUMNS: tuple[tuple[str, Callable[[DailyMetric], Any]], ...] = (
    ("日期", lambda row: row.day.isoformat()),
    ("街道", lambda row: _area(row, 2)),
    ("社区", lambda row: _area(row, 1)),
    ("网格编码", lambda row: row.grid.code if row.grid else ""),
    ("网格", lambda row: row.grid.name if row.grid else ""),
    ("人员", lambda row: row.worker.full_name or row.worker.username),
    ("在岗时长（分钟）", lambda row: round(row.on_duty_s / 60)),
    ("排班时长（分钟）", lambda row: round(row.scheduled_s / 60)),
    ("在岗率（%）", lambda row: _rate(row.on_duty_rate)),
    ("巡查里程（公里）", lambda row: round(row.distance_m / 1000, 2)),
    ("脱岗次数", lambda row: row.off_grid_events),
    ("脱岗时长（分钟）", lambda row: round(row.off_grid_s / 60)),
    ("楼栋覆盖（%）", lambda row: _rate(row.coverage_buildings)),
    ("点位签到", lambda row: f"{row.coverage_points_num}/{row.coverage_points_den}"),
    ("入户覆盖（%）", lambda row: _rate(row.coverage_households)),
    ("上报数", lambda row: row.reports),
    ("有效定位数", lambda row: row.fixes),
)


def stats_export(origin: Origin, rows: QuerySet[DailyMetric], query: dict[str, Any]) -> tuple[bytes, str]:
    """The .xlsx of ``rows`` (already within the user's scope) and its file name; ``query`` is what the audit row
    keeps of the filters."""
    count = rows.count()
    if count > EXPORT_LIMIT:
        raise ValidationFailed(
            _("共 %(count)s 行，超过单次导出上限 %(limit)s 行，请缩小范围后再导出")
            % {"count": count, "limit": EXPORT_LIMIT},
            code="export_too_large",
        )
    written = 0

    def lines() -> Iterator[list[Any]]:
        nonlocal written
        for row in rows[:EXPORT_LIMIT].iterator(chunk_size=1000):
            written += 1
            yield [value(row) for _header, value in COLUMNS]

    content = workbook_bytes("巡查统计", [header for header, _value in COLUMNS], lines())
    audit_list_read(origin, AuditAction.EXPORT, DailyMetric, count=written, query=query)
    return content, f"巡查统计-{query.get('date', '')}.xlsx"
