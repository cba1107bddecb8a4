"""Casting ballots with one-time slips, and reading them back for the tally.

One submission consumes one slip and stores one ballot per target of the meeting, in one transaction: a
conditional UPDATE (`… WHERE state = 'issued'`, one row or nothing) spends the slip, so of two phones sending
the same slip at once exactly one stores ballots and the other is told the slip is used. The ballots carry the
meeting, rater group and target, never the slip, and no time. Nothing here logs a slip code."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Mapping

from sqlalchemy import insert, select, update

from ..domain.answers import validate_answers
from ..domain.forms import FormDefinition
from ..domain.meetings import MeetingState, TargetKind, TokenState, normalise_slip_code, slip_hash
from ..errors import AppError
from ..extensions import db
from ..models import Ballot, BallotToken, Meeting, RaterGroup
from .answer_messages import describe_answer_error
from .ballot_slips import slip_secret
from .forms_catalogue import definition_of
from .meetings import get_meeting


@dataclass(frozen=True)
class OpenSlip:
    """A slip that may cast a ballot now, with what its ballot page needs."""

    token_id: int
    meeting: Meeting
    group: RaterGroup


def resolve_slip(typed_code: str) -> OpenSlip:
    """The unused slip behind a code, of a meeting that is open; otherwise the catalogue error a rater sees.
    An unknown and a voided slip get the same answer, so the page says no more than "not valid"."""
    normalised = normalise_slip_code(typed_code)
    if normalised is None:
        raise AppError("ballot.token_invalid")
    token = db.session.execute(
        select(BallotToken.id, BallotToken.meeting_id, BallotToken.rater_group_id, BallotToken.state).where(
            BallotToken.code_hash == slip_hash(slip_secret(), normalised)
        )
    ).first()
    if token is None or token.state is TokenState.VOIDED:
        raise AppError("ballot.token_invalid")
    if token.state is TokenState.USED:
        raise AppError("ballot.token_used")
    meeting = get_meeting(token.meeting_id)
    _require_open(meeting.state)
    group = next(g for g in meeting.groups if g.id == token.rater_group_id)
    return OpenSlip(token_id=token.id, meeting=meeting, group=group)


def slip_state(typed_code: str) -> TokenState | None:
    """Whether the slip behind a code is unused, used or voided; None for a code that no slip has."""
    normalised = normalise_slip_code(typed_code)
    if normalised is None:
        return None
    return db.session.scalar(
        select(BallotToken.state).where(BallotToken.code_hash == slip_hash(slip_secret(), normalised))
    )


def _require_open(state: MeetingState) -> None:
    if state is MeetingState.DRAFT:
        raise AppError("meeting.not_open")
    if state is MeetingState.CLOSED:
        raise AppError("meeting.closed")


def ballot_forms(meeting: Meeting) -> dict[TargetKind, FormDefinition]:
    """The pinned ballot form of each kind of target the meeting has."""
    forms = {}
    if meeting.team_form_version is not None:
        forms[TargetKind.TEAM] = definition_of(meeting.team_form_version)
    if meeting.cadre_form_version is not None:
        forms[TargetKind.CADRE] = definition_of(meeting.cadre_form_version)
    return forms


def check_ballots(meeting: Meeting, given: Any) -> dict[int, dict[str, str]]:
    """Validate {target_id: {question_key: option_key}} against each target's ballot form; a target left out
    is a ballot left blank. Every problem is reported at once and nothing is stored."""
    if not isinstance(given, Mapping):
        raise AppError("ballot.invalid", details=[{"target": None, "question": None, "message": "not a mapping"}])
    targets = {str(t.id): t for t in meeting.targets}
    if any(str(key) not in targets for key in given):
        raise AppError("ballot.unknown_target")
    forms = ballot_forms(meeting)
    checked: dict[int, dict[str, str]] = {}
    problems = []
    for key, target in targets.items():
        form = forms[target.kind]
        valid, errors = validate_answers([form], {form.key: given.get(key, given.get(target.id, {}))})
        problems.extend(
            {
                "target": target.id,
                "question": error.question,
                "code": error.code,
                "message": describe_answer_error(error.code, error.params),
            }
            for error in errors
        )
        checked[target.id] = {a.question_key: a.value for a in valid}
    if problems:
        raise AppError("ballot.invalid", details=problems)
    return checked


def cast(typed_code: str, given: Any) -> Meeting:
    """Spend the slip and store its ballots, in the caller's transaction; returns the meeting."""
    slip = resolve_slip(typed_code)
    meeting = slip.meeting
    lock_open_meeting(meeting.id)
    store_ballots(meeting.id, slip.group.id, slip.token_id, check_ballots(meeting, given))
    return meeting


def lock_open_meeting(meeting_id: int) -> None:
    """A share lock on the meeting row, refused unless the meeting is open: a close waits for ballots being cast
    now, and a ballot cast after a close committed sees the closed state. (SQLite serialises writers anyway.)"""
    state = db.session.scalar(select(Meeting.state).where(Meeting.id == meeting_id).with_for_update(read=True))
    _require_open(state)


def store_ballots(meeting_id: int, group_id: int, token_id: int, checked: Mapping[int, Mapping[str, str]]) -> None:
    """Spend an unused slip and store one ballot per target, carrying meeting, group, target and grades only.
    The slip is spent by a conditional UPDATE, so of two casts of one slip exactly one stores anything."""
    spent = db.session.execute(
        update(BallotToken)
        .where(BallotToken.id == token_id, BallotToken.state == TokenState.ISSUED)
        .values(state=TokenState.USED)
        .execution_options(synchronize_session=False)
    )
    if spent.rowcount != 1:
        raise AppError("ballot.token_used")  # another phone spent it a moment ago, or it was voided just now
    rows = [
        {"id": uuid.uuid4(), "meeting_id": meeting_id, "rater_group_id": group_id, "target_id": tid, "answers": a}
        for tid, a in checked.items()
    ]
    db.session.execute(insert(Ballot), rows)


def meeting_ballots(meeting_id: int) -> dict[int, dict[str, list[dict[str, str]]]]:
    """Every ballot of the meeting as {target_id: {group_key: [answers, …]}}, for the tally. The order within a
    list is the ballots' random ids, which says nothing about when they were cast."""
    statement = (
        select(Ballot.target_id, RaterGroup.key, Ballot.answers)
        .join(RaterGroup, RaterGroup.id == Ballot.rater_group_id)
        .where(Ballot.meeting_id == meeting_id)
        .order_by(Ballot.id)
    )
    grouped: dict[int, dict[str, list[dict[str, str]]]] = defaultdict(lambda: defaultdict(list))
    for target_id, group_key, answers in db.session.execute(statement):
        grouped[target_id][group_key].append(answers)
    return {target: dict(groups) for target, groups in grouped.items()}
