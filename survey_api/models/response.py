"""Respondents' submissions and their answers."""

from __future__ import annotations

from datetime import datetime
from enum import Enum as PyEnum
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime


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
    channel: Mapped[Channel] = mapped_column(
        Enum(
            Channel,
            native_enum=False,
            length=16,
            values_callable=lambda e: [m.value for m in e],
            validate_strings=True,
            create_constraint=True,
            name="response_channel",
        )
    )
    duration_seconds: Mapped[int | None]
    answers_digest: Mapped[str] = mapped_column(String(64))
    receipt_code: Mapped[str] = mapped_column(String(16), unique=True)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), server_default=func.now())

    answers: Mapped[list[Answer]] = relationship(cascade="all, delete-orphan", order_by="Answer.id")


class Answer(db.Model):
    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("response_id", "form_version_id", "question_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"))
    form_version_id: Mapped[int] = mapped_column(ForeignKey("form_versions.id"), index=True)
    question_key: Mapped[str] = mapped_column(String(40))
    value: Mapped[Any] = mapped_column(JSON)
    score: Mapped[float | None]
    is_substantive: Mapped[bool | None]
