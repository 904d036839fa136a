"""Scoring rules: the composite renormalised over the indicators that have a score, quotas scaled to the period,
nothing to score → no composite, grades at the band edges, ties sharing a rank, the scheme in force by date and
area class (inherited from the parent area), and the rules a scheme must keep."""

from __future__ import annotations

import datetime as dt

import pytest

from evaluation.models import AreaClass, Position, ScoringScheme, default_bands
from evaluation.schemes import DEFAULT_SCHEMES, scheme_default, scheme_problems, schemes_ensure
from evaluation.scoring import Schemes, grade_of, ranks_of, result_of, scheme_in_force
from stats.indicators import Value
from stats.periods import period_parse

from .conftest import scheme

MONTH = period_parse("2026-11")


def _scheme(weights, quotas=None, bands=None):
    return ScoringScheme(
        position=Position.DISPATCHER,
        effective_from=dt.date(2026, 1, 1),
        weights=weights,
        quotas=quotas or {},
        bands=bands or default_bands(),
    )


def _rate(code, numerator, denominator, bad=False):
    if not denominator:
        return Value(code, numerator, denominator, None, None)
    rate = numerator / denominator
    return Value(code, numerator, denominator, rate, round(((1 - rate) if bad else rate) * 100, 2))


def _count(code, count):
    return Value(code, count, None, count, None)


def test_a_rate_without_denominator_is_left_out_and_the_weights_renormalised():
    weights = {"dispatched": 20, "dispatch_on_time_rate": 40, "dispatcher_accuracy_rate": 40}
    values = {
        "dispatched": _count("dispatched", 5),
        "dispatch_on_time_rate": _rate("dispatch_on_time_rate", 3, 4),
        "dispatcher_accuracy_rate": _rate("dispatcher_accuracy_rate", 0, 0),
    }
    result = result_of(values, _scheme(weights, {"dispatched": 10}), "month")
    # (20 × 50 + 40 × 75) / (20 + 40): the accuracy has no denominator.
    assert result.composite == pytest.approx(66.67)
    assert result.grade == "C"
    assert result.scored["dispatcher_accuracy_rate"].score is None
    assert result.scored["dispatched"].score == 50


@pytest.mark.parametrize(
    ("kind", "count", "score"),
    [("month", 5, 50.0), ("month", 30, 100.0), ("week", 1, 42.86), ("day", 1, 100.0), ("quarter", 15, 50.0)],
)
def test_a_count_scores_against_its_quota_scaled_to_the_period(kind, count, score):
    values = {"dispatched": _count("dispatched", count)}
    result = result_of(values, _scheme({"dispatched": 100}, {"dispatched": 10}), kind)
    assert result.scored["dispatched"].score == score
    assert result.composite == score


def test_nothing_to_score_gives_no_composite_no_grade():
    weights = {"dispatched": 20, "dispatch_on_time_rate": 40, "dispatcher_accuracy_rate": 40}
    values = {
        "dispatched": _count("dispatched", 0),
        "dispatch_on_time_rate": _rate("dispatch_on_time_rate", 0, 0),
        "dispatcher_accuracy_rate": _rate("dispatcher_accuracy_rate", 0, 0),
    }
    result = result_of(values, _scheme(weights, {"dispatched": 10}), "month")
    assert result.composite is None and result.grade is None
    assert result.scored["dispatched"].score is None, "a count of 0 alone is nothing to score"


def test_an_unknown_count_is_left_out():
    values = {"dispatched": _count("dispatched", 0), "dispatch_on_time_rate": _rate("dispatch_on_time_rate", 1, 2)}
    scheme_ = _scheme({"dispatched": 50, "dispatch_on_time_rate": 50}, {"dispatched": 10})
    assert result_of(values, scheme_, "month").composite == 25.0  # the count of 0 scores 0
    assert result_of(values, scheme_, "month", unknown=["dispatched"]).composite == 50.0


def test_a_bad_rate_scores_one_minus_the_rate():
    values = {"rework_rate": _rate("rework_rate", 1, 4, bad=True)}
    scheme_ = ScoringScheme(position=Position.AREA, weights={"rework_rate": 100}, bands=default_bands())
    assert result_of(values, scheme_, "month").composite == 75.0


@pytest.mark.parametrize(
    ("composite", "grade"),
    [(100, "A"), (90, "A"), (89.99, "B"), (75, "B"), (74.99, "C"), (60, "C"), (59.99, "D"), (40, "D"),
     (39.99, "E"), (0, "E"), (None, None)],
)  # fmt: skip
def test_grades_at_the_band_edges(composite, grade):
    assert grade_of(composite, default_bands()) == grade


def test_grades_follow_the_schemes_bands():
    assert grade_of(85, {"A": 85, "B": 70, "C": 50, "D": 30}) == "A"
    assert grade_of(29.99, {"A": 85, "B": 70, "C": 50, "D": 30}) == "E"


def test_ties_share_a_rank_and_the_next_rank_skips():
    ranks = ranks_of({"a": 90.0, "b": 95.5, "c": 90.0, "d": None, "e": 89.996, "f": 10})
    assert ranks == {"b": 1, "a": 2, "c": 2, "e": 2, "f": 5, "d": None}


