"""Design-based standard errors (design.py): hand-worked designs, properties, and a cross-check against samplics."""

from __future__ import annotations

import math
import time
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from survey_api.domain.design import GroupedSample, design_mean, design_means, from_respondents
from survey_api.domain.estimates import Estimate

with warnings.catch_warnings():
    warnings.simplefilter("ignore", FutureWarning)  # samplics announces its successor on import
    from samplics import PopParam, SinglePSUEst, TaylorEstimator

NAN = float("nan")

# Two strata. Stratum 1: cluster 10 holds (100, w 1) and (80, w 1), cluster 11 holds (60, w 2).
# Stratum 2: cluster 20 holds (80, w 2); (40, w 1) and (60, w 1) have no cluster, each its own PSU.
VALUES = np.array([100.0, 80.0, 60.0, 80.0, 40.0, 60.0])
WEIGHTS = np.array([1.0, 1.0, 2.0, 2.0, 1.0, 1.0])
STRATA = np.array([1, 1, 1, 2, 2, 2])
CLUSTERS = np.array([10, 10, 11, 20, -1, -1])


def test_two_strata_with_clusters_by_hand():
    # Σw = 8, Σw·x = 100 + 80 + 120 + 160 + 40 + 60 = 560, mean = 70; Kish n_eff = 8² / (1+1+4+4+1+1) = 64/12.
    # z = w·(x − 70) / 8, written below as 8·z:
    #   stratum 1: PSU 10 = 30 + 10 = 40, PSU 11 = 2·(−10) = −20; centre 10;
    #              Σ (8z − 10)² = 900 + 900 = 1800, × m/(m − 1) = 2/1 → 3600
    #   stratum 2: PSU 20 = 2·10 = 20, lone respondents −30 and −10; centre −20/3;
    #              Σ = (80/3)² + (−70/3)² + (−10/3)² = 11400/9, × 3/2 → 1900
    # var = (3600 + 1900) / 8² = 85.9375, se = 9.2703
    estimate = design_mean(from_respondents(VALUES, WEIGHTS, STRATA, CLUSTERS))
    assert estimate.value == pytest.approx(70.0)
    assert estimate.n == 6 and estimate.n_effective == pytest.approx(64 / 12)
    assert estimate.se == pytest.approx(math.sqrt(85.9375))
    assert estimate.ci_high == pytest.approx(70.0 + 1.959964 * math.sqrt(85.9375))


def test_the_same_design_given_as_groups():
    # PSU 10 becomes one group of two respondents (weight 1, Σx = 180, Σx² = 16400); the two lone respondents of
    # stratum 2 share weight 1 and stratum 2, so they form one group with cluster −1 (Σx = 100, Σx² = 5200).
    groups = GroupedSample(
        weight=np.array([1.0, 2.0, 2.0, 1.0]),
        n=np.array([2, 1, 1, 2]),
        total=np.array([180.0, 60.0, 80.0, 100.0]),
        squares=np.array([16400.0, 3600.0, 6400.0, 5200.0]),
        stratum=np.array([1, 1, 2, 2]),
        cluster=np.array([10, 11, 20, -1]),
    )
    assert design_mean(groups) == design_mean(from_respondents(VALUES, WEIGHTS, STRATA, CLUSTERS))


def test_a_stratum_with_a_single_psu_adds_nothing_but_its_weight():
    # Stratum 3 has one PSU, a respondent at the mean (70, w 2): the mean stays 70 and Σw grows from 8 to 10.
    # Its own term is skipped (one PSU), and every other z shrinks by 8/10: var = 5500 / 10² = 55.
    estimate = design_mean(
        from_respondents(
            np.append(VALUES, 70.0), np.append(WEIGHTS, 2.0), np.append(STRATA, 3), np.append(CLUSTERS, 30)
        )
    )
    assert estimate.value == pytest.approx(70.0)
    assert estimate.se == pytest.approx(math.sqrt(55.0))


def test_without_two_psus_in_any_stratum_there_is_a_value_but_no_standard_error():
    one_cluster = design_mean(from_respondents(VALUES, WEIGHTS, clusters=np.full(6, 7)))
    assert one_cluster.value == pytest.approx(70.0) and one_cluster.n == 6
    assert one_cluster.se is None and one_cluster.ci_low is None
    one_psu_per_stratum = design_mean(from_respondents(VALUES, WEIGHTS, STRATA, np.where(STRATA == 1, 10, 20)))
    assert one_psu_per_stratum.value == pytest.approx(70.0) and one_psu_per_stratum.se is None
    assert design_mean(from_respondents(np.array([55.0]), np.array([3.0]))).se is None


