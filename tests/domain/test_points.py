"""The 民评 composite, its conversion to points, and the satisfaction gate (DOMAIN.md §3)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from survey_api.domain.points import (
    band_points,
    competition_ranks,
    composite,
    linear_points,
    passes_satisfaction_gate,
    rank_step_points,
    ratio_to_top_points,
)

EQUAL = {"happiness": 1.0, "satisfaction": 1.0, "security": 1.0}


def test_composite_by_hand_and_never_zero_for_a_missing_index():
    assert composite({"happiness": 80, "satisfaction": 90, "security": 70}, EQUAL) == pytest.approx(80.0)
    assert composite({"happiness": 80, "satisfaction": None, "security": 70}, EQUAL) is None
    assert composite({"happiness": 80, "security": 70}, {"happiness": 1, "security": 3}) == pytest.approx(72.5)


def test_each_conversion_by_hand():
    assert linear_points(84.0, 15) == pytest.approx(12.6)  # 84 / 100 × 15
    assert ratio_to_top_points({"a": 90.0, "b": 72.0}, 15) == {"a": 15.0, "b": 12.0}  # 72 / 90 × 15
    # ties share a rank and the next rank skips: 1, 1, 3; each rank below loses 2% of 15 = 0.3
    assert rank_step_points({"a": 90.0, "b": 90.0, "c": 85.0}, 15, 0.02) == {"a": 15.0, "b": 15.0, "c": 14.4}
    bands = [(90, 15), (80, 12), (70, 9)]
    assert [band_points(p, bands) for p in (95, 85, 79.9, 60)] == [15, 12, 9, 0]


def test_the_satisfaction_gate():
    assert passes_satisfaction_gate(60.0, 60) and not passes_satisfaction_gate(59.9, 60)
    assert not passes_satisfaction_gate(None, 60)


@given(st.dictionaries(st.text(min_size=1, max_size=4), st.floats(0, 100), min_size=1, max_size=12), st.randoms())
def test_rankings_and_points_do_not_depend_on_the_order_units_are_listed(values, random):
    items = list(values.items())
    random.shuffle(items)
    reordered = dict(items)
    assert competition_ranks(reordered) == competition_ranks(values)
    assert rank_step_points(reordered, 15, 0.02) == rank_step_points(values, 15, 0.02)
    assert ratio_to_top_points(reordered, 15) == ratio_to_top_points(values, 15)
    assert min(competition_ranks(values).values()) == 1
