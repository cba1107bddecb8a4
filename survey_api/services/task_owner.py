"""Who answers for a rectification task (整改责任人): an active account of the task's own unit. The first one is
chosen when the task is created; the assessment office may name another, and a unit's user may take a task on.
Every change is audited and written into the task's history."""

from __future__ import annotations

from sqlalchemy import select

from ..domain.access import Role
from ..domain.rectification import owner_problem
from ..errors import AppError
from ..extensions import db
from ..models import RectificationTask, User
from .audit import Actor, record
from .rectification import add_entry, require_working


def owner_choices(task: RectificationTask) -> list[User]:
    """The accounts that may own the task: the active unit accounts of its unit, by name."""
    statement = select(User).where(User.unit_id == task.unit_id, User.role == Role.UNIT, User.is_active)
    return list(db.session.scalars(statement.order_by(User.display_name, User.id)))


def assign_owner(actor: Actor, task: RectificationTask, user_id: int) -> RectificationTask:
    """Make an account the task's owner; refused, with nothing changed, for an account that cannot own it or a
    closed task. Naming the current owner again changes nothing."""
    require_working(task)
    account = db.session.get(User, user_id)
    if account is None:
        raise AppError("account.not_found")
    problem = owner_problem(task.unit_id, account.role.value, account.unit_id, account.is_active)
    if problem == "other_unit":
        raise AppError("task.owner_other_unit", unit=task.unit.name)
    if problem is not None:
        raise AppError(f"task.owner_{problem}")
    if task.owner_id == account.id:
        return task
    before = task.owner_id
    task.owner_id = account.id
    add_entry(actor, task, "owner", account.display_name)
    record(actor, "task.owner", "rectification_task", task.id, {"owner": [before, account.id]})
    return task


def take_ownership(actor: Actor, task: RectificationTask) -> RectificationTask:
    """A unit's user takes the task on as its owner."""
    if actor.user_id is None:
        raise AppError("task.owner_not_unit")
    return assign_owner(actor, task, actor.user_id)
