"""An assessment period's rule set as data (DOMAIN.md §5): components and weights (or points), the 民评 conversion,
the satisfaction gate, difference coefficients, caps, vetoes and affirmations, tie-breakers, grade bands and the
top-grade quota. Validation names every problem by its field."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from .forms import KEY_PATTERN
from .rules import PointRules, _number, _points

MODELS = frozenset({"weights", "points"})
SOURCES = frozenset({"entered", "meeting", "campaign"})
KINDS = frozenset({"annual", "routine"})
VETO_EFFECTS = frozenset({"below_top", "lowest"})
RANK_METHODS = frozenset({"competition", "dense"})
PUBLIC_COMPOSITE = "public_composite"  # tie-breaker: the 民评 composite P of the unit
FIELDS = frozenset(
    {
        "format_version",
        "kind",
        "model",
        "components",
        "public_eval",
        "gate",
        "coefficients",
        "caps",
        "veto_effect",
        "affirmation_in_quota",
        "tie_breakers",
        "rank_method",
        "score_digits",
        "grades",
        "quota",
        "reminder_bottom",
    }
)
TOLERANCE = 1e-9


class PeriodRulesError(ValueError):
    """The rule set is not valid; `problems` maps each field to what is wrong with it."""

    def __init__(self, problems: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in problems.items()))
        self.problems = problems


@dataclass(frozen=True)
class Component:
    key: str
    source: str
    share: float  # the weight (weights model) or the points (points model)


@dataclass(frozen=True)
class Grade:
    key: str
    label: str
    minimum: float


@dataclass(frozen=True)
class PeriodRules:
    kind: str
    model: str
    components: tuple[Component, ...]
    public_eval: PointRules
    gate_threshold: float
    gate_components: tuple[str, ...]
    coefficients: tuple[float, ...]
    bonus_cap: float | None
    deduction_cap: float | None
    veto_effect: str
    affirmation_in_quota: bool
    tie_breakers: tuple[str, ...]
    rank_method: str
    score_digits: int
    grades: tuple[Grade, ...]
    quota: float
    reminder_bottom: int

    def component(self, key: str) -> Component | None:
        return next((c for c in self.components if c.key == key), None)

    def contribution(self, component: Component, value: float) -> float:
        """What a 0–100 component score adds to the unit's score: weight × value, or value / 100 × points."""
        return component.share * value if self.model == "weights" else value / 100 * component.share


def parse_period_rules(data: Any) -> PeriodRules:
    """Validate a rule-set mapping; raise PeriodRulesError naming every problem, or return the rules."""
    problems: dict[str, str] = {}

    def bad(field: str, message: str) -> None:
        problems.setdefault(field, message)

    if not isinstance(data, Mapping):
        raise PeriodRulesError({"rules": "must be a mapping of fields"})
    for field in sorted(set(data) - FIELDS):
        bad(field, "unknown field")
    if data.get("format_version") != 1:
        bad("format_version", "must be 1")
    _choice(data, "kind", KINDS, bad)
    model = _choice(data, "model", MODELS, bad)
    components = _components(data.get("components"), model, bad)
    public_eval = _points(data.get("public_eval"), lambda f, m: bad(f.replace("points", "public_eval", 1), m))
    gate = data.get("gate") if isinstance(data.get("gate"), Mapping) else {}
    threshold = _number(gate.get("threshold"), "gate.threshold", bad, minimum=0, maximum=100)
    gated = gate.get("components", [])
    keys = [c.key for c in components]
    if not isinstance(gated, list) or any(k not in keys for k in gated):
        bad("gate.components", f"must list components of this rule set: {keys}")
        gated = []
    coefficients = data.get("coefficients")
    if not isinstance(coefficients, list) or not coefficients:
        bad("coefficients", "must list one coefficient per difficulty level, level 1 first")
        coefficients = []
    for i, value in enumerate(coefficients):
        _number(value, f"coefficients.{i + 1}", bad, minimum=0.5, maximum=2)
    caps = data.get("caps") if isinstance(data.get("caps"), Mapping) else {}
    bonus_cap = _cap(caps, "bonus", bad)
    deduction_cap = _cap(caps, "deduction", bad)
    veto_effect = _choice(data, "veto_effect", VETO_EFFECTS, bad)
    in_quota = data.get("affirmation_in_quota")
    if not isinstance(in_quota, bool):
        bad("affirmation_in_quota", "must be true or false")
    breakers = data.get("tie_breakers", [])
    if not isinstance(breakers, list) or any(b not in [PUBLIC_COMPOSITE, *keys] for b in breakers):
        bad("tie_breakers", f"must list some of {[PUBLIC_COMPOSITE, *keys]}")
        breakers = []
    rank_method = _choice(data, "rank_method", RANK_METHODS, bad)
    digits = _number(data.get("score_digits"), "score_digits", bad, minimum=0, maximum=6, whole=True)
    grades = _grades(data.get("grades"), bad)
    quota = _number(data.get("quota"), "quota", bad, minimum=0, maximum=1)
    bottom = _number(data.get("reminder_bottom", 0), "reminder_bottom", bad, minimum=0, whole=True)
    if problems:
        raise PeriodRulesError(problems)
    return PeriodRules(
        kind=data["kind"],
        model=model,
        components=tuple(components),
        public_eval=public_eval,  # type: ignore[arg-type]
        gate_threshold=float(threshold),  # type: ignore[arg-type]
        gate_components=tuple(gated),
        coefficients=tuple(float(c) for c in coefficients),
        bonus_cap=bonus_cap,
        deduction_cap=deduction_cap,
        veto_effect=veto_effect,
        affirmation_in_quota=in_quota,
        tie_breakers=tuple(breakers),
        rank_method=rank_method,
        score_digits=int(digits),  # type: ignore[arg-type]
        grades=tuple(grades),
        quota=float(quota),  # type: ignore[arg-type]
        reminder_bottom=int(bottom),  # type: ignore[arg-type]
    )


