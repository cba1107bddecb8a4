"""Household fieldwork rules: what a visit's outcome does to a sampled household, when a replacement is released,
and the response rates by the AAPOR standard definitions.

Outcome codes (AAPOR, Standard Definitions, in-person household surveys):
- I  complete interview                     visit outcome `completed`
- R  refusal                                visit outcome `refused`
- NC non-contact: nobody home at every one of the allowed visits
- UH unknown eligibility: released, not yet resolved (still being visited)
- NE not eligible: the household has `moved` away or the dwelling is `vacant`
There are no partial interviews (P = 0) and no other non-response (O = 0).

    RR1   = I / (I + P + R + NC + O + UH)        unresolved households all counted as eligible (the strictest)
    COOP1 = I / (I + P + R + O)                  among households contacted
    REF1  = R / (I + P + R + NC + O + UH)
Not-eligible households (NE) are left out of every denominator."""

from __future__ import annotations

import random
from dataclasses import dataclass
from enum import Enum
from typing import Mapping, Sequence


class Outcome(str, Enum):
    """What an enumerator found on one visit."""

    COMPLETED = "completed"
    REFUSED = "refused"
    NOBODY_HOME = "nobody_home"
    MOVED = "moved"
    VACANT = "vacant"


class HouseholdState(str, Enum):
    """Where a sampled household stands."""

    RESERVE = "reserve"  # drawn as a replacement, not released yet
    PENDING = "pending"  # released, to be visited (again)
    COMPLETED = "completed"
    REFUSED = "refused"
    NON_CONTACT = "non_contact"  # nobody home at every allowed visit
    NOT_ELIGIBLE = "not_eligible"  # moved or vacant

    @property
    def is_final(self) -> bool:
        return self not in (HouseholdState.RESERVE, HouseholdState.PENDING)


DEFAULT_MAX_VISITS = 3


@dataclass(frozen=True)
class VisitEffect:
    state: HouseholdState
    release_replacement: bool  # a final outcome other than a completed interview: the reserve steps in


def after_visit(outcome: Outcome, visits_so_far: int, max_visits: int) -> VisitEffect:
    """The household's state after one more visit (visits_so_far counts the earlier visits, not this one)."""
    if outcome is Outcome.COMPLETED:
        return VisitEffect(HouseholdState.COMPLETED, False)
    if outcome is Outcome.REFUSED:
        return VisitEffect(HouseholdState.REFUSED, True)
    if outcome in (Outcome.MOVED, Outcome.VACANT):
        return VisitEffect(HouseholdState.NOT_ELIGIBLE, True)
    if visits_so_far + 1 >= max_visits:
        return VisitEffect(HouseholdState.NON_CONTACT, True)
    return VisitEffect(HouseholdState.PENDING, False)


@dataclass(frozen=True)
class ResponseRates:
    completed: int
    refused: int
    non_contact: int
    unknown: int  # released and still pending
    not_eligible: int
    rr1: float | None
    coop1: float | None
    ref1: float | None


def response_rates(counts: Mapping[HouseholdState, int]) -> ResponseRates:
    """RR1, COOP1 and REF1 from released households counted by state (reserve households are not counted)."""
    i = counts.get(HouseholdState.COMPLETED, 0)
    r = counts.get(HouseholdState.REFUSED, 0)
    nc = counts.get(HouseholdState.NON_CONTACT, 0)
    uh = counts.get(HouseholdState.PENDING, 0)
    ne = counts.get(HouseholdState.NOT_ELIGIBLE, 0)
    eligible = i + r + nc + uh
    contacted = i + r
    return ResponseRates(
        completed=i,
        refused=r,
        non_contact=nc,
        unknown=uh,
        not_eligible=ne,
        rr1=i / eligible if eligible else None,
        coop1=i / contacted if contacted else None,
        ref1=r / eligible if eligible else None,
    )


# How a result run keeps each unit's released households by state: its frozen fieldwork input, from which the rates
# are computed again when the run is verified.
RESULT_COUNT_KEYS = {
    HouseholdState.COMPLETED: "completed",
    HouseholdState.REFUSED: "refused",
    HouseholdState.NON_CONTACT: "non_contact",
    HouseholdState.PENDING: "unresolved",
    HouseholdState.NOT_ELIGIBLE: "not_eligible",
}


def rates_summary(counts: Mapping[HouseholdState, int]) -> dict[str, int | float | None]:
    """Released households by outcome with RR1, COOP1 and REF1, as plain values for a result document."""
    rates = response_rates(counts)
    released = {key: counts.get(state, 0) for state, key in RESULT_COUNT_KEYS.items()}
    return {"released": sum(released.values()), **released, "rr1": rates.rr1, "coop1": rates.coop1, "ref1": rates.ref1}


def counts_of_summary(summary: Mapping[str, int | float | None]) -> dict[HouseholdState, int]:
    """The released households by state that a summary from `rates_summary` was made of."""
    return {state: int(summary.get(key) or 0) for state, key in RESULT_COUNT_KEYS.items()}


def back_check_sample(completed_ids: Sequence[int], share: float, seed: int) -> list[int]:
    """A share (rounded up) of completed households for re-contact, drawn reproducibly from the seed."""
    if not 0 < share <= 1:
        raise ValueError("share must be in (0, 1]")
    ordered = sorted(completed_ids)
    count = min(len(ordered), -(-int(round(share * 10_000)) * len(ordered) // 10_000))
    return sorted(random.Random(seed).sample(ordered, count))


def burst_starts(times: Sequence[float], window_seconds: float, threshold: int) -> int:
    """How many interviews started within `window_seconds` of `threshold − 1` others (sorted epoch seconds): many
    interviews at one time by one enumerator cannot all have been face to face."""
    flagged = set()
    start = 0
    for end in range(len(times)):
        while times[end] - times[start] > window_seconds:
            start += 1
        if end - start + 1 >= threshold:
            flagged.update(range(start, end + 1))
    return len(flagged)