def test_nothing_that_counts_gives_the_empty_estimate():
    assert design_mean(from_respondents(np.array([NAN, NAN]), np.ones(2))) == Estimate.empty()
    assert design_mean(from_respondents(np.array([]), np.array([]))) == Estimate.empty()
    # A cluster whose respondents all lack a value is no PSU: here only cluster 2 is left, so no error can be had,
    # whether the respondents come one by one or as groups with n = 0.
    groups = GroupedSample(
        weight=np.ones(2),
        n=np.array([0, 2]),
        total=np.array([0.0, 120.0]),
        squares=np.array([0.0, 7400.0]),
        stratum=np.zeros(2, dtype=int),
        cluster=np.array([1, 2]),
    )
    assert design_mean(groups).value == pytest.approx(60.0) and design_mean(groups).se is None
    assert (
        design_mean(from_respondents(np.array([NAN, 50.0, 70.0]), np.ones(3), clusters=np.array([1, 2, 2]))).se is None
    )


def test_a_column_of_the_wrong_length_is_refused():
    with pytest.raises(ValueError, match="strata must have one entry per respondent"):
        from_respondents(VALUES, WEIGHTS, strata=np.zeros(5, dtype=int))


def test_tens_of_thousands_of_groups_take_no_time():
    rng = np.random.default_rng(7)
    size = 100_000
    sample = GroupedSample(
        weight=rng.uniform(0.3, 3.0, size),
        n=rng.integers(1, 5, size),
        total=rng.uniform(0, 100, size),
        squares=rng.uniform(0, 100, size) ** 2 * 5,
        stratum=rng.integers(0, 30, size),
        cluster=np.where(rng.random(size) < 0.2, -1, rng.integers(0, 3000, size)),
    )
    started = time.perf_counter()
    assert design_mean(sample).se is not None
    assert time.perf_counter() - started < 5.0  # a loop over groups in Python would take far longer


# --- properties ---------------------------------------------------------------------------------------------------

respondent = st.tuples(
    st.one_of(st.sampled_from([0.0, 30.0, 60.0, 80.0, 100.0]), st.floats(min_value=0, max_value=100)),
    st.sampled_from([0.5, 1.0, 2.0, 3.0]),  # few weights, so that groups form
    st.integers(min_value=0, max_value=2),  # stratum
    st.integers(min_value=-1, max_value=3),  # cluster within the stratum, −1 = none
)
respondents = st.lists(respondent, min_size=1, max_size=40)


def columns(rows: list[tuple]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    values, weights, strata, within = (np.array(column) for column in zip(*rows))
    clusters = np.where(within < 0, -1, strata * 10 + within)  # cluster codes unique across strata
    return values.astype(float), weights.astype(float), strata.astype(int), clusters.astype(int)


def estimate_of(rows: list[tuple]) -> Estimate:
    return design_mean(from_respondents(*columns(rows)))


def grouped(values, weights, strata, clusters) -> GroupedSample:
    """Respondents with a value summed into groups that share weight, stratum and cluster."""
    sums: dict[tuple, list[float]] = {}
    for value, weight, stratum, cluster in zip(values, weights, strata, clusters):
        if math.isnan(value):
            continue
        group = sums.setdefault((float(weight), int(stratum), int(cluster)), [0, 0.0, 0.0])
        group[0] += 1
        group[1] += value
        group[2] += value * value
    keys = list(sums)
    return GroupedSample(
        weight=np.array([k[0] for k in keys]),
        n=np.array([sums[k][0] for k in keys]),
        total=np.array([sums[k][1] for k in keys]),
        squares=np.array([sums[k][2] for k in keys]),
        stratum=np.array([k[1] for k in keys]),
        cluster=np.array([k[2] for k in keys]),
    )


def assert_same(a: Estimate, b: Estimate) -> None:
    """Equal up to floating-point summation order (a variance near 0 loses relative precision to cancellation)."""
    assert a.n == b.n
    assert a.value == pytest.approx(b.value, rel=1e-10, abs=1e-9)
    assert a.n_effective == pytest.approx(b.n_effective, rel=1e-10)
    assert (a.se is None) == (b.se is None)
    if a.se is not None:
        assert a.se == pytest.approx(b.se, rel=1e-7, abs=1e-6)


@settings(max_examples=150, deadline=None)
@given(respondents)
def test_grouping_respondents_gives_the_per_respondent_result(rows):
    assert_same(design_mean(grouped(*columns(rows))), estimate_of(rows))


@settings(max_examples=100, deadline=None)
@given(respondents, st.data())
def test_the_order_of_respondents_changes_nothing(rows, data):
    order = data.draw(st.permutations(range(len(rows))))
    assert_same(estimate_of([rows[i] for i in order]), estimate_of(rows))


@settings(max_examples=100, deadline=None)
@given(respondents)
def test_duplicating_every_respondent_keeps_the_mean_and_shrinks_the_error(rows):
    copies = [
        (value, weight, stratum, cluster if cluster < 0 else cluster + 5) for value, weight, stratum, cluster in rows
    ]
    once, twice = estimate_of(rows), estimate_of(rows + copies)  # the copies sit in new PSUs of the same strata
    assert twice.value == pytest.approx(once.value)
    assert twice.n == 2 * once.n
    if once.se is not None and once.se > 1e-9:
        assert twice.se < once.se


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(min_value=0, max_value=100), min_size=2, max_size=40), st.floats(0.2, 5.0))
def test_equal_weights_give_the_plain_mean_and_s_over_root_n(values, weight):
    x = np.array(values)
    estimate = design_mean(from_respondents(x, np.full(x.shape, weight)))
    assert estimate.value == pytest.approx(x.mean())
    assert estimate.n_effective == pytest.approx(x.shape[0])
    assert estimate.se == pytest.approx(x.std(ddof=1) / math.sqrt(x.shape[0]), rel=1e-9, abs=1e-9)


