"""Unit results worked by hand, one step of DOMAIN.md §5 at a time: 民评 points and the gate, the weighted sum,
the coefficient, capped bonuses and deductions, vetoes and affirmations, ranks with ties and tie-breakers, grades
by band and quota; and a unit with a missing component."""

from __future__ import annotations

import pytest

from survey_api.domain.grades import quota_slots
from survey_api.domain.revision_diff import revision_changes, unit_deduction_items
from survey_api.domain.unit_results import UnitInput, compute_period

from .period_fixtures import annual, unit


def by_code(document):
    return {u["unit_code"]: u for u in document["units"]}


def codes(result):
    return [w["code"] for w in result["why"]]


def test_weighted_sum_coefficient_and_score_by_hand():
    result = by_code(
        compute_period(annual(), [unit("A", performance=92, team=88, leader=90, party=86, public=75, level=3)])
    )["A"]
    # 0.6·92 + 0.1·88 + 0.1·90 + 0.1·75 + 0.1·86 = 55.2 + 8.8 + 9 + 7.5 + 8.6 = 89.1; level 3 → × 1.06 = 94.446
    assert result["weighted_sum"] == pytest.approx(89.1)
    assert result["coefficient"] == 1.06
    assert result["score"] == 94.45  # rounded to the rule set's two digits
    assert [c["contribution"] for c in result["components"]] == pytest.approx([55.2, 8.8, 9.0, 7.5, 8.6])
    assert result["components"][0]["lost"] == pytest.approx(4.8)  # 0.6 × (100 − 92)


def test_public_evaluation_strategies_convert_within_the_category():
    units = [unit("A", public=90), unit("B", public=72), unit("C", category="部门", public=60)]
    linear = by_code(compute_period(annual(), units))
    assert linear["B"]["components"][3]["value"] == pytest.approx(72)
    ratio = annual(public_eval={"strategy": "ratio_to_top", "max_points": 15})
    found = by_code(compute_period(ratio, units))
    assert found["B"]["components"][3]["value"] == pytest.approx(80)  # 72 / 90 of the category's top
    assert found["C"]["components"][3]["value"] == pytest.approx(100)  # alone in its category
    steps = annual(public_eval={"strategy": "rank_steps", "max_points": 15, "rank_step_share": 0.1})
    assert by_code(compute_period(steps, units))["B"]["components"][3]["value"] == pytest.approx(90)
    bands = annual(public_eval={"strategy": "bands", "max_points": 15, "bands": [[85, 15], [70, 12]]})
    assert by_code(compute_period(bands, units))["B"]["components"][3]["value"] == pytest.approx(80)  # 12 of 15


def test_the_satisfaction_gate_zeroes_the_linked_component_and_says_why():
    result = by_code(compute_period(annual(), [unit("A", performance=90, satisfaction=55)]))["A"]
    performance = result["components"][0]
    assert (performance["gated"], performance["contribution"], performance["lost"]) == (True, 0.0, 60.0)
    assert result["score"] == pytest.approx(36.0)  # only the four 10 % components at 90 remain
    assert result["why"][0] == {
        "code": "gate.failed",
        "params": {"satisfaction": 55.0, "threshold": 60.0, "passed": False, "zeroed": ["performance"]},
    }
    assert [i["kind"] for i in unit_deduction_items(result)][0] == "gate"


def test_bonuses_are_capped_and_deductions_are_not_by_default():
    adjustments = [("bonus", 4, "承办现场会"), ("bonus", 3, "文明街道"), ("deduction", 2.5, "信访超期")]
    result = by_code(compute_period(annual(), [unit("A", adjustments=adjustments)]))["A"]
    assert (result["bonuses"]["total"], result["bonuses"]["applied"]) == (7, 5)
    assert result["deductions"]["applied"] == 2.5
    assert result["score"] == pytest.approx(90 + 5 - 2.5)
    assert codes(result)[0] == "bonus.capped"
    capped = by_code(compute_period(annual(caps={"bonus": 5, "deduction": 2}), [unit("A", adjustments=adjustments)]))
    assert capped["A"]["deductions"]["applied"] == 2
    items = unit_deduction_items(result)
    assert {"kind": "deduction", "code": "deduction", "reason": "信访超期", "points": 2.5} in items


