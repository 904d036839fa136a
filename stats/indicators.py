"""The indicators of DESIGN §7, each a numerator over a denominator of fact sums, and the fact sums they read.

A rate is *done in time / should be done*; it scores ``rate × 100``, a bad rate (漏报, 超期, 返工, 延期)
``(1 − rate) × 100``. No denominator means no rate and no score (``None``), never 0 or 100. Every value keeps
its numerator and denominator, and the measures behind them, so a page can open the cases behind a number.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from accounts.access import user_scope
from areas.choices import CODE_LENGTH, AreaLevel
from areas.models import Area
from stats.facts import Measure as M
from stats.models import StatFact
from stats.periods import Period


@dataclass(frozen=True)
class Total:
    count: int = 0
    on_time: int = 0
    minutes: float = 0.0


#: Fact sums of one group: measure → total.
Sums = Mapping[str, Total]
Term = Callable[[Sums], float]

ZERO = Total()


def n(measure: str) -> Term:
    return lambda sums: sums.get(measure, ZERO).count


def ok(measure: str) -> Term:
    return lambda sums: sums.get(measure, ZERO).on_time


def late(measure: str) -> Term:
    return lambda sums: sums.get(measure, ZERO).count - sums.get(measure, ZERO).on_time


def plus(*terms: Term) -> Term:
    return lambda sums: sum(term(sums) for term in terms)


def minus(left: Term, right: Term) -> Term:
    return lambda sums: left(sums) - right(sums)


def minutes(measure: str) -> Term:
    return lambda sums: sums.get(measure, ZERO).minutes


RATE, COUNT, MINUTES = "rate", "count", "minutes"
#: The cases that should be handled and closed: those filed in the period, and those resolved on the spot.
BASE = plus(n(M.FILED), n(M.SELF_RESOLVED))


@dataclass(frozen=True)
class Indicator:
    code: str
    label: Any
    numerator: Term
    denominator: Term | None = None  # None: a count or a total
    bad: bool = False  # a rate where less is better: scored (1 − rate) × 100
    unit: str = RATE
    # The measures a page opens for the numerator and the denominator (the cases behind the number).
    numerator_measure: str = ""
    denominator_measure: str = ""
    numerator_label: Any = ""
    denominator_label: Any = ""


@dataclass(frozen=True)
class Value:
    code: str
    numerator: float
    denominator: float | None
    rate: float | None  # numerator / denominator; for counts the count itself; None without a denominator
    score: float | None  # 0–100, None without a denominator

    @property
    def percent(self) -> float | None:
        return None if self.rate is None else round(self.rate * 100, 2)


def _i(code: str, label: Any, numerator: Term, denominator: Term | None = None, **more: Any) -> Indicator:
    return Indicator(code, label, numerator, denominator, **more)


# fmt: off
INDICATOR_LIST: list[Indicator] = [
    # Counts
    _i("reports", _("上报数"), n(M.REPORT), unit=COUNT, numerator_measure=M.REPORT),
    _i("filed", _("立案数"), n(M.FILED), unit=COUNT, numerator_measure=M.FILED),
    _i("self_resolved", _("自处置数"), n(M.SELF_RESOLVED), unit=COUNT, numerator_measure=M.SELF_RESOLVED),
    _i("dispatched", _("派遣数"), n(M.DISPATCHED), unit=COUNT, numerator_measure=M.DISPATCHED),
    _i("handled", _("处置数"), n(M.HANDLED), unit=COUNT, numerator_measure=M.HANDLED),
    _i("closed", _("结案数"), n(M.CLOSED), unit=COUNT, numerator_measure=M.CLOSED),
    _i("reworks", _("返工数"), n(M.REWORK), unit=COUNT, numerator_measure=M.REWORK),
    _i("overdue", _("超时数"), n(M.OVERDUE), unit=COUNT, numerator_measure=M.OVERDUE),
    # Rates (DESIGN §7)
    _i("valid_report_rate", _("有效上报率"), n(M.VALID_REPORT), n(M.REPORT),
       numerator_measure=M.VALID_REPORT, denominator_measure=M.REPORT,
       numerator_label=_("有效上报数"), denominator_label=_("上报数")),
    _i("missed_report_rate", _("漏报率"), n(M.PUBLIC_FILED), n(M.FILED), bad=True,
       numerator_measure=M.PUBLIC_FILED, denominator_measure=M.FILED,
       numerator_label=_("公众举报核实数"), denominator_label=_("立案数")),
    _i("verify_on_time_rate", _("按时核实率"), ok(M.VERIFIED), n(M.VERIFIED),
       numerator_measure=M.VERIFIED, denominator_measure=M.VERIFIED,
       numerator_label=_("按时核实数"), denominator_label=_("核实数")),
    _i("check_on_time_rate", _("按时核查率"), ok(M.CHECKED), n(M.CHECKED),
       numerator_measure=M.CHECKED, denominator_measure=M.CHECKED,
       numerator_label=_("按时核查数"), denominator_label=_("核查数")),
    _i("accept_on_time_rate", _("按期受理率"), ok(M.ACCEPTED), n(M.ACCEPTED),
       numerator_measure=M.ACCEPTED, denominator_measure=M.ACCEPTED,
       numerator_label=_("按期受理数"), denominator_label=_("受理数")),
    _i("file_on_time_rate", _("按时立案率"), ok(M.FILED), n(M.FILED),
       numerator_measure=M.FILED, denominator_measure=M.FILED,
       numerator_label=_("按时立案数"), denominator_label=_("立案数")),
    _i("file_accuracy_rate", _("准确立案率"), minus(n(M.FILED), n(M.C_VOIDED)), n(M.FILED),
       numerator_measure=M.FILED, denominator_measure=M.FILED,
       numerator_label=_("立案数 − 作废数"), denominator_label=_("立案数")),
    _i("dispatch_on_time_rate", _("按时派遣率"), ok(M.DISPATCHED), n(M.DISPATCHED),
       numerator_measure=M.DISPATCHED, denominator_measure=M.DISPATCHED,
       numerator_label=_("按时派遣数"), denominator_label=_("应派遣数")),
    _i("dispatch_accuracy_rate", _("准确派遣率"), minus(n(M.DISPATCHED), n(M.RETURNED)), n(M.DISPATCHED),
       numerator_measure=M.DISPATCHED, denominator_measure=M.DISPATCHED,
       numerator_label=_("派遣数 − 回退数"), denominator_label=_("派遣数")),
    _i("handle_rate", _("处置率"), n(M.C_HANDLED), BASE,
       numerator_measure=M.C_HANDLED, denominator_measure=M.FILED,
       numerator_label=_("处置数"), denominator_label=_("应处置数")),
    _i("handle_on_time_rate", _("按期处置率"), ok(M.C_HANDLED), BASE,
       numerator_measure=M.C_HANDLED, denominator_measure=M.FILED,
       numerator_label=_("按期处置数"), denominator_label=_("应处置数")),
    _i("handle_overdue_rate", _("超期处置率"), late(M.C_HANDLED), BASE, bad=True,
       numerator_measure=M.C_HANDLED, denominator_measure=M.FILED,
       numerator_label=_("超期处置数"), denominator_label=_("应处置数")),
    _i("close_rate", _("结案率"), n(M.C_CLOSED), BASE,
       numerator_measure=M.C_CLOSED, denominator_measure=M.FILED,
       numerator_label=_("结案数"), denominator_label=_("应结案数")),
    _i("close_on_time_rate", _("按期结案率"), ok(M.C_CLOSED), BASE,
       numerator_measure=M.C_CLOSED, denominator_measure=M.FILED,
       numerator_label=_("按期结案数"), denominator_label=_("应结案数")),
    _i("rework_rate", _("返工率"), n(M.C_REWORK), BASE, bad=True,
       numerator_measure=M.C_REWORK, denominator_measure=M.FILED,
       numerator_label=_("返工数"), denominator_label=_("应结案数")),
    _i("extension_rate", _("延期率"), n(M.C_EXTENDED), BASE, bad=True,
       numerator_measure=M.C_EXTENDED, denominator_measure=M.FILED,
       numerator_label=_("延期数"), denominator_label=_("应处置数")),
    _i("satisfaction_rate", _("满意率"), ok(M.EVALUATED), n(M.EVALUATED),
       numerator_measure=M.EVALUATED, denominator_measure=M.EVALUATED,
       numerator_label=_("满意数"), denominator_label=_("评价数")),
    _i("handle_minutes_mean", _("平均处置时长（分钟）"), minutes(M.HANDLED), n(M.HANDLED), unit=MINUTES,
       numerator_measure=M.HANDLED, denominator_measure=M.HANDLED),
    # A department's own figures: over what was dispatched to it and what it handled.
    _i("department_received", _("派遣至本部门数"), n(M.DISPATCHED), unit=COUNT, numerator_measure=M.DISPATCHED),
    _i("department_close_rate", _("部门结案率"), n(M.CLOSED), n(M.DISPATCHED),
       numerator_measure=M.CLOSED, denominator_measure=M.DISPATCHED,
       numerator_label=_("结案数"), denominator_label=_("派遣数")),
    _i("department_handle_on_time_rate", _("部门按期处置率"), ok(M.HANDLED), n(M.HANDLED),
       numerator_measure=M.HANDLED, denominator_measure=M.HANDLED,
       numerator_label=_("按期处置数"), denominator_label=_("处置数")),
    _i("department_rework_rate", _("部门返工率"), n(M.REWORK), n(M.HANDLED), bad=True,
       numerator_measure=M.REWORK, denominator_measure=M.HANDLED,
       numerator_label=_("返工数"), denominator_label=_("处置数")),
]
# fmt: on
INDICATORS: dict[str, Indicator] = {indicator.code: indicator for indicator in INDICATOR_LIST}


def value_of(indicator: Indicator, sums: Sums) -> Value:
    numerator = float(indicator.numerator(sums))
    if indicator.denominator is None:
        return Value(indicator.code, numerator, None, numerator, None)
    denominator = float(indicator.denominator(sums))
    if denominator <= 0:
        return Value(indicator.code, numerator, denominator, None, None)
    rate = numerator / denominator
    if indicator.unit != RATE:
        return Value(indicator.code, numerator, denominator, rate, None)
    bounded = min(max(rate, 0.0), 1.0)
    score = (1 - bounded) * 100 if indicator.bad else bounded * 100
    return Value(indicator.code, numerator, denominator, rate, round(score, 2))


def indicators_of(sums: Sums, codes: Iterable[str] | None = None) -> dict[str, Value]:
    chosen = list(codes) if codes is not None else list(INDICATORS)
    return {code: value_of(INDICATORS[code], sums) for code in chosen}


# --- Fact sums -------------------------------------------------------------------------------------------------
GROUPS = ("grid_id", "category_id", "source", "department_id", "person_id", "day", "measure")


def facts_visible(user: Any) -> QuerySet[StatFact]:
    """Facts of what ``user`` may see: their areas' grids, and what their department was given."""
    scope = user_scope(user)
    if scope.everything:
        return StatFact.objects.all()
    condition = Q(pk__in=[])
    if scope.codes:
        grids = Area.objects.filter(scope.q("code"), level=AreaLevel.GRID).values_list("pk", flat=True)
        condition |= Q(grid_id__in=list(grids))
    department_id = getattr(user, "department_id", None) if getattr(user, "is_authenticated", False) else None
    if department_id:
        condition |= Q(department_id=department_id)
    return StatFact.objects.filter(condition)


