"""Weighted estimates with their precision: mean, n, effective n (Kish), standard error, 95% interval.

Inputs are numpy arrays over respondents: a value per respondent (NaN where the respondent gave no substantive
answer) and a positive weight per respondent (1 when unweighted). The standard error is design-based (design.py);
weighted_mean is the case without strata or clusters."""

from __future__ import annotations

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
    """The weighted mean of the non-missing values with its design-based standard error, every respondent its own
    PSU in one stratum (see design.py, the one variance formula of the product). With equal weights the standard
    error is s/√n; one respondent gives a value without a standard error."""
    from .design import design_mean, from_respondents  # design.py builds on Estimate, defined above

    return design_mean(from_respondents(values, weights), z)