def test_ties_share_a_rank_unless_a_tie_breaker_separates_them():
    units = [
        unit("A", performance=95),
        unit("B", performance=90, public=90),
        unit("C", performance=90, public=90),
        unit("D", performance=85),
    ]
    found = by_code(compute_period(annual(tie_breakers=[]), units))
    assert [found[c]["rank"] for c in "ABCD"] == [1, 2, 2, 4]  # 1, 2, 2, 4: the next rank skips
    assert "rank.shared" in codes(found["B"])
    dense = by_code(compute_period(annual(tie_breakers=[], rank_method="dense"), units))
    assert [dense[c]["rank"] for c in "ABCD"] == [1, 2, 2, 3]
    # Equal scores (54 + 35.8 and 53.4 + 36.4), different 民评 composites: the first tie-breaker decides
    units = [unit("B", performance=90, public=88), unit("C", performance=89, public=94)]
    found = by_code(compute_period(annual(), units))
    assert found["B"]["score"] == found["C"]["score"] == pytest.approx(89.8)
    assert (found["C"]["rank"], found["B"]["rank"]) == (1, 2)  # C's 民评 composite 94 beats 88
    assert "rank.tie_broken" in codes(found["B"])


def test_grades_by_band_under_a_quota_rounded_half_up():
    assert [quota_slots(0.2, n) for n in (4, 5, 7, 8, 10, 13)] == [1, 1, 1, 2, 2, 3]  # 0.8, 1, 1.4, 1.6, 2, 2.6
    assert quota_slots(0.5, 5) == 3  # 2.5 rounds half up
    units = [unit(c, performance=p) for c, p in (("A", 100), ("B", 99), ("C", 98), ("D", 90), ("E", 70))]
    found = by_code(compute_period(annual(), units))  # scores 96, 95.4, 94.8, 90, 78
    assert [found[c]["grade"] for c in "ABCDE"] == ["excellent", "good", "good", "good", "poor"]
    assert "grade.no_quota_slot" in codes(found["B"])  # in the 优秀 band, but 20 % of 5 is one place
    assert found["C"]["band"] == "good" and found["E"]["band"] == "poor"


def test_a_veto_blocks_the_top_grade_and_an_affirmation_takes_a_quota_place():
    units = [
        unit("A", performance=100, adjustments=[("veto", 0, "重大安全事故")]),
        unit("B", performance=99),
        unit("C", performance=60, adjustments=[("affirmation", 0, "真抓实干激励")]),
        unit("D", performance=98),
        unit("E", performance=97),
    ]
    found = by_code(compute_period(annual(quota=0.4), units))  # 2 places
    assert found["A"]["grade"] == "good" and "grade.veto_blocked" in codes(found["A"])
    assert found["C"]["grade"] == "excellent" and "grade.affirmed" in codes(found["C"])
    assert found["B"]["grade"] == "excellent"  # the one place the affirmation left
    outside = by_code(compute_period(annual(quota=0.4, affirmation_in_quota=False), units))
    assert [outside[c]["grade"] for c in "BCD"] == ["excellent", "excellent", "good"]  # D's 94.8 is below 95
    lowest = by_code(compute_period(annual(veto_effect="lowest"), units))
    assert lowest["A"]["grade"] == "poor" and "grade.veto_lowest" in codes(lowest["A"])


def test_a_veto_overrides_an_affirmation():
    units = [unit("A", adjustments=[("veto", 0, "事故"), ("affirmation", 0, "激励")])]
    result = by_code(compute_period(annual(), units))["A"]
    assert result["grade"] == "good" and "grade.affirmation_overridden" in codes(result)


