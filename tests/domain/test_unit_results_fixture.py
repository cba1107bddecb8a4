"""Thirty units in three categories, worked through together: a veto, an affirmation, ties, bonuses beyond the cap,
an incomplete unit and a quota that bites; and the properties that hold for any units (hypothesis)."""

from __future__ import annotations

import copy

from hypothesis import given, settings
from hypothesis import strategies as st

from survey_api.domain.grades import quota_slots
from survey_api.domain.period_rules import parse_period_rules
from survey_api.domain.unit_results import UnitInput, compute_period

from .period_fixtures import ANNUAL, annual, unit


def thirty_units() -> list[UnitInput]:
    units = []
    # 街道: performance 100, 99 … 91; J01 (the best) has a veto. Four units reach the 优秀 band of 95.
    for i in range(10):
        adjustments = [("veto", 0, "重大安全生产事故")] if i == 0 else []
        units.append(unit(f"J{i + 1:02d}", "街道", performance=100 - i, adjustments=adjustments))
    # 经济: E02 and E03 are identical (a true tie); E10 is low but affirmed, and takes one of the two places.
    for i, p in enumerate([100, 99, 99, 97, 95, 94, 93, 92, 91, 80]):
        adjustments = [("affirmation", 0, "真抓实干督查激励")] if i == 9 else []
        units.append(unit(f"E{i + 1:02d}", "经济", performance=p, adjustments=adjustments))
    # 社会: S05 earns 8 bonus points, capped at 5; S07 and S08 tie on score, broken by the 民评 composite;
    # S10 has no party-building score and is incomplete.
    for i, p in enumerate([100, 99, 94, 93, 90, 88, 88, 88, 86, 99]):
        adjustments = [("bonus", 4, "现场会"), ("bonus", 4, "文明单位")] if i == 4 else []
        public = {6: 96.0}.get(i, 90.0)  # S07: 52.2 + 36.6; S08: 52.8 + 36.0
        performance = p if i not in (6, 7) else {6: 87.0, 7: 88.0}[i]
        party = None if i == 9 else 90.0
        units.append(
            unit(f"S{i + 1:02d}", "社会", performance=performance, public=public, party=party, adjustments=adjustments)
        )
    return units


def test_thirty_units_in_three_categories():
    document = compute_period(annual(), thirty_units())
    found = {u["unit_code"]: u for u in document["units"]}
    categories = {c["category"]: c for c in document["categories"]}
    assert {c: categories[c]["quota_slots"] for c in categories} == {"街道": 2, "经济": 2, "社会": 2}

    # 街道: J01 (96.0) is ranked first but vetoed; J02 (95.4) and J03 (94.8 — below the band) …
    assert [found[f"J{i:02d}"]["score"] for i in (1, 2, 3, 4)] == [96.0, 95.4, 94.8, 94.2]
    assert found["J01"]["rank"] == 1 and found["J01"]["grade"] == "good"
    assert found["J02"]["grade"] == "excellent" and categories["街道"]["top_grades"] == 1

    # 经济: E02 and E03 share rank 2 and the next is 4; E10's affirmation takes a place, E01 the other;
    # E02 and E03 are tied for no place left, so the quota bites on both.
    assert [found[f"E{i:02d}"]["rank"] for i in (1, 2, 3, 4)] == [1, 2, 2, 4]
    assert found["E10"]["grade"] == "excellent" and found["E01"]["grade"] == "excellent"
    assert found["E02"]["grade"] == found["E03"]["grade"] == "good"
    assert "grade.no_quota_slot" in [w["code"] for w in found["E02"]["why"]]
    assert categories["经济"]["top_grades"] == 2

    # 社会: S05 gets 5 of its 8 bonus points; S07 and S08 tie on score, S07's 民评 composite wins.
    assert (found["S05"]["bonuses"]["applied"], found["S05"]["score"]) == (5, 95.0)
    assert found["S07"]["score"] == found["S08"]["score"] and found["S07"]["rank"] + 1 == found["S08"]["rank"]
    assert (found["S10"]["complete"], found["S10"]["rank"]) == (False, None)
    assert categories["社会"]["ranked"] == 9 and categories["社会"]["incomplete"] == ["S10"]
    assert [found[c]["grade"] for c in ("S01", "S02", "S05")] == ["excellent", "excellent", "good"]
    assert "grade.no_quota_slot" in [w["code"] for w in found["S05"]["why"]]


SCORE = st.floats(0, 100, allow_nan=False)
UNIT = st.tuples(
    st.sampled_from(["街道", "经济", "社会"]),
    SCORE,
    SCORE,
    SCORE,
    SCORE,
    SCORE,
    SCORE,
    st.integers(1, 7),
    st.booleans(),
    st.booleans(),
    st.floats(0, 10, allow_nan=False),
)


def inputs(rows) -> list[UnitInput]:
    units = []
    for i, (category, perf, team, leader, party, public, satisfaction, level, veto, affirm, bonus) in enumerate(rows):
        adjustments = [("veto", 0, "否决")] * veto + [("affirmation", 0, "肯定")] * affirm
        adjustments += [("bonus", bonus, "加分")] if bonus else []
        units.append(unit(f"U{i:03d}", category, perf, team, leader, party, public, satisfaction, level, adjustments))
    return units


@settings(max_examples=60, deadline=None)
@given(st.lists(UNIT, min_size=1, max_size=25), st.randoms(use_true_random=False))
def test_the_ranking_does_not_depend_on_the_order_of_the_input(rows, rng):
    units = inputs(rows)
    shuffled = units[:]
    rng.shuffle(shuffled)
    rules = annual()
    assert compute_period(rules, units) == compute_period(rules, shuffled)


@settings(max_examples=80, deadline=None)
@given(st.lists(UNIT, min_size=1, max_size=25), st.sampled_from([0.0, 0.1, 0.2, 0.4, 1.0]), st.booleans())
def test_top_grades_never_exceed_the_quota_and_a_veto_never_gets_the_top_grade(rows, quota, in_quota):
    rules = annual(quota=quota, affirmation_in_quota=in_quota)
    document = compute_period(rules, inputs(rows))
    for category in document["categories"]:
        members = [u for u in document["units"] if u["category"] == category["category"] and u["complete"]]
        top = [u for u in members if u["grade"] == "excellent"]
        affirmed = [u for u in members if u["affirmations"] and not u["vetoes"]]
        slots = quota_slots(quota, len(members))
        others = [u for u in top if u not in affirmed]
        if in_quota:
            assert len(top) <= max(slots, len(affirmed))
        assert len(others) <= (max(0, slots - len(affirmed)) if in_quota else slots)
    assert all(u["grade"] != "excellent" for u in document["units"] if u["vetoes"])


@settings(max_examples=80, deadline=None)
@given(st.lists(st.integers(1, 20), min_size=5, max_size=5), st.lists(UNIT, min_size=1, max_size=10))
def test_weights_that_sum_to_one_keep_the_weighted_sum_between_0_and_100(parts, rows):
    data = copy.deepcopy(ANNUAL)
    for component, part in zip(data["components"], parts):
        component["weight"] = part / sum(parts)
    total = sum(c["weight"] for c in data["components"])
    if abs(total - 1) > 1e-9:
        return  # float division that does not sum to 1 within the tolerance is refused by validation
    rules = parse_period_rules(data)
    for result in compute_period(rules, inputs(rows))["units"]:
        assert -1e-9 <= result["weighted_sum"] <= 100 + 1e-9
        assert result["score"] <= round(result["weighted_sum"] * result["coefficient"] + 5, 2) + 1e-9
