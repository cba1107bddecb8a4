"""限期整改: rectification tasks from a unit's 扣分项 (automatically when results are published, or by hand), and
their workflow: plan and progress, closing report, return or acceptance by the assessment office. Every move is
audited; a unit user reaches only their own unit's tasks, and another unit's task answers like a missing one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Iterable, Mapping

from flask import current_app
from sqlalchemy import select

from ..domain.access import Role
from ..domain.rectification import (
    MOVES,
    WORKING_STATES,
    DeductionItem,
    TaskState,
    as_item,
    days_late,
    deadline_problem,
    is_overdue,
    next_state,
    survey_items,
)
from ..errors import AppError
from ..extensions import db
from ..models import RectificationTask, ResultRun, TaskEntry, Unit, User
from . import clock
from .audit import SYSTEM, Actor, record

MANUAL = "manual"


def default_deadline(now: datetime, deadline_days: int | None = None) -> datetime:
    """The deadline of a task created now: deadline_days, or the configured default (30 days)."""
    days = deadline_days if deadline_days is not None else current_app.config["RECTIFICATION_DEADLINE_DAYS"]
    return now + timedelta(days=days)


def unit_owner(unit_id: int) -> User | None:
    """The unit's first active account: who answers for its tasks unless the office names another."""
    return db.session.scalar(
        select(User).where(User.unit_id == unit_id, User.role == Role.UNIT, User.is_active).order_by(User.id).limit(1)
    )


def create_tasks_from_items(
    session: Any,
    *,
    unit_id: int,
    source_kind: str,
    source_ref: str,
    items: Iterable[DeductionItem | Mapping[str, Any]],
    deadline_days: int | None = None,
    actor: Actor | None = None,
) -> list[RectificationTask]:
    """A task per 扣分项 of a unit; an item already turned into a task for this source is skipped, so publishing
    again never duplicates. Returns the tasks created now."""
    actor = actor or SYSTEM
    now = clock.utcnow()
    existing = set(
        session.scalars(
            select(RectificationTask.item_key).where(
                RectificationTask.unit_id == unit_id, RectificationTask.source_ref == source_ref
            )
        )
    )
    owner = unit_owner(unit_id)
    created = []
    for item in map(as_item, items):
        if item.key in existing:
            continue
        existing.add(item.key)
        task = RectificationTask(
            unit_id=unit_id,
            source_kind=source_kind,
            source_ref=source_ref,
            item_key=item.key,
            kind=item.kind,
            title=item.title[:300],
            reason=item.reason[:500],
            points_lost=item.points_lost,
            state=TaskState.OPEN,
            deadline=default_deadline(now, deadline_days),
            owner_id=owner.id if owner else None,
            plan="",
            closing_report="",
            created_at=now,
            created_by=actor.user_id,
        )
        session.add(task)
        created.append(task)
    session.flush()
    for task in created:
        record(actor, "task.create", "rectification_task", task.id, _summary(task))
    return created


def tasks_from_published_run(actor: Actor, run: ResultRun) -> list[RectificationTask]:
    """Tasks from each unit's survey 扣分项 of a published campaign run (one source per campaign)."""
    created = []
    for unit in run.results["units"]:
        created += create_tasks_from_items(
            db.session,
            unit_id=unit["unit_id"],
            source_kind="campaign",
            source_ref=f"campaign:{run.campaign_id}",
            items=survey_items(unit, run.rules_snapshot),
            actor=actor,
        )
    return created


@dataclass(frozen=True)
class NewTask:
    unit_code: str
    title: str
    reason: str = ""
    points_lost: float | None = None
    deadline: datetime | None = None


def add_task(actor: Actor, new: NewTask) -> RectificationTask:
    """A task added by hand by the office, with its own deadline (in the future) or the default one."""
    unit = db.session.scalar(select(Unit).where(Unit.code == new.unit_code))
    if unit is None:
        raise AppError("unit.not_found", code=new.unit_code)
    now = clock.utcnow()
    if new.deadline is not None and deadline_problem(new.deadline, now):
        raise AppError("task.deadline_past")
    key = f"manual:{now.isoformat()}:{new.title[:60]}"
    [task] = create_tasks_from_items(
        db.session,
        unit_id=unit.id,
        source_kind=MANUAL,
        source_ref=MANUAL,
        items=[DeductionItem("manual", key, new.title, new.reason, new.points_lost)],
        actor=actor,
    )
    if new.deadline is not None:
        task.deadline = new.deadline
    return task


def get_task(task_id: int, own_unit_id: int | None) -> RectificationTask:
    """A task by number; a unit user asking for another unit's task is told it does not exist."""
    task = db.session.get(RectificationTask, task_id)
    if task is None or (own_unit_id is not None and task.unit_id != own_unit_id):
        raise AppError("task.not_found")
    return task


