"""Survey indices as DOMAIN.md §3 defines them: item scores, the index as the weighted mean of item scores,
top-box rates, don't-know shares, the minimum-sample rule, each with n, effective n and a design-based interval.

One index's answers come summarised per group of respondents who share a weight, a stratum and a cluster
(`GroupedAnswers`): that is what a database aggregation returns, and a single respondent is a group of one
(`group_respondents`), so the same formulas serve both. Per respondent, answers are a matrix, respondents × scored
questions:
- `scores`: the option's score (0–100), NaN where the answer was not substantive (don't know) or missing;
- `top`: 1.0 where the answer is in the question's top box, 0.0 for another substantive answer, NaN otherwise;
- `answered`: True where the respondent answered the question at all (don't know included).
Every rule takes its parameters (question weights, minimum n) from the caller: they live in the rule set."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .design import GroupedSample, design_means
from .estimates import Z_95, Estimate


@dataclass(frozen=True)
class ItemResult:
    score: Estimate
    top_box_rate: Estimate  # a share from 0 to 1
    dont_know_share: float | None  # of those who answered the question at all


@dataclass(frozen=True)
class IndexResult:
    value: float | None
    rate: float | None
    respondent_scores: Estimate  # the precision of the index comes from respondents' own index scores
    respondent_rates: Estimate
    items: tuple[ItemResult, ...]
    is_sufficient: bool

    @property
    def n(self) -> int:
        return self.respondent_scores.n

    def interval(self, z: float = Z_95) -> tuple[float | None, float | None]:
        """The 95% interval around the index, with the standard error of respondents' own index scores."""
        se = self.respondent_scores.se
        if self.value is None or se is None:
            return None, None
        return self.value - z * se, self.value + z * se


@dataclass(frozen=True)
class GroupedAnswers:
    """Sufficient statistics of one index per group (rows) and scored question (columns)."""

    weight: np.ndarray  # (G,) each respondent's weight in the group
    stratum: np.ndarray  # (G,) int codes
    cluster: np.ndarray  # (G,) int codes, -1 where each respondent is their own primary sampling unit
    answered: np.ndarray  # (G, Q) respondents who answered the question at all
    score_n: np.ndarray  # (G, Q) respondents with a substantive (scored) answer
    score_total: np.ndarray  # (G, Q) Σ score
    score_squares: np.ndarray  # (G, Q) Σ score²
    top_total: np.ndarray  # (G, Q) Σ [answer in the top box] over substantive answers
    respondent_n: np.ndarray  # (G,) respondents with an index score of their own
    respondent_total: np.ndarray
    respondent_squares: np.ndarray
    rate_n: np.ndarray  # (G,) respondents with a top-box rate of their own
    rate_total: np.ndarray
    rate_squares: np.ndarray

    def sample(self, n: np.ndarray, total: np.ndarray, squares: np.ndarray) -> GroupedSample:
        return GroupedSample(self.weight, n, total, squares, self.stratum, self.cluster)


def group_respondents(
    scores: np.ndarray,
    top: np.ndarray,
    answered: np.ndarray,
    weights: np.ndarray,
    question_weights: np.ndarray,
    strata: np.ndarray | None = None,
    clusters: np.ndarray | None = None,
) -> GroupedAnswers:
    """Each respondent as a group of one."""
    count = scores.shape[0]
    scored = ~np.isnan(scores)
    own_score = respondent_index_scores(scores, question_weights)
    own_rate = respondent_index_scores(top, question_weights)
    has_score, has_rate = ~np.isnan(own_score), ~np.isnan(own_rate)
    own_score, own_rate = np.nan_to_num(own_score), np.nan_to_num(own_rate)
    s, t = np.nan_to_num(scores), np.nan_to_num(top)
    return GroupedAnswers(
        weight=np.asarray(weights, dtype=float),
        stratum=np.zeros(count, dtype=int) if strata is None else np.asarray(strata),
        cluster=-np.ones(count, dtype=int) if clusters is None else np.asarray(clusters),
        answered=answered.astype(float),
        score_n=scored.astype(float),
        score_total=s,
        score_squares=s * s,
        top_total=t,
        respondent_n=has_score.astype(float),
        respondent_total=own_score,
        respondent_squares=own_score * own_score,
        rate_n=has_rate.astype(float),
        rate_total=own_rate,
        rate_squares=own_rate * own_rate,
    )


