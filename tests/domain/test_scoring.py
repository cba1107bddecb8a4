"""Index scoring (DOMAIN.md §3): hand-worked examples and properties."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from survey_api.domain.estimates import kish_effective_n, weighted_mean
from survey_api.domain.scoring import (
    combine,
    group_respondents,
    grouped_index_result,
    grouped_index_results,
    index_result,
)

NAN = float("nan")


def test_weighted_mean_by_hand():
    # values 100, 80, 60 with weights 1, 1, 2: mean = (100 + 80 + 120) / 4 = 75
    # Kish n_eff = 4² / (1 + 1 + 4) = 16 / 6 = 2.667
    # The standard error is now the design-based one (design.py), each respondent its own PSU in one stratum; it
    # was sqrt(165) = 12.845 from the Kish approximation (weighted variance over n_eff − 1, as if weights and values
    # were unrelated), while the linearised variance squares each respondent's own weight.
    # Linearised values z = w·(x − 75) / 4 = 25/4, 5/4, 2·(−15)/4 = −30/4; they sum to 0, so
    # with m = 3 PSUs  var = m/(m − 1) · Σ z² = 3/2 · (625 + 25 + 900) / 16 = 3/2 · 96.875 = 145.3125, se = 12.0546
    estimate = weighted_mean(np.array([100.0, 80.0, 60.0]), np.array([1.0, 1.0, 2.0]))
    assert estimate.value == pytest.approx(75.0)
    assert estimate.n == 3 and estimate.n_effective == pytest.approx(16 / 6)
    assert estimate.se == pytest.approx(math.sqrt(145.3125))
    assert estimate.ci_low == pytest.approx(75.0 - 1.959964 * math.sqrt(145.3125))


def test_equal_weights_give_the_textbook_standard_error():
    # 100, 80, 60, 40: mean 70, s² = (900 + 100 + 100 + 900) / 3 = 666.67, s/√n = sqrt(166.67) = 12.910
    estimate = weighted_mean(np.array([100.0, 80.0, 60.0, 40.0]), np.full(4, 2.5))
    assert estimate.se == pytest.approx(math.sqrt(2000 / 12))


def test_missing_values_do_not_count_and_nothing_gives_no_estimate():
    assert weighted_mean(np.array([NAN, 80.0]), np.array([5.0, 1.0])).value == 80.0
    assert weighted_mean(np.array([NAN, NAN]), np.array([1.0, 1.0])).value is None
    single = weighted_mean(np.array([70.0]), np.array([1.0]))
    assert single.value == 70.0 and single.se is None


def test_index_by_hand_with_a_dont_know_answer():
    # Three respondents, two questions, weights λ = (2, 1), respondent weights all 1.
    #   q1 scores 100, 80, don't know    -> S1 = 90,  top box (≥60): 2 of 2 -> 1.0, don't know 1/3
    #   q2 scores 60, 30, 0              -> S2 = 30,  top box: 1 of 3 -> 1/3
    # I = (2·90 + 1·30) / 3 = 70;  R = (2·1 + 1/3) / 3 = 7/9
    scores = np.array([[100.0, 60.0], [80.0, 30.0], [NAN, 0.0]])
    top = np.array([[1.0, 1.0], [1.0, 0.0], [NAN, 0.0]])
    answered = np.ones((3, 2), dtype=bool)
    result = index_result(scores, top, answered, np.ones(3), np.array([2.0, 1.0]), min_n=3)
    assert result.value == pytest.approx(70.0)
    assert result.rate == pytest.approx(7 / 9)
    assert result.items[0].score.value == pytest.approx(90.0)
    assert result.items[0].dont_know_share == pytest.approx(1 / 3)
    assert result.items[1].top_box_rate.value == pytest.approx(1 / 3)
    assert result.n == 3 and result.is_sufficient
    assert not index_result(scores, top, answered, np.ones(3), np.array([2.0, 1.0]), min_n=4).is_sufficient


def test_an_item_nobody_scored_drops_out_and_the_weights_renormalise():
    assert combine([80.0, None, 60.0], np.array([1.0, 5.0, 1.0])) == 70.0
    assert combine([None, None], np.array([1.0, 1.0])) is None


def test_effective_n_of_equal_weights_is_n():
    assert kish_effective_n(np.full(7, 3.5)) == pytest.approx(7.0)


scored = st.lists(
    st.lists(st.sampled_from([0.0, 30.0, 60.0, 80.0, 100.0, NAN]), min_size=3, max_size=3), min_size=2, max_size=30
)
positive_weights = st.floats(min_value=0.3, max_value=3.0)


def run(rows, weights, lam=(1.0, 2.0, 1.0)):
    scores = np.array(rows)
    top = np.where(np.isnan(scores), NAN, (scores >= 60).astype(float))
    return index_result(scores, top, np.ones_like(scores, dtype=bool), np.asarray(weights), np.array(lam), min_n=1)


@settings(max_examples=60, deadline=None)
@given(scored, st.data())
def test_index_stays_within_0_and_100_and_ignores_respondent_order(rows, data):
    weights = data.draw(st.lists(positive_weights, min_size=len(rows), max_size=len(rows)))
    result = run(rows, weights)
    if result.value is not None:
        assert -1e-9 <= result.value <= 100 + 1e-9
    order = data.draw(st.permutations(range(len(rows))))
    shuffled = run([rows[i] for i in order], [weights[i] for i in order])
    assert (shuffled.value is None) == (result.value is None)
    if result.value is not None:
        assert shuffled.value == pytest.approx(result.value)
        assert shuffled.rate == pytest.approx(result.rate)


@settings(max_examples=60, deadline=None)
@given(scored)
def test_duplicating_every_respondent_keeps_the_index_and_shrinks_the_error(rows):
    once = run(rows, [1.0] * len(rows))
    twice = run(rows + rows, [1.0] * (2 * len(rows)))
    if once.value is None:
        return
    assert twice.value == pytest.approx(once.value)
    if once.respondent_scores.se:
        assert twice.respondent_scores.se < once.respondent_scores.se


@settings(max_examples=60, deadline=None)
@given(scored, st.floats(min_value=0.5, max_value=4.0))
def test_equal_weights_reproduce_the_unweighted_results(rows, constant):
    plain = run(rows, [1.0] * len(rows))
    weighted = run(rows, [constant] * len(rows))
    if plain.value is None:
        return
    assert weighted.value == pytest.approx(plain.value)
    assert weighted.respondent_scores.n_effective == pytest.approx(plain.respondent_scores.n_effective)
    if plain.respondent_scores.se is not None:
        assert weighted.respondent_scores.se == pytest.approx(plain.respondent_scores.se)


@settings(max_examples=60, deadline=None)
@given(scored, st.data())
def test_every_unit_at_once_equals_each_unit_on_its_own(rows, data):
    scores = np.array(rows)
    top = np.where(np.isnan(scores), NAN, (scores >= 60).astype(float))
    weights = np.array(data.draw(st.lists(positive_weights, min_size=len(rows), max_size=len(rows))))
    domain = np.array(data.draw(st.lists(st.integers(-1, 2), min_size=len(rows), max_size=len(rows))))
    lam = np.array([1.0, 2.0, 1.0])
    answers = group_respondents(scores, top, ~np.isnan(scores), weights, lam)
    together = grouped_index_results(answers, domain, 3, lam, min_n=2)
    for d in range(3):
        part = domain == d
        alone = grouped_index_result(
            group_respondents(scores[part], top[part], ~np.isnan(scores[part]), weights[part], lam), lam, 2
        )
        assert together[d].n == alone.n and together[d].is_sufficient == alone.is_sufficient
        for got, expected in [(together[d].value, alone.value), (together[d].rate, alone.rate)] + [
            (g.dont_know_share, e.dont_know_share) for g, e in zip(together[d].items, alone.items)
        ]:
            assert (got is None) == (expected is None) and (got is None or got == pytest.approx(expected))
        assert together[d].respondent_scores.se == pytest.approx(alone.respondent_scores.se)
        for g, e in zip(together[d].items, alone.items):
            assert g.score.se == pytest.approx(e.score.se) and g.top_box_rate.value == pytest.approx(
                e.top_box_rate.value
            )
