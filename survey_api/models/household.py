"""The household survey (入户调查): the sampling frame of a campaign's units, the sample design drawn from it,
enumerators' visits and back-checks. Addresses are personal data: only the bureau's roles (and the enumerator a
household is assigned to) ever see them; the household number itself is kept only as its keyed hash."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Float, ForeignKey, Index, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from ..domain.fieldwork import HouseholdState, Outcome
from ..domain.sampling import Allocation
from ..extensions import db
from .types import UTCDateTime, value_enum


class Household(db.Model):
    """One household of the frame; once drawn, also its place in the sample and its fieldwork state."""

    __tablename__ = "households"
    __table_args__ = (
        # The keyed hash of the household number is also the identity key of its interview (domain/identity.py).
        UniqueConstraint("campaign_id", "identity_key"),
        Index("ix_households_campaign_unit_state", "campaign_id", "unit_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    identity_key: Mapped[str] = mapped_column(String(64))
    community: Mapped[str] = mapped_column(String(100))
    stratum: Mapped[str] = mapped_column(String(100))  # the frame's stratum column, else the community
    address: Mapped[str] = mapped_column(String(300))
    size: Mapped[int | None]
    # Sample and fieldwork; state is None for a frame household that was not drawn.
    state: Mapped[HouseholdState | None] = mapped_column(value_enum(HouseholdState, "household_state"))
    reserve_rank: Mapped[int | None]  # order of release among the stratum's reserve households
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("households.id"))
    enumerator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The enumerator before the last reassignment: visits they made before it still count.
    previous_enumerator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    visit_count: Mapped[int] = mapped_column(default=0, server_default="0")
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), server_default=func.now())


class SampleDesign(db.Model):
    """The recorded design of one unit's sample: its inputs, its seed and its allocation, so it can be redrawn."""

    __tablename__ = "sample_designs"
    __table_args__ = (UniqueConstraint("campaign_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    seed: Mapped[int] = mapped_column(BigInteger)
    allocation: Mapped[Allocation] = mapped_column(value_enum(Allocation, "sample_allocation"))
    sigma: Mapped[float] = mapped_column(Float)
    margin: Mapped[float] = mapped_column(Float)
    design_effect: Mapped[float] = mapped_column(Float)
    response_rate: Mapped[float] = mapped_column(Float)
    reserve_share: Mapped[float] = mapped_column(Float)
    max_visits: Mapped[int]
    frame_size: Mapped[int]
    interviews_needed: Mapped[int]
    released: Mapped[int]
    # {stratum: {"size": N_h, "main": n_h, "reserve": r_h}}
    strata: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), server_default=func.now())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Visit(db.Model):
    """One visit to a household, as recorded on the enumerator's phone (the submission id makes a resend harmless)."""

    __tablename__ = "household_visits"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[str] = mapped_column(String(64), unique=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"), index=True)
    enumerator_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    outcome: Mapped[Outcome] = mapped_column(value_enum(Outcome, "visit_outcome"))
    visited_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), server_default=func.now())
    response_id: Mapped[int | None] = mapped_column(ForeignKey("responses.id"))


class BackCheck(db.Model):
    """A completed household selected for re-contact by a supervisor, and what the re-contact found."""

    __tablename__ = "household_back_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"), unique=True)
    seed: Mapped[int] = mapped_column(BigInteger)
    selected_at: Mapped[datetime] = mapped_column(UTCDateTime(), server_default=func.now())
    result: Mapped[str | None] = mapped_column(String(16))  # confirmed, not_confirmed, unreachable
    note: Mapped[str | None] = mapped_column(String(300))
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
