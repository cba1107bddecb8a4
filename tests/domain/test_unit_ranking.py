"""Composite, points, ranks within category, the gate, category averages and weakest questions on unit entries."""

from __future__ import annotations

import copy

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from survey_api.config import PROJECT_ROOT
from survey_api.domain.rules import parse_rules
from survey_api.domain.unit_ranking import category_averages, rank_units, weakest_questions

DEFAULT = yaml.safe_load((PROJECT_ROOT / "rules" / "default.yaml").read_text(encoding="utf-8"))


def rules(**points):
    data = copy.deepcopy(DEFAULT)
    data["points"].update(points)
    return parse_rules(data, "test")


def unit(code, category, happiness, satisfaction, security, sufficient=True):
    values = {"happiness": happiness, "satisfaction": satisfaction, "security": security}
    return {
        "unit_code": code,
        "category": category,
        "indices": {name: {"value": v, "sufficient": sufficient, "questions": []} for name, v in values.items()},
    }


def test_linear_points_ranks_and_the_gate_by_hand():
    units = [unit("A", "街道", 90, 84, 87), unit("B", "街道", 80, 50, 80), unit("C", "部门", 70, 70, 70)]
    rank_units(units, rules())
    a, b, c = units
    assert a["composite"] == pytest.approx(87.0)  # (90 + 84 + 87) / 3, equal weights
    assert a["points"] == pytest.approx(87.0 / 100 * 15)  # linear, 15 points at most
    assert (a["rank_in_category"], b["rank_in_category"], c["rank_in_category"]) == (1, 2, 1)  # per category
    assert a["gate"]["passed"] and not b["gate"]["passed"]  # satisfaction 50 is below the gate of 60


def test_other_strategies_by_hand():
    units = [unit("A", "街道", 90, 90, 90), unit("B", "街道", 80, 80, 80), unit("C", "街道", 80, 80, 80)]
    rank_units(units, rules(strategy="ratio_to_top"))
    assert [u["points"] for u in units] == pytest.approx([15, 80 / 90 * 15, 80 / 90 * 15])
    rank_units(units, rules(strategy="rank_steps", rank_step_share=0.1))
    assert [u["rank_in_category"] for u in units] == [1, 2, 2]  # ties share a rank
    assert [u["points"] for u in units] == pytest.approx([15, 13.5, 13.5])  # each rank below loses 10 % of 15
    rank_units(units, rules(strategy="bands"))
    assert [u["points"] for u in units] == [15, 12, 12]  # 90 → 15, 80 → 12 in the default bands


def test_a_unit_without_enough_answers_is_not_ranked_and_has_no_points():
    units = [unit("A", "街道", 90, 90, 90), unit("B", "街道", 95, 95, 95, sufficient=False)]
    rank_units(units, rules())
    assert units[0]["rank_in_category"] == 1
    assert (units[1]["ranked"], units[1]["rank_in_category"], units[1]["points"]) == (False, None, None)


def test_category_averages_count_only_units_with_enough_answers():
    units = [unit("A", "街道", 90, 80, 70), unit("B", "街道", 70, 60, 50), unit("C", "街道", 10, 10, 10, False)]
    [street] = category_averages(units, ["happiness", "satisfaction", "security"])
    assert street == {"category": "街道", "units": 3, "averages": {"happiness": 80, "satisfaction": 70, "security": 60}}


def test_the_weakest_questions_are_the_lowest_scores_across_indices():
    def question(key, score):
        return {"form": "f", "question": key, "text": key, "score": {"value": score}}

    indices = {
        "happiness": {"questions": [question("h1", 70), question("h2", None), question("h3", 40)]},
        "security": {"questions": [question("s1", 55), question("s2", 90)]},
    }
    assert [q["question"] for q in weakest_questions(indices)] == ["h3", "s1", "h1"]


scores = st.floats(min_value=0, max_value=100, allow_nan=False)


@given(
    st.lists(st.tuples(st.sampled_from(["街道", "部门"]), scores, scores, scores), min_size=1, max_size=12),
    st.randoms(),
)
def test_ranks_and_points_do_not_depend_on_the_order_units_are_listed(rows, rng):
    units = [unit(f"U{i}", c, h, s, x) for i, (c, h, s, x) in enumerate(rows)]
    shuffled = copy.deepcopy(units)
    rng.shuffle(shuffled)
    for strategy in ("linear", "ratio_to_top", "rank_steps", "bands"):
        rank_units(units, rules(strategy=strategy))
        rank_units(shuffled, rules(strategy=strategy))
        by_code = {u["unit_code"]: (u["rank_in_category"], u["points"]) for u in shuffled}
        assert all(by_code[u["unit_code"]] == (u["rank_in_category"], u["points"]) for u in units)
