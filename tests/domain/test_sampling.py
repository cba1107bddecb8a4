"""Household sample design (domain/sampling.py): sample size from a margin, allocation by largest remainder, and a
stratified draw that the recorded seed reproduces."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from survey_api.domain.sampling import Allocation, SizeTarget, allocate, draw, reserve_sizes, sample_size

stratum_sizes = st.dictionaries(
    st.text("abcdefgh", min_size=1, max_size=3), st.integers(0, 400), min_size=1, max_size=8
)


def test_sample_size_matches_the_domain_guide_precision_example():
    # DOMAIN.md §3: σ = 20, deff 1.5, n = 200 gives about ±3.4 points; asked the other way round, n ≈ 200.
    size = sample_size(SizeTarget(sigma=20, margin=3.4, design_effect=1.5, response_rate=1.0), population=10**9)
    assert 195 <= size.interviews <= 205
    assert size.released == size.interviews


def test_sample_size_applies_the_finite_population_correction_and_the_response_rate():
    target = SizeTarget(sigma=20, margin=3.4, design_effect=1.5, response_rate=0.8)
    n0 = (target.z * 20 / 3.4) ** 2 * 1.5
    size = sample_size(target, population=400)
    assert size.interviews == math.ceil(n0 / (1 + (n0 - 1) / 400))
    assert size.released == math.ceil(size.interviews / 0.8)
    assert sample_size(target, population=50).released == 50  # never more than the frame
    assert sample_size(target, population=0).released == 0


def test_invalid_targets_are_named():
    assert set(SizeTarget(sigma=0, margin=-1, design_effect=0.5, response_rate=0).problems()) == {
        "sigma",
        "margin",
        "design_effect",
        "response_rate",
    }


@given(total=st.integers(0, 3000), sizes=stratum_sizes, method=st.sampled_from(list(Allocation)))
def test_allocation_sums_to_the_total_and_fits_every_stratum(total, sizes, method):
    parts = allocate(total, sizes, method)
    assert set(parts) == set(sizes)
    assert sum(parts.values()) == min(total, sum(sizes.values()))
    assert all(0 <= parts[name] <= sizes[name] for name in sizes)


@given(total=st.integers(0, 3000), sizes=stratum_sizes)
def test_proportional_allocation_is_within_one_of_the_exact_share_when_nothing_overflows(total, sizes):
    population = sum(sizes.values())
    if population == 0 or total > population:
        return
    parts = allocate(total, sizes, Allocation.PROPORTIONAL)
    for name, size in sizes.items():
        assert abs(parts[name] - total * size / population) < 1


def test_equal_allocation_gives_a_small_stratum_all_it_has_and_the_rest_to_the_others():
    assert allocate(30, {"a": 4, "b": 100, "c": 100}, Allocation.EQUAL) == {"a": 4, "b": 13, "c": 13}


frames = st.dictionaries(
    st.sampled_from(["东社区", "西社区", "南村", "北村"]),
    st.lists(st.integers(1, 10**6), min_size=0, max_size=60, unique=True),
    min_size=1,
)


@settings(max_examples=60)
@given(frame=frames, seed=st.integers(0, 2**48 - 1), share=st.floats(0, 1.5))
def test_the_draw_is_reproducible_from_its_seed_and_respects_strata(frame, seed, share):
    sizes = {name: len(ids) for name, ids in frame.items()}
    main = allocate(sum(sizes.values()) // 2, sizes, Allocation.PROPORTIONAL)
    reserve = reserve_sizes(main, sizes, share)
    first = draw(frame, main, reserve, seed)
    again = draw({name: list(reversed(ids)) for name, ids in frame.items()}, main, reserve, seed)
    assert first == again  # the order the frame was read in does not matter, only the seed
    for name, drawn in first.items():
        assert len(drawn.main) == main[name] and len(drawn.reserve) == reserve[name]
        chosen = drawn.main + drawn.reserve
        assert set(chosen) <= set(frame[name])  # every household comes from its own stratum
        assert len(set(chosen)) == len(chosen)  # and is drawn once


def test_another_seed_draws_another_sample():
    frame = {"a": list(range(1000))}
    assert draw(frame, {"a": 50}, {"a": 10}, 1) != draw(frame, {"a": 50}, {"a": 10}, 2)


def test_negative_sizes_are_refused():
    with pytest.raises(ValueError):
        allocate(5, {"a": -1}, Allocation.EQUAL)
