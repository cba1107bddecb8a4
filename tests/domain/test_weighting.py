"""Raking respondent weights to population margins."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from survey_api.domain.weighting import RakingError, rake

SEX = {"male": 0.49, "female": 0.51}
AGE = {"young": 0.3, "middle": 0.4, "old": 0.3}


def shares(weights, codes, category):
    return weights[codes == category].sum() / weights.sum()


def test_one_variable_by_hand():
    # 3 men and 1 woman; the population is half and half: men weigh 2/3 each, the woman 2 (mean 1).
    sex = np.array(["male", "male", "male", "female"])
    weights, report = rake({"sex": sex}, {"sex": {"male": 0.5, "female": 0.5}}, lower=0.1, upper=10)
    assert weights.tolist() == pytest.approx([2 / 3, 2 / 3, 2 / 3, 2.0])
    assert report.converged and report.iterations == 1
    # Kish: n_eff = 4² / (3·4/9 + 4) = 16 / 5.333 = 3; design effect 4 / 3
    assert report.design_effect == pytest.approx(4 / 3)


def test_two_variables_meet_both_margins():
    rng = np.random.default_rng(7)
    sex = rng.choice(["male", "female"], size=400, p=[0.4, 0.6])
    age = rng.choice(["young", "middle", "old"], size=400, p=[0.2, 0.35, 0.45])
    weights, report = rake({"sex": sex, "age": age}, {"sex": SEX, "age": AGE}, lower=0.3, upper=3.0)
    assert report.converged and report.max_margin_error <= 1e-6
    for category, share in SEX.items():
        assert shares(weights, sex, category) == pytest.approx(share, abs=1e-6)
    for category, share in AGE.items():
        assert shares(weights, age, category) == pytest.approx(share, abs=1e-6)
    assert weights.mean() == pytest.approx(1.0)


def test_trimming_bounds_hold_and_an_unreachable_fit_is_reported_not_hidden():
    sex = np.array(["male"] * 19 + ["female"])
    weights, report = rake({"sex": sex}, {"sex": {"male": 0.5, "female": 0.5}}, lower=0.5, upper=2.0)
    assert weights.max() <= 2.0 + 1e-9 and weights.min() >= 0.5 - 1e-9
    assert not report.converged and report.max_margin_error > 0.01 and report.trimmed >= 1


@pytest.mark.parametrize(
    "margins, code",
    [
        ({"sex": {"male": 0.6, "female": 0.6}}, "margins_do_not_sum"),
        ({"sex": {"male": 1.0}}, "category_without_margin"),
        ({"sex": {"male": 0.5, "female": 0.3, "other": 0.2}}, "empty_category"),
        ({"region": {"a": 1.0}}, "unknown_variable"),
    ],
)
def test_margins_that_cannot_be_fitted_are_refused_with_a_reason(margins, code):
    with pytest.raises(RakingError) as caught:
        rake({"sex": np.array(["male", "female"])}, margins, lower=0.3, upper=3)
    assert caught.value.code == code


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.sampled_from(["male", "female"]), min_size=20, max_size=200).filter(
        lambda s: 0.25 < s.count("male") / len(s) < 0.75
    )
)
def test_raking_matches_the_margin_and_ignores_respondent_order(sample):
    codes = np.array(sample)
    weights, report = rake({"sex": codes}, {"sex": SEX}, lower=0.3, upper=3.0)
    assert report.converged
    assert shares(weights, codes, "male") == pytest.approx(0.49, abs=1e-6)
    order = np.random.default_rng(1).permutation(len(codes))
    shuffled, _ = rake({"sex": codes[order]}, {"sex": SEX}, lower=0.3, upper=3.0)
    assert np.allclose(np.sort(shuffled), np.sort(weights))
