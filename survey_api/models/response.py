"""Respondents' submissions. One row per submission: the canonical answers are stored as one JSON document, so
a submission is a single insert (scores are derived later from the immutable form versions it names)."""

from __future__ import annotations

from datetime import datetime
from enum import Enum as PyEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime, value_enum

JSONDocument = JSON().with_variant(JSONB(), "postgresql")


class Channel(str, PyEnum):
    QR = "qr"
    API = "api"


class Response(db.Model):
    __tablename__ = "responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Chosen by the client; the unique constraint is what makes a resend harmless.
    submission_id: Mapped[str] = mapped_column(String(64), unique=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    campaign_unit_id: Mapped[int] = mapped_column(ForeignKey("campaign_units.id"))
    channel: Mapped[Channel] = mapped_column(value_enum(Channel, "response_channel"))
    # {form_key: form_version_id}: the exact questionnaire versions these answers were given to.
    form_versions: Mapped[dict[str, int]] = mapped_column(JSONDocument)
    # {form_key: {question_key: value}}, validated and canonical (trimmed text, options in form order).
    answers: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    duration_seconds: Mapped[int | None]
    answers_digest: Mapped[str] = mapped_column(String(64))
    receipt_code: Mapped[str] = mapped_column(String(16), unique=True)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), server_default=func.now())
