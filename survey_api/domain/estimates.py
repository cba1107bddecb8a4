"""Weighted estimates with their precision: mean, n, effective n (Kish), standard error, 95% interval.

Inputs are numpy arrays over respondents: a value per respondent (NaN where the respondent gave no substantive
answer) and a positive weight per respondent (1 when unweighted)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

Z_95 = 1.959964  # two-sided 95% normal quantile


@dataclass(frozen=True)
class Estimate:
    """A weighted mean; value, se and the interval are None when no respondent counts."""

    value: float | None
    n: int
    n_effective: float
    se: float | None
    ci_low: float | None
    ci_high: float | None

    @classmethod
    def empty(cls) -> Estimate:
        return cls(None, 0, 0.0, None, None, None)


def kish_effective_n(weights: np.ndarray) -> float:
    """(Σw)² / Σw²: how many unweighted respondents the weighted sample is worth."""
    total = float(weights.sum())
    squares = float((weights * weights).sum())
    return total * total / squares if squares > 0 else 0.0


def weighted_mean(values: np.ndarray, weights: np.ndarray, z: float = Z_95) -> Estimate:
    """The weighted mean of the non-missing values, its standard error from the weighted variance and the Kish
    effective n, and a normal interval. One respondent gives a value without a standard error."""
    counted = ~np.isnan(values)
    x, w = values[counted], weights[counted]
    n = int(counted.sum())
    if n == 0 or float(w.sum()) <= 0:
        return Estimate.empty()
    mean = float((w * x).sum() / w.sum())
    n_eff = kish_effective_n(w)
    if n < 2 or n_eff <= 1:
        return Estimate(mean, n, n_eff, None, None, None)
    variance = float((w * (x - mean) ** 2).sum() / w.sum()) * n_eff / (n_eff - 1)
    se = math.sqrt(variance / n_eff)
    return Estimate(mean, n, n_eff, se, mean - z * se, mean + z * se)