def grouped_item_results(answers: GroupedAnswers) -> list[ItemResult]:
    """Score, top-box rate and don't-know share of each question (column)."""
    return grouped_item_results_by_domain(answers, _one_domain(answers), 1)[0]


def grouped_item_results_by_domain(answers: GroupedAnswers, domain: np.ndarray, domain_count: int):
    """grouped_item_results of every domain (e.g. unit) at once: `domain` gives each group's domain (−1: none);
    the answer is indexed [domain][question]."""
    in_domain = domain >= 0
    by_question = []
    for q in range(answers.score_n.shape[1]):
        n = answers.score_n[:, q]
        top = answers.top_total[:, q]
        answered_weight = _domain_sums(answers.weight * answers.answered[:, q], domain, in_domain, domain_count)
        substantive_weight = _domain_sums(answers.weight * n, domain, in_domain, domain_count)
        scores = design_means(
            answers.sample(n, answers.score_total[:, q], answers.score_squares[:, q]), domain, domain_count
        )
        rates = design_means(answers.sample(n, top, top), domain, domain_count)  # a 0/1 value is its own square
        by_question.append(
            [
                ItemResult(score, rate, 1 - float(substantive / answered) if answered > 0 else None)
                for score, rate, substantive, answered in zip(scores, rates, substantive_weight, answered_weight)
            ]
        )
    return [[column[d] for column in by_question] for d in range(domain_count)]


def _one_domain(answers: GroupedAnswers) -> np.ndarray:
    return np.zeros(answers.score_n.shape[0], dtype=np.int64)


def _domain_sums(values: np.ndarray, domain: np.ndarray, in_domain: np.ndarray, domain_count: int) -> np.ndarray:
    return np.bincount(domain[in_domain], weights=values[in_domain], minlength=domain_count)


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


def grouped_index_result(answers: GroupedAnswers, question_weights: np.ndarray, min_n: int) -> IndexResult:
    """The unit's index I = Σλ·S_q / Σλ and rate R = Σλ·R_q / Σλ, with n and the precision of each.

    The standard error comes from the respondents' own index scores (design-based: weights, strata, clusters).
    When every respondent scores every item, their weighted mean equals the index exactly; with don't-know answers
    the two can differ slightly, and the index itself is always the DOMAIN.md formula."""
    return grouped_index_results(answers, _one_domain(answers), 1, question_weights, min_n)[0]


def grouped_index_results(
    answers: GroupedAnswers, domain: np.ndarray, domain_count: int, question_weights: np.ndarray, min_n: int
) -> list[IndexResult]:
    """grouped_index_result of every domain (e.g. unit) at once; `domain` gives each group's domain (−1: none)."""
    domain = np.asarray(domain, dtype=np.int64)
    items = grouped_item_results_by_domain(answers, domain, domain_count)
    own = design_means(
        answers.sample(answers.respondent_n, answers.respondent_total, answers.respondent_squares), domain, domain_count
    )
    own_rate = design_means(
        answers.sample(answers.rate_n, answers.rate_total, answers.rate_squares), domain, domain_count
    )
    return [
        IndexResult(
            combine([i.score.value for i in items[d]], question_weights),
            combine([i.top_box_rate.value for i in items[d]], question_weights),
            own[d],
            own_rate[d],
            tuple(items[d]),
            own[d].n >= min_n,
        )
        for d in range(domain_count)
    ]


def index_result(
    scores: np.ndarray,
    top: np.ndarray,
    answered: np.ndarray,
    weights: np.ndarray,
    question_weights: np.ndarray,
    min_n: int,
) -> IndexResult:
    """The index of respondents given one by one (see grouped_index_result)."""
    answers = group_respondents(scores, top, answered, weights, question_weights)
    return grouped_index_result(answers, question_weights, min_n)


def item_results(scores: np.ndarray, top: np.ndarray, answered: np.ndarray, weights: np.ndarray) -> list[ItemResult]:
    """Score, top-box rate and don't-know share of each question, respondents given one by one."""
    return grouped_item_results(group_respondents(scores, top, answered, weights, np.ones(scores.shape[1])))
