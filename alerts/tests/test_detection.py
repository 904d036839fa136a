"""The detector: hand-made series with known answers (scipy's distributions worked by hand), then the same
through the fact table: the same weekday only, a grid's own start, the first report on record, scope."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from scipy import stats

from alerts.detection import Config, baseline_test, detect, window_days
from alerts.models import AlertMethod
from alerts.tests.conftest import DAY, STEADY, weeks_before
from areas.choices import AreaLevel
from areas.models import Area, BoundaryVersion
from stats.facts import Measure
from stats.models import StatFact

OVER_DISPERSED = [0, 6, 0, 1, 5, 0, 0, 4]  # mean 2 as STEADY, variance 6.57


def one(history, observed, config=None, known=None):
    return baseline_test(np.array([history]), np.array([observed]), config, None if known is None else [known])


# --- The arithmetic ----------------------------------------------------------------------------------------------
def test_a_spike_on_a_steady_poisson_series_alerts_with_its_poisson_probability():
    result = one(STEADY, 9)
    assert result.expected[0] == 2.0 and result.variance[0] == pytest.approx(4 / 7)
    assert not result.negative_binomial[0]
    assert result.probability[0] == pytest.approx(stats.poisson.sf(8, 2.0)) == pytest.approx(2.374e-4, rel=1e-3)
    assert result.threshold[0] == 9  # P(X ≥ 8) = 0.0011 is not below 0.001; P(X ≥ 9) is
    assert result.alert[0]


@pytest.mark.parametrize("observed", [0, 2, 4, 6, 8])
def test_the_same_series_without_a_spike_does_not_alert(observed):
    result = one(STEADY, observed)
    assert not result.alert[0] and result.probability[0] >= 0.001


def test_an_over_dispersed_history_reads_as_negative_binomial_and_widens_the_limit():
    steady, spread = one(STEADY, 9), one(OVER_DISPERSED, 9)
    assert spread.expected[0] == steady.expected[0] == 2.0
    assert spread.negative_binomial[0] and spread.variance[0] == pytest.approx(46 / 7)
    size = 4 / (46 / 7 - 2)  # method of moments: r = λ² / (σ² − λ)
    assert spread.probability[0] == pytest.approx(stats.nbinom.sf(8, size, size / (size + 2)))
    assert spread.threshold[0] > steady.threshold[0]
    assert spread.probability[0] > steady.probability[0]
    assert steady.alert[0] and not spread.alert[0]  # nine reports are unusual on the steady series only
    assert one(OVER_DISPERSED, int(spread.threshold[0])).alert[0]


def test_a_quiet_series_has_a_floor_so_one_or_two_cases_never_alert():
    quiet = [0] * 8
    assert one(quiet, 1).expected[0] == 0.25
    for observed in (1, 2, 3):  # P(X ≥ 3 | 0.25) = 0.0022
        assert not one(quiet, observed).alert[0]
    four = one(quiet, 4)
    assert four.alert[0] and four.probability[0] == pytest.approx(stats.poisson.sf(3, 0.25))
    assert four.threshold[0] == 4


def test_the_minimum_count_holds_back_an_unlikely_small_count():
    quiet = [0] * 8
    assert one(quiet, 4).alert[0]
    held = one(quiet, 4, Config(min_count=5))
    assert held.probability[0] < 0.001 and not held.alert[0]
    assert held.threshold[0] == 5
    assert one(quiet, 5, Config(min_count=5)).alert[0]


def test_alpha_is_the_bar_of_the_probability():
    assert not one(STEADY, 8).alert[0]  # 0.0011
    assert one(STEADY, 8, Config(alpha=0.002)).alert[0]


def test_only_known_weeks_are_history_and_too_few_are_not_tested():
    # The last three weeks only (the grid is new): mean of 5, 5, 5; the zeros before it existed do not count.
    known = [False] * 5 + [True] * 3
    result = one([0, 0, 0, 0, 0, 5, 5, 5], 9, Config(min_history_weeks=3), known)
    assert result.weeks[0] == 3 and result.expected[0] == 5.0 and not result.alert[0]
    untested = one([0, 0, 0, 0, 0, 5, 5, 5], 30, Config(min_history_weeks=4), known)
    assert not untested.tested[0] and not untested.alert[0]
    assert untested.probability[0] == 1.0 and untested.threshold[0] == 0


def test_every_series_is_tested_at_once():
    history = np.array([STEADY, OVER_DISPERSED, [0] * 8, STEADY])
    result = baseline_test(history, np.array([9, 9, 4, 3]))
    assert result.alert.tolist() == [True, False, True, False]
    assert result.negative_binomial.tolist() == [False, True, False, False]


def test_the_window_is_the_day_and_the_same_weekday_of_the_weeks_before():
    days = window_days(DAY, 8)
    assert days[0] == DAY and len(days) == 9
    assert {day.weekday() for day in days} == {DAY.weekday()} and days[-1] == DAY - dt.timedelta(days=56)


# --- Through the fact table ----------------------------------------------------------------------------------------
def test_detect_reads_the_same_weekday_and_finds_the_spike(world, garbage, litter, facts_write):
    facts_write(world.grid_a, garbage, {**weeks_before(DAY, STEADY), DAY: 9})
    # Busy other weekdays do not enter the baseline.
    facts_write(world.grid_a, garbage, {DAY - dt.timedelta(days=offset): 20 for offset in (1, 2, 3, 8, 13)})
    facts_write(world.grid_a, litter, {**weeks_before(DAY, STEADY), DAY: 4})  # usual
    [finding] = detect([DAY])
    assert (finding.grid_id, finding.category_id, finding.day) == (world.grid_a.pk, garbage.pk, DAY)
    assert finding.observed == 9 and finding.expected == 2.0 and finding.method == AlertMethod.POISSON
    assert finding.history == tuple(STEADY) and finding.threshold == 9
    assert finding.probability == pytest.approx(stats.poisson.sf(8, 2.0))


def test_detect_sums_every_source_and_reporter_of_the_day(world, garbage, facts_write):
    facts_write(world.grid_a, garbage, weeks_before(DAY, STEADY))
    facts_write(world.grid_a, garbage, {DAY: 5})
    facts_write(world.grid_a, garbage, {DAY: 4}, source="hotline")
    [finding] = detect([DAY])
    assert finding.observed == 9


def test_reports_without_a_category_are_not_a_series(world, garbage, facts_write):
    StatFact.objects.create(day=DAY, grid_id=world.grid_a.pk, category_id=0, source="hotline",
                            measure=Measure.REPORT, count=40)  # fmt: skip
    facts_write(world.grid_a, garbage, weeks_before(DAY, STEADY))
    assert detect([DAY]) == []


def test_a_new_grid_has_no_history_and_does_not_alert(world, garbage, facts_write):
    version = BoundaryVersion.objects.create(
        number=2, name="新增网格", effective_from=dt.datetime(2026, 11, 14, tzinfo=dt.UTC)
    )
    new = Area.objects.create(code="110101001001003", name="网格D", level=AreaLevel.GRID,
                              parent=world.areas["110101001001"], introduced_in=version.number)  # fmt: skip
    facts_write(world.grid_a, garbage, weeks_before(DAY, STEADY))  # the site has kept records for weeks
    facts_write(new, garbage, {DAY - dt.timedelta(days=7): 1, DAY: 12})
    assert detect([DAY]) == []
    # Weeks on, the new grid has its history: a spike on another weekday alerts. History begins at the grid's
    # start (2026-11-14): the Thursday of 11-19 (no report) and the four Thursdays after it.
    later = DAY + dt.timedelta(days=29)
    facts_write(new, garbage, {DAY + dt.timedelta(days=1 + 7 * week): 1 for week in range(4)} | {later: 12})
    [finding] = detect([later])
    assert finding.grid_id == new.pk and finding.history == (0, 1, 1, 1, 1)


def test_weeks_before_the_first_report_on_record_are_not_history(world, garbage, facts_write):
    facts_write(world.grid_a, garbage, {DAY - dt.timedelta(days=14): 1, DAY - dt.timedelta(days=7): 1, DAY: 12})
    assert detect([DAY]) == []  # two weeks of records: not enough to tell what is usual
    facts_write(world.grid_a, garbage, {DAY - dt.timedelta(days=28): 1})
    [finding] = detect([DAY])
    assert finding.history == (1, 0, 1, 1)  # from the first record on, a day without reports is a zero


def test_detect_keeps_to_the_grids_asked_for(world, garbage, facts_write):
    for grid in (world.grid_a, world.grid_c):
        facts_write(grid, garbage, {**weeks_before(DAY, STEADY), DAY: 10})
    street_2 = Area.objects.filter(level=AreaLevel.GRID, code__startswith="110101002")
    assert [finding.grid_id for finding in detect([DAY], grids=street_2)] == [world.grid_c.pk]
    assert sorted(finding.grid_id for finding in detect([DAY])) == sorted([world.grid_a.pk, world.grid_c.pk])


def test_detect_tests_several_days_in_one_pass(world, garbage, facts_write):
    yesterday = DAY - dt.timedelta(days=1)
    facts_write(world.grid_a, garbage, {**weeks_before(DAY, STEADY), DAY: 9})
    facts_write(world.grid_b, garbage, {**weeks_before(yesterday, STEADY), yesterday: 10})
    found = {(finding.grid_id, finding.day) for finding in detect([yesterday, DAY])}
    assert found == {(world.grid_a.pk, DAY), (world.grid_b.pk, yesterday)}


def test_detect_takes_three_queries_whatever_the_number_of_series(world, garbage, litter, facts_write,
                                                                  django_assert_num_queries):  # fmt: skip
    for grid in (world.grid_a, world.grid_b, world.grid_c):
        for category in (garbage, litter):
            facts_write(grid, category, {**weeks_before(DAY, STEADY), DAY: 9})
    with django_assert_num_queries(3):  # the window's counts, the grids' starts, the first report on record
        found = detect([DAY - dt.timedelta(days=1), DAY])
    assert len(found) == 6
