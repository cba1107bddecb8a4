"""Respondents' submissions. One row per submission: the canonical answers are stored as one JSON document, so
a submission is a single insert (scores are derived later from the immutable form versions it names)."""

from __future__ import annotations

from datetime import datetime
from enum import Enum as PyEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint, and_, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime, value_enum

JSONDocument = JSON().with_variant(JSONB(), "postgresql")


class Channel(str, PyEnum):
    QR = "qr"  # a resident scanning the unit's code
    API = "api"  # another system posting through the API
    PHONE = "phone"  # a telephone survey (CATI) imported from a file
    PAPER = "paper"  # paper questionnaires keyed in and imported
    HOUSEHOLD = "household"  # an enumerator's household interview


class ResponseStatus(str, PyEnum):
    """Whether a response counts. Scoring reads included responses only; nothing is ever deleted."""

    INCLUDED = "included"
    UNDER_REVIEW = "under_review"
    EXCLUDED = "excluded"


CURRENT = "superseded_at IS NULL AND identity_key IS NOT NULL"


class Response(db.Model):
    __tablename__ = "responses"
    __table_args__ = (
        Index("ix_responses_campaign_status_unit", "campaign_id", "status", "unit_id"),
        # One current response per respondent key, campaign and unit: the database refuses a second one, so
        # concurrent submissions cannot both count. A replaced (superseded) response stays, outside the index.
        Index(
            "uq_responses_campaign_unit_identity",
            "campaign_id",
            "unit_id",
            "identity_key",
            unique=True,
            sqlite_where=text(CURRENT),
            postgresql_where=text(CURRENT),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Chosen by the client; the unique constraint is what makes a resend harmless.
    submission_id: Mapped[str] = mapped_column(String(64), unique=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    campaign_unit_id: Mapped[int] = mapped_column(ForeignKey("campaign_units.id"))
    channel: Mapped[Channel] = mapped_column(value_enum(Channel, "response_channel"))
    status: Mapped[ResponseStatus] = mapped_column(
        value_enum(ResponseStatus, "response_status"),
        default=ResponseStatus.INCLUDED,
        server_default=ResponseStatus.INCLUDED.value,
    )
    # The sample design, where one was used (DOMAIN.md §3): township/street and village/community.
    stratum: Mapped[str | None] = mapped_column(String(64))
    cluster: Mapped[str | None] = mapped_column(String(64))
    # {form_key: form_version_id}: the exact questionnaire versions these answers were given to.
    form_versions: Mapped[dict[str, int]] = mapped_column(JSONDocument)
    # {form_key: {question_key: value}}, validated and canonical (trimmed text, options in form order).
    answers: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    duration_seconds: Mapped[int | None]
    answers_digest: Mapped[str] = mapped_column(String(64))
    receipt_code: Mapped[str] = mapped_column(String(16), unique=True)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), server_default=func.now())
    # HMAC of the respondent's key (domain/identity.py), never the clear value; None when the campaign uses none.
    identity_key: Mapped[str | None] = mapped_column(String(64))
    # Set when the respondent replaced this answer with a later one; the row stays as history.
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("responses.id"))
    # Keyed hash of the client's network (IPv4 /24, IPv6 /48) for the same-network quality rule; never the address.
    network_key: Mapped[str | None] = mapped_column(String(64))
    # When a statistician last decided to include or exclude it (the audit trail says who and why).
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ResponseFlag(db.Model):
    """Why a response was put up for review: one row per rule that fired, with its evidence. Kept after a decision."""

    __tablename__ = "response_flags"
    __table_args__ = (UniqueConstraint("response_id", "rule"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id"), index=True)
    rule: Mapped[str] = mapped_column(String(32))
    evidence: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), server_default=func.now())


def is_counted():
    """The predicate every count, score and export of counted answers uses: included and not replaced."""
    return and_(Response.status == ResponseStatus.INCLUDED, Response.superseded_at.is_(None))
