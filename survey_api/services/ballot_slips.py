"""One-time ballot slips: issued per rater group, voided one by one. A slip's clear code exists only in the
answer of the request that issued it (the PDF sheet, or the JSON list): the database keeps a keyed hash.
Reprinting a sheet therefore means voiding its slips and issuing new ones."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select, update

from ..domain.meetings import SLIP_CODE_BYTES, MeetingState, TokenState, normalise_slip_code, slip_code, slip_hash
from ..errors import AppError
from ..extensions import db
from ..models import BallotToken
from .audit import Actor, record
from .campaign_files import FileBody
from .meetings import get_group, get_meeting
from .slip_sheet import SlipContent, slips_pdf

MAX_SLIPS = 1000  # per request; a meeting hall seats a few hundred


def slip_secret() -> bytes:
    return str(current_app.config["IDENTITY_HASH_KEY"]).encode()


def slip_url(code: str) -> str:
    """The address in the slip's QR code (the code without its dash, as the page accepts either)."""
    return f"{current_app.config['PUBLIC_BASE_URL'].rstrip('/')}/b/{code.replace('-', '')}"


@dataclass(frozen=True)
class IssuedSlips:
    meeting_title: str
    group_label: str
    slips: list[SlipContent]


def issue_slips(actor: Actor, meeting_id: int, group_key: str, count: int) -> IssuedSlips:
    """`count` fresh slips for one rater group of a meeting that is not closed; only their hashes are stored."""
    if not 1 <= count <= MAX_SLIPS:
        raise AppError("request.invalid", details={"count": [f"Ask for 1 to {MAX_SLIPS} slips."]})
    meeting = get_meeting(meeting_id)
    if meeting.state is MeetingState.CLOSED:
        raise AppError("meeting.closed")
    group = get_group(meeting, group_key)
    secret = slip_secret()
    codes = list(dict.fromkeys(slip_code(secrets.token_bytes(SLIP_CODE_BYTES)) for _ in range(count)))
    db.session.add_all(
        BallotToken(
            meeting_id=meeting.id,
            rater_group_id=group.id,
            code_hash=slip_hash(secret, normalise_slip_code(code) or ""),
            state=TokenState.ISSUED,
        )
        for code in codes
    )
    db.session.flush()
    record(actor, "meeting.slips_issue", "meeting", meeting.id, {"group": group.key, "count": len(codes)})
    return IssuedSlips(
        meeting_title=meeting.title,
        group_label=group.label,
        slips=[SlipContent(meeting.title, group.label, code, slip_url(code)) for code in codes],
    )


def void_slip(actor: Actor, meeting_id: int, typed_code: str) -> str:
    """Void an unused slip of this meeting (a spoiled or lost one) by its printed code; returns its group's key.
    Voiding a voided slip again changes nothing; a used slip cannot be voided (its ballot is counted)."""
    meeting = get_meeting(meeting_id)
    if meeting.state is MeetingState.CLOSED:
        raise AppError("meeting.closed")
    normalised = normalise_slip_code(typed_code)
    if normalised is None:
        raise AppError("slip.not_found")
    code_hash = slip_hash(slip_secret(), normalised)
    token = db.session.scalar(
        select(BallotToken).where(BallotToken.code_hash == code_hash, BallotToken.meeting_id == meeting.id)
    )
    if token is None:
        raise AppError("slip.not_found")
    group_key = next(g.key for g in meeting.groups if g.id == token.rater_group_id)
    if token.state is TokenState.VOIDED:
        return group_key
    # Conditional, so a slip cast at this very moment is either counted or voided, never both.
    result = db.session.execute(
        update(BallotToken)
        .where(BallotToken.id == token.id, BallotToken.state == TokenState.ISSUED)
        .values(state=TokenState.VOIDED)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise AppError("slip.used")
    # The audit names the slip by a short prefix of its keyed hash: enough to tell two voids apart, useless for
    # casting a ballot, and never the code itself.
    record(actor, "meeting.slip_void", "meeting", meeting.id, {"group": group_key, "slip": code_hash[:12]})
    return group_key


def slips_file(issued: IssuedSlips, meeting_id: int, group_key: str) -> FileBody:
    """The A4 sheet of freshly issued slips; the only copy of their codes."""
    entry = f"{current_app.config['PUBLIC_BASE_URL'].rstrip('/')}/b"
    return FileBody(slips_pdf(issued.slips, entry), "application/pdf", f"meeting-{meeting_id}-{group_key}-slips.pdf")
