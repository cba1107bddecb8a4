"""Paper ballots keyed in twice (double entry) while they wait to agree.

A pending entry is one teller's reading of one paper ballot: the slip's keyed hash, which side it is (1 or 2), the
account that keyed it, and the grades per target. It refers to no ballot and carries no time. When both sides
agree, the slip is spent, the ballots are stored like a phone's, and the entries are deleted in the same
transaction, so nothing here outlives the count."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class PaperEntry(db.Model):
    __tablename__ = "paper_entries"
    __table_args__ = (
        UniqueConstraint("code_hash", "side"),
        CheckConstraint("side IN (1, 2)", name="side_is_one_or_two"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    side: Mapped[int]
    entered_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # {target_id (as text): {question_key: option_key}}; a blank item is absent.
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
