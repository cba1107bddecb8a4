"""The 民主测评 tally's rules (DOMAIN.md §4) as data: every threshold a meeting may change, validated by field.

A meeting stores its rules as a (partial) document; `parse_tally_rules` lays it over the defaults and names every
problem by field with a stable code, so a service can answer with one catalogue error listing them all."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Mapping

# Rater group key -> weight (DOMAIN.md §4: 上级领导 0.2, 同级及干部职工 0.4, 服务对象/群众代表 0.4).
DEFAULT_GROUP_WEIGHTS: Mapping[str, float] = {"superiors": 0.2, "peers": 0.4, "public": 0.4}
WEIGHT_SUM_TOLERANCE = 1e-6  # 0.2 + 0.4 + 0.4 is not exactly 1.0 in binary floating point
_BOOLEANS = ("all_same_invalid", "all_top_invalid", "renormalise_missing_groups")
_SHARES = {  # field -> (lowest, highest, highest included)
    "quorum_share": (0.0, 1.0, False),
    "max_blank_share": (0.0, 1.0, True),
    "good_share_floor": (0.0, 1.0, True),
    "bottom_share_ceiling": (0.0, 1.0, True),
}
_WHOLE = {"trim_above": (2, 1_000_000), "min_valid_to_show": (1, 1_000_000)}  # trim_above may also be None


@dataclass(frozen=True)
class TallyRules:
    """One meeting's tally rules; the defaults are DOMAIN.md §4. Constructing it validates it (TallyRulesError)."""

    group_weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_GROUP_WEIGHTS))
    # The round counts only when the ballots cast EXCEED this share of those due.
    quorum_share: float = 0.5
    # A group's mean drops its single highest and single lowest ballot score when it has MORE valid ballots than
    # this; None: never trim.
    trim_above: int | None = 5
    # A ballot with MORE than this share of its items blank is invalid (a ballot with no answer always is).
    max_blank_share: float = 0.5
    # A ballot whose answered items all carry the same grade is invalid …
    all_same_invalid: bool = True
    # … and so is one with the top grade on every answered item (reported as all_top, the narrower reason).
    all_top_invalid: bool = True
    # A target's results (and a rater group's) stay hidden below this many valid ballots.
    min_valid_to_show: int = 8
    # Flag "review: admonition or adjustment" when the top-two share of the overall grade is BELOW this …
    good_share_floor: float = 2 / 3
    # … and "review: incompetent" when the bottom-grade share is ABOVE this.
    bottom_share_ceiling: float = 1 / 3
    # A weighted group without valid ballots: True, the other groups' weights are scaled up to sum to 1;
    # False, the target has no score.
    renormalise_missing_groups: bool = True

    def __post_init__(self) -> None:
        problems = rule_problems(self.document())
        if problems:
            raise TallyRulesError(problems)
        object.__setattr__(self, "group_weights", {k: float(v) for k, v in self.group_weights.items()})

    def document(self) -> dict[str, Any]:
        """The rules as a JSON-ready mapping, to store with a published result."""
        values = asdict(self)
        values["group_weights"] = dict(self.group_weights) if isinstance(self.group_weights, Mapping) else None
        return values


class TallyRulesError(ValueError):
    """Invalid tally rules; `problems` maps each field (group weights as group_weights.<key>) to a stable code:
    unknown, not_object, not_boolean, not_number, not_whole_number, out_of_range, empty, not_summing_to_one."""

    def __init__(self, problems: dict[str, str]):
        super().__init__("; ".join(f"{name}: {code}" for name, code in sorted(problems.items())))
        self.problems = problems


def parse_tally_rules(document: Mapping[str, Any] | None, base: TallyRules | None = None) -> TallyRules:
    """Rules from a meeting's (partial) document over `base` (the defaults when None); group_weights, when given,
    replaces the base's weights as a whole. Raises TallyRulesError naming every problem."""
    base = base or TallyRules()
    if document is None:
        return base
    if not isinstance(document, Mapping):
        raise TallyRulesError({"_": "not_object"})
    known = {f.name for f in fields(TallyRules)}
    values = {**base.document(), **{k: v for k, v in document.items() if k in known}}
    problems = {**{name: "unknown" for name in document if name not in known}, **rule_problems(values)}
    if problems:
        raise TallyRulesError(problems)
    return TallyRules(**values)


def rule_problems(values: Mapping[str, Any]) -> dict[str, str]:
    """Every problem of a complete rules mapping, by field; empty when the rules are valid."""
    problems: dict[str, str] = {}
    for name in _BOOLEANS:
        if not isinstance(values[name], bool):
            problems[name] = "not_boolean"
    for name, (low, high, high_included) in _SHARES.items():
        value = values[name]
        if not _is_number(value):
            problems[name] = "not_number"
        elif not (low <= value <= high if high_included else low <= value < high):
            problems[name] = "out_of_range"
    for name, (low, high) in _WHOLE.items():
        value = values[name]
        if name == "trim_above" and value is None:
            continue
        if not _is_number(value) or value != int(value):
            problems[name] = "not_whole_number"
        elif not low <= value <= high:
            problems[name] = "out_of_range"
    problems.update(_weight_problems(values["group_weights"]))
    return problems


def _weight_problems(weights: Any) -> dict[str, str]:
    if not isinstance(weights, Mapping):
        return {"group_weights": "not_object"}
    if not weights:
        return {"group_weights": "empty"}
    problems = {}
    for key, value in weights.items():
        if not isinstance(key, str) or not key.strip():
            problems["group_weights"] = "not_object"
        elif not _is_number(value):
            problems[f"group_weights.{key}"] = "not_number"
        elif value < 0:
            problems[f"group_weights.{key}"] = "out_of_range"
    if not problems and abs(math.fsum(weights.values()) - 1) > WEIGHT_SUM_TOLERANCE:
        problems["group_weights"] = "not_summing_to_one"
    return problems


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
