"""Results across units, on the results document's unit entries: the 民评 composite, points, ranks within a
category and the satisfaction gate (DOMAIN.md §3); category averages; each unit's weakest questions (扣分项)."""

from __future__ import annotations

from typing import Any

from .points import (
    band_points,
    competition_ranks,
    composite,
    linear_points,
    passes_satisfaction_gate,
    rank_step_points,
    ratio_to_top_points,
)
from .rules import PointRules, RuleSet

WEAKEST_COUNT = 3


def weakest_questions(indices: dict[str, dict[str, Any]], count: int = WEAKEST_COUNT) -> list[dict[str, Any]]:
    """The lowest-scoring questions across the unit's indices: the candidates for 扣分项."""
    scored = [
        {"index": name, "form": q["form"], "question": q["question"], "text": q["text"], "score": q["score"]["value"]}
        for name, index in indices.items()
        for q in index["questions"]
        if q["score"]["value"] is not None
    ]
    return sorted(scored, key=lambda q: (q["score"], q["index"], q["question"]))[:count]


def rank_units(units: list[dict[str, Any]], rules: RuleSet) -> None:
    """The 民评 composite, its points, the rank within category and the satisfaction gate of every unit.

    A unit is ranked only when every index that counts in the composite has a sufficient sample."""
    counted = [name for name, mu in rules.index_weights.items() if mu > 0]
    for unit in units:
        values = {name: unit["indices"].get(name, {}).get("value") for name in rules.index_weights}
        unit["composite"] = composite(values, rules.index_weights)
        unit["ranked"] = unit["composite"] is not None and all(
            unit["indices"].get(name, {}).get("sufficient", False) for name in counted
        )
        satisfaction = unit["indices"].get("satisfaction", {}).get("value")
        unit["gate"] = {
            "threshold": rules.satisfaction_gate,
            "passed": passes_satisfaction_gate(satisfaction, rules.satisfaction_gate),
        }
        unit["points"] = None
        unit["rank_in_category"] = None
    for category in sorted({u["category"] for u in units}):
        ranked = {u["unit_code"]: u for u in units if u["category"] == category and u["ranked"]}
        values = {code: u["composite"] for code, u in ranked.items()}
        ranks = competition_ranks(values)
        points = points_for(values, rules.points)
        for code, unit in ranked.items():
            unit["rank_in_category"] = ranks[code]
            unit["points"] = points[code]


def points_for(values: dict[str, float], p: PointRules) -> dict[str, float]:
    """Each unit's points by the rule set's strategy, from the composites of one category's ranked units."""
    if p.strategy == "ratio_to_top":
        return ratio_to_top_points(values, p.max_points)
    if p.strategy == "rank_steps":
        return rank_step_points(values, p.max_points, p.rank_step_share)
    if p.strategy == "bands":
        return {code: band_points(v, p.bands) for code, v in values.items()}
    return {code: linear_points(v, p.max_points) for code, v in values.items()}


def category_averages(units: list[dict[str, Any]], names: list[str]) -> list[dict[str, Any]]:
    """The plain mean over the category's units with a sufficient sample on each index."""
    categories = []
    for category in sorted({u["category"] for u in units}):
        members = [u for u in units if u["category"] == category]
        averages = {}
        for name in names:
            values = [u["indices"][name]["value"] for u in members if u["indices"][name]["sufficient"]]
            averages[name] = sum(values) / len(values) if values else None
        categories.append({"category": category, "units": len(members), "averages": averages})
    return categories
