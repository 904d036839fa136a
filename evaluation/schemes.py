"""Scoring schemes (考核方案): the defaults seeded on a new site, and the rules every scheme keeps (weights sum to
100, known indicator codes, positive quotas, grade bands descending), with a precise message for each breach."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from evaluation.indicators import POSITION_INDICATORS, indicator_label, is_count
from evaluation.models import Position, ScoringScheme, default_bands

#: The grades above E, best first; E is everything below the last band.
GRADES = ("A", "B", "C", "D")
#: The date the seeded schemes take effect from (before any site's first case).
DEFAULTS_FROM = dt.date(2000, 1, 1)

_FIELD_NOTE = (
    "依据 GB/T 30428.4、CJ/T 292 的岗位评价：监督员 有效上报率 40 %、漏报率 20 %、按时核实率 20 %、按时核查率 20 %，"
    "本方案按 70 % 等比缩为 28/14/14/14。巡查数据（巡查覆盖率 8、在岗率 8、巡查里程 4、走访完成率 6、八必报 4）"
    "合计所占的 30 %、其内部分配，以及巡查里程（每月 100 公里）和八必报（每月 4 件）的定额，标准未规定，"
    "是本系统的默认值，请按本地考核办法调整。定额按月设定，其他周期按比例折算。"
)


@dataclass(frozen=True)
class SchemeDefault:
    position: str
    weights: Mapping[str, float]
    quotas: Mapping[str, float]
    note: str


DEFAULT_SCHEMES: tuple[SchemeDefault, ...] = (
    SchemeDefault(
        Position.FIELD_WORKER,
        {
            "valid_report_rate": 28,
            "grid_missed_report_rate": 14,
            "verify_on_time_rate": 14,
            "check_on_time_rate": 14,
            "patrol_coverage_rate": 8,
            "on_duty_rate": 8,
            "patrol_km": 4,
            "visit_completion_rate": 6,
            "must_reports": 4,
        },
        {"patrol_km": 100, "must_reports": 4},
        _FIELD_NOTE,
    ),
    SchemeDefault(
        Position.INTAKE_CLERK,
        {"accept_on_time_rate": 70, "accepted": 30},
        {"accepted": 300},
        "标准未规定受理员的考核权重：按期受理率 70 %、受理数 30 %（定额每月 300 件）是本系统的默认值，"
        "请按本地考核办法调整。",
    ),
    SchemeDefault(
        Position.SHIFT_LEADER,
        {"file_on_time_rate": 25, "leader_file_accuracy_rate": 40, "leader_close_on_time_rate": 35},
        {},
        "依据 GB/T 30428.4、CJ/T 292 的岗位评价：值班长 按时立案率 25 %、准确立案率 40 %、按时结案率 35 %。"
        "按时结案率 = 本人结案中按时的 / 本人结案数；"
        "作废数按同日、同网格、同类别、同来源的立案比例分摊到立案的值班长。",
    ),
    SchemeDefault(
        Position.DISPATCHER,
        {"dispatched": 20, "dispatch_on_time_rate": 40, "dispatcher_accuracy_rate": 40},
        {"dispatched": 300},
        "依据 GB/T 30428.4、CJ/T 292 的岗位评价：派遣员 派遣数 20 %、按时派遣率 40 %、准确派遣率 40 %。"
        "派遣数的定额（每月 300 件）标准未规定，是本系统的默认值。"
        "回退数按部门分摊：各部门本期回退数按各派遣员派往该部门的件数比例计入。",
    ),
    SchemeDefault(
        Position.DEPARTMENT,
        {
            "department_received": 10,
            "department_close_rate": 30,
            "department_handle_on_time_rate": 30,
            "department_rework_rate": 30,
        },
        {"department_received": 50},
        "依据 GB/T 30428.4、CJ/T 292 的岗位评价：专业部门 立案数（派遣至本部门数）10 %、结案率 30 %、按期处置率 30 %、"
        "（1 − 返工率）30 %。立案数的定额（每月 50 件）标准未规定，是本系统的默认值。",
    ),
    SchemeDefault(
        Position.AREA,
        {
            "close_rate": 25,
            "close_on_time_rate": 30,
            "rework_rate": 15,
            "missed_report_rate": 15,
            "patrol_coverage_rate": 15,
        },
        {},
        "标准未规定街道、社区、网格的综合评价权重：结案率 25 %、按期结案率 30 %、返工率 15 %、漏报率 15 %、"
        "巡查覆盖率 15 % 是本系统的默认值（参照郑州、达州等地通报的区域指标），请按本地考核办法调整。",
    ),
)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def scheme_problems(position: str, weights: Any, quotas: Any, bands: Any) -> list[dict[str, str]]:
    """Every rule a scheme breaks, each ``{"field", "message"}`` (empty when the scheme is sound)."""
    problems: list[dict[str, str]] = []

    def add(field: str, message: str) -> None:
        problems.append({"field": field, "message": message})

    known = POSITION_INDICATORS.get(position)
    if known is None:
        add("position", _("未知的考核对象“%(position)s”") % {"position": position})
        return problems
    available = "、".join(f"{code}（{indicator_label(code)}）" for code in known)
    if not isinstance(weights, dict) or not weights:
        add("weights", _("权重应为“指标编码: 权重”的对象，且至少有一项"))
        weights = {}
    total = 0.0
    for code, weight in weights.items():
        if code not in known:
            add("weights", _("未知的指标编码“%(code)s”，可用：%(available)s") % {"code": code, "available": available})
            continue
        number = _number(weight)
        if number is None or number < 0:
            add("weights", _("指标“%(label)s”的权重应为不小于 0 的数") % {"label": indicator_label(code)})
            continue
        total += number
    if weights and abs(total - 100) > 0.001 and not any(p["field"] == "weights" for p in problems):
        add("weights", _("权重合计为 %(total)s，应为 100") % {"total": f"{total:g}"})
    if not isinstance(quotas, dict):
        add("quotas", _("定额应为“指标编码: 数量”的对象"))
        quotas = {}
    for code, quota in quotas.items():
        if code not in known:
            add("quotas", _("未知的指标编码“%(code)s”，可用：%(available)s") % {"code": code, "available": available})
        elif not is_count(code):
            add("quotas", _("“%(label)s”是比率指标，不设定额") % {"label": indicator_label(code)})
        elif (_number(quota) or 0) <= 0:
            add("quotas", _("“%(label)s”的定额应为正数") % {"label": indicator_label(code)})
    for code, weight in weights.items():
        if code in known and is_count(code) and (_number(weight) or 0) > 0 and code not in quotas:
            add("quotas", _("计数指标“%(label)s”有权重，需要设定额") % {"label": indicator_label(code)})
    problems.extend(_band_problems(bands))
    return problems


def _band_problems(bands: Any) -> list[dict[str, str]]:
    if not isinstance(bands, dict) or set(bands) != set(GRADES):
        return [
            {"field": "bands", "message": _('等级分数线应为 A、B、C、D 四档，如 {"A": 90, "B": 75, "C": 60, "D": 40}')}
        ]
    values = [_number(bands[grade]) for grade in GRADES]
    if any(value is None or not 0 < value <= 100 for value in values):
        return [{"field": "bands", "message": _("每档分数线应为大于 0、不超过 100 的数")}]
    for higher, lower in itertools.pairwise(GRADES):
        if float(bands[higher]) <= float(bands[lower]):
            return [
                {
                    "field": "bands",
                    "message": _("分数线应从 A 到 D 递减：%(higher)s（%(a)s）不高于 %(lower)s（%(b)s）")
                    % {"higher": higher, "a": bands[higher], "lower": lower, "b": bands[lower]},
                }
            ]
    return []


def scheme_default(position: str) -> ScoringScheme:
    """The seeded scheme of ``position`` (unsaved), also used when a site has deleted every scheme of it."""
    for default in DEFAULT_SCHEMES:
        if default.position == position:
            return ScoringScheme(
                position=position,
                area_class="",
                effective_from=DEFAULTS_FROM,
                weights=dict(default.weights),
                quotas=dict(default.quotas),
                bands=default_bands(),
                note=default.note,
            )
    raise KeyError(position)


def schemes_ensure() -> int:
    """Seed the default scheme of each position that has none (idempotent: a site's own schemes are kept).
    Returns how many were created."""
    created = 0
    have = set(ScoringScheme.objects.values_list("position", flat=True).distinct())
    for default in DEFAULT_SCHEMES:
        if default.position not in have:
            scheme_default(default.position).save()
            created += 1
    return created


# --- The schemes page ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SchemeShown:
    scheme: ScoringScheme
    status: str  # "in_force", "future" or "past"
    weights: list[tuple[str, str, float]]  # code, label, weight
    quotas: list[tuple[str, str, float]]
    bands: list[tuple[str, float]]


def _shown(scheme: ScoringScheme, status: str) -> SchemeShown:
    return SchemeShown(
        scheme,
        status,
        [(code, indicator_label(code), float(weight)) for code, weight in (scheme.weights or {}).items()],
        [(code, indicator_label(code), float(quota)) for code, quota in (scheme.quotas or {}).items()],
        [(grade, float((scheme.bands or {}).get(grade, 0))) for grade in GRADES],
    )


def schemes_listed(today: dt.date) -> list[tuple[str, str, list[SchemeShown]]]:
    """Each position (code, label) with its schemes: per area class the one in force ``today``, those to come and
    those past, newest first."""
    by_position: dict[str, list[SchemeShown]] = {position: [] for position in Position.values}
    in_force: set[tuple[str, str]] = set()
    for scheme in ScoringScheme.objects.order_by("position", "area_class", "-effective_from"):
        key = (scheme.position, scheme.area_class)
        if scheme.effective_from > today:
            status = "future"
        elif key not in in_force:
            status = "in_force"
            in_force.add(key)
        else:
            status = "past"
        by_position.setdefault(scheme.position, []).append(_shown(scheme, status))
    labels = dict(Position.choices)
    return [(position, str(labels.get(position, position)), shown) for position, shown in by_position.items()]
