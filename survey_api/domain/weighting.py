"""Respondent weights by raking (iterative proportional fitting) to population margins, with trimming
(DOMAIN.md §3, weighting). Pure: arrays and mappings in, weights and a report out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np

from .estimates import kish_effective_n

MARGIN_TOLERANCE = 1e-6


class RakingError(ValueError):
    """Margins that cannot be fitted; `code` is stable and `variable`/`category` say where."""

    def __init__(self, code: str, variable: str, category: str | None = None):
        super().__init__(f"{code}: {variable}" + (f"={category}" if category else ""))
        self.code, self.variable, self.category = code, variable, category


@dataclass(frozen=True)
class RakingReport:
    converged: bool
    iterations: int
    max_margin_error: float  # largest |weighted share − target share| over every category, at the end
    trimmed: int  # weights held at a trimming bound at the end
    design_effect: float  # n / effective n (Kish): how much the weighting costs in precision


def rake(
    groups: Mapping[str, np.ndarray],
    margins: Mapping[str, Mapping[str, float]],
    lower: float,
    upper: float,
    tolerance: float = 1e-6,
    max_iterations: int = 100,
) -> tuple[np.ndarray, RakingReport]:
    """Weights (mean 1) whose weighted shares match every margin within tolerance, each kept within
    [lower, upper] × the mean weight. `groups[v]` holds each respondent's category of variable v;
    `margins[v]` maps each category to its population share (shares sum to 1)."""
    n = _check(groups, margins)
    weights = np.ones(n)
    error = float("inf")
    iterations = 0
    for iterations in range(1, max_iterations + 1):
        for variable, shares in margins.items():
            codes = groups[variable]
            total = weights.sum()
            for category, share in shares.items():
                members = codes == category
                current = weights[members].sum()
                weights[members] *= share * total / current
        weights = _trim(weights, lower, upper)
        error = _max_margin_error(weights, groups, margins)
        if error <= tolerance:
            break
    at_bounds = int(np.isclose(weights, lower).sum() + np.isclose(weights, upper).sum())
    report = RakingReport(error <= tolerance, iterations, error, at_bounds, n / kish_effective_n(weights))
    return weights, report


def _trim(weights: np.ndarray, lower: float, upper: float, rounds: int = 50) -> np.ndarray:
    """Scale to mean 1 and hold every weight within [lower, upper]; clipping moves the mean, so repeat."""
    for _ in range(rounds):
        weights = weights / weights.mean()
        if weights.min() >= lower - 1e-12 and weights.max() <= upper + 1e-12:
            break
        weights = np.clip(weights, lower, upper)
    return weights


def _check(groups: Mapping[str, np.ndarray], margins: Mapping[str, Mapping[str, float]]) -> int:
    sizes = {len(codes) for codes in groups.values()}
    if len(sizes) != 1:
        raise RakingError("unequal_lengths", ",".join(groups))
    n = sizes.pop()
    for variable, shares in margins.items():
        if variable not in groups:
            raise RakingError("unknown_variable", variable)
        if abs(sum(shares.values()) - 1) > MARGIN_TOLERANCE or any(s < 0 for s in shares.values()):
            raise RakingError("margins_do_not_sum", variable)
        present = set(np.unique(groups[variable]).tolist())
        for category in present - set(shares):
            raise RakingError("category_without_margin", variable, str(category))
        for category, share in shares.items():
            if share > 0 and category not in present:
                raise RakingError("empty_category", variable, str(category))
    return n


def _max_margin_error(weights: np.ndarray, groups, margins) -> float:
    total = weights.sum()
    return max(
        abs(weights[groups[v] == c].sum() / total - share)
        for v, shares in margins.items()
        for c, share in shares.items()
    )
