"""Evaluation meetings (测评会): targets, rater groups, one-time ballot slips and the anonymous ballots.

Anonymity is a property of these tables: `ballot_tokens` says which slips were used but not for what, and
`ballots` says what was voted but not with which slip, nor when (the meeting's date is the only time). A ballot's
id is a random UUID, and on SQLite the table is stored in id order (WITHOUT ROWID), so neither its key nor its
storage order follows the order in which ballots were cast."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, String, UniqueConstraint, Uuid, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..domain.meetings import MeetingState, TargetKind, TokenState
from ..extensions import db
from .form_version import FormVersion
from .types import UTCDateTime, value_enum
from .unit import Unit


class Meeting(db.Model):
    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    # The only time a ballot carries: the day of the sitting.
    held_on: Mapped[date] = mapped_column(Date())
    state: Mapped[MeetingState] = mapped_column(value_enum(MeetingState, "meeting_state"), default=MeetingState.DRAFT)
    # The ballot versions pinned at creation (None when the meeting has no target of that kind).
    team_form_version_id: Mapped[int | None] = mapped_column(ForeignKey("form_versions.id"))
    cadre_form_version_id: Mapped[int | None] = mapped_column(ForeignKey("form_versions.id"))
    # Turnout must exceed this share of the expected headcount (DOMAIN.md §4 quorum).
    quorum_share: Mapped[float]
    # Tally settings that differ from the defaults (read by the tally); None: all defaults.
    tally_rules: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), server_default=func.now())

    unit: Mapped[Unit] = relationship(lazy="joined")
    team_form_version: Mapped[FormVersion | None] = relationship(foreign_keys=[team_form_version_id])
    cadre_form_version: Mapped[FormVersion | None] = relationship(foreign_keys=[cadre_form_version_id])
    targets: Mapped[list[MeetingTarget]] = relationship(
        order_by="MeetingTarget.position", cascade="all, delete-orphan", back_populates="meeting"
    )
    groups: Mapped[list[RaterGroup]] = relationship(
        order_by="RaterGroup.position", cascade="all, delete-orphan", back_populates="meeting"
    )


class MeetingTarget(db.Model):
    """Who is evaluated: the unit's leadership team or one cadre."""

    __tablename__ = "meeting_targets"
    __table_args__ = (UniqueConstraint("meeting_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    kind: Mapped[TargetKind] = mapped_column(value_enum(TargetKind, "target_kind"))
    name: Mapped[str] = mapped_column(String(100))
    post: Mapped[str | None] = mapped_column(String(100))
    position: Mapped[int]

    meeting: Mapped[Meeting] = relationship(back_populates="targets")


class RaterGroup(db.Model):
    """One group of raters (上级领导, 同级及干部职工, …) with its weight and how many are expected."""

    __tablename__ = "rater_groups"
    __table_args__ = (UniqueConstraint("meeting_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(32))
    label: Mapped[str] = mapped_column(String(100))
    weight: Mapped[float]
    headcount: Mapped[int]
    position: Mapped[int]

    meeting: Mapped[Meeting] = relationship(back_populates="groups")


class BallotToken(db.Model):
    """A printed slip: a keyed hash of its code and whether it is unused, used or voided. No reference to the
    ballot it cast and no time of use, so the slip list and the ballot box cannot be joined."""

    __tablename__ = "ballot_tokens"
    __table_args__ = (Index("ix_ballot_tokens_meeting_group_state", "meeting_id", "rater_group_id", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    rater_group_id: Mapped[int] = mapped_column(ForeignKey("rater_groups.id", ondelete="CASCADE"))
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    state: Mapped[TokenState] = mapped_column(value_enum(TokenState, "token_state"), default=TokenState.ISSUED)


class Ballot(db.Model):
    """One rater's grades for one target: meeting, rater group, target and answers — nothing else."""

    __tablename__ = "ballots"
    __table_args__ = (
        Index("ix_ballots_meeting_target_group", "meeting_id", "target_id", "rater_group_id"),
        {"sqlite_with_rowid": False},
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid(), primary_key=True, default=uuid.uuid4)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    rater_group_id: Mapped[int] = mapped_column(ForeignKey("rater_groups.id", ondelete="CASCADE"))
    target_id: Mapped[int] = mapped_column(ForeignKey("meeting_targets.id", ondelete="CASCADE"))
    # {question_key: option_key} of the target's ballot form; a blank item is absent (an abstention).
    answers: Mapped[dict[str, str]] = mapped_column(JSON)
