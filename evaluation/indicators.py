"""The indicators of each position's composite index (DESIGN §7), built from the blocks of :mod:`stats.indicators`.

Most are the statistics core's own indicators read over one subject's fact sums (a person, a department, an
area). The others are defined here, each a numerator over a denominator like the core's:

* figures of field work that are not case events, carried in the sums as measures of their own (``field_*``):
  巡查覆盖率, 在岗率, 巡查里程, 走访完成率 and 八必报 (:mod:`evaluation.figures` adds them);
* a field worker's 漏报率 over the grids they cover (``grid_*``), not over what they did themselves;
* the 值班长's 准确立案率, 按时结案率 and the 派遣员's 准确派遣率 over their own events; the void or the return that
  the facts cannot pin on one person is shared out (:class:`Shared`, see ``docs/statistics-evaluation.md``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from evaluation.models import Position
from stats.facts import Measure as M
from stats.indicators import COUNT, INDICATORS, ZERO, Indicator, Term, Total, minus, n, ok

#: Field figures as measures of the sums: ``count`` is what should be done, ``on_time`` what was done.
FIELD_COVERAGE = "field_coverage"  # households in the grid (per day) / households patrolled
FIELD_ON_DUTY = "field_on_duty"  # scheduled minutes / minutes on duty
FIELD_DISTANCE = "field_distance_m"  # metres patrolled (count)
FIELD_VISITS = "field_visits"  # visits due (not the ones still within their window) / visits done
FIELD_MUST_REPORTS = "field_must_reports"  # 八必报 items reported (count)
#: The grids a field worker covers: publicly reported cases filed there, and all cases filed there.
GRID_PUBLIC_FILED = "grid_public_filed"
GRID_FILED = "grid_filed"
#: Counts shared out to persons (in :attr:`Shared.share`): voids of one's filings, returns of one's dispatches.
SHARED_VOIDED = "shared_voided"
SHARED_RETURNED = "shared_returned"


@dataclass(frozen=True)
class Shared(Total):
    """A count the facts do not pin on one person, shared out among those who could have caused it."""

    share: float = 0.0


def shared(measure: str) -> Term:
    return lambda sums: float(getattr(sums.get(measure, ZERO), "share", 0.0))


def kilometres(measure: str) -> Term:
    return lambda sums: sums.get(measure, ZERO).count / 1000


def _i(code: str, label: Any, numerator: Term, denominator: Term | None = None, **more: Any) -> Indicator:
    return Indicator(code, label, numerator, denominator, **more)


# fmt: off
OWN_INDICATORS: list[Indicator] = [
    _i("grid_missed_report_rate", _("漏报率"), n(GRID_PUBLIC_FILED), n(GRID_FILED), bad=True,
       numerator_measure=M.PUBLIC_FILED, denominator_measure=M.FILED,
       numerator_label=_("公众举报核实数"), denominator_label=_("责任网格立案数")),
    _i("patrol_coverage_rate", _("巡查覆盖率"), ok(FIELD_COVERAGE), n(FIELD_COVERAGE),
       numerator_label=_("实际巡查户数"), denominator_label=_("网格内总户数")),
    _i("on_duty_rate", _("在岗率"), ok(FIELD_ON_DUTY), n(FIELD_ON_DUTY),
       numerator_label=_("在岗（分钟）"), denominator_label=_("排班（分钟）")),
    _i("patrol_km", _("巡查里程（公里）"), kilometres(FIELD_DISTANCE), unit=COUNT),
    _i("visit_completion_rate", _("走访完成率"), ok(FIELD_VISITS), n(FIELD_VISITS),
       numerator_label=_("已走访"), denominator_label=_("应走访（不含未到期）")),
    _i("must_reports", _("八必报"), n(FIELD_MUST_REPORTS), unit=COUNT),
    _i("accepted", _("受理数"), n(M.ACCEPTED), unit=COUNT, numerator_measure=M.ACCEPTED),
    _i("leader_file_accuracy_rate", _("准确立案率"), minus(n(M.FILED), shared(SHARED_VOIDED)), n(M.FILED),
       denominator_measure=M.FILED,
       numerator_label=_("立案数 − 作废数（分摊）"), denominator_label=_("立案数")),
    _i("leader_close_on_time_rate", _("按时结案率"), ok(M.CLOSED), n(M.CLOSED),
       numerator_measure=M.CLOSED, denominator_measure=M.CLOSED,
       numerator_label=_("按时结案数"), denominator_label=_("结案数")),
    _i("dispatcher_accuracy_rate", _("准确派遣率"), minus(n(M.DISPATCHED), shared(SHARED_RETURNED)),
       n(M.DISPATCHED), denominator_measure=M.DISPATCHED,
       numerator_label=_("派遣数 − 回退数（分摊）"), denominator_label=_("派遣数")),
]
# fmt: on

#: The indicators of each position, in the order of the ranking's columns. A scheme weights some of them.
POSITION_INDICATORS: dict[str, tuple[str, ...]] = {
    Position.FIELD_WORKER: (
        "valid_report_rate",
        "grid_missed_report_rate",
        "verify_on_time_rate",
        "check_on_time_rate",
        "patrol_coverage_rate",
        "on_duty_rate",
        "patrol_km",
        "visit_completion_rate",
        "must_reports",
    ),
    Position.INTAKE_CLERK: ("accept_on_time_rate", "accepted"),
    Position.SHIFT_LEADER: ("file_on_time_rate", "leader_file_accuracy_rate", "leader_close_on_time_rate"),
    Position.DISPATCHER: ("dispatched", "dispatch_on_time_rate", "dispatcher_accuracy_rate"),
    Position.DEPARTMENT: (
        "department_received",
        "department_close_rate",
        "department_handle_on_time_rate",
        "department_rework_rate",
    ),
    Position.AREA: ("close_rate", "close_on_time_rate", "rework_rate", "missed_report_rate", "patrol_coverage_rate"),
}

_CORE_CODES = {code for codes in POSITION_INDICATORS.values() for code in codes} - {i.code for i in OWN_INDICATORS}
#: Every indicator a scheme may weight, by code.
EVALUATION_INDICATORS: dict[str, Indicator] = {
    **{code: INDICATORS[code] for code in sorted(_CORE_CODES)},
    **{indicator.code: indicator for indicator in OWN_INDICATORS},
}

#: The fact measures each position's own sums read (the ``grid_*``, ``field_*`` and ``shared_*`` ones are added
#: by :mod:`evaluation.figures`).
POSITION_MEASURES: dict[str, tuple[str, ...]] = {
    Position.FIELD_WORKER: (M.REPORT, M.VALID_REPORT, M.VERIFIED, M.CHECKED),
    Position.INTAKE_CLERK: (M.ACCEPTED,),
    Position.SHIFT_LEADER: (M.FILED, M.CLOSED),
    Position.DISPATCHER: (M.DISPATCHED,),
    Position.DEPARTMENT: (M.DISPATCHED, M.CLOSED, M.HANDLED, M.REWORK),
    Position.AREA: (M.C_CLOSED, M.FILED, M.SELF_RESOLVED, M.C_REWORK, M.PUBLIC_FILED),
}

#: Counts that mean something only where their source has rows: without a day of field metrics (no tracking) the
#: mileage is unknown, not 0, and is left out of the composite.
NEEDS_DATA: dict[str, str] = {"patrol_km": FIELD_DISTANCE}

#: Indicators counted over the grids a field worker covers: their cases are opened by area, not by person.
GRID_BASED = frozenset({"grid_missed_report_rate"})


def is_count(code: str) -> bool:
    return EVALUATION_INDICATORS[code].unit == COUNT


def indicator_label(code: str) -> str:
    indicator = EVALUATION_INDICATORS.get(code)
    return str(indicator.label) if indicator else code
