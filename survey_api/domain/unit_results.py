"""Each unit's result of an assessment period, in the order of DOMAIN.md §5 steps 5–9: 民评 points and the
satisfaction gate, the weighted sum, the difference coefficient, bonuses and deductions under their caps, and the
vetoes and affirmations that the grades honour. Ranks and grades follow in grades.py.

Every figure carries its breakdown; explanations are codes with parameters, translated by the views. A unit with a
missing component is incomplete: it gets no score, rank or grade, and says which component is missing and why."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .grades import grade_categories
from .period_rules import PeriodRules
from .unit_ranking import points_for

ADJUSTMENT_KINDS = ("bonus", "deduction", "veto", "affirmation")


@dataclass(frozen=True)
class Adjustment:
    kind: str  # bonus, deduction, veto or affirmation
    points: float  # 0 for vetoes and affirmations
    reason: str
    attachment: str | None = None


@dataclass(frozen=True)
class PublicEval:
    """What a campaign's published run says of the unit: the 民评 composite P, the satisfaction index, and why
    either is missing (e.g. insufficient_sample, not_in_campaign, no_published_run)."""

    composite: float | None
    satisfaction: float | None
    missing: str | None = None


@dataclass(frozen=True)
class UnitInput:
    unit_id: int
    code: str
    name: str
    category: str
    level: int
    scores: dict[str, float | None]  # entered or meeting components, 0–100; None when missing
    missing: dict[str, str] = field(default_factory=dict)  # component → why it is missing
    public: PublicEval = PublicEval(None, None, "no_campaign")
    adjustments: tuple[Adjustment, ...] = ()


def compute_period(rules: PeriodRules, units: list[UnitInput]) -> dict[str, Any]:
    """Every unit's result with its breakdown, ranks and grades per category, and the reminder list."""
    public_scores = _public_scores(rules, units)
    results = [_unit_result(rules, unit, public_scores.get(unit.code)) for unit in units]
    categories = grade_categories(rules, results)
    return {"units": sorted(results, key=_display_order), "categories": categories}


def _display_order(result: dict[str, Any]) -> tuple:
    return (result["category"], result["rank"] is None, result["rank"] or 0, result["unit_code"])


def _public_scores(rules: PeriodRules, units: list[UnitInput]) -> dict[str, float]:
    """Each unit's 0–100 民评 score by the conversion strategy, computed within its category."""
    scores: dict[str, float] = {}
    for category in sorted({u.category for u in units}):
        values = {u.code: u.public.composite for u in units if u.category == category and u.public.missing is None}
        converted = points_for({k: v for k, v in values.items() if v is not None}, rules.public_eval)
        maximum = rules.public_eval.max_points or 1
        scores.update({code: points / maximum * 100 for code, points in converted.items()})
    return scores


def _unit_result(rules: PeriodRules, unit: UnitInput, public_score: float | None) -> dict[str, Any]:
    why: list[dict[str, Any]] = []
    gate_failed = unit.public.missing is None and (
        unit.public.satisfaction is None or unit.public.satisfaction < rules.gate_threshold
    )
    components, missing = [], []
    for component in rules.components:
        if component.source == "campaign":
            value = public_score if unit.public.missing is None else None
            reason = unit.public.missing or ("insufficient_sample" if value is None else None)
        else:
            value = unit.scores.get(component.key)
            reason = unit.missing.get(component.key, "not_entered") if value is None else None
        entry: dict[str, Any] = {"key": component.key, "source": component.source, "share": component.share}
        if value is None:
            missing.append({"component": component.key, "reason": reason})
            components.append({**entry, "value": None, "contribution": None, "gated": False, "lost": None})
            continue
        full = rules.contribution(component, value)
        gated = gate_failed and component.key in rules.gate_components
        contribution = 0.0 if gated else full
        lost = rules.contribution(component, 100) - contribution
        components.append({**entry, "value": value, "contribution": contribution, "gated": gated, "lost": lost})
    gate = {
        "threshold": rules.gate_threshold,
        "satisfaction": unit.public.satisfaction,
        "passed": None if unit.public.missing else not gate_failed,
        "zeroed": [c["key"] for c in components if c["gated"]],
    }
    if gate["zeroed"]:
        why.append({"code": "gate.failed", "params": {"satisfaction": unit.public.satisfaction, **gate}})
    level = min(max(unit.level, 1), len(rules.coefficients))
    coefficient = rules.coefficients[level - 1]
    bonuses = _capped(unit.adjustments, "bonus", rules.bonus_cap)
    deductions = _capped(unit.adjustments, "deduction", rules.deduction_cap)
    for kind, summary in (("bonus", bonuses), ("deduction", deductions)):
        if summary["applied"] < summary["total"]:
            why.append({"code": f"{kind}.capped", "params": {"total": summary["total"], "cap": summary["cap"]}})
    result: dict[str, Any] = {
        "unit_id": unit.unit_id,
        "unit_code": unit.code,
        "unit_name": unit.name,
        "category": unit.category,
        "level": level,
        "coefficient": coefficient,
        "components": components,
        "public_composite": unit.public.composite,
        "gate": gate,
        "bonuses": bonuses,
        "deductions": deductions,
        "vetoes": _items(unit.adjustments, "veto"),
        "affirmations": _items(unit.adjustments, "affirmation"),
        "missing": missing,
        "complete": not missing,
        "weighted_sum": None,
        "after_coefficient": None,
        "score": None,
        "rank": None,
        "band": None,
        "grade": None,
        "why": why,
    }
    if missing:
        why.append({"code": "result.incomplete", "params": {"components": [m["component"] for m in missing]}})
        return result
    weighted = sum(c["contribution"] for c in components)
    result["weighted_sum"] = weighted
    result["after_coefficient"] = weighted * coefficient
    result["score"] = round(weighted * coefficient + bonuses["applied"] - deductions["applied"], rules.score_digits)
    return result


def _items(adjustments: tuple[Adjustment, ...], kind: str) -> list[dict[str, Any]]:
    return [
        {"points": a.points, "reason": a.reason, "attachment": a.attachment}
        for a in sorted(adjustments, key=lambda a: (a.reason, a.points, a.attachment or ""))
        if a.kind == kind
    ]


def _capped(adjustments: tuple[Adjustment, ...], kind: str, cap: float | None) -> dict[str, Any]:
    items = _items(adjustments, kind)
    total = sum(i["points"] for i in items)
    return {"items": items, "total": total, "cap": cap, "applied": total if cap is None else min(total, cap)}