def facts_in(
    period: Period | None = None,
    *,
    base: QuerySet[StatFact] | None = None,
    grid_ids: Iterable[int] | None = None,
    department_ids: Iterable[int] | None = None,
    person_ids: Iterable[int] | None = None,
    category_ids: Iterable[int] | None = None,
    sources: Iterable[str] | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> QuerySet[StatFact]:
    queryset = base if base is not None else StatFact.objects.all()
    if period is not None:
        start, end = period.start, period.end
    if start is not None:
        queryset = queryset.filter(day__gte=start)
    if end is not None:
        queryset = queryset.filter(day__lte=end)
    for column, values in (
        ("grid_id", grid_ids),
        ("department_id", department_ids),
        ("person_id", person_ids),
        ("category_id", category_ids),
        ("source", sources),
    ):
        if values is not None:
            queryset = queryset.filter(**{f"{column}__in": list(values)})
    return queryset


def sums_by(queryset: QuerySet[StatFact], group: str | tuple[str, ...] | None = None) -> dict[Any, dict[str, Total]]:
    """The facts summed per group (one of :data:`GROUPS`, a tuple of them, or ``None`` for one total under the key
    ``None``), each a mapping measure → :class:`Total`. One query."""
    columns = (group,) if isinstance(group, str) else tuple(group or ())
    rows = (
        queryset.order_by()
        .values(*columns, "measure")
        .annotate(total=Sum("count"), in_time=Sum("on_time"), spent=Sum("minutes"))
    )
    out: dict[Any, dict[str, Total]] = defaultdict(dict)
    for row in rows:
        key = None if not columns else (row[columns[0]] if len(columns) == 1 else tuple(row[c] for c in columns))
        out[key][row["measure"]] = Total(int(row["total"] or 0), int(row["in_time"] or 0), float(row["spent"] or 0))
    return dict(out)


def sums_total(queryset: QuerySet[StatFact]) -> dict[str, Total]:
    return sums_by(queryset).get(None, {})


def sums_add(*many: Sums) -> dict[str, Total]:
    out: dict[str, Total] = {}
    for sums in many:
        for measure, total in sums.items():
            have = out.get(measure, ZERO)
            out[measure] = Total(have.count + total.count, have.on_time + total.on_time, have.minutes + total.minutes)
    return out


# --- Areas -----------------------------------------------------------------------------------------------------
def grids_under(area: Area) -> list[int]:
    return list(Area.objects.filter(code__startswith=area.code, level=AreaLevel.GRID).values_list("pk", flat=True))


def grid_rollup(level: str, grid_ids: Iterable[int] | None = None) -> dict[int, Area]:
    """Each grid's area of ``level`` (street, community or the grid itself), by the prefix of its code."""
    grids = Area.objects.filter(level=AreaLevel.GRID)
    if grid_ids is not None:
        grids = grids.filter(pk__in=list(grid_ids))
    grid_codes = dict(grids.values_list("pk", "code"))
    if level == AreaLevel.GRID:
        by_pk = Area.objects.in_bulk(list(grid_codes))
        return {pk: by_pk[pk] for pk in grid_codes}
    length = CODE_LENGTH[AreaLevel(level)]
    prefixes = {code[:length] for code in grid_codes.values()}
    areas = {area.code: area for area in Area.objects.filter(code__in=prefixes, level=level)}
    return {pk: areas[code[:length]] for pk, code in grid_codes.items() if code[:length] in areas}


def sums_by_area(queryset: QuerySet[StatFact], level: str) -> dict[Area, dict[str, Total]]:
    """The facts summed per area of ``level``."""
    by_grid = sums_by(queryset, "grid_id")
    rollup = grid_rollup(level, by_grid)
    out: dict[Area, dict[str, Total]] = {}
    for grid_id, sums in by_grid.items():
        area = rollup.get(grid_id)
        if area is not None:
            out[area] = sums_add(out.get(area, {}), sums)
    return out


# --- Durations (median and P90 cannot be summed, so they come from the cases) ---------------------------------
@dataclass(frozen=True)
class Durations:
    cases: int
    open: int
    mean: float | None
    median: float | None
    p90: float | None


def durations_of(cases: QuerySet[Any], now: dt.datetime) -> Durations:
    """Minutes from received to closed of ``cases``, an open case counted as now − received (rejected, merged and
    void cases left out)."""
    import numpy as np

    from cases.choices import CaseStatus

    rows = list(
        cases.exclude(status__in=[CaseStatus.REJECTED, CaseStatus.MERGED, CaseStatus.VOID])
        .order_by()
        .values_list("created_at", "closed_at")
    )
    if not rows:
        return Durations(0, 0, None, None, None)
    values = np.array([((closed or now) - created).total_seconds() / 60 for created, closed in rows])
    values = np.clip(values, 0, None)
    still_open = sum(1 for _created, closed in rows if closed is None)
    return Durations(
        len(rows),
        still_open,
        round(float(values.mean()), 1),
        round(float(np.percentile(values, 50)), 1),
        round(float(np.percentile(values, 90)), 1),
    )
