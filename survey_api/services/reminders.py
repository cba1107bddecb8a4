"""Reminders before and after a task's deadline: an in-app notice for the unit and the office, and a message per
recipient in the outbox, which a mail or SMS gateway fetches and marks sent. The product itself calls no outside
service. A sweep is idempotent: each kind of reminder is generated once per task."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Sequence

from flask import current_app
from sqlalchemy import select

from ..domain.access import Role
from ..domain.rectification import WAITING_FOR_UNIT, ReminderKind, reminders_due
from ..errors import AppError
from ..extensions import db
from ..models import OutboxMessage, RectificationTask, TaskReminder, User
from . import clock
from .audit import Actor, record

SUBJECTS = {ReminderKind.DUE_SOON: "整改任务即将到期", ReminderKind.OVERDUE: "整改任务已逾期"}


@dataclass(frozen=True)
class SweepResult:
    reminders: int
    messages: int


def _recipients(task: RectificationTask) -> list[User]:
    """Who hears of a reminder: the unit's active accounts (its owner first)."""
    users = db.session.scalars(
        select(User).where(User.unit_id == task.unit_id, User.role == Role.UNIT, User.is_active).order_by(User.id)
    )
    return sorted(users, key=lambda u: u.id != task.owner_id)


def _body(task: RectificationTask, kind: ReminderKind) -> str:
    deadline = task.deadline.strftime("%Y-%m-%d")
    if kind is ReminderKind.OVERDUE:
        return f"{task.unit.name}：整改任务“{task.title}”已于{deadline}到期，请尽快提交整改报告。"
    return f"{task.unit.name}：整改任务“{task.title}”将于{deadline}到期，请按时提交整改报告。"


def sweep_reminders(actor: Actor, now: datetime | None = None) -> SweepResult:
    """Generate the reminders due now for every task that waits for its unit."""
    now = now or clock.utcnow()
    days_before = current_app.config["REMINDER_DAYS_BEFORE"]
    tasks = db.session.scalars(select(RectificationTask).where(RectificationTask.state.in_(WAITING_FOR_UNIT)))
    reminders = messages = 0
    for task in tasks:
        sent = set(db.session.scalars(select(TaskReminder.kind).where(TaskReminder.task_id == task.id)))
        for kind in reminders_due(task.state, task.deadline, now, sent, days_before):
            reminder = TaskReminder(task_id=task.id, kind=kind, created_at=now)
            db.session.add(reminder)
            db.session.flush()
            for user in _recipients(task):
                db.session.add(
                    OutboxMessage(
                        reminder_id=reminder.id,
                        recipient_id=user.id,
                        recipient_name=user.display_name,
                        subject=SUBJECTS[kind],
                        body=_body(task, kind),
                        created_at=now,
                    )
                )
                messages += 1
            reminders += 1
            record(actor, f"task.reminder.{kind.value}", "rectification_task", task.id, {"deadline": task.deadline})
    db.session.flush()
    return SweepResult(reminders, messages)


def notices_for(own_unit_id: int | None, limit: int = 20) -> list[TaskReminder]:
    """The latest in-app reminders: of one unit for its users, of every unit for the office."""
    statement = select(TaskReminder).join(RectificationTask, RectificationTask.id == TaskReminder.task_id)
    if own_unit_id is not None:
        statement = statement.where(RectificationTask.unit_id == own_unit_id)
    statement = statement.where(RectificationTask.state.in_(WAITING_FOR_UNIT))
    return list(db.session.scalars(statement.order_by(TaskReminder.id.desc()).limit(limit)))


def unsent_messages(limit: int = 100) -> list[OutboxMessage]:
    """Messages the gateway has not yet marked sent, oldest first."""
    statement = select(OutboxMessage).where(OutboxMessage.sent_at.is_(None)).order_by(OutboxMessage.id).limit(limit)
    return list(db.session.scalars(statement))


def mark_sent(actor: Actor, message_ids: Sequence[int]) -> int:
    """Mark messages sent (all or none: an unknown id changes nothing); marking again is harmless."""
    ids = sorted(set(message_ids))
    messages = list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(ids))))
    if len(messages) != len(ids):
        known = {m.id for m in messages}
        raise AppError("request.invalid", details={"ids": [f"unknown message {i}" for i in ids if i not in known]})
    now = clock.utcnow()
    fresh = [m for m in messages if m.sent_at is None]
    for message in fresh:
        message.sent_at = now
    if fresh:
        record(actor, "outbox.sent", "outbox", ",".join(str(m.id) for m in fresh)[:64], {"messages": len(fresh)})
    return len(fresh)