@settings(max_examples=100, deadline=None)
@given(respondents)
def test_the_value_lies_between_the_smallest_and_the_largest_answer(rows):
    values = columns(rows)[0]
    estimate = estimate_of(rows)
    assert values.min() - 1e-9 <= estimate.value <= values.max() + 1e-9
    if estimate.se is not None:
        assert estimate.ci_low <= estimate.value <= estimate.ci_high


# --- oracle: samplics' Taylor estimator --------------------------------------------------------------------------


def random_design(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """2–5 strata; each has 1–5 clusters of 1–8 respondents (so some strata have a single PSU) and sometimes
    respondents without a cluster; unequal weights; scores on the 0–100 scale or continuous values; some missing."""
    rng = np.random.default_rng(seed)
    strata, clusters = [], []
    next_cluster = 0
    for stratum in range(int(rng.integers(2, 6))):
        for _ in range(int(rng.integers(1, 6))):
            size = int(rng.integers(1, 9))
            strata += [stratum] * size
            clusters += [next_cluster] * size
            next_cluster += 1
        alone = int(rng.integers(0, 4)) if rng.random() < 0.4 else 0
        strata += [stratum] * alone
        clusters += [-1] * alone
    size = len(strata)
    if seed % 2:
        values = rng.choice([0.0, 30.0, 60.0, 80.0, 100.0], size)
    else:
        values = rng.normal(70, 15, size)
    values[rng.random(size) < 0.1] = NAN
    weights = rng.choice(rng.lognormal(0, 0.6, 4), size)  # few distinct weights, so that respondents form groups
    return values, weights, np.array(strata), np.array(clusters)


def samplics_mean(values, weights, strata, clusters) -> tuple[float, float]:
    psu = np.where(clusters < 0, 1_000_000 + np.arange(clusters.shape[0]), clusters)  # lone respondents: own PSU
    oracle = TaylorEstimator(PopParam.mean)
    oracle.estimate(
        y=values, samp_weight=weights, stratum=strata, psu=psu, single_psu=SinglePSUEst.skip, remove_nan=True
    )
    return float(oracle.point_est), float(oracle.stderror)


@pytest.mark.parametrize("seed", range(40))
def test_mean_and_standard_error_agree_with_samplics(seed):
    values, weights, strata, clusters = random_design(seed)
    ours = design_mean(from_respondents(values, weights, strata, clusters))
    if ours.se is None:  # no stratum with two PSUs: samplics reports 0, we report no error at all
        pytest.fail(f"seed {seed} drew a design without a variance; change the generator")
    point, se = samplics_mean(values, weights, strata, clusters)
    assert ours.value == pytest.approx(point, rel=1e-8)
    assert ours.se == pytest.approx(se, rel=1e-8)
    assert design_mean(grouped(values, weights, strata, clusters)).se == pytest.approx(se, rel=1e-8)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(respondent, st.integers(min_value=-1, max_value=3)), min_size=1, max_size=60))
def test_every_domain_at_once_equals_each_domain_on_its_own(rows):
    """design_means over domains (units) gives what design_mean gives on each domain's respondents alone; the
    same stratum and cluster codes in two domains name different strata and PSUs; domain −1 belongs to none."""
    values, weights, strata, clusters = columns([r for r, _ in rows])
    domain = np.array([d for _, d in rows])
    everyone = from_respondents(values, weights, strata, clusters)
    together = design_means(everyone, domain, 4)
    for d in range(4):
        alone = domain == d
        expected = design_mean(from_respondents(values[alone], weights[alone], strata[alone], clusters[alone]))
        if expected.n == 0:
            assert together[d] == expected == Estimate.empty()
            continue
        assert_same(together[d], expected)