def test_units_tied_for_the_last_top_grade_place_both_go_without():
    units = [
        unit("A", performance=100),
        unit("B", performance=99),
        unit("C", performance=99),
        unit("D"),
        unit("E"),
        unit("F"),
        unit("G"),
        unit("H"),
        unit("I"),
        unit("J"),
    ]
    found = by_code(compute_period(annual(tie_breakers=[]), units))  # 2 places; B and C tie for the second
    assert found["A"]["grade"] == "excellent"
    assert found["B"]["grade"] == found["C"]["grade"] == "good"
    assert "grade.tied_at_quota" in codes(found["B"])


def test_a_missing_component_makes_the_result_incomplete_never_zero():
    missing = UnitInput(
        1,
        "M",
        "缺项单位",
        "街道",
        1,
        {"performance": 90.0, "team_evaluation": None, "leader_evaluation": 90.0, "party_building": 90.0},
        {"team_evaluation": "no_meeting"},
        unit("X").public,
    )
    document = compute_period(annual(), [missing, unit("B")])
    result = by_code(document)["M"]
    assert (result["complete"], result["score"], result["rank"], result["grade"]) == (False, None, None, None)
    assert result["missing"] == [{"component": "team_evaluation", "reason": "no_meeting"}]
    assert by_code(document)["B"]["rank"] == 1
    assert document["categories"][0]["incomplete"] == ["M"] and document["categories"][0]["ranked"] == 1


def test_the_bottom_of_a_routine_quarter_is_listed_for_a_reminder_talk():
    from survey_api.domain.period_rules import parse_period_rules

    from .period_fixtures import ROUTINE

    rules = parse_period_rules(ROUTINE)
    units = [unit("A", performance=95), unit("B", performance=80), unit("C", performance=70)]
    document = compute_period(rules, units)
    assert document["categories"][0]["reminders"] == ["C"]
    assert by_code(document)["A"]["grade"] == "very_good"  # 好: 40 % of 3 rounds to one place


def test_revision_changes_list_score_rank_and_grade_per_unit():
    rules = annual(quota=0.5)  # one place of two
    before = compute_period(rules, [unit("A", performance=100), unit("B", performance=90)])
    after = compute_period(rules, [unit("A", performance=90), unit("B", performance=100)])
    changes = {c["unit_code"]: c["changes"] for c in revision_changes(before, after)}
    assert changes["A"]["rank"] == {"before": 1, "after": 2}
    assert changes["A"]["grade"] == {"before": "excellent", "after": "good"}
    assert revision_changes(before, before) == []


def test_a_points_model_adds_up_points_with_public_evaluation_worth_fifteen():
    from survey_api.domain.period_rules import parse_period_rules

    from .period_fixtures import ANNUAL

    data = dict(
        ANNUAL,
        model="points",
        components=[
            {"key": "performance", "source": "entered", "points": 70},
            {"key": "public_eval", "source": "campaign", "points": 15},
            {"key": "party_building", "source": "entered", "points": 15},
        ],
        public_eval={"strategy": "rank_steps", "max_points": 15, "rank_step_share": 0.1},
    )
    rules = parse_period_rules(data)
    found = by_code(compute_period(rules, [unit("A", performance=90, public=88), unit("B", performance=90, public=80)]))
    # performance 0.9 × 70 = 63, party 0.9 × 15 = 13.5; 民评 by rank steps: A first (15), B one step lower (13.5)
    assert found["A"]["score"] == pytest.approx(63 + 15 + 13.5)
    assert found["B"]["score"] == pytest.approx(63 + 13.5 + 13.5)


def test_a_veto_below_the_top_band_leaves_the_band_grade_and_says_so():
    result = by_code(compute_period(annual(), [unit("A", performance=80, adjustments=[("veto", 0, "事故")])]))["A"]
    assert (result["score"], result["grade"]) == (84.0, "fair")
    assert [w["code"] for w in result["why"]] == ["grade.band"]
