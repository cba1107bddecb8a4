"""A closed meeting's results sheet: ballots cast through slips, tallied per target and rater group under the
meeting's own weights and quorum; hidden while open; small groups show turnout only."""

from __future__ import annotations

import random

import pytest

from survey_api.domain.meetings import MeetingState
from survey_api.errors import AppError
from survey_api.extensions import db
from survey_api.services import meetings as meeting_service
from survey_api.services.audit import SYSTEM
from survey_api.services.ballot_box import cast
from survey_api.services.meeting_results import meeting_results, results_document

from ..factories import create_meeting, issue_codes

GRADES = ["excellent", "good", "fair", "poor"]
OVERALL = ["excellent", "competent", "basically_competent", "incompetent"]


def varied_ballot(meeting, rng: random.Random) -> dict:
    """A ballot that is valid: grades differ across items (an all-same ballot is invalid)."""
    ballot = {}
    for target in meeting.targets:
        items = ["morality", "ability", "diligence", "performance", "honesty"]
        if target.kind.value == "team":
            items = ["political_judgement", "policy_acuity", "big_picture", "implementation", "unity"]
        answers = {key: GRADES[(i + rng.randrange(2)) % 2 + 1] for i, key in enumerate(items)}
        answers["overall"] = rng.choice(OVERALL[:2]) if target.kind.value == "cadre" else "good"
        ballot[str(target.id)] = answers
    return ballot


def close(meeting):
    meeting_service.transition(SYSTEM, meeting.id, MeetingState.CLOSED)
    db.session.commit()


def test_results_appear_only_once_the_meeting_is_closed_and_tally_every_target(db_session):
    meeting = create_meeting(cadres=("张三",))
    rng = random.Random(5)
    for group, count in (("superiors", 6), ("peers", 12), ("public", 14)):
        for code in issue_codes(meeting, group, count):
            cast(code, varied_ballot(meeting, rng))
    db.session.commit()
    with pytest.raises(AppError) as caught:
        meeting_results(meeting)
    assert caught.value.code == "meeting.not_closed"

    close(meeting)
    results = meeting_results(meeting)
    assert [r.target.kind.value for r in results] == ["team", "cadre"]
    team, cadre = (r.tally for r in results)
    assert team.status.value == "counted" and cadre.status.value == "counted"  # 32 of 60 due: quorum met
    assert {g: team.groups[g].turnout.cast for g in team.groups} == {"superiors": 6, "peers": 12, "public": 14}
    assert team.groups["superiors"].hidden  # 6 valid ballots are fewer than 8: turnout only
    # ...and the next smallest group too, or its numbers could be worked out from the totals minus the rest.
    assert team.groups["peers"].hidden and team.groups["peers"].grades is None
    assert not team.groups["public"].hidden and team.groups["public"].trimmed  # 14 > 5: highest and lowest left out
    assert 40 <= cadre.score <= 100 and 0 <= cadre.grades.top_rate <= 1
    document = results_document(meeting, results)
    assert document["targets"][0]["tally"]["status"] == "counted" and document["meeting"]["held_on"]


def test_a_meeting_below_quorum_shows_no_scores(db_session):
    meeting = create_meeting(cadres=())
    for code in issue_codes(meeting, "peers", 10):  # 10 of 60 due
        cast(code, varied_ballot(meeting, random.Random(1)))
    db.session.commit()
    close(meeting)
    [team] = meeting_results(meeting)
    assert team.tally.status.value == "no_quorum" and team.tally.score is None and team.tally.grades is None
