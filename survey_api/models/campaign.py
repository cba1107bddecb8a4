"""Campaigns, their questionnaires and their units with the public link token of each."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint, false, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..domain.campaigns import CampaignState
from ..domain.identity import IdentityMode
from ..extensions import db
from .form_version import FormVersion
from .types import UTCDateTime, value_enum
from .unit import Unit


class Campaign(db.Model):
    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    period: Mapped[str] = mapped_column(String(50))
    # Campaigns of one series (e.g. every year's district survey) are compared with each other in results.
    series: Mapped[str | None] = mapped_column(String(100), index=True)
    rule_set_version_id: Mapped[int | None] = mapped_column(ForeignKey("rule_set_versions.id"))
    state: Mapped[CampaignState] = mapped_column(
        value_enum(CampaignState, "campaign_state"), default=CampaignState.DRAFT
    )
    # How a second answer from the same respondent is recognised (domain/identity.py); fixed at creation.
    identity_mode: Mapped[IdentityMode] = mapped_column(
        value_enum(IdentityMode, "identity_mode", length=24),
        default=IdentityMode.DEVICE,
        server_default=IdentityMode.NONE.value,
    )
    # Whether a respondent may replace their earlier answer while the campaign is open (the earlier one is kept).
    allow_replacement: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Quality-flag thresholds (domain/quality.py QualityRules) that differ from the defaults; None: all defaults.
    quality_rules: Mapped[dict | None] = mapped_column(JSON)
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), server_default=func.now())

    forms: Mapped[list[CampaignForm]] = relationship(order_by="CampaignForm.position", cascade="all, delete-orphan")
    links: Mapped[list[CampaignUnit]] = relationship(
        back_populates="campaign", cascade="all, delete-orphan", order_by="CampaignUnit.id"
    )


class CampaignForm(db.Model):
    __tablename__ = "campaign_forms"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True)
    form_version_id: Mapped[int] = mapped_column(ForeignKey("form_versions.id"), primary_key=True)
    position: Mapped[int]

    form_version: Mapped[FormVersion] = relationship(lazy="joined")


class CampaignUnit(db.Model):
    """A campaign × unit pair; its link token is printed in the unit's QR code."""

    __tablename__ = "campaign_units"
    __table_args__ = (UniqueConstraint("campaign_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    link_token: Mapped[str] = mapped_column(String(64), unique=True)

    campaign: Mapped[Campaign] = relationship(back_populates="links")
    unit: Mapped[Unit] = relationship(lazy="joined")
