"""Paper ballots keyed in twice: agreeing readings count once and spend the slip, differing ones count nothing
until resolved, one account cannot be both tellers, a spent slip refuses paper, and the readings never point at a
ballot."""

from __future__ import annotations

import pytest
from sqlalchemy import func, inspect, select

from survey_api.domain.meetings import MeetingState, TokenState
from survey_api.errors import AppError
from survey_api.extensions import db
from survey_api.models import AuditEvent, Ballot, BallotToken, PaperEntry
from survey_api.services.audit import Actor
from survey_api.services.ballot_box import cast, meeting_ballots
from survey_api.services.meetings import transition, turnout
from survey_api.services.paper_ballots import enter_paper_ballot, pending_paper

from ..factories import create_account, create_meeting, full_ballot, issue_codes


@pytest.fixture
def meeting(db_session):
    return create_meeting()


@pytest.fixture
def tellers(db_session):
    return [
        Actor(user_id=create_account(name, "admin").id, name=name, role="admin", via="web")
        for name in ("teller_a", "teller_b")
    ]


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def refused(call, *args, **kwargs) -> str:
    before = (count(Ballot), count(PaperEntry))
    with pytest.raises(AppError) as caught:
        call(*args, **kwargs)
    db.session.rollback()
    assert (count(Ballot), count(PaperEntry)) == before
    return caught.value.code


def slip_state(meeting) -> list[TokenState]:
    return list(db.session.scalars(select(BallotToken.state).where(BallotToken.meeting_id == meeting.id)))


def test_two_agreeing_entries_store_one_ballot_set_and_spend_the_slip(meeting, tellers):
    [code] = issue_codes(meeting, "public", 1)
    a, b = tellers
    first = enter_paper_ballot(a, meeting.id, code, full_ballot(meeting))
    db.session.commit()
    assert first.status == "waiting" and count(Ballot) == 0 and slip_state(meeting) == [TokenState.ISSUED]
    second = enter_paper_ballot(b, meeting.id, code.lower(), full_ballot(meeting))
    db.session.commit()
    assert second.status == "counted"
    stored = meeting_ballots(meeting.id)
    assert {t: groups for t, groups in stored.items()} == {
        t.id: {"public": [full_ballot(meeting)[str(t.id)]]} for t in meeting.targets
    }
    assert slip_state(meeting) == [TokenState.USED] and turnout(meeting).groups[2].used == 1
    assert count(PaperEntry) == 0
    assert refused(enter_paper_ballot, a, meeting.id, code, full_ballot(meeting)) == "paper.slip_used"
    assert refused(cast, code, full_ballot(meeting)) == "ballot.token_used"


def test_differing_entries_store_nothing_and_show_each_difference(meeting, tellers):
    [code] = issue_codes(meeting, "peers", 1)
    a, b = tellers
    cadre = meeting.targets[1]
    other = full_ballot(meeting)
    other[str(cadre.id)]["ability"] = "excellent"
    del other[str(cadre.id)]["honesty"]  # one teller saw a blank
    enter_paper_ballot(a, meeting.id, code, full_ballot(meeting))
    outcome = enter_paper_ballot(b, meeting.id, code, other)
    db.session.commit()
    assert outcome.status == "differs" and count(Ballot) == 0 and slip_state(meeting) == [TokenState.ISSUED]
    assert [(d.target_id, d.question, d.first, d.second) for d in outcome.differences] == [
        (cadre.id, "ability", "good", "excellent"),
        (cadre.id, "honesty", "good", None),
    ]
    [pending] = pending_paper(a, meeting)
    assert pending.sides == (1, 2) and pending.entered_by_me == (1,) and pending.group_key == "peers"
    assert pending.differences == outcome.differences and pending.slip == outcome.slip
    assert refused(enter_paper_ballot, a, meeting.id, code, full_ballot(meeting)) == "paper.both_entered"


