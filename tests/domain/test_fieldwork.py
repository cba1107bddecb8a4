"""Fieldwork rules (domain/fieldwork.py): visit outcomes, replacements, AAPOR response rates, back-check draws."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from survey_api.domain.fieldwork import (
    HouseholdState,
    Outcome,
    after_visit,
    back_check_sample,
    burst_starts,
    counts_of_summary,
    rates_summary,
    response_rates,
)


def test_nobody_home_is_revisited_until_the_last_allowed_visit_then_replaced():
    assert after_visit(Outcome.NOBODY_HOME, 0, 3).state is HouseholdState.PENDING
    assert after_visit(Outcome.NOBODY_HOME, 1, 3).release_replacement is False
    last = after_visit(Outcome.NOBODY_HOME, 2, 3)
    assert last.state is HouseholdState.NON_CONTACT and last.release_replacement


def test_refusals_and_ineligible_households_are_replaced_but_completions_are_not():
    assert after_visit(Outcome.REFUSED, 0, 3).release_replacement
    assert after_visit(Outcome.MOVED, 0, 3).state is HouseholdState.NOT_ELIGIBLE
    assert after_visit(Outcome.VACANT, 0, 3).release_replacement
    done = after_visit(Outcome.COMPLETED, 1, 3)
    assert done.state is HouseholdState.COMPLETED and not done.release_replacement


def test_response_rates_follow_the_aapor_definitions():
    counts = {
        HouseholdState.COMPLETED: 60,
        HouseholdState.REFUSED: 10,
        HouseholdState.NON_CONTACT: 20,
        HouseholdState.PENDING: 10,
        HouseholdState.NOT_ELIGIBLE: 15,
        HouseholdState.RESERVE: 99,
    }
    rates = response_rates(counts)
    assert rates.rr1 == 60 / 100  # NE and reserve households are outside the denominator
    assert rates.coop1 == 60 / 70
    assert rates.ref1 == 10 / 100
    assert response_rates({}).rr1 is None


@given(st.lists(st.integers(0, 10**6), unique=True, max_size=300), st.floats(0.01, 1), st.integers(0, 2**32))
def test_back_check_draw_is_a_reproducible_share_of_the_completed(ids, share, seed):
    chosen = back_check_sample(ids, share, seed)
    assert chosen == back_check_sample(list(reversed(ids)), share, seed)
    assert set(chosen) <= set(ids)
    assert len(chosen) >= share * len(ids) - 1e-6 and len(chosen) <= len(ids)


@given(st.dictionaries(st.sampled_from(list(HouseholdState)), st.integers(0, 10**6)))
def test_a_result_runs_rate_summary_gives_back_its_counts_and_the_same_rates(counts):
    summary = rates_summary(counts)
    released = {state: n for state, n in counts.items() if state is not HouseholdState.RESERVE}
    assert {state: n for state, n in counts_of_summary(summary).items() if n} == {
        s: n for s, n in released.items() if n
    }
    assert summary["released"] == sum(released.values())
    assert rates_summary(counts_of_summary(summary)) == summary
    rates = response_rates(counts)
    assert (summary["rr1"], summary["coop1"], summary["ref1"]) == (rates.rr1, rates.coop1, rates.ref1)


def test_interviews_bunched_in_time_are_counted():
    assert burst_starts([0, 60, 120, 5000], window_seconds=900, threshold=3) == 3
    assert burst_starts([0, 1000, 2000], window_seconds=900, threshold=3) == 0
