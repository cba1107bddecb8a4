"""Paper ballots keyed in by two tellers (double entry), counted against the same slips as phone ballots.

A paper ballot is handed in with its printed slip. Teller one keys its grades against the slip's code, teller two
(another signed-in account) keys them again. The readings wait in `paper_entries`, keyed by the slip's hash; when
they agree, the slip is spent and the ballots are stored exactly as a phone stores them (`ballot_box.store_ballots`)
and the readings are deleted, all in one transaction. When they differ, nothing is counted: either teller keys the
ballot a third time in place of one side, and the two are compared again. Paper is entered only while the meeting
is open; closing it discards readings that never agreed (they were never counted). The audit trail says who keyed
which side of which slip (by a 12-character prefix of its hash, never its code), never which ballot it became."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, select

from ..domain.meetings import TokenState, normalise_slip_code, slip_hash
from ..domain.paper_entries import SIDES, Difference, differences
from ..errors import AppError
from ..extensions import db
from ..models import BallotToken, Meeting, PaperEntry
from .audit import Actor, record
from .ballot_box import check_ballots, lock_open_meeting, store_ballots
from .ballot_slips import slip_secret
from .meetings import get_meeting

WAITING, COUNTED, DIFFERS = "waiting", "counted", "differs"


@dataclass(frozen=True)
class EntryOutcome:
    status: str  # waiting for the second teller, counted, or differs (to be resolved)
    slip: str  # the prefix of the slip's hash that the console and the audit trail show
    differences: list[Difference] = field(default_factory=list)


@dataclass(frozen=True)
class PendingSlip:
    slip: str
    group_key: str
    sides: tuple[int, ...]
    entered_by_me: tuple[int, ...]
    differences: list[Difference]


def enter_paper_ballot(
    actor: Actor, meeting_id: int, typed_code: str, given: Any, replace_side: int | None = None
) -> EntryOutcome:
    """Key in one teller's reading of a paper ballot, in the caller's transaction. Without replace_side it is the
    first or the second reading; with it, a resolution that replaces that side after the two readings differed."""
    if actor.user_id is None:
        raise AppError("paper.account_required")
    meeting = get_meeting(meeting_id)
    lock_open_meeting(meeting.id)
    token = _slip_of(meeting, typed_code)
    checked = check_ballots(meeting, given)
    reading = {str(target): answers for target, answers in checked.items()}
    entries = {
        e.side: e
        for e in db.session.scalars(select(PaperEntry).where(PaperEntry.code_hash == token.code_hash).with_for_update())
    }
    prefix = token.code_hash[:12]
    group_key = next(g.key for g in meeting.groups if g.id == token.rater_group_id)
    if replace_side is None:
        side = _next_side(entries, actor)
        db.session.add(
            PaperEntry(
                meeting_id=meeting.id,
                code_hash=token.code_hash,
                side=side,
                entered_by_id=actor.user_id,
                answers=reading,
            )
        )
        record(actor, "meeting.paper_entry", "meeting", meeting.id, {"group": group_key, "slip": prefix, "side": side})
        if side == 1:
            db.session.flush()
            return EntryOutcome(WAITING, prefix)
    else:
        _replace(entries, replace_side, actor, reading)
        record(
            actor,
            "meeting.paper_resolve",
            "meeting",
            meeting.id,
            {"group": group_key, "slip": prefix, "side": replace_side},
        )
    db.session.flush()
    first, second = (
        db.session.scalars(
            select(PaperEntry.answers).where(PaperEntry.code_hash == token.code_hash).order_by(PaperEntry.side)
        )
    ).all()
    found = differences(first, second)
    if found:
        return EntryOutcome(DIFFERS, prefix, found)
    store_ballots(meeting.id, token.rater_group_id, token.id, checked)
    db.session.execute(delete(PaperEntry).where(PaperEntry.code_hash == token.code_hash))
    record(actor, "meeting.paper_count", "meeting", meeting.id, {"group": group_key, "slip": prefix})
    return EntryOutcome(COUNTED, prefix)


def _slip_of(meeting: Meeting, typed_code: str) -> BallotToken:
    """The unused slip of this meeting behind a typed code; a slip already spent (by phone or paper) refuses."""
    normalised = normalise_slip_code(typed_code)
    if normalised is None:
        raise AppError("slip.not_found")
    token = db.session.scalar(
        select(BallotToken).where(
            BallotToken.code_hash == slip_hash(slip_secret(), normalised), BallotToken.meeting_id == meeting.id
        )
    )
    if token is None:
        raise AppError("slip.not_found")
    if token.state is TokenState.VOIDED:
        raise AppError("paper.slip_voided")
    if token.state is TokenState.USED:
        raise AppError("paper.slip_used")
    return token


def _next_side(entries: dict[int, PaperEntry], actor: Actor) -> int:
    if not entries:
        return 1
    if len(entries) == len(SIDES):
        raise AppError("paper.both_entered")
    if entries[1].entered_by_id == actor.user_id:
        raise AppError("paper.same_teller")
    return 2


def _replace(entries: dict[int, PaperEntry], side: int, actor: Actor, reading: dict) -> None:
    if side not in SIDES:
        raise AppError("request.invalid", details={"replace_side": ["Replace side 1 or side 2."]})
    if len(entries) != len(SIDES):
        raise AppError("paper.nothing_to_resolve")
    if actor.user_id not in {e.entered_by_id for e in entries.values()}:
        raise AppError("paper.not_teller")
    entries[side].answers = reading  # the side keeps its teller, so both tellers may go on resolving


def pending_paper(actor: Actor, meeting: Meeting) -> list[PendingSlip]:
    """Readings still waiting for a second teller or a resolution, per slip (by hash prefix only)."""
    rows = db.session.execute(
        select(PaperEntry.code_hash, PaperEntry.side, PaperEntry.entered_by_id, PaperEntry.answers, BallotToken)
        .join(BallotToken, BallotToken.code_hash == PaperEntry.code_hash)
        .where(PaperEntry.meeting_id == meeting.id, BallotToken.state == TokenState.ISSUED)
        .order_by(PaperEntry.code_hash, PaperEntry.side)
    ).all()
    groups = {g.id: g.key for g in meeting.groups}
    by_slip: dict[str, list] = {}
    for row in rows:
        by_slip.setdefault(row.code_hash, []).append(row)
    pending = []
    for code_hash, sides in by_slip.items():
        pending.append(
            PendingSlip(
                slip=code_hash[:12],
                group_key=groups[sides[0].BallotToken.rater_group_id],
                sides=tuple(s.side for s in sides),
                entered_by_me=tuple(s.side for s in sides if s.entered_by_id == actor.user_id),
                differences=differences(sides[0].answers, sides[1].answers) if len(sides) == 2 else [],
            )
        )
    return pending