def _choice(data: Mapping, field: str, allowed: frozenset[str], bad) -> str:
    value = data.get(field)
    if value not in allowed:
        bad(field, f"must be one of {sorted(allowed)}")
    return value


def _cap(caps: Mapping, field: str, bad) -> float | None:
    value = caps.get(field)
    return None if value is None else _number(value, f"caps.{field}", bad, minimum=0)


def _components(raw: Any, model: str, bad) -> list[Component]:
    if not isinstance(raw, list) or not raw:
        bad("components", "must list at least one component")
        return []
    share_field = "points" if model == "points" else "weight"
    found: list[Component] = []
    for i, item in enumerate(raw):
        where = f"components.{i + 1}"
        if not isinstance(item, Mapping):
            bad(where, "must hold key, source and " + share_field)
            continue
        key, source = item.get("key"), item.get("source")
        if not isinstance(key, str) or not KEY_PATTERN.match(key):
            bad(f"{where}.key", "must be a short lower-case name such as performance")
        elif key in [c.key for c in found]:
            bad(f"{where}.key", f"{key} is listed twice")
        if source not in SOURCES:
            bad(f"{where}.source", f"must be one of {sorted(SOURCES)}")
        for extra in sorted(set(item) - {"key", "source", share_field}):
            bad(f"{where}.{extra}", f"unknown field (the {model} model gives each component a {share_field})")
        share = _number(item.get(share_field), f"{where}.{share_field}", bad, minimum=0)
        if isinstance(key, str) and source in SOURCES and share is not None:
            found.append(Component(key, source, share))
    if len(found) == len(raw):
        total = sum(c.share for c in found)
        if model == "weights" and abs(total - 1) > TOLERANCE:
            bad("components", f"the weights must sum to 1 (they sum to {round(total, 6)})")
        if model == "points" and abs(total - 100) > TOLERANCE:
            bad("components", f"the points must sum to 100 (they sum to {round(total, 6)})")
    return found


def _grades(raw: Any, bad) -> list[Grade]:
    if not isinstance(raw, list) or len(raw) < 2:
        bad("grades", "must list at least two grades, the top grade first")
        return []
    grades = []
    for i, item in enumerate(raw):
        where = f"grades.{i + 1}"
        if not isinstance(item, Mapping) or not isinstance(item.get("key"), str) or not item.get("label"):
            bad(where, "must hold key, label and min")
            continue
        minimum = _number(item.get("min"), f"{where}.min", bad, minimum=0)
        if minimum is not None:
            grades.append(Grade(item["key"], str(item["label"]), minimum))
    minimums = [g.minimum for g in grades]
    if len(grades) == len(raw):
        if any(a <= b for a, b in zip(minimums, minimums[1:])):
            bad("grades", "the bands must be ordered from the highest minimum down, each minimum lower than the last")
        elif minimums[-1] != 0:
            bad("grades", "the last grade must have min 0, so that every score gets a grade")
        if len({g.key for g in grades}) != len(grades):
            bad("grades", "each grade key must appear once")
    return grades
