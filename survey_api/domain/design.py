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

Everything is vectorised over groups and domains (np.bincount): every unit's estimate comes from one call, and
tens of thousands of groups cost milliseconds."""

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
    return design_means(sample, np.zeros(len(sample.n), dtype=np.int64), 1, z)[0]


def design_means(sample: GroupedSample, domain: np.ndarray, domain_count: int, z: float = Z_95) -> list[Estimate]:
    """design_mean of every domain at once: `domain` gives each group's domain (0 … domain_count − 1, or −1 for a
    group in none). Domains share no respondent, so each is estimated on its own groups alone, as if the others
    did not exist; strata and PSUs are told apart within a domain."""
    domain = np.asarray(domain, dtype=np.int64)
    counted = (np.asarray(sample.n) > 0) & (domain >= 0)
    domain = domain[counted]
    weight = np.asarray(sample.weight, dtype=float)[counted]
    n = np.asarray(sample.n, dtype=np.int64)[counted]
    total = np.asarray(sample.total, dtype=float)[counted]
    squares = np.asarray(sample.squares, dtype=float)[counted]
    stratum = np.asarray(sample.stratum, dtype=np.int64)[counted]
    cluster = np.asarray(sample.cluster, dtype=np.int64)[counted]
    weight_sum = np.bincount(domain, weights=weight * n, minlength=domain_count)
    respondents = np.bincount(domain, weights=n, minlength=domain_count)
    present = (respondents > 0) & (weight_sum > 0)
    safe_sum = np.where(present, weight_sum, 1.0)
    mean = np.bincount(domain, weights=weight * total, minlength=domain_count) / safe_sum
    weight_squares = np.bincount(domain, weights=weight * weight * n, minlength=domain_count)
    variance, estimable = _linearised_variances(
        weight / safe_sum[domain], n, total, squares, domain, stratum, cluster, mean, domain_count
    )
    estimates = []
    for d in range(domain_count):
        if not present[d]:
            estimates.append(Estimate.empty())
            continue
        value, count = float(mean[d]), int(respondents[d])
        n_effective = float(weight_sum[d] * weight_sum[d] / weight_squares[d])
        if not estimable[d]:
            estimates.append(Estimate(value, count, n_effective, None, None, None))
            continue
        se = math.sqrt(variance[d])
        estimates.append(Estimate(value, count, n_effective, se, value - z * se, value + z * se))
    return estimates


def _dense(*columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Dense codes of the distinct rows of the given int columns, and those rows (sorted)."""
    if columns[0].shape[0] == 0:
        return np.zeros(0, dtype=np.int64), np.zeros((0, len(columns)), dtype=np.int64)
    rows, codes = np.unique(np.stack(columns, axis=1), axis=0, return_inverse=True)
    return codes.reshape(-1), rows


def _linearised_variances(
    share: np.ndarray,
    n: np.ndarray,
    total: np.ndarray,
    squares: np.ndarray,
    domain: np.ndarray,
    stratum: np.ndarray,
    cluster: np.ndarray,
    mean: np.ndarray,
    domain_count: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Per domain, Σ_h m_h/(m_h − 1)·Σ_j (z_hj − z̄_h)² over its strata with two PSUs or more, and whether it has
    such a stratum (without one the variance cannot be estimated).

    `share` is w / Σw of the group's domain. Within a group every respondent has the same share, so its z values
    have the mean share·(x̄_g − mean) and the spread share²·Σ(x − x̄_g)², which the sufficient statistics give
    without cancellation (squares − total²/n is exactly 0 for a single respondent)."""
    group_mean = total / n
    z_mean = share * (group_mean - mean[domain])  # the mean z of the group's respondents
    z_spread = share * share * np.maximum(squares - total * group_mean, 0.0)  # Σ (z − z_mean)² within the group
    stratum_of_group, strata = _dense(domain, stratum)  # a stratum is (domain, stratum)
    n_strata = strata.shape[0]

    clustered = cluster != NO_CLUSTER
    psu_of_group, psus = _dense(stratum_of_group[clustered], cluster[clustered])
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
    m = np.where(estimable, psu_count, 2.0)
    per_stratum = np.where(estimable, m / (m - 1) * deviations, 0.0)
    stratum_domain = strata[:, 0]
    variance = np.bincount(stratum_domain, weights=per_stratum, minlength=domain_count)
    return variance, np.bincount(stratum_domain, weights=estimable, minlength=domain_count) > 0