def test_a_resolution_replaces_one_side_and_counts_once_both_agree(meeting, tellers, db_session):
    [code] = issue_codes(meeting, "peers", 1)
    a, b = tellers
    other = full_ballot(meeting, "fair")
    enter_paper_ballot(a, meeting.id, code, full_ballot(meeting))
    enter_paper_ballot(b, meeting.id, code, other)
    db.session.commit()
    still = enter_paper_ballot(a, meeting.id, code, full_ballot(meeting, "poor"), replace_side=2)
    db.session.commit()
    assert still.status == "differs" and count(Ballot) == 0
    outsider = Actor(user_id=create_account("teller_c", "admin").id, name="teller_c", role="admin", via="web")
    assert refused(enter_paper_ballot, outsider, meeting.id, code, other, replace_side=1) == "paper.not_teller"
    assert refused(enter_paper_ballot, b, meeting.id, code, other, replace_side=3) == "request.invalid"
    done = enter_paper_ballot(b, meeting.id, code, full_ballot(meeting), replace_side=2)
    db.session.commit()
    assert done.status == "counted" and count(Ballot) == len(meeting.targets) and count(PaperEntry) == 0
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.action.like("meeting.paper%")).order_by(AuditEvent.id)
    ).all()
    assert actions == [
        "meeting.paper_entry",
        "meeting.paper_entry",
        "meeting.paper_resolve",
        "meeting.paper_resolve",
        "meeting.paper_count",
    ]


def test_a_resolution_needs_two_differing_entries(meeting, tellers):
    [code] = issue_codes(meeting, "peers", 1)
    a, _ = tellers
    assert refused(enter_paper_ballot, a, meeting.id, code, {}, replace_side=1) == "paper.nothing_to_resolve"
    enter_paper_ballot(a, meeting.id, code, {})
    db.session.commit()
    assert refused(enter_paper_ballot, a, meeting.id, code, {}, replace_side=2) == "paper.nothing_to_resolve"


def test_the_same_account_cannot_key_both_entries(meeting, tellers):
    [code] = issue_codes(meeting, "peers", 1)
    a, b = tellers
    enter_paper_ballot(a, meeting.id, code, full_ballot(meeting))
    db.session.commit()
    assert refused(enter_paper_ballot, a, meeting.id, code, full_ballot(meeting)) == "paper.same_teller"
    assert enter_paper_ballot(b, meeting.id, code, full_ballot(meeting)).status == "counted"


def test_a_slip_spent_by_phone_or_voided_or_of_another_meeting_refuses_paper(meeting, tellers, db_session):
    phone, voided = issue_codes(meeting, "peers", 2)
    cast(phone, full_ballot(meeting))
    db.session.commit()
    from survey_api.services.ballot_slips import void_slip

    void_slip(tellers[0], meeting.id, voided)
    db.session.commit()
    other = create_meeting(cadres=("王五",))
    [foreign] = issue_codes(other, "peers", 1)
    a = tellers[0]
    assert refused(enter_paper_ballot, a, meeting.id, phone, full_ballot(meeting)) == "paper.slip_used"
    assert refused(enter_paper_ballot, a, meeting.id, voided, full_ballot(meeting)) == "paper.slip_voided"
    assert refused(enter_paper_ballot, a, meeting.id, foreign, full_ballot(meeting)) == "slip.not_found"
    assert refused(enter_paper_ballot, a, meeting.id, "junk", full_ballot(meeting)) == "slip.not_found"


def test_bad_grades_and_accountless_actors_are_refused(meeting, tellers):
    [code] = issue_codes(meeting, "peers", 1)
    bad = {str(meeting.targets[1].id): {"overall": "superb"}}
    assert refused(enter_paper_ballot, tellers[0], meeting.id, code, bad) == "ballot.invalid"
    cli = Actor(user_id=None, name="system", role="system", via="cli")
    assert refused(enter_paper_ballot, cli, meeting.id, code, {}) == "paper.account_required"


def test_paper_needs_an_open_meeting_and_closing_discards_unagreed_entries(db_session, tellers):
    draft = create_meeting(state="draft")
    [code] = issue_codes(draft, "peers", 1)
    a, b = tellers
    assert refused(enter_paper_ballot, a, draft.id, code, {}) == "meeting.not_open"
    transition(a, draft.id, MeetingState.OPEN)
    enter_paper_ballot(a, draft.id, code, {})
    db.session.commit()
    transition(a, draft.id, MeetingState.CLOSED)
    db.session.commit()
    assert count(PaperEntry) == 0 and slip_state(draft) == [TokenState.ISSUED]
    closing = db.session.scalar(select(AuditEvent.changes).where(AuditEvent.action == "meeting.closed"))
    assert closing["paper_discarded"] == 1
    assert refused(enter_paper_ballot, b, draft.id, code, {}) == "meeting.closed"


def test_the_pending_table_holds_no_link_to_ballots_and_no_time():
    table = inspect(PaperEntry).local_table
    assert {c.name for c in table.columns} == {"id", "meeting_id", "code_hash", "side", "entered_by_id", "answers"}
    assert {fk.column.table.name for fk in table.foreign_keys} == {"meetings", "users"}
    assert not any(fk.column.table.name == "paper_entries" for fk in inspect(Ballot).local_table.foreign_keys)
