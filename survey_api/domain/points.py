"""The 民评 composite of the three indices and its conversion to points (DOMAIN.md §3), and the satisfaction gate.
Every strategy takes its parameters from the caller's rule set."""

from __future__ import annotations

from typing import Mapping, Sequence


def composite(indices: Mapping[str, float | None], index_weights: Mapping[str, float]) -> float | None:
    """P = Σμ·I over the weighted indices; None if any weighted index is missing (never silently zero)."""
    total = sum(index_weights.values())
    if total <= 0 or any(indices.get(name) is None for name, mu in index_weights.items() if mu > 0):
        return None
    return sum(mu * indices[name] for name, mu in index_weights.items() if mu > 0) / total  # type: ignore[operator]


def linear_points(p: float, max_points: float) -> float:
    """P / 100 × max_points."""
    return p / 100 * max_points


def ratio_to_top_points(values: Mapping[str, float], max_points: float) -> dict[str, float]:
    """P / max(P) × max_points, within one category."""
    top = max(values.values(), default=0.0)
    return {unit: (p / top * max_points if top > 0 else 0.0) for unit, p in values.items()}


def competition_ranks(values: Mapping[str, float]) -> dict[str, int]:
    """Rank 1 for the highest; ties share a rank and the next rank skips (1, 1, 3)."""
    ordered = sorted(values.values(), reverse=True)
    return {unit: ordered.index(p) + 1 for unit, p in values.items()}


def rank_step_points(values: Mapping[str, float], max_points: float, step_share: float) -> dict[str, float]:
    """First in the category gets max_points; each rank below loses step_share × max_points (never below 0)."""
    ranks = competition_ranks(values)
    return {unit: max(0.0, max_points - (rank - 1) * step_share * max_points) for unit, rank in ranks.items()}


def band_points(p: float, bands: Sequence[tuple[float, float]]) -> float:
    """The points of the highest band whose threshold P reaches; bands are (threshold, points); 0 below all."""
    reached = [points for threshold, points in bands if p >= threshold]
    return max(reached) if reached else 0.0


def passes_satisfaction_gate(satisfaction_index: float | None, threshold: float) -> bool:
    """Whether linked achievement points may count: the satisfaction index must reach the gate."""
    return satisfaction_index is not None and satisfaction_index >= threshold
