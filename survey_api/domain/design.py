"""Design-based precision of a weighted mean (DOMAIN.md §3): Taylor linearisation, PSUs drawn with replacement
within strata.

Each response records its stratum (township or street) and its cluster (village or community, the primary sampling
unit, PSU). The estimate is the ratio mean Σw·x / Σw; its variance is that of the linearised values
z_i = w_i·(x_i − mean) / Σw summed per PSU:

    var = Σ_h m_h / (m_h − 1) · Σ_j (z_hj − z̄_h)²

with m_h PSUs in stratum h, z_hj the total of z over PSU j and z̄_h their mean. No finite-population correction is
applied (with-replacement approximation). Respondents without a recorded cluster (code −1) are each their own PSU,
so with no strata and no clusters the standard error of equally weighted values is s/√n.

Rules chosen here (the oracle in the tests runs with the same options):
- a stratum with a single PSU adds nothing to the variance (samplics `SinglePSUEst.skip`, R survey's "certainty");
  when no stratum has two PSUs the variance cannot be estimated and the standard error is None, rather than 0;
- only groups with respondents that have a value count: a cluster whose respondents all lack a value is not a PSU
  (the variance is that of the respondents who answered, not a domain estimate over the whole sample);
- PSUs are told apart by (stratum, cluster), so a cluster code reused in two strata names two PSUs.

Everything is vectorised over groups (np.bincount), so tens of thousands of groups cost milliseconds."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .estimates import Z_95, Estimate

NO_CLUSTER = -1


@dataclass(frozen=True)
class GroupedSample:
    """Respondents summarised in groups that share one weight, one stratum and one cluster."""

    weight: np.ndarray  # float, the weight of each respondent in the group (> 0)
    n: np.ndarray  # int, respondents in the group that have a value
    total: np.ndarray  # float, Σ x over them
    squares: np.ndarray  # float, Σ x² over them
    stratum: np.ndarray  # int codes; 0 everywhere when no strata are recorded
    cluster: np.ndarray  # int codes of the PSU (unique across strata); -1 = each respondent is its own PSU


def from_respondents(
    values: np.ndarray,
    weights: np.ndarray,
    strata: np.ndarray | None = None,
    clusters: np.ndarray | None = None,
) -> GroupedSample:
    """One group per respondent with a value (NaN = no value); strata and clusters are optional int codes."""
    values = np.asarray(values, dtype=float)
    size = values.shape[0]
    columns = {"weights": weights, "strata": strata, "clusters": clusters}
    for name, column in columns.items():
        if column is not None and np.shape(column) != (size,):
            raise ValueError(f"{name} must have one entry per respondent ({size}), got shape {np.shape(column)}")
    counted = ~np.isnan(values)
    x = values[counted]
    return GroupedSample(
        weight=np.asarray(weights, dtype=float)[counted],
        n=np.ones(x.shape[0], dtype=np.int64),
        total=x,
        squares=x * x,
        stratum=_codes(strata, counted, default=0),
        cluster=_codes(clusters, counted, default=NO_CLUSTER),
    )


def _codes(column: np.ndarray | None, counted: np.ndarray, default: int) -> np.ndarray:
    """The int codes of the counted respondents, or the default code for all of them when none were recorded."""
    if column is None:
        return np.full(int(counted.sum()), default, dtype=np.int64)
    return np.asarray(column, dtype=np.int64)[counted]


def design_mean(sample: GroupedSample, z: float = Z_95) -> Estimate:
    """The weighted mean with n, Kish effective n, the linearised design-based standard error and a normal
    interval; Estimate.empty() when no respondent counts, no standard error when it cannot be estimated."""
    counted = sample.n > 0
    weight = np.asarray(sample.weight, dtype=float)[counted]
    n = np.asarray(sample.n, dtype=np.int64)[counted]
    total = np.asarray(sample.total, dtype=float)[counted]
    weight_sum = float((weight * n).sum())
    respondents = int(n.sum())
    if respondents == 0 or weight_sum <= 0:
        return Estimate.empty()
    mean = float((weight * total).sum() / weight_sum)
    n_effective = weight_sum * weight_sum / float((weight * weight * n).sum())
    squares = np.asarray(sample.squares, dtype=float)[counted]
    stratum = np.asarray(sample.stratum, dtype=np.int64)[counted]
    cluster = np.asarray(sample.cluster, dtype=np.int64)[counted]
    variance = _linearised_variance(weight / weight_sum, n, total, squares, stratum, cluster, mean)
    if variance is None:
        return Estimate(mean, respondents, n_effective, None, None, None)
    se = math.sqrt(variance)
    return Estimate(mean, respondents, n_effective, se, mean - z * se, mean + z * se)


def _linearised_variance(
    share: np.ndarray,
    n: np.ndarray,
    total: np.ndarray,
    squares: np.ndarray,
    stratum: np.ndarray,
    cluster: np.ndarray,
    mean: float,
) -> float | None:
    """Σ_h m_h/(m_h − 1)·Σ_j (z_hj − z̄_h)² over strata with two PSUs or more; None when there is no such stratum.

    `share` is w / Σw. Within a group every respondent has the same share, so its z values have the mean
    share·(x̄_g − mean) and the spread share²·Σ(x − x̄_g)², which the sufficient statistics give without
    cancellation (squares − total²/n is exactly 0 for a single respondent)."""
    group_mean = total / n
    z_mean = share * (group_mean - mean)  # the mean z of the group's respondents
    z_spread = share * share * np.maximum(squares - total * group_mean, 0.0)  # Σ (z − z_mean)² within the group
    strata, stratum_of_group = np.unique(stratum, return_inverse=True)
    stratum_of_group = stratum_of_group.reshape(-1)
    n_strata = strata.shape[0]

    clustered = cluster != NO_CLUSTER
    pairs = np.stack([stratum_of_group[clustered], cluster[clustered]], axis=1)
    psus, psu_of_group = np.unique(pairs, axis=0, return_inverse=True)
    psu_of_group = psu_of_group.reshape(-1)
    psu_stratum = psus[:, 0]
    psu_z = np.bincount(psu_of_group, weights=n[clustered] * z_mean[clustered], minlength=psus.shape[0])

    alone = ~clustered  # every respondent of these groups is a PSU of its own
    alone_stratum = stratum_of_group[alone]
    psu_count = np.bincount(psu_stratum, minlength=n_strata) + np.bincount(
        alone_stratum, weights=n[alone], minlength=n_strata
    )
    stratum_z = np.bincount(stratum_of_group, weights=n * z_mean, minlength=n_strata)
    centre = np.divide(stratum_z, psu_count, out=np.zeros(n_strata), where=psu_count > 0)

    deviations = np.zeros(n_strata)  # bincount of nothing comes back as int
    deviations += np.bincount(psu_stratum, weights=(psu_z - centre[psu_stratum]) ** 2, minlength=n_strata)
    alone_deviations = z_spread[alone] + n[alone] * (z_mean[alone] - centre[alone_stratum]) ** 2
    deviations += np.bincount(alone_stratum, weights=alone_deviations, minlength=n_strata)

    estimable = psu_count >= 2
    if not estimable.any():
        return None
    m = psu_count[estimable]
    return float((m / (m - 1) * deviations[estimable]).sum())