@pytest.mark.django_db
def test_the_scheme_in_force_by_effective_date_and_area_class(world):
    ScoringScheme.objects.filter(position=Position.DISPATCHER).delete()
    old = scheme(Position.DISPATCHER, {"dispatch_on_time_rate": 100}, effective_from=dt.date(2025, 1, 1))
    new = scheme(Position.DISPATCHER, {"dispatch_on_time_rate": 100}, effective_from=dt.date(2026, 11, 15))
    core = scheme(Position.DISPATCHER, {"dispatched": 100}, {"dispatched": 5}, effective_from=dt.date(2026, 3, 1),
                  area_class="核心区")  # fmt: skip
    scheme(Position.DISPATCHER, {"dispatched": 100}, {"dispatched": 5}, effective_from=dt.date(2027, 1, 1),
           area_class="核心区")  # fmt: skip
    AreaClass.objects.create(area=world.areas["110101001"], area_class="核心区")
    grid_a, grid_c = world.grid_a.code, world.grid_c.code
    # November ends after the new general scheme took effect; October does not.
    assert scheme_in_force(Position.DISPATCHER, grid_c, period_parse("2026-11")) == new
    assert scheme_in_force(Position.DISPATCHER, grid_c, period_parse("2026-10")) == old
    assert scheme_in_force(Position.DISPATCHER, grid_c, period_parse("2026-11-14")) == old
    # Grid A has no class of its own: it takes its street's, whose own scheme beats the general one.
    assert scheme_in_force(Position.DISPATCHER, grid_a, period_parse("2026-11")) == core
    assert scheme_in_force(Position.DISPATCHER, grid_a, period_parse("2026-02")) == old, "before the class scheme"
    assert scheme_in_force(Position.DISPATCHER, "", period_parse("2026-11")) == new
    ScoringScheme.objects.filter(position=Position.DISPATCHER).delete()
    fallback = scheme_in_force(Position.DISPATCHER, grid_a, period_parse("2026-11"))
    assert fallback.pk is None and fallback.weights == scheme_default(Position.DISPATCHER).weights


@pytest.mark.django_db
def test_a_grids_own_class_beats_its_streets():
    schemes = Schemes([], {"110101001": "核心区", "110101001001001": "城郊"})
    assert schemes.area_class_of("110101001001001") == "城郊"
    assert schemes.area_class_of("110101001001002") == "核心区"
    assert schemes.area_class_of("110101002001001") == ""


@pytest.mark.django_db
def test_default_schemes_are_seeded_once_and_keep_the_rules():
    assert {s.position for s in ScoringScheme.objects.all()} == set(Position.values), "seeded after migrating"
    ScoringScheme.objects.filter(position=Position.AREA).update(note="本地方案")
    assert schemes_ensure() == 0
    assert ScoringScheme.objects.get(position=Position.AREA).note == "本地方案"
    for default in DEFAULT_SCHEMES:
        assert scheme_problems(default.position, dict(default.weights), dict(default.quotas), default_bands()) == []
    weights = dict(scheme_default(Position.SHIFT_LEADER).weights)
    assert weights == {"file_on_time_rate": 25, "leader_file_accuracy_rate": 40, "leader_close_on_time_rate": 35}
    for position in (Position.FIELD_WORKER, Position.INTAKE_CLERK, Position.AREA):
        assert "标准未规定" in scheme_default(position).note


@pytest.mark.parametrize(
    ("weights", "quotas", "bands", "field", "message"),
    [
        ({"dispatched": 20, "dispatch_on_time_rate": 40}, {"dispatched": 10}, None, "weights", "合计为 60，应为 100"),
        ({"close_rate": 100}, {}, None, "weights", "未知的指标编码“close_rate”"),
        ({"dispatch_on_time_rate": -10, "dispatcher_accuracy_rate": 110}, {}, None, "weights", "不小于 0"),
        ({"dispatched": 50, "dispatch_on_time_rate": 50}, {}, None, "quotas", "计数指标“派遣数”有权重，需要设定额"),
        ({"dispatched": 50, "dispatch_on_time_rate": 50}, {"dispatched": 0}, None, "quotas", "定额应为正数"),
        ({"dispatch_on_time_rate": 100}, {"dispatch_on_time_rate": 5}, None, "quotas", "是比率指标，不设定额"),
        ({"dispatch_on_time_rate": 100}, {}, {"A": 90, "B": 95, "C": 60, "D": 40}, "bands", "应从 A 到 D 递减"),
        ({"dispatch_on_time_rate": 100}, {}, {"A": 90, "B": 75, "C": 60}, "bands", "A、B、C、D 四档"),
        ({"dispatch_on_time_rate": 100}, {}, {"A": 190, "B": 75, "C": 60, "D": 40}, "bands", "不超过 100"),
        ([], {}, None, "weights", "至少有一项"),
    ],
)
def test_a_scheme_breaking_a_rule_gets_a_precise_message(weights, quotas, bands, field, message):
    problems = scheme_problems(Position.DISPATCHER, weights, quotas, bands or default_bands())
    assert any(p["field"] == field and message in p["message"] for p in problems), problems
