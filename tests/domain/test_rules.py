"""Scoring rule sets are data: the shipped default loads, and every mistake is named."""

from __future__ import annotations

import copy

import pytest
import yaml

from survey_api.config import PROJECT_ROOT
from survey_api.domain.forms import FormDefinitionError
from survey_api.domain.rules import parse_rules

DEFAULT = yaml.safe_load((PROJECT_ROOT / "rules" / "default.yaml").read_text(encoding="utf-8"))


def test_the_default_rules_are_the_domain_defaults():
    rules = parse_rules(DEFAULT, "default.yaml")
    assert rules.min_n == 200 and rules.satisfaction_gate == 60
    assert rules.index_weights == {"happiness": 1.0, "satisfaction": 1.0, "security": 1.0}
    assert (rules.weighting, rules.trim_lower, rules.trim_upper) == ("raking", 0.3, 3.0)
    assert rules.points.max_points == 15 and rules.points.strategy == "linear"
    assert rules.points.bands[0] == (90.0, 15.0)


def problems(change) -> list[str]:
    data = copy.deepcopy(DEFAULT)
    change(data)
    with pytest.raises(FormDefinitionError) as caught:
        parse_rules(data, "rules.yaml")
    return [str(p) for p in caught.value.problems]


@pytest.mark.parametrize(
    "change, expected",
    [
        (lambda d: d.update(min_n=0), "field 'min_n': must be at least 1"),
        (lambda d: d.update(min_n=20.5), "field 'min_n': must be a whole number"),
        (lambda d: d["index_weights"].update(wellbeing=1), "field 'index_weights.wellbeing': not an index"),
        (lambda d: d.update(index_weights={"happiness": 0}), "at least one weight must be above 0"),
        (lambda d: d["points"].update(strategy="best_guess"), "field 'points.strategy': must be one of"),
        (lambda d: d["points"].update(bands=[[70, 9], [90, 15]]), "highest first"),
        (lambda d: d["points"].update(bands=[[90, 20]]), "between 0 and max_points"),
        (lambda d: d["weighting"].update(trim_lower=1.5), "trim_lower must be below 1"),
        (lambda d: d.update(satisfaction_gate=120), "field 'satisfaction_gate': must be between 0 and 100"),
        (lambda d: d.update(surprise=True), "field 'surprise': unknown field"),
    ],
)
def test_each_mistake_is_named_by_field(change, expected):
    found = problems(change)
    assert any(expected in p for p in found), found


def test_every_problem_is_reported_at_once():
    found = problems(lambda d: d.update(min_n=-1, satisfaction_gate="high", title=""))
    assert len(found) == 3
