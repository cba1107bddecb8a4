"""Each quality rule fires on what it describes and stays quiet on ordinary answers; thresholds parse strictly."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from survey_api.domain.quality import (
    Neighbour,
    QualityRules,
    QualityRulesError,
    Rule,
    bursts,
    duplicate_answers,
    outside_hours,
    parse_rules,
    straight_lining,
    timeline,
    too_fast,
    usual_rate,
)

RULES = QualityRules()
T0 = datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc)  # 10:00 in Beijing


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def row(id_: int, minutes: float, unit: int = 1, digest: str = "d", network: str | None = None, device=None):
    return Neighbour(id_, unit, at(minutes), digest, network, device)


# --- too fast ---


def test_too_fast_flags_an_answer_below_the_minimum_with_its_evidence():
    flag = too_fast(12, 60)
    assert flag.rule is Rule.TOO_FAST
    assert flag.evidence == {"duration_seconds": 12, "min_seconds": 60}


@pytest.mark.parametrize("duration, minimum", [(60, 60), (300, 60), (None, 60), (5, 0), (5, None)])
def test_too_fast_leaves_ordinary_or_unmeasured_answers_alone(duration, minimum):
    assert too_fast(duration, minimum) is None


# --- straight-lining ---


def test_straight_lining_flags_the_same_score_on_every_scored_question():
    flag = straight_lining([100.0] * 11, 8)
    assert flag.rule is Rule.STRAIGHT_LINING and flag.evidence == {"scored_answers": 11, "score": 100.0}


def test_straight_lining_needs_enough_questions_and_one_score_only():
    assert straight_lining([100.0] * 7, 8) is None
    assert straight_lining([100.0] * 10 + [80.0], 8) is None


@given(st.lists(st.sampled_from([0.0, 30.0, 60.0, 80.0, 100.0]), min_size=8, max_size=40))
def test_straight_lining_fires_exactly_when_every_score_is_equal(scores):
    assert (straight_lining(scores, 8) is not None) == (len(set(scores)) == 1)


# --- outside hours ---


def test_outside_hours_flags_a_night_answer():
    local = datetime(2026, 11, 20, 3, 12)
    flag = outside_hours(local, RULES)
    assert flag.rule is Rule.OUTSIDE_HOURS
    assert flag.evidence["reason"] == "night" and flag.evidence["local_time"] == "2026-11-20 03:12"


def test_outside_hours_flags_an_import_dated_outside_the_campaign_window():
    opens, closes = at(0), at(60 * 24)
    assert outside_hours(at(-5), RULES, opens, closes).evidence["reason"] == "before_opening"
    assert outside_hours(at(60 * 24), RULES, opens, closes).evidence["reason"] == "after_closing"


@pytest.mark.parametrize("hour", [6, 9, 14, 22])
def test_outside_hours_leaves_daytime_answers_alone(hour):
    assert outside_hours(datetime(2026, 11, 20, hour, 59), RULES, at(-60), at(600), at(1)) is None


def test_a_whole_day_setting_never_flags_by_the_clock():
    rules = parse_rules({"day_starts_hour": 0, "day_ends_hour": 24})
    assert all(outside_hours(datetime(2026, 11, 20, h, 30), rules) is None for h in range(24))


# --- duplicates ---


def test_identical_answers_from_one_network_within_the_window_are_flagged_together():
    rows = [row(1, 0, network="n1"), row(2, 4, network="n1"), row(3, 9, network="n1")]
    flags = duplicate_answers(rows, RULES)
    assert set(flags) == {1, 2, 3}
    assert flags[2].evidence["matched_by"] == "network" and flags[2].evidence["other_response_ids"] == [1, 3]


def test_identical_answers_from_one_device_are_flagged():
    rows = [row(i, i, device="dev") for i in range(1, 4)]
    assert {f.evidence["matched_by"] for f in duplicate_answers(rows, RULES).values()} == {"device"}


def test_duplicates_need_the_same_answers_the_same_source_and_closeness_in_time():
    different_answers = [row(i, i, digest=f"d{i}", network="n1") for i in range(1, 4)]
    different_networks = [row(i, i, network=f"n{i}") for i in range(1, 4)]
    spread_out = [row(i, i * 40, network="n1") for i in range(1, 4)]
    too_few = [row(1, 0, network="n1"), row(2, 1, network="n1")]
    for rows in (different_answers, different_networks, spread_out, too_few):
        assert duplicate_answers(rows, RULES) == {}


@given(st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=30, unique=True))
def test_answers_further_apart_than_the_window_are_never_duplicates(slots):
    rows = [row(i, slot * 31, network="n1") for i, slot in enumerate(slots)]
    assert duplicate_answers(rows, RULES) == {}


# --- bursts ---


def test_a_burst_of_300_in_two_minutes_at_a_quiet_unit_is_flagged():
    usual = [row(i, i * 37) for i in range(1, 40)]  # about one answer in half an hour
    burst = [row(1000 + i, 2000 + i * 0.4 / 60) for i in range(300)]  # one every 0.4 s
    flags = bursts(usual + burst, RULES)
    assert set(flags) == {r.id for r in burst}
    evidence = flags[1000].evidence
    assert evidence["answers"] == 300 and evidence["threshold"] == 30 and evidence["usual_per_window"] == 1.0


def test_a_busy_unit_needs_a_burst_well_above_its_usual_rate():
    busy = [row(i, i * 0.25) for i in range(1, 600)]  # 20 answers every five minutes, all day
    assert usual_rate([r.submitted_at for r in busy], RULES) == 20
    assert bursts(busy, RULES) == {}
    rush = [row(5000 + i, 200 + i * 0.02) for i in range(90)]  # 90 more within two minutes: under 5 × 20
    assert bursts(busy + rush, RULES) == {}


def test_bursts_are_counted_per_unit():
    rows = [row(i, i * 0.1, unit=i % 20) for i in range(300)]  # 300 answers but only 15 per unit
    assert bursts(rows, RULES) == {}


@given(st.lists(st.floats(min_value=0, max_value=600, allow_nan=False), max_size=29))
def test_fewer_answers_than_the_minimum_are_never_a_burst(minutes):
    rows = [row(i, m) for i, m in enumerate(minutes)]
    assert bursts(rows, RULES) == {}


# --- thresholds ---


def test_rules_parse_a_partial_document_over_the_defaults():
    rules = parse_rules({"min_seconds": 90, "burst_factor": 3.5})
    assert rules.min_seconds == 90 and rules.burst_factor == 3.5 and rules.burst_min_count == 30
    assert parse_rules(None) == QualityRules()


def test_rules_name_every_bad_setting():
    with pytest.raises(QualityRulesError) as caught:
        parse_rules({"min_seconds": -1, "burst_min_count": "many", "enabled": 1, "colour": "red"})
    assert caught.value.problems == {
        "min_seconds": "out_of_range",
        "burst_min_count": "not_number",
        "enabled": "not_boolean",
        "colour": "unknown",
    }
    with pytest.raises(QualityRulesError) as caught:
        parse_rules({"day_starts_hour": 22, "day_ends_hour": 8})
    assert caught.value.problems == {"day_ends_hour": "empty_day"}


def test_the_timeline_has_every_window_between_the_first_and_the_last_answer():
    windows = timeline([at(0), at(1), at(12)], 5)
    assert [count for _at, count in windows] == [2, 0, 1]
    assert windows[1][0] - windows[0][0] == timedelta(minutes=5)


def test_a_burst_straddling_two_aligned_windows_is_still_a_burst_and_not_its_own_baseline():
    # A unit's first answers: 60, one a second from 10:04:36, so 24 fall in the 10:00 window and 36 in the 10:05 one.
    burst = [row(1000 + i, 4.6 + i / 60) for i in range(60)]
    flags = bursts(burst, RULES)
    assert set(flags) == {r.id for r in burst}
    assert flags[1000].evidence["usual_per_window"] == 0.0  # the 24 in the 10:00 window are not "usual"
