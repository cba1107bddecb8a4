"""The period rule set: the shipped files are valid, and every kind of mistake is named by its field."""

from __future__ import annotations

import copy

import pytest

from survey_api.domain.period_rules import PeriodRulesError, parse_period_rules

from .period_fixtures import ANNUAL, ROUTINE


def problems_of(**changes) -> dict[str, str]:
    data = copy.deepcopy(ANNUAL)
    data.update(changes)
    with pytest.raises(PeriodRulesError) as caught:
        parse_period_rules(data)
    return caught.value.problems


def test_the_shipped_rule_sets_are_valid_and_hold_the_documented_defaults():
    annual = parse_period_rules(ANNUAL)
    assert [(c.key, c.share) for c in annual.components] == [
        ("performance", 0.6),
        ("team_evaluation", 0.1),
        ("leader_evaluation", 0.1),
        ("opinion_survey", 0.1),
        ("party_building", 0.1),
    ]
    assert annual.coefficients == (1.0, 1.03, 1.06, 1.09, 1.12, 1.15, 1.18)
    assert [(g.label, g.minimum) for g in annual.grades] == [("优秀", 95), ("良好", 90), ("一般", 80), ("较差", 0)]
    assert (annual.quota, annual.bonus_cap, annual.affirmation_in_quota) == (0.2, 5, True)
    assert annual.tie_breakers == ("public_composite", "performance")
    routine = parse_period_rules(ROUTINE)
    assert [g.label for g in routine.grades] == ["好", "较好", "一般", "较差"] and routine.quota == 0.4


def test_weights_must_sum_to_one_and_points_to_a_hundred():
    components = copy.deepcopy(ANNUAL["components"])
    components[0]["weight"] = 0.5
    assert "sum to 1" in problems_of(components=components)["components"]
    points = [
        {"key": "performance", "source": "entered", "points": 80},
        {"key": "public_eval", "source": "campaign", "points": 15},
    ]
    assert "sum to 100" in problems_of(model="points", components=points)["components"]
    assert "points model" in problems_of(model="points")["components.1.weight"]  # a weight where points belong


def test_grade_bands_must_be_ordered_and_end_at_zero():
    bands = [
        {"key": "a", "label": "优秀", "min": 90},
        {"key": "b", "label": "良好", "min": 95},
        {"key": "c", "label": "较差", "min": 0},
    ]
    assert "ordered" in problems_of(grades=bands)["grades"]
    bands = [{"key": "a", "label": "优秀", "min": 95}, {"key": "b", "label": "良好", "min": 60}]
    assert "min 0" in problems_of(grades=bands)["grades"]


def test_every_problem_is_named_at_once_by_its_field():
    found = problems_of(
        quota=1.5,
        veto_effect="banish",
        tie_breakers=["luck"],
        colour="red",
        gate={"threshold": 60, "components": ["nothing"]},
        caps={"bonus": -1},
    )
    assert set(found) == {"quota", "veto_effect", "tie_breakers", "colour", "gate.components", "caps.bonus"}
    assert "between 0 and 1" in found["quota"] and found["colour"] == "unknown field"


def test_a_points_model_with_public_evaluation_worth_fifteen_points_is_expressible():
    data = copy.deepcopy(ANNUAL)
    data.update(
        model="points",
        components=[
            {"key": "performance", "source": "entered", "points": 70},
            {"key": "public_eval", "source": "campaign", "points": 15},
            {"key": "party_building", "source": "entered", "points": 15},
        ],
        tie_breakers=["public_composite"],
        gate={"threshold": 60, "components": []},
    )
    rules = parse_period_rules(data)
    assert rules.contribution(rules.components[1], 80) == pytest.approx(12)  # 80 % of 15 points
