"""A task's owner: chosen at creation (or left empty when the unit has no account), renamed by the office only to
an active account of the task's own unit, taken on by the unit's own user; every refusal changes nothing. Reminders
reach the owner as well as the unit's other accounts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from survey_api.domain.rectification import owner_problem
from survey_api.errors import AppError
from survey_api.extensions import db
from survey_api.models import AuditEvent, OutboxMessage, TaskEntry
from survey_api.services import rectification as tasks
from survey_api.services.accounts import set_active
from survey_api.services.audit import SYSTEM, Actor
from survey_api.services.reminders import sweep_reminders
from survey_api.services.task_owner import assign_owner, owner_choices, take_ownership

from ..factories import create_account, create_unit


def owner_events(task) -> list:
    return db.session.scalars(
        select(AuditEvent.changes).where(AuditEvent.action == "task.owner", AuditEvent.object_id == str(task.id))
    ).all()


def count_entries() -> int:
    return db.session.scalar(select(func.count()).select_from(TaskEntry))


def test_a_unit_without_accounts_gets_a_task_without_owner_and_the_office_names_one_later(db_session):
    unit = create_unit()
    task = tasks.add_task(SYSTEM, tasks.NewTask(unit.code, "楼道照明"))
    assert task.owner_id is None and owner_choices(task) == []
    first = create_account("own_first", "unit", unit)
    second = create_account("own_second", "unit", unit)
    assert {u.id for u in owner_choices(task)} == {first.id, second.id}
    assign_owner(SYSTEM, task, second.id)
    assert task.owner_id == second.id and task.owner.display_name == second.display_name
    assign_owner(SYSTEM, task, second.id)  # naming the same owner again changes nothing
    assert owner_events(task) == [{"owner": [None, second.id]}]
    assert [(e.kind, e.text) for e in task.entries] == [("owner", second.display_name)]


def test_an_owner_who_cannot_answer_for_the_task_is_refused_with_nothing_changed(db_session):
    unit, other = create_unit(), create_unit()
    owner = create_account("own_a", "unit", unit)
    elsewhere = create_account("own_b", "unit", other)
    office = create_account("own_admin", "admin")
    disabled = create_account("own_off", "unit", unit)
    set_active(SYSTEM, disabled, False)
    task = tasks.add_task(SYSTEM, tasks.NewTask(unit.code, "窗口排队"))
    assert task.owner_id == owner.id
    entries = count_entries()
    for account, code in (
        (elsewhere, "task.owner_other_unit"),
        (office, "task.owner_not_unit"),
        (disabled, "task.owner_inactive"),
    ):
        with pytest.raises(AppError) as refused:
            assign_owner(SYSTEM, task, account.id)
        assert refused.value.code == code
    with pytest.raises(AppError) as missing:
        assign_owner(SYSTEM, task, 999999)
    assert missing.value.code == "account.not_found"
    assert unit.name in AppError("task.owner_other_unit", unit=unit.name).message
    assert task.owner_id == owner.id and owner_events(task) == [] and count_entries() == entries


def test_an_accepted_task_keeps_its_owner(db_session):
    unit = create_unit()
    owner = create_account("own_keep", "unit", unit)
    other = create_account("own_late", "unit", unit)
    task = tasks.add_task(SYSTEM, tasks.NewTask(unit.code, "路灯"))
    tasks.submit_report(SYSTEM, task, "已修好")
    tasks.accept_task(SYSTEM, task, "")
    with pytest.raises(AppError) as closed:
        assign_owner(SYSTEM, task, other.id)
    assert closed.value.code == "task.closed" and task.owner_id == owner.id


def test_a_unit_user_takes_the_task_on(db_session):
    unit = create_unit()
    first = create_account("own_one", "unit", unit)
    colleague = create_account("own_two", "unit", unit)
    task = tasks.add_task(SYSTEM, tasks.NewTask(unit.code, "噪音"))
    take_ownership(Actor(colleague.id, colleague.display_name, "unit", "web"), task)
    assert task.owner_id == colleague.id and owner_events(task) == [{"owner": [first.id, colleague.id]}]


@pytest.mark.parametrize(
    ("role", "account_unit", "active", "problem"),
    [
        ("unit", 1, True, None),
        ("unit", 2, True, "other_unit"),
        ("unit", 1, False, "inactive"),
        ("admin", None, True, "not_unit"),
        ("auditor", None, False, "not_unit"),
    ],
)
def test_the_owner_rule(role, account_unit, active, problem):
    assert owner_problem(1, role, account_unit, active) == problem


def test_reminders_reach_the_owner_first_and_the_units_other_accounts(db_session):
    unit = create_unit()
    colleague = create_account("rem_colleague", "unit", unit)
    owner = create_account("rem_owner", "unit", unit)
    create_account("rem_elsewhere", "unit", create_unit())
    task = tasks.add_task(SYSTEM, tasks.NewTask(unit.code, "垃圾清运"))
    assign_owner(SYSTEM, task, owner.id)
    assert sweep_reminders(SYSTEM, task.deadline - timedelta(days=2)).messages == 2
    recipients = db.session.scalars(select(OutboxMessage.recipient_id).order_by(OutboxMessage.id)).all()
    assert recipients == [owner.id, colleague.id]
