"""TEMPORARY lead stand-in; replaced by the design-variance branch."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .estimates import Z_95, Estimate


@dataclass(frozen=True)
class GroupedSample:
    weight: np.ndarray
    n: np.ndarray
    total: np.ndarray
    squares: np.ndarray
    stratum: np.ndarray
    cluster: np.ndarray


def from_respondents(values, weights, strata=None, clusters=None) -> GroupedSample:
    values = np.asarray(values, dtype=float)
    keep = ~np.isnan(values)
    x = values[keep]
    w = np.asarray(weights, dtype=float)[keep]
    s = np.zeros(len(x), dtype=int) if strata is None else np.asarray(strata)[keep]
    c = -np.ones(len(x), dtype=int) if clusters is None else np.asarray(clusters)[keep]
    return GroupedSample(w, np.ones(len(x), dtype=int), x, x * x, s, c)


def design_mean(sample: GroupedSample, z: float = Z_95) -> Estimate:
    keep = sample.n > 0
    w, n, t, q = sample.weight[keep], sample.n[keep], sample.total[keep], sample.squares[keep]
    h, c = sample.stratum[keep], sample.cluster[keep]
    count = int(n.sum())
    big_w = float((w * n).sum())
    if count == 0 or big_w <= 0:
        return Estimate.empty()
    mean = float((w * t).sum() / big_w)
    n_eff = big_w**2 / float((w * w * n).sum())
    z_sum = w * (t - mean * n) / big_w
    z_sq = w * w * (q - 2 * mean * t + mean * mean * n) / big_w**2
    strata = np.unique(h)
    var = 0.0
    psus = 0
    for stratum in strata:
        m = h == stratum
        own = m & (c < 0)
        s1 = float(z_sum[own].sum())
        s2 = float(z_sq[own].sum())
        k = int(n[own].sum())
        clustered = m & (c >= 0)
        if clustered.any():
            ids, inverse = np.unique(c[clustered], return_inverse=True)
            totals = np.bincount(inverse, weights=z_sum[clustered])
            s1 += float(totals.sum())
            s2 += float((totals * totals).sum())
            k += len(ids)
        psus += k
        if k > 1:
            var += k / (k - 1) * (s2 - s1 * s1 / k)
    if psus < 2:
        return Estimate(mean, count, n_eff, None, None, None)
    se = math.sqrt(max(var, 0.0))
    return Estimate(mean, count, n_eff, se, mean - z * se, mean + z * se)
