"""Scoring rule sets, population margins and computed results.

A rule-set version never changes, like a form version: a changed rule file becomes a new version. A result run
keeps a frozen copy of everything it was computed from (rules, margins, input counts) next to its numbers, so a
published result can be recomputed and compared years later."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .response import JSONDocument
from .types import UTCDateTime


class RuleSetVersion(db.Model):
    __tablename__ = "rule_set_versions"
    __table_args__ = (
        UniqueConstraint("key", "version"),
        UniqueConstraint("key", "checksum"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40))
    version: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    checksum: Mapped[str] = mapped_column(String(64))
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), server_default=func.now())


class UnitMargin(db.Model):
    """One population share of one unit for one campaign, e.g. sex=female: 0.51 (DOMAIN.md §3, weighting)."""

    __tablename__ = "unit_margins"
    __table_args__ = (UniqueConstraint("campaign_id", "unit_id", "variable", "category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    variable: Mapped[str] = mapped_column(String(40))
    category: Mapped[str] = mapped_column(String(40))
    share: Mapped[float] = mapped_column(Float)


class ResultRun(db.Model):
    """One computation of a campaign's results, with the frozen inputs it used."""

    __tablename__ = "result_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    rule_set_version_id: Mapped[int] = mapped_column(ForeignKey("rule_set_versions.id"))
    # The parsed rules and the margins exactly as used, so a recomputation needs nothing that may have changed.
    rules_snapshot: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    margins_snapshot: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    # Responses counted per unit and a digest of their ids and answers: a recomputation over other data says so.
    input_counts: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    inputs_digest: Mapped[str] = mapped_column(String(64))
    results: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    computed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
