"""Ready-made reports to start from (the builder opens with one filled in, to change and save as one's own)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Preset:
    code: str
    name: Any
    description: Any
    spec: dict[str, Any]


PRESETS: dict[str, Preset] = {
    preset.code: preset
    for preset in (
        Preset(
            "street_month_close_rate",
            _("街道 × 月 结案率"),
            _("今年各街道每月立案的案件中已结案的比例，含按期结案率"),
            {
                "rows": ["area:street"],
                "columns": ["period:month"],
                "measures": ["rate:close_rate", "rate:close_on_time_rate"],
                "filters": {"period": "this_year"},
            },
        ),
        Preset(
            "class_source_reports",
            _("类别大类 × 来源 上报数"),
            _("本季度各类问题从哪些渠道上报"),
            {
                "rows": ["category:class"],
                "columns": ["source"],
                "measures": ["count:report"],
                "filters": {"period": "this_quarter"},
                "hide_empty": True,
            },
        ),
        Preset(
            "department_on_time_handled",
            _("部门 × 按时/超时 处置数"),
            _("本月各部门处置反馈中按时与超时的件数"),
            {
                "rows": ["department"],
                "columns": ["on_time"],
                "measures": ["count:handled"],
                "filters": {"period": "this_month"},
                "hide_empty": True,
            },
        ),
        Preset(
            "community_states",
            _("社区 × 环节 案件数"),
            _("本月各社区上报、立案、派遣、处置、结案的件数"),
            {
                "rows": ["area:community"],
                "columns": ["state"],
                "measures": ["count"],
                "filters": {"period": "this_month", "states": ["report", "filed", "dispatched", "handled", "closed"]},
            },
        ),
    )
}