@dataclass(frozen=True)
class TaskFilter:
    unit_code: str | None = None
    state: str | None = None  # a TaskState value, or "overdue"
    own_unit_id: int | None = None


def list_tasks(query: TaskFilter) -> list[RectificationTask]:
    """Tasks, overdue and returned first, then by deadline."""
    statement = select(RectificationTask).join(Unit, Unit.id == RectificationTask.unit_id)
    if query.own_unit_id is not None:
        statement = statement.where(RectificationTask.unit_id == query.own_unit_id)
    if query.unit_code:
        statement = statement.where(Unit.code == query.unit_code)
    if query.state and query.state != "overdue":
        statement = statement.where(RectificationTask.state == TaskState(query.state))
    tasks = list(db.session.scalars(statement.order_by(RectificationTask.deadline, RectificationTask.id)))
    now = clock.utcnow()
    if query.state == "overdue":
        tasks = [t for t in tasks if is_overdue(t.state, t.deadline, now)]
    return sorted(tasks, key=lambda t: (not is_overdue(t.state, t.deadline, now), t.state is not TaskState.RETURNED))


def task_status(task: RectificationTask, now: datetime | None = None) -> dict[str, Any]:
    """What the lists show beside a task: whether it is overdue and by how many days."""
    now = now or clock.utcnow()
    return {
        "overdue": is_overdue(task.state, task.deadline, now),
        "days_late": days_late(task.state, task.deadline, now, task.submitted_at),
    }


def add_entry(actor: Actor, task: RectificationTask, kind: str, text: str) -> None:
    """A line in the task's history, written by the actor now."""
    task.entries.append(
        TaskEntry(kind=kind, text=text, author_id=actor.user_id, author_name=actor.name, created_at=clock.utcnow())
    )


def require_working(task: RectificationTask) -> None:
    if task.state not in WORKING_STATES:
        raise AppError("task.closed")


def write_plan(actor: Actor, task: RectificationTask, plan: str) -> RectificationTask:
    """The unit's rectification plan (整改方案); rewriting it keeps the earlier one in the history."""
    require_working(task)
    task.plan = plan
    add_entry(actor, task, "plan", plan)
    record(actor, "task.plan", "rectification_task", task.id, {"length": len(plan)})
    return task


def add_progress(actor: Actor, task: RectificationTask, text: str) -> RectificationTask:
    """A progress update from the unit."""
    require_working(task)
    add_entry(actor, task, "progress", text)
    record(actor, "task.progress", "rectification_task", task.id, {"length": len(text)})
    return task


def _move(actor: Actor, task: RectificationTask, move: str, remark: str) -> RectificationTask:
    if task.state is TaskState.ACCEPTED:
        raise AppError("task.closed")
    target = next_state(task.state, move)
    if target is None:
        raise AppError("task.invalid_transition", current=task.state, target=MOVES[move][1])
    before = task.state
    task.state = target
    add_entry(actor, task, {"submit": "closing", "return": "returned", "accept": "accepted"}[move], remark)
    record(actor, f"task.{move}", "rectification_task", task.id, {"state": [before, target], "remark": remark})
    return task


def submit_report(actor: Actor, task: RectificationTask, report: str) -> RectificationTask:
    """The unit's closing report (整改报告): the task goes to the office for review."""
    if task.state is TaskState.ACCEPTED:
        raise AppError("task.closed")
    if not report.strip():
        raise AppError("task.report_missing")
    _move(actor, task, "submit", report)
    task.closing_report = report
    task.submitted_at = clock.utcnow()
    return task


def return_task(actor: Actor, task: RectificationTask, remark: str) -> RectificationTask:
    """The office sends the report back with what is missing; the unit submits again."""
    return _move(actor, task, "return", remark)


def accept_task(actor: Actor, task: RectificationTask, remark: str) -> RectificationTask:
    """The office accepts the rectification: the task is closed."""
    _move(actor, task, "accept", remark)
    task.accepted_at = clock.utcnow()
    return task


def set_deadline(actor: Actor, task: RectificationTask, deadline: datetime) -> RectificationTask:
    """The office moves a deadline (never into the past, never on a closed task)."""
    require_working(task)
    if deadline_problem(deadline, clock.utcnow()):
        raise AppError("task.deadline_past")
    before = task.deadline
    task.deadline = deadline
    record(actor, "task.deadline", "rectification_task", task.id, {"deadline": [before, deadline]})
    return task


def _summary(task: RectificationTask) -> dict[str, Any]:
    return {
        "unit": task.unit_id,
        "source": task.source_ref,
        "item": task.item_key,
        "kind": task.kind,
        "points_lost": task.points_lost,
        "deadline": task.deadline,
    }
