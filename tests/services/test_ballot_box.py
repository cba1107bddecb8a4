"""Casting ballots with one-time slips: one slip, one set of ballots, nothing stored on any refusal; voiding and
extra slips; turnout counts only; ballots rewritten under fresh ids at close."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from survey_api.domain.meetings import MeetingState, TokenState
from survey_api.errors import AppError
from survey_api.extensions import db
from survey_api.models import AuditEvent, Ballot, BallotToken
from survey_api.services.audit import SYSTEM
from survey_api.services.ballot_box import cast, meeting_ballots
from survey_api.services.ballot_slips import issue_slips, void_slip
from survey_api.services.meetings import transition, turnout

from ..factories import create_meeting, full_ballot, issue_codes


@pytest.fixture
def meeting(db_session):
    return create_meeting()


def ballot_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Ballot))


def refused(code: str, given, meeting) -> str:
    before = ballot_count()
    with pytest.raises(AppError) as caught:
        cast(code, given)
    db.session.rollback()
    assert ballot_count() == before
    return caught.value.code


def test_a_slip_casts_one_ballot_per_target_carrying_group_and_target_only(meeting):
    [code] = issue_codes(meeting, "peers", 1)
    cast(code, full_ballot(meeting))
    db.session.commit()
    stored = meeting_ballots(meeting.id)
    assert set(stored) == {t.id for t in meeting.targets}
    team = meeting.targets[0]
    assert stored[team.id] == {"peers": [full_ballot(meeting)[str(team.id)]]}
    assert refused(code, full_ballot(meeting), meeting) == "ballot.token_used"


def test_a_blank_ballot_is_stored_as_abstentions_and_still_spends_the_slip(meeting):
    [code] = issue_codes(meeting, "public", 1)
    cast(code.lower().replace("-", " "), {})  # typed in lower case with a space: the same slip
    db.session.commit()
    assert all(groups == {"public": [{}]} for groups in meeting_ballots(meeting.id).values())
    assert turnout(meeting).groups[2].used == 1


@pytest.mark.parametrize(
    "change, expected",
    [
        (lambda b, m: {**b, "999999": {"overall": "good"}}, "ballot.unknown_target"),
        (lambda b, m: {**b, str(m.targets[1].id): {"overall": "superb"}}, "ballot.invalid"),
        (lambda b, m: {**b, str(m.targets[0].id): {"no_such_item": "good"}}, "ballot.invalid"),
        (lambda b, m: {**b, str(m.targets[1].id): {"overall": "good"}}, "ballot.invalid"),  # 良好 is no overall grade
        (lambda b, m: ["not", "a", "mapping"], "ballot.invalid"),
    ],
)
def test_bad_ballots_are_refused_with_nothing_stored_and_the_slip_still_usable(meeting, change, expected):
    [code] = issue_codes(meeting, "peers", 1)
    assert refused(code, change(full_ballot(meeting), meeting), meeting) == expected
    cast(code, full_ballot(meeting))  # the refusal did not spend the slip


def test_forged_unknown_voided_and_malformed_codes_are_not_valid(meeting):
    codes = issue_codes(meeting, "peers", 2)
    void_slip(SYSTEM, meeting.id, codes[0])
    db.session.commit()
    for code in (codes[0], "00000-00000", "ZZZZZ-ZZZZZ", "short", "", "x" * 500):
        assert refused(code, full_ballot(meeting), meeting) == "ballot.token_invalid"


def test_no_ballot_before_the_meeting_opens_or_after_it_closes(db_session):
    draft = create_meeting(state="draft")
    [code] = issue_codes(draft, "peers", 1)
    assert refused(code, full_ballot(draft), draft) == "meeting.not_open"
    transition(SYSTEM, draft.id, MeetingState.OPEN)
    transition(SYSTEM, draft.id, MeetingState.CLOSED)
    db.session.commit()
    assert refused(code, full_ballot(draft), draft) == "meeting.closed"
    with pytest.raises(AppError, match="meeting.closed"):
        issue_slips(SYSTEM, draft.id, "peers", 1)


def test_voiding_and_extra_slips_are_counted_and_audited_without_the_code(meeting):
    codes = issue_codes(meeting, "superiors", 3) + issue_codes(meeting, "superiors", 2)
    cast(codes[1], full_ballot(meeting))
    assert void_slip(SYSTEM, meeting.id, codes[0]) == "superiors"
    assert void_slip(SYSTEM, meeting.id, codes[0]) == "superiors"  # again: no change
    with pytest.raises(AppError, match="slip.used"):
        void_slip(SYSTEM, meeting.id, codes[1])
    with pytest.raises(AppError, match="slip.not_found"):
        void_slip(SYSTEM, meeting.id, "00000-00000")
    db.session.commit()
    [superiors, peers, public] = turnout(meeting).groups
    assert (superiors.issued, superiors.used, superiors.voided, superiors.remaining) == (4, 1, 1, 3)
    assert (peers.issued, public.issued) == (0, 0)
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("meeting.slip%"))).all()
    assert [e.action for e in events].count("meeting.slips_issue") >= 2
    voids = [e for e in events if e.action == "meeting.slip_void"]
    assert len(voids) == 1 and voids[0].changes["group"] == "superiors"
    everything = " ".join(str(e.changes) for e in db.session.scalars(select(AuditEvent)))
    for code in codes:
        assert code not in everything and code.replace("-", "") not in everything


def test_only_hashes_of_codes_are_stored(meeting):
    codes = issue_codes(meeting, "peers", 5)
    hashes = db.session.scalars(select(BallotToken.code_hash).where(BallotToken.meeting_id == meeting.id)).all()
    assert len(hashes) == 5 and all(len(h) == 64 for h in hashes)
    for code in codes:
        assert not any(code.replace("-", "") in h.upper() for h in hashes)


def test_closing_rewrites_the_ballots_under_fresh_ids_and_keeps_every_one(meeting):
    codes = issue_codes(meeting, "peers", 4)
    for grade, code in zip(["excellent", "good", "fair", "poor"], codes):
        cast(code, full_ballot(meeting, grade))
    db.session.commit()
    before_ids = set(db.session.scalars(select(Ballot.id)))
    before = meeting_ballots(meeting.id)
    transition(SYSTEM, meeting.id, MeetingState.CLOSED)
    db.session.commit()
    after_ids = set(db.session.scalars(select(Ballot.id)))
    assert len(after_ids) == len(before_ids) == 4 * len(meeting.targets)
    assert not before_ids & after_ids
    after = meeting_ballots(meeting.id)
    for target_id, groups in before.items():
        assert sorted(map(str, groups["peers"])) == sorted(map(str, after[target_id]["peers"]))
    assert turnout(meeting).groups[1].used == 4
    assert db.session.scalar(select(func.count()).where(BallotToken.state == TokenState.USED)) >= 4
