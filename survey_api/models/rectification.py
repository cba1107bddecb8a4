"""限期整改: rectification tasks with their progress, evidence files, reminders and the outbox a mail or SMS
gateway reads. Evidence contents live in files outside the database; a row keeps the file's SHA-256."""

from __future__ import annotations

from datetime import datetime
from enum import Enum as PyEnum

from sqlalchemy import Float, ForeignKey, Integer, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..domain.rectification import ReminderKind, TaskState
from ..extensions import db
from .account import User
from .types import UTCDateTime, value_enum
from .unit import Unit


class NoticeState(str, PyEnum):
    """The residents' notice ("你们提出的 / 我们做了") of an accepted task, approved by the office to appear."""

    NONE = "none"
    PENDING = "pending"
    APPROVED = "approved"


class RectificationTask(db.Model):
    __tablename__ = "rectification_tasks"
    # One task per unit and item of a source: publishing the same source again adds nothing.
    __table_args__ = (UniqueConstraint("unit_id", "source_ref", "item_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    source_kind: Mapped[str] = mapped_column(String(32))  # campaign, period, manual
    source_ref: Mapped[str] = mapped_column(String(64))  # e.g. campaign:3; manual tasks: manual
    item_key: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(32))  # weak_question, gate, deduction, veto, component, manual
    title: Mapped[str] = mapped_column(String(300))
    reason: Mapped[str] = mapped_column(String(500), default="")
    points_lost: Mapped[float | None] = mapped_column(Float)
    state: Mapped[TaskState] = mapped_column(value_enum(TaskState, "task_state"), default=TaskState.OPEN)
    deadline: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    plan: Mapped[str] = mapped_column(Text, default="")
    closing_report: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The follow-up pulse questionnaire posted at the unit's QR code, as a campaign of its own.
    pulse_campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"))
    notice_text: Mapped[str] = mapped_column(String(500), default="")
    notice_state: Mapped[NoticeState] = mapped_column(value_enum(NoticeState, "notice_state"), default=NoticeState.NONE)
    notice_approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    unit: Mapped[Unit] = relationship(lazy="joined")
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    entries: Mapped[list[TaskEntry]] = relationship(order_by="TaskEntry.id", cascade="all, delete-orphan")
    evidence: Mapped[list[TaskEvidence]] = relationship(order_by="TaskEvidence.id", cascade="all, delete-orphan")


class TaskEntry(db.Model):
    """The task's history as people wrote it: plans, progress, closing reports and the office's remarks."""

    __tablename__ = "task_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("rectification_tasks.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # plan, progress, closing, returned, accepted
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    author_name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class TaskEvidence(db.Model):
    __tablename__ = "task_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("rectification_tasks.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class TaskReminder(db.Model):
    """An in-app notice that a task is due soon or overdue; each kind once per task."""

    __tablename__ = "task_reminders"
    __table_args__ = (UniqueConstraint("task_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("rectification_tasks.id", ondelete="CASCADE"), index=True)
    kind: Mapped[ReminderKind] = mapped_column(value_enum(ReminderKind, "reminder_kind"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    task: Mapped[RectificationTask] = relationship(lazy="joined")


class OutboxMessage(db.Model):
    """A message for a mail or SMS gateway to deliver; the gateway fetches unsent ones and marks them sent."""

    __tablename__ = "outbox_messages"
    __table_args__ = (UniqueConstraint("reminder_id", "recipient_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reminder_id: Mapped[int] = mapped_column(ForeignKey("task_reminders.id", ondelete="CASCADE"), index=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recipient_name: Mapped[str] = mapped_column(String(100))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), server_default=func.now())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
