"""Scoring rule sets as data: the numbers a district sets in its 考核办法, validated with every problem named."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from .forms import INDEX_NAMES, DefinitionProblem, FormDefinitionError

STRATEGIES = frozenset({"linear", "ratio_to_top", "rank_steps", "bands"})
WEIGHTING_METHODS = frozenset({"none", "raking"})
RULE_FIELDS = frozenset(
    {"format_version", "key", "title", "min_n", "index_weights", "weighting", "points", "satisfaction_gate"}
)


@dataclass(frozen=True)
class PointRules:
    max_points: float
    strategy: str
    rank_step_share: float
    bands: tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class RuleSet:
    key: str
    title: str
    min_n: int
    index_weights: dict[str, float]
    weighting: str
    trim_lower: float
    trim_upper: float
    points: PointRules
    satisfaction_gate: float


def parse_rules(data: Any, source: str) -> RuleSet:
    """Validate a rule-set mapping; raise FormDefinitionError listing every problem, or return the rules."""
    problems: list[DefinitionProblem] = []

    def bad(field: str, message: str) -> None:
        problems.append(DefinitionProblem(source, None, field, message))

    if not isinstance(data, Mapping):
        raise FormDefinitionError([DefinitionProblem(source, None, None, "the file must hold a mapping")])
    for field in sorted(set(data) - RULE_FIELDS):
        bad(field, "unknown field")
    if data.get("format_version") != 1:
        bad("format_version", "must be 1")
    min_n = _number(data.get("min_n"), "min_n", bad, minimum=1, whole=True)
    weights = data.get("index_weights")
    if not isinstance(weights, Mapping) or not weights:
        bad("index_weights", f"must map some of {sorted(INDEX_NAMES)} to weights")
        weights = {}
    for name, value in weights.items():
        if name not in INDEX_NAMES:
            bad(f"index_weights.{name}", f"not an index; use {sorted(INDEX_NAMES)}")
        _number(value, f"index_weights.{name}", bad, minimum=0)
    if weights and not sum(v for v in weights.values() if isinstance(v, (int, float))) > 0:
        bad("index_weights", "at least one weight must be above 0")
    weighting = data.get("weighting") or {}
    method = weighting.get("method", "none") if isinstance(weighting, Mapping) else None
    if method not in WEIGHTING_METHODS:
        bad("weighting.method", f"must be one of {sorted(WEIGHTING_METHODS)}")
    lower = _number(weighting.get("trim_lower", 0.3) if method else None, "weighting.trim_lower", bad, minimum=0)
    upper = _number(weighting.get("trim_upper", 3.0) if method else None, "weighting.trim_upper", bad, minimum=1)
    if lower is not None and upper is not None and not lower < 1 < upper:
        bad("weighting", "trim_lower must be below 1 and trim_upper above 1")
    points = _points(data.get("points"), bad)
    gate = _number(data.get("satisfaction_gate"), "satisfaction_gate", bad, minimum=0, maximum=100)
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        bad("title", "must be a non-empty text")
    if problems:
        raise FormDefinitionError(problems)
    return RuleSet(
        key=str(data.get("key")),
        title=title.strip(),
        min_n=int(min_n),
        index_weights={k: float(v) for k, v in weights.items()},
        weighting=method,
        trim_lower=float(lower),
        trim_upper=float(upper),
        points=points,
        satisfaction_gate=float(gate),
    )


def _points(raw: Any, bad) -> PointRules | None:
    if not isinstance(raw, Mapping):
        bad("points", "must hold max_points and strategy")
        return None
    max_points = _number(raw.get("max_points"), "points.max_points", bad, minimum=0)
    strategy = raw.get("strategy")
    if strategy not in STRATEGIES:
        bad("points.strategy", f"must be one of {sorted(STRATEGIES)}")
    step = _number(raw.get("rank_step_share", 0.02), "points.rank_step_share", bad, minimum=0, maximum=1)
    bands = raw.get("bands", [])
    checked: list[tuple[float, float]] = []
    if not isinstance(bands, list) or any(not isinstance(b, list) or len(b) != 2 for b in bands):
        bad("points.bands", "must be a list of [threshold, points] pairs")
    else:
        checked = [(float(t), float(p)) for t, p in bands]
        thresholds = [t for t, _ in checked]
        if thresholds != sorted(thresholds, reverse=True) or len(set(thresholds)) != len(thresholds):
            bad("points.bands", "thresholds must be listed highest first, each once")
        if max_points is not None and any(p > max_points or p < 0 for _, p in checked):
            bad("points.bands", "every band's points must be between 0 and max_points")
    if strategy == "bands" and not checked:
        bad("points.bands", "the bands strategy needs at least one band")
    if max_points is None or strategy not in STRATEGIES or step is None:
        return None
    return PointRules(float(max_points), strategy, float(step), tuple(checked))


def _number(
    value: Any, field: str, bad, minimum: float | None = None, maximum: float | None = None, whole: bool = False
) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (whole and not float(value).is_integer()):
        bad(field, "must be a whole number" if whole else "must be a number")
        return None
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        bad(field, f"must be between {minimum} and {maximum}" if maximum is not None else f"must be at least {minimum}")
        return None
    return float(value)
