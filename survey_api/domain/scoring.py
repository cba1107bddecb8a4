"""Survey indices as DOMAIN.md §3 defines them: item scores, the index as the weighted mean of item scores,
top-box rates, don't-know shares, the minimum-sample rule.

A questionnaire's answers for one unit come as a matrix, respondents × scored questions:
- `scores`: the option's score (0–100), NaN where the answer was not substantive (don't know) or missing;
- `top`: 1.0 where the answer is in the question's top box, 0.0 for another substantive answer, NaN otherwise;
- `answered`: True where the respondent answered the question at all (don't know included).
Every rule takes its parameters (question weights, minimum n) from the caller: they live in the rule set."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .estimates import Estimate, weighted_mean


@dataclass(frozen=True)
class ItemResult:
    score: Estimate
    top_box_rate: Estimate  # a share from 0 to 1
    dont_know_share: float | None  # of those who answered the question at all


@dataclass(frozen=True)
class IndexResult:
    value: float | None
    rate: float | None
    respondent_scores: Estimate  # the interval is taken from respondents' own index scores
    items: tuple[ItemResult, ...]
    is_sufficient: bool

    @property
    def n(self) -> int:
        return self.respondent_scores.n


def item_results(scores: np.ndarray, top: np.ndarray, answered: np.ndarray, weights: np.ndarray) -> list[ItemResult]:
    """Score, top-box rate and don't-know share of each question (column)."""
    results = []
    for q in range(scores.shape[1]):
        asked = answered[:, q]
        answered_weight = float(weights[asked].sum())
        substantive_weight = float(weights[asked & ~np.isnan(scores[:, q])].sum())
        dont_know = 1 - substantive_weight / answered_weight if answered_weight > 0 else None
        results.append(ItemResult(weighted_mean(scores[:, q], weights), weighted_mean(top[:, q], weights), dont_know))
    return results


def combine(values: list[float | None], question_weights: np.ndarray) -> float | None:
    """Σλ·v / Σλ over the items that have a value (an item nobody scored drops out and the weights renormalise)."""
    pairs = [(v, float(lam)) for v, lam in zip(values, question_weights) if v is not None and lam > 0]
    total = sum(lam for _, lam in pairs)
    return sum(v * lam for v, lam in pairs) / total if total > 0 else None


def respondent_index_scores(scores: np.ndarray, question_weights: np.ndarray) -> np.ndarray:
    """Each respondent's own weighted mean over the items they scored (NaN if none)."""
    present = ~np.isnan(scores)
    lam = np.broadcast_to(question_weights, scores.shape) * present
    totals = lam.sum(axis=1)
    weighted = np.where(present, scores, 0.0) * lam
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(totals > 0, weighted.sum(axis=1) / totals, np.nan)


def index_result(
    scores: np.ndarray,
    top: np.ndarray,
    answered: np.ndarray,
    weights: np.ndarray,
    question_weights: np.ndarray,
    min_n: int,
) -> IndexResult:
    """The unit's index I = Σλ·S_q / Σλ and rate R = Σλ·R_q / Σλ, with n and an interval.

    The interval comes from the respondents' own index scores (design-based, design.py). When every
    respondent scores every item, their weighted mean equals the index exactly; with don't-know answers the two can
    differ slightly, and the index itself is always the DOMAIN.md formula."""
    items = item_results(scores, top, answered, weights)
    value = combine([i.score.value for i in items], question_weights)
    rate = combine([i.top_box_rate.value for i in items], question_weights)
    per_respondent = weighted_mean(respondent_index_scores(scores, question_weights), weights)
    return IndexResult(value, rate, per_respondent, tuple(items), per_respondent.n >= min_n)
