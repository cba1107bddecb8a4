"""Assessment periods (考核期): the units assessed with their difficulty levels, the period's rule set, the component
scores and adjustments entered for it, and the revisions of its computed results.

A revision keeps the frozen rule set and every input it was computed from next to its numbers, so a published
result can be recomputed years later; a correction is a new revision with a reason, never an edit."""

from __future__ import annotations

from datetime import datetime
from enum import Enum as PyEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .response import JSONDocument
from .types import UTCDateTime, value_enum
from .unit import Unit


class PeriodState(str, PyEnum):
    DRAFT = "draft"  # rules, units and inputs may change; results may be computed
    PUBLISHED = "published"  # a revision is published and everything is locked
    CORRECTING = "correcting"  # reopened with a reason; the next published revision replaces the last


class AssessmentPeriod(db.Model):
    __tablename__ = "assessment_periods"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # annual or routine
    state: Mapped[PeriodState] = mapped_column(value_enum(PeriodState, "period_state"), default=PeriodState.DRAFT)
    rules: Mapped[dict[str, Any]] = mapped_column(JSON)
    rules_version: Mapped[int] = mapped_column(default=1)  # counts every accepted change of the rules
    # Where the campaign components come from (its latest published run) and the team evaluation (closed meetings).
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"))
    meeting_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    correction_reason: Mapped[str | None] = mapped_column(Text)  # while correcting: why; the next revision keeps it
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), server_default=func.now())

    units: Mapped[list[PeriodUnit]] = relationship(
        back_populates="period", cascade="all, delete-orphan", order_by="PeriodUnit.id"
    )


class PeriodUnit(db.Model):
    """A unit assessed in the period, with its difficulty level (the row of the coefficient table)."""

    __tablename__ = "period_units"
    __table_args__ = (UniqueConstraint("period_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("assessment_periods.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    level: Mapped[int] = mapped_column(default=1)

    period: Mapped[AssessmentPeriod] = relationship(back_populates="units")
    unit: Mapped[Unit] = relationship(lazy="joined")


class PeriodEntry(db.Model):
    """An input of one unit: a component score (kind "score", key = the component) or an adjustment (bonus,
    deduction, veto or affirmation; key = a digest of its reason, so that sending it again replaces it)."""

    __tablename__ = "period_entries"
    __table_args__ = (UniqueConstraint("period_id", "unit_id", "kind", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("assessment_periods.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    kind: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(40))
    value: Mapped[float]
    reason: Mapped[str | None] = mapped_column(Text)
    attachment: Mapped[str | None] = mapped_column(String(300))
    entered_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime(), server_default=func.now())


class PeriodRevision(db.Model):
    """One computation of the period's results with everything it was computed from."""

    __tablename__ = "period_revisions"
    __table_args__ = (UniqueConstraint("period_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("assessment_periods.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    reason: Mapped[str | None] = mapped_column(Text)  # why this correction was made (None for a first computation)
    rules_snapshot: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    inputs_snapshot: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    inputs_digest: Mapped[str] = mapped_column(String(64))
    results: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    changes: Mapped[list[Any] | None] = mapped_column(JSONDocument)  # from the last published revision
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    computed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
