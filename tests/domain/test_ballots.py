"""The 民主测评 tally (DOMAIN.md §4): every rule worked by hand on the shipped ballots, then its properties."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from survey_api.config import PROJECT_ROOT
from survey_api.domain.ballot_rules import (
    DEFAULT_GROUP_WEIGHTS,
    TallyRules,
    TallyRulesError,
    parse_tally_rules,
)
from survey_api.domain.ballots import (
    FlagCode,
    Reason,
    Status,
    ballot_validity,
    hidden_groups,
    round_validity,
    tally_target,
    trimmed_mean,
    weighted_score,
)
from survey_api.domain.form_parser import parse_form


def load(key):
    return parse_form(yaml.safe_load((PROJECT_ROOT / "forms" / f"{key}.yaml").read_text(encoding="utf-8")), key)


CADRE, TEAM = load("cadre_ballot"), load("team_ballot")
RULES = TallyRules()
# Marks: E 优秀 100, G 良好/称职 80, F 一般/基本称职 60, P 较差/不称职 40, "." blank. The grade is its position on
# the scale, so a cadre's 良好 on an item and 称职 overall are the same grade (both 80).
ITEM_KEYS = {"E": "excellent", "G": "good", "F": "fair", "P": "poor"}
CADRE_OVERALL_KEYS = {"E": "excellent", "G": "competent", "F": "basically_competent", "P": "incompetent"}


def cadre(marks: str) -> dict[str, str]:
    """德 能 勤 绩 廉 and the overall grade, e.g. "EGF..G"."""
    keys = [q.key for q in CADRE.questions]
    assert len(marks) == len(keys) == 6 and keys[-1] == "overall"
    grades = [ITEM_KEYS] * 5 + [CADRE_OVERALL_KEYS]
    return {k: scale[m] for k, m, scale in zip(keys, marks, grades) if m != "."}


def team(marks: str) -> dict[str, str]:
    """The ten team items and the overall grade (all on 优秀/良好/一般/较差)."""
    keys = [q.key for q in TEAM.questions]
    assert len(marks) == len(keys) == 11 and keys[-1] == "overall"
    return {k: ITEM_KEYS[m] for k, m in zip(keys, marks) if m != "."}


def reason(form, answers, rules=RULES):
    return ballot_validity(form, answers, rules).reason


# --- one ballot --------------------------------------------------------------------------------------------------


def test_a_ballots_score_is_the_mean_of_its_answered_items_overall_included():
    full = ballot_validity(CADRE, cadre("EGGFGE"), RULES)
    assert full.is_valid and full.score == pytest.approx(500 / 6)  # (100+80+80+60+80+100) / 6
    assert full.overall == "excellent"
    blank_overall = ballot_validity(CADRE, cadre("EGGFG."), RULES)
    assert blank_overall.score == pytest.approx(80.0)  # (100+80+80+60+80) / 5: the blank is left out
    assert blank_overall.overall is None
    abstaining = ballot_validity(CADRE, {**cadre("EGFE.G"), "performance": None}, RULES)  # None is a blank too
    assert abstaining.score == pytest.approx(80.0)  # (100+80+60+80) / 4, two blanks


def test_the_same_grade_everywhere_or_the_top_grade_everywhere_makes_a_ballot_invalid():
    assert reason(CADRE, cadre("GGGGGG")) is Reason.ALL_SAME  # 良好 ×5 and 称职: one grade, 80
    assert reason(CADRE, cadre("GG.G.G")) is Reason.ALL_SAME  # blanks do not break the pattern
    assert reason(CADRE, cadre("EEEEEE")) is Reason.ALL_TOP  # the narrower reason wins
    assert reason(CADRE, cadre("EE.EEE")) is Reason.ALL_TOP
    assert reason(CADRE, cadre("EEEEEG")) is None  # one item differs: valid
    assert reason(TEAM, team("PPPPPPPPPPP")) is Reason.ALL_SAME


def test_each_pattern_rule_can_be_switched_off():
    lenient_same = TallyRules(all_same_invalid=False)
    assert reason(CADRE, cadre("GGGGGG"), lenient_same) is None
    assert reason(CADRE, cadre("EEEEEE"), lenient_same) is Reason.ALL_TOP
    lenient_top = TallyRules(all_top_invalid=False)
    assert reason(CADRE, cadre("EEEEEE"), lenient_top) is Reason.ALL_SAME  # still one grade everywhere
    both_off = TallyRules(all_same_invalid=False, all_top_invalid=False)
    assert ballot_validity(CADRE, cadre("EEEEEE"), both_off).score == 100


def test_more_than_half_the_items_blank_makes_a_ballot_invalid():
    # The cadre ballot has 6 items, half is 3: three blanks are abstentions, four void the ballot.
    three_blanks = ballot_validity(CADRE, cadre("EGF..."), RULES)
    assert three_blanks.is_valid and three_blanks.score == pytest.approx(80.0)  # (100+80+60) / 3
    assert reason(CADRE, cadre("EG....")) is Reason.TOO_MANY_BLANKS
    assert reason(CADRE, cadre("......")) is Reason.TOO_MANY_BLANKS
    # The team ballot has 11 items, half is 5.5: five blanks are fine, six are not.
    assert reason(TEAM, team("EGFEGF.....")) is None
    assert reason(TEAM, team("EGFEG......")) is Reason.TOO_MANY_BLANKS
    # The share is configurable; a ballot with nothing answered never counts.
    anything_goes = TallyRules(max_blank_share=1.0)
    assert ballot_validity(CADRE, cadre("EF...."), anything_goes).score == pytest.approx(80.0)  # (100+60) / 2
    assert reason(CADRE, cadre("......"), anything_goes) is Reason.TOO_MANY_BLANKS


def test_an_answer_the_ballot_does_not_offer_makes_it_invalid_before_any_other_rule():
    assert reason(CADRE, {**cadre("EGFEGF"), "morality": "competent"}) is Reason.UNKNOWN_ANSWER  # not on 德's scale
    assert reason(CADRE, {**cadre("EGFEGF"), "salary": "good"}) is Reason.UNKNOWN_ANSWER
    assert reason(CADRE, {"salary": "good"}) is Reason.UNKNOWN_ANSWER  # not too_many_blanks
    assert reason(CADRE, {**cadre("EGFEGF"), "overall": 80}) is Reason.UNKNOWN_ANSWER


# --- the round ---------------------------------------------------------------------------------------------------


def test_quorum_needs_more_than_half_of_those_due_over_all_groups():
    due = {"superiors": 4, "peers": 12, "public": 8}  # 24 due: quorum is more than 12
    issued = dict(due)
    at_half = round_validity({"superiors": 4, "peers": 8, "public": 0}, issued, due, RULES)
    assert (at_half.turnout.cast, at_half.turnout.due, at_half.quorum_met) == (12, 24, False)
    assert at_half.status is Status.NO_QUORUM
    one_more = round_validity({"superiors": 4, "peers": 9, "public": 0}, issued, due, RULES)
    assert one_more.quorum_met and one_more.status is None  # 13 > 12, though the public sent nobody
    assert not round_validity({}, {}, {}, RULES).quorum_met  # nobody due: nothing to count
    assert round_validity({"peers": 7}, {"peers": 12}, {"peers": 12}, TallyRules(quorum_share=0.55)).quorum_met


def test_more_ballots_than_tokens_in_any_group_voids_the_round_even_when_the_totals_fit():
    check = round_validity(
        {"superiors": 4, "peers": 8}, {"superiors": 3, "peers": 10}, {"superiors": 3, "peers": 10}, RULES
    )
    assert check.turnout.cast <= check.turnout.issued  # 12 of 13 issued overall …
    assert check.over_issued == ("superiors",) and check.status is Status.VOID  # … but 4 superiors' ballots, 3 tokens
    assert round_validity({"peers": 1}, {}, {"peers": 1}, RULES).status is Status.VOID  # no token issued at all


# --- one target --------------------------------------------------------------------------------------------------

# Peers: eight valid ballots and three invalid ones. Scores (units E5 G4 F3 P2, ×20, ÷6):
PEERS = [
    cadre("EEEGGG"),  # 90, overall 称职
    cadre("GGGEEE"),  # 90, 优秀
    cadre("EGFEGF"),  # 80, 基本称职
    cadre("EGFGFE"),  # 80, 优秀
    cadre("GGFFFG"),  # 70, 称职
    cadre("GGGFFF"),  # 70, 基本称职
    cadre("GGFFPP"),  # 60, 不称职
    cadre("FFFPPP"),  # 50, 不称职
    cadre("EEEEEE"),  # invalid: all top
    cadre("GGGGGG"),  # invalid: all the same
    cadre("E....."),  # invalid: five blanks of six
]
SUPERIORS = [cadre("EEEGGG"), cadre("GGGEEE"), cadre("EGFEGF")]  # 90 称职, 90 优秀, 80 基本称职
PUBLIC = [cadre("GGGEEE"), cadre("GGFFFG"), cadre("GGGFFF"), cadre("EGFGFE"), cadre("GGFFPP")]
# 90 优秀, 70 称职, 70 基本称职, 80 优秀, 60 不称职
ISSUED = {"superiors": 3, "peers": 12, "public": 6}
DUE = {"superiors": 4, "peers": 12, "public": 8}


def worked_example(rules=RULES):
    ballots = {"superiors": SUPERIORS, "peers": PEERS, "public": PUBLIC}
    return tally_target(CADRE, ballots, ISSUED, DUE, rules)


def test_a_group_with_enough_valid_ballots_shows_its_counts_rates_and_trimmed_mean():
    tally = worked_example()
    assert tally.status is Status.COUNTED
    assert (tally.round.turnout.cast, tally.round.turnout.due) == (19, 24)  # 19 > 12: quorum
    peers = tally.groups["peers"]
    assert not peers.hidden and peers.turnout.cast == 11
    assert peers.grades.valid == 8
    assert peers.grades.invalid == {"unknown_answer": 0, "too_many_blanks": 1, "all_top": 1, "all_same": 1}
    assert peers.grades.overall == {"excellent": 2, "competent": 2, "basically_competent": 2, "incompetent": 2}
    assert list(peers.grades.overall) == ["excellent", "competent", "basically_competent", "incompetent"]
    assert (peers.grades.top_rate, peers.grades.good_rate, peers.grades.bottom_rate) == (0.25, 0.5, 0.25)
    # 8 > 5 valid ballots: drop one 90 and the 50, mean of 60 70 70 80 80 90 = 450 / 6 (untrimmed: 590 / 8)
    assert peers.trimmed and peers.mean_score == pytest.approx(75.0)


def test_the_target_score_is_the_group_weighted_mean_and_rates_pool_every_valid_ballot():
    tally = worked_example()
    # superiors 260 / 3 (3 ballots, no trim), peers 75, public 370 / 5 = 74 (5 ballots: not more than 5)
    assert tally.score == pytest.approx(0.2 * 260 / 3 + 0.4 * 75 + 0.4 * 74)  # 76.9333…
    assert tally.weights_used == pytest.approx(DEFAULT_GROUP_WEIGHTS) and tally.missing_groups == ()
    # 16 valid ballots: 优秀 2+1+2 = 5, 称职 2+1+1 = 4, 基本称职 2+1+1 = 4, 不称职 2+0+1 = 3
    grades = tally.grades
    assert (grades.valid, grades.invalid["all_top"]) == (16, 1)
    assert grades.overall == {"excellent": 5, "competent": 4, "basically_competent": 4, "incompetent": 3}
    assert (grades.top_rate, grades.good_rate, grades.bottom_rate) == (5 / 16, 9 / 16, 3 / 16)
    # 9 / 16 = 0.5625 is below 2/3; 3 / 16 is not above 1/3
    assert [(f.code, f.share) for f in tally.flags] == [(FlagCode.ADMONITION_OR_ADJUSTMENT, 9 / 16)]


def test_small_groups_are_hidden_and_can_not_be_read_off_the_target_totals():
    tally = worked_example()
    # superiors (3) and public (5) are below 8; together they hold 8, so peers may be shown
    for name in ("superiors", "public"):
        group = tally.groups[name]
        assert group.hidden and (group.grades, group.mean_score) == (None, None)
        assert (group.turnout.issued, group.turnout.due) == (ISSUED[name], DUE[name])
    assert (tally.groups["superiors"].turnout.cast, tally.groups["public"].turnout.cast) == (3, 5)
    # one small group alone could be read off (target minus the shown ones): the smallest shown group goes too
    assert hidden_groups({"superiors": 3, "peers": 20, "public": 9}, 8) == {"superiors", "public"}
    assert hidden_groups({"superiors": 3, "peers": 6, "public": 20}, 8) == {"superiors", "peers"}
    assert hidden_groups({"superiors": 0, "peers": 20, "public": 9}, 8) == {"superiors"}  # nothing to read
    assert hidden_groups({"a": 8, "b": 9}, 8) == set()


def test_below_the_minimum_of_valid_ballots_a_target_shows_turnout_and_nothing_else():
    tally = worked_example(TallyRules(min_valid_to_show=17))  # 16 valid ballots
    assert tally.status is Status.HIDDEN
    assert (tally.grades, tally.score, tally.weights_used, tally.flags, tally.missing_groups) == (None,) * 3 + ((),) * 2
    assert all(g.hidden and g.grades is None and g.mean_score is None for g in tally.groups.values())
    assert tally.groups["peers"].turnout.cast == 11 and tally.round.turnout.cast == 19
    document = tally.document()
    assert document["grades"] is None and document["score"] is None
    assert all(
        set(g) == {"group", "weight", "turnout", "hidden", "grades", "mean_score", "trimmed"}
        for g in document["groups"].values()
    )
    assert worked_example(TallyRules(min_valid_to_show=16)).status is Status.COUNTED


def test_a_round_without_quorum_or_with_too_many_ballots_shows_no_numbers():
    void = tally_target(CADRE, {"peers": PEERS}, {"peers": 10}, {"peers": 12}, RULES)  # 11 ballots, 10 tokens
    assert void.status is Status.VOID and void.round.over_issued == ("peers",)
    assert (void.grades, void.score, void.flags) == (None, None, ())
    short = tally_target(CADRE, {"peers": PEERS}, {"peers": 30}, {"peers": 30}, RULES)  # 11 of 30 due
    assert short.status is Status.NO_QUORUM and short.groups["peers"].grades is None


def test_trimming_starts_above_five_valid_ballots():
    assert trimmed_mean([50, 60, 70, 80, 90], 5) == (70.0, False)  # five: the plain mean
    assert trimmed_mean([100, 50, 60, 70, 80, 90], 5) == (75.0, True)  # six: (60+70+80+90) / 4
    assert trimmed_mean([100, 50, 60, 70, 80, 90], None) == (75.0, False)  # never trimmed: 450 / 6
    tally = worked_example(TallyRules(trim_above=None))
    assert tally.groups["peers"].mean_score == pytest.approx(590 / 8) and not tally.groups["peers"].trimmed


def test_a_weighted_group_without_valid_ballots_is_renormalised_away_or_blocks_the_score():
    means = {"superiors": None, "peers": 75.0, "public": 74.0}
    score, used, missing = weighted_score(means, RULES)
    assert score == pytest.approx(74.5) and used == pytest.approx({"peers": 0.5, "public": 0.5})  # 0.4 / 0.8
    assert missing == ("superiors",)
    assert weighted_score(means, TallyRules(renormalise_missing_groups=False)) == (None, {}, ("superiors",))
    no_weight = TallyRules(group_weights={"superiors": 0, "peers": 0.5, "public": 0.5})
    assert weighted_score(means, no_weight)[2] == ()  # a group without weight is never missing
    tally = tally_target(CADRE, {"peers": PEERS[:8]}, {"peers": 8}, {"peers": 8}, RULES)
    assert tally.score == pytest.approx(75.0) and tally.missing_groups == ("superiors", "public")


def overall_only(grades: str) -> list[dict[str, str]]:
    """Valid cadre ballots that differ only in the overall grade (items E G F E G: never one grade)."""
    return [cadre("EGFEG" + g) for g in grades]


@pytest.mark.parametrize(
    ("grades", "flags"),
    [
        ("EEEGGGFFF", []),  # 称职 or better 6 / 9 = 2/3: not below; 不称职 0
        ("EEGGGFFFF", [FlagCode.ADMONITION_OR_ADJUSTMENT]),  # 5 / 9 below 2/3
        ("EEEGGGPPP", []),  # 不称职 3 / 9 = 1/3: not above
        ("EEGGGPPPP", [FlagCode.ADMONITION_OR_ADJUSTMENT, FlagCode.INCOMPETENT]),  # 5 / 9 and 4 / 9
    ],
)
def test_flags_fire_strictly_past_their_thresholds(grades, flags):
    rules = TallyRules(group_weights={"all": 1})
    tally = tally_target(CADRE, {"all": overall_only(grades)}, {"all": 9}, {"all": 9}, rules)
    assert [f.code for f in tally.flags] == flags


def test_a_blank_overall_grade_counts_in_the_rates_denominator():
    ballots = overall_only("EEGGFFP") + [cadre("EGFEG.")]
    rules = TallyRules(group_weights={"all": 1})
    grades = tally_target(CADRE, {"all": ballots}, {"all": 8}, {"all": 8}, rules).grades
    assert (grades.valid, grades.overall_blank) == (8, 1)
    assert (grades.top_rate, grades.good_rate, grades.bottom_rate) == (2 / 8, 4 / 8, 1 / 8)


def test_the_team_ballots_good_rate_is_excellent_plus_good():
    ballots = [team("EGFEGFEGFE" + g) for g in "EEGGGFFP"]  # items mixed, overall 优秀 2, 良好 3, 一般 2, 较差 1
    rules = TallyRules(group_weights={"all": 1})
    grades = tally_target(TEAM, {"all": ballots}, {"all": 8}, {"all": 8}, rules).grades
    assert grades.overall == {"excellent": 2, "good": 3, "fair": 2, "poor": 1}
    assert (grades.top_rate, grades.good_rate, grades.bottom_rate) == (2 / 8, 5 / 8, 1 / 8)


def test_groups_and_forms_the_rules_do_not_know_are_refused():
    with pytest.raises(ValueError, match="without a weight"):
        tally_target(CADRE, {"visitors": PEERS}, {"visitors": 20}, {"visitors": 20}, RULES)
    with pytest.raises(ValueError, match="not a ballot"):
        tally_target(replace(CADRE, kind="index"), {"peers": PEERS}, ISSUED, DUE, RULES)


# --- the rules ---------------------------------------------------------------------------------------------------


def test_the_default_rules_are_the_domain_guides():
    assert RULES.group_weights == {"superiors": 0.2, "peers": 0.4, "public": 0.4}
    assert (RULES.quorum_share, RULES.trim_above, RULES.max_blank_share, RULES.min_valid_to_show) == (0.5, 5, 0.5, 8)
    assert (RULES.good_share_floor, RULES.bottom_share_ceiling) == (2 / 3, 1 / 3)
    assert parse_tally_rules(RULES.document()) == RULES


def test_rules_are_parsed_over_the_defaults_and_every_problem_is_named():
    rules = parse_tally_rules({"min_valid_to_show": 5, "group_weights": {"leaders": 0.3, "staff": 0.7}})
    assert rules.min_valid_to_show == 5 and rules.group_weights == {"leaders": 0.3, "staff": 0.7}
    assert rules.quorum_share == 0.5
    with pytest.raises(TallyRulesError) as caught:
        parse_tally_rules(
            {"quorum_share": 1, "trim_above": 1.5, "all_top_invalid": "yes", "colour": "red", "min_valid_to_show": 0}
        )
    assert caught.value.problems == {
        "quorum_share": "out_of_range",
        "trim_above": "not_whole_number",
        "all_top_invalid": "not_boolean",
        "colour": "unknown",
        "min_valid_to_show": "out_of_range",
    }
    with pytest.raises(TallyRulesError) as caught:
        parse_tally_rules([1, 2])
    assert caught.value.problems == {"_": "not_object"}


@pytest.mark.parametrize(
    ("weights", "problems"),
    [
        ({"a": 0.5, "b": 0.2}, {"group_weights": "not_summing_to_one"}),
        ({"a": 1.2, "b": -0.2}, {"group_weights.b": "out_of_range"}),
        ({"a": "half", "b": 0.5}, {"group_weights.a": "not_number"}),
        ({}, {"group_weights": "empty"}),
        ([0.5, 0.5], {"group_weights": "not_object"}),
    ],
)
def test_group_weights_must_be_non_negative_and_sum_to_one(weights, problems):
    with pytest.raises(TallyRulesError) as caught:
        TallyRules(group_weights=weights)
    assert caught.value.problems == problems


# --- properties --------------------------------------------------------------------------------------------------

GROUPS = tuple(DEFAULT_GROUP_WEIGHTS)
MARKS = st.text(alphabet="EGFP.", min_size=6, max_size=6).map(cadre)
BALLOTS = st.dictionaries(st.sampled_from(GROUPS), st.lists(MARKS, max_size=14), min_size=1)
INVALID = st.sampled_from(["EEEEEE", "FF.FFF", "E....P", "GGGGG."]).map(cadre)


def tally(ballots, rules=RULES, due=None):
    issued = {g: 100 for g in GROUPS}
    return tally_target(CADRE, ballots, issued, due or {g: 1 for g in GROUPS}, rules)


@given(BALLOTS, st.integers(1, 10), st.randoms())
def test_the_tally_does_not_depend_on_the_order_of_ballots_or_groups(ballots, min_valid, random):
    rules = TallyRules(min_valid_to_show=min_valid)
    shuffled = {}
    for group in random.sample(list(ballots), len(ballots)):
        shuffled[group] = random.sample(ballots[group], len(ballots[group]))
    assert tally(shuffled, rules).document() == tally(ballots, rules).document()


@given(BALLOTS, INVALID, st.sampled_from(GROUPS), st.integers(1, 10), st.booleans())
def test_adding_an_invalid_ballot_changes_no_score(ballots, invalid, group, min_valid, renormalise):
    rules = TallyRules(min_valid_to_show=min_valid, renormalise_missing_groups=renormalise)
    before = tally(ballots, rules, due={g: 0 for g in GROUPS})
    after = tally({**ballots, group: [*ballots.get(group, []), invalid]}, rules, due={g: 0 for g in GROUPS})
    assert after.round.turnout.cast == before.round.turnout.cast + 1

    def scores(t):
        grades = None if t.grades is None else {**t.document()["grades"], "invalid": None}
        groups = {g: (v.hidden, v.mean_score, v.grades and v.grades.overall) for g, v in t.groups.items()}
        return (t.score, t.weights_used, t.missing_groups, t.flags, grades, groups)

    if before.status is Status.NO_QUORUM:  # nobody is due here, so only a round without ballots lacks quorum
        assert before.round.turnout.cast == 0
    else:
        assert scores(after) == scores(before)


@given(st.dictionaries(st.text(min_size=1, max_size=3), st.floats(-1, 2, allow_nan=False), max_size=4))
def test_group_weights_are_accepted_exactly_when_non_negative_and_summing_to_one(weights):
    acceptable = (
        bool(weights) and all(w >= 0 for w in weights.values()) and abs(math.fsum(weights.values()) - 1) <= 1e-6
    )
    try:
        TallyRules(group_weights=weights)
    except TallyRulesError:
        assert not acceptable
    else:
        assert acceptable


@given(st.lists(st.floats(40, 100), min_size=1, max_size=30), st.integers(2, 10))
def test_the_trimmed_mean_lies_between_the_lowest_and_highest_score(scores, trim_above):
    mean, trimmed = trimmed_mean(scores, trim_above)
    assert min(scores) - 1e-9 <= mean <= max(scores) + 1e-9
    assert trimmed == (len(scores) > trim_above)


@given(BALLOTS, st.integers(1, 10))
def test_rates_are_shares_and_counts_add_up(ballots, min_valid):
    result = tally(ballots, TallyRules(min_valid_to_show=min_valid))
    shown = [result.grades] + [g.grades for g in result.groups.values()] if result.grades else []
    for grades in filter(None, shown):
        assert 0 <= grades.top_rate <= grades.good_rate <= 1 and 0 <= grades.bottom_rate <= 1
        assert grades.good_rate + grades.bottom_rate <= 1 + 1e-12
        assert sum(grades.overall.values()) + grades.overall_blank == grades.valid
    if result.score is not None:
        assert 40 <= result.score <= 100
