"""Where a period's inputs come from: the team score of a closed evaluation meeting, the 民评 composite of the
campaign's published run, and the reason when either is missing."""

from __future__ import annotations

import random

from survey_api.extensions import db
from survey_api.services import period_results as revisions
from survey_api.services.audit import SYSTEM
from survey_api.services.ballot_box import cast
from survey_api.services.meeting_results import meeting_results, team_score
from survey_api.services.period_inputs import EntryInput, store_entries
from survey_api.services.periods import NewPeriod, create_period, default_rules

from ..factories import create_campaign, create_meeting, create_unit, issue_codes
from ..period_support import published_run
from .test_meeting_results import close, varied_ballot


def test_team_scores_come_from_closed_meetings_and_public_scores_from_the_published_run(db_session):
    counted, still_open, without = (create_unit(code=c, name=c) for c in ("M1", "M2", "M3"))
    meeting = create_meeting(counted, cadres=())
    rng = random.Random(8)
    for group, count in (("superiors", 6), ("peers", 12), ("public", 14)):
        for code in issue_codes(meeting, group, count):
            cast(code, varied_ballot(meeting, rng))
    db.session.commit()
    close(meeting)
    open_meeting = create_meeting(still_open, cadres=())
    campaign = create_campaign([counted, still_open])  # M3 is not in the campaign
    published_run(campaign, {"M1": (82.5, 80.0), "M2": (None, 40.0)})  # M2: too few answers
    period = create_period(
        SYSTEM,
        NewPeriod(
            "2026年度",
            "annual",
            ("M1", "M2", "M3"),
            campaign.id,
            (meeting.id, open_meeting.id),
            default_rules("annual"),
        ),
    )
    entries = [
        EntryInput(code, "score", 90.0, key)
        for code in ("M1", "M2", "M3")
        for key in ("performance", "leader_evaluation", "party_building")
    ]
    store_entries(SYSTEM, period, entries)

    revision = revisions.compute_revision(SYSTEM, period)
    found = {u["unit_code"]: u for u in revision.results["units"]}
    team = {c["key"]: c for c in found["M1"]["components"]}["team_evaluation"]
    expected = team_score(meeting, meeting_results(meeting))["score"]
    assert team["value"] == expected and team["source"] == "meeting"
    assert {c["key"]: c["value"] for c in found["M1"]["components"]}["opinion_survey"] == 82.5
    assert found["M1"]["complete"] and found["M1"]["rank"] == 1
    assert found["M2"]["missing"] == [
        {"component": "team_evaluation", "reason": "meeting_not_closed"},
        {"component": "opinion_survey", "reason": "insufficient_sample"},
    ]
    assert found["M3"]["missing"] == [
        {"component": "team_evaluation", "reason": "no_meeting"},
        {"component": "opinion_survey", "reason": "not_in_campaign"},
    ]
    assert revision.inputs_snapshot["sources"]["result_run_id"] is not None
