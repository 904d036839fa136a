"""What each measure is called on the pages (the measures themselves are in :mod:`stats.facts`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from stats.facts import Measure as M

MEASURE_LABELS = {
    M.REPORT: _("上报数"),
    M.SELF_RESOLVED: _("自处置数"),
    M.ACCEPTED: _("受理数"),
    M.REJECTED: _("不予立案数"),
    M.VERIFIED: _("核实数"),
    M.FILED: _("立案数"),
    M.VALID_REPORT: _("有效上报数"),
    M.PUBLIC_FILED: _("公众举报核实数"),
    M.DISPATCHED: _("派遣数"),
    M.RETURNED: _("回退数"),
    M.HANDLED: _("处置反馈数"),
    M.CHECKED: _("核查数"),
    M.REWORK: _("返工数"),
    M.CLOSED: _("结案数"),
    M.VOIDED: _("作废数"),
    M.EXTENDED: _("延期数"),
    M.SUSPENDED: _("挂账数"),
    M.OVERDUE: _("超时数"),
    M.EVALUATED: _("评价数"),
    M.URGED: _("催办数"),
    M.SUPERVISED: _("督办数"),
    M.C_HANDLED: _("当期立案中已处置数"),
    M.C_CLOSED: _("当期立案中已结案数"),
    M.C_REWORK: _("当期立案中返工数"),
    M.C_EXTENDED: _("当期立案中延期数"),
    M.C_VOIDED: _("当期立案中作废数"),
}

#: How each measure is counted, for the page that lists the cases behind it.
MEASURE_HELP = {
    "event": _("按事件发生日统计：区间内每发生一次计一次（同一案件可能出现多次）。"),
    "cohort": _("按立案日统计：区间内立案（或自处置）的案件，其后任何时间发生该事件即计入。"),
}

#: The minutes behind the mean duration of each step (the measure whose minutes are summed).
STEP_MEASURES = (
    (M.ACCEPTED, _("受理"), _("上报 → 受理")),
    (M.FILED, _("立案"), _("上报 → 立案")),
    (M.DISPATCHED, _("派遣"), _("立案 → 派遣")),
    (M.HANDLED, _("处置"), _("派遣 → 处置反馈")),
    (M.CLOSED, _("结案"), _("上报 → 结案")),
)
