"""Stored questionnaire versions. A version never changes; a changed form file becomes a new version."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime


class FormVersion(db.Model):
    __tablename__ = "form_versions"
    __table_args__ = (
        UniqueConstraint("key", "version"),
        UniqueConstraint("key", "checksum"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40))
    version: Mapped[int]
    format_version: Mapped[int]
    kind: Mapped[str] = mapped_column(String(16))
    index_name: Mapped[str | None] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    checksum: Mapped[str] = mapped_column(String(64))
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), server_default=func.now())
