"""Anonymity by construction: one slip sent from many phones at once stores exactly one set of ballots (real
commits on their own connections), and nothing in the schema or the stored rows joins a ballot to its slip."""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import Date, DateTime, inspect, select

from survey_api.extensions import db
from survey_api.models import Ballot, BallotToken

from ..factories import create_meeting, create_unit, full_ballot, issue_codes, remove_meeting

CLIENTS = 16


@pytest.fixture
def committed_meeting(app):
    """An open meeting committed for real, with four slips of the peers group."""
    with app.app_context():
        unit = create_unit(code=f"M{uuid.uuid4().hex[:8]}")
        meeting = create_meeting(unit)
        codes = issue_codes(meeting, "peers", 4)
        form = {f"t{target}.{q}": grade for target, items in full_ballot(meeting).items() for q, grade in items.items()}
        ids = (meeting.id, unit.id, len(meeting.targets))
    yield ids, codes, form
    with app.app_context():
        remove_meeting(ids[0], ids[1])


def test_one_slip_from_sixteen_phones_at_once_casts_exactly_one_set_of_ballots(app, committed_meeting):
    """Runs on whichever database the suite uses; the run with TEST_DATABASE_URL is the PostgreSQL proof."""
    (meeting_id, _, targets), codes, form = committed_meeting
    barrier = threading.Barrier(CLIENTS)
    statuses: list[int] = []
    lock = threading.Lock()

    def send() -> None:
        client = app.test_client()
        barrier.wait()
        response = client.post(f"/b/{codes[0]}", data=form)
        with lock:
            statuses.append(response.status_code)

    threads = [threading.Thread(target=send) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(statuses) == [303] + [409] * (CLIENTS - 1), statuses
    with app.app_context():
        stored = db.session.scalars(select(Ballot).where(Ballot.meeting_id == meeting_id)).all()
        states = db.session.scalars(select(BallotToken.state).where(BallotToken.meeting_id == meeting_id)).all()
    assert len(stored) == targets
    assert sorted(s.value for s in states) == ["issued", "issued", "issued", "used"]


def test_no_column_of_the_ballots_table_refers_to_slips_or_holds_a_time(app, db_session):
    inspector = inspect(db.session.connection())
    columns = {c["name"]: c for c in inspector.get_columns("ballots")}
    assert set(columns) == {"id", "meeting_id", "rater_group_id", "target_id", "answers"}
    referred = {fk["referred_table"] for fk in inspector.get_foreign_keys("ballots")}
    assert referred == {"meetings", "rater_groups", "meeting_targets"}
    assert not any(isinstance(c["type"], (DateTime, Date)) for c in columns.values())
    assert not any(c.get("autoincrement") is True or c.get("default") for c in columns.values())
    token_columns = {c["name"] for c in inspector.get_columns("ballot_tokens")}
    assert token_columns == {"id", "meeting_id", "rater_group_id", "code_hash", "state"}
    assert "ballots" not in {fk["referred_table"] for fk in inspector.get_foreign_keys("ballot_tokens")}
    assert Ballot.__table__.c.id.type.python_type is uuid.UUID


def test_stored_rows_hold_no_value_of_a_slip_and_ids_do_not_follow_casting_order(app, committed_meeting):
    (meeting_id, _, targets), codes, form = committed_meeting
    client = app.test_client()
    for code in codes:
        assert client.post(f"/b/{code}", data=form).status_code == 303
    with app.app_context():
        ballots = db.session.execute(select(Ballot.__table__)).all()
        hashes = set(db.session.scalars(select(BallotToken.code_hash)))
        token_ids = {str(i) for i in db.session.scalars(select(BallotToken.id))}
    mine = [row for row in ballots if row.meeting_id == meeting_id]
    assert len(mine) == 4 * targets
    for row in mine:
        values = {str(v) for v in row} | {str(v) for v in row.answers.values()}
        assert not values & hashes
        assert str(row.id) not in token_ids
        assert row.id.version == 4  # random, not time-based (a version-1 or -7 id would carry the time)
    for code in codes:
        assert all(code.replace("-", "") not in str(tuple(row)) for row in mine)
