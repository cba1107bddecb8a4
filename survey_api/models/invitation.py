"""One-time invitation codes of a campaign's unit. Only a keyed hash of each code is stored; the codes are shown
once, when the batch is created, for printing or sending."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, func
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime


class Invitation(db.Model):
    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    campaign_unit_id: Mapped[int] = mapped_column(ForeignKey("campaign_units.id", ondelete="CASCADE"))
    # domain.identity.invitation_hash of the code; it cannot be joined to the response the code was used for.
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), server_default=func.now())
    consumed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
