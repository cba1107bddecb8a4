"""Rectification tasks: created from the 扣分项 when results are published (once), moved through their states with
an audit record each, refused when a move is impossible, and reminded before and after the deadline."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from survey_api.domain.rectification import DeductionItem, TaskState
from survey_api.errors import AppError
from survey_api.extensions import db
from survey_api.models import AuditEvent, OutboxMessage, RectificationTask, TaskReminder
from survey_api.services import clock
from survey_api.services import rectification as tasks
from survey_api.services.audit import SYSTEM
from survey_api.services.reminders import mark_sent, sweep_reminders, unsent_messages
from survey_api.services.results import publish_run

from ..factories import create_account, create_unit
from ..rectification_support import published_campaign


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_publishing_results_creates_a_task_per_weak_question_once(db_session):
    units = [create_unit(), create_unit()]
    owner = create_account("owner_a", "unit", units[0])
    campaign, run = published_campaign(units)
    created = db.session.scalars(select(RectificationTask).order_by(RectificationTask.id)).all()
    assert len(created) >= 6  # three weakest questions per unit, and a failed gate where there is one
    first = [t for t in created if t.unit_id == units[0].id]
    assert {t.kind for t in first} <= {"weak_question", "gate"}
    assert all(t.owner_id == owner.id and t.state is TaskState.OPEN for t in first)
    weak = [t for t in first if t.kind == "weak_question"]
    assert all(t.points_lost is not None and 0 <= t.points_lost <= 15 for t in weak)
    assert all(timedelta(days=29) < t.deadline - t.created_at <= timedelta(days=30) for t in first)

    before = count(RectificationTask)
    publish_run(SYSTEM, campaign.id, run.id)  # publishing again
    again = tasks.create_tasks_from_items(
        db.session,
        unit_id=units[0].id,
        source_kind="campaign",
        source_ref=f"campaign:{campaign.id}",
        items=[{"kind": t.kind, "key": t.item_key, "title": t.title, "points_lost": t.points_lost} for t in first],
    )
    assert again == [] and count(RectificationTask) == before


def test_items_from_another_source_become_tasks_with_their_points(db_session):
    unit = create_unit()
    items = [DeductionItem("deduction", "d1", "安全生产事故", "扣2分", 2.0), {"kind": "veto", "title": "一票否决"}]
    created = tasks.create_tasks_from_items(
        db.session, unit_id=unit.id, source_kind="period", source_ref="period:1", items=items, deadline_days=10
    )
    assert [(t.kind, t.points_lost) for t in created] == [("deduction", 2.0), ("veto", None)]
    assert created[0].deadline - created[0].created_at == timedelta(days=10)


def test_the_workflow_moves_through_its_states_and_audits_each_move(db_session):
    unit = create_unit()
    actor = SYSTEM
    task = tasks.add_task(actor, tasks.NewTask(unit.code, "楼道照明"))
    tasks.write_plan(actor, task, "一周内更换灯具")
    tasks.add_progress(actor, task, "已采购灯具")
    with pytest.raises(AppError) as refused:
        tasks.accept_task(actor, task, "")
    assert refused.value.code == "task.invalid_transition" and task.state is TaskState.OPEN
    with pytest.raises(AppError) as empty:
        tasks.submit_report(actor, task, "  ")
    assert empty.value.code == "task.report_missing"
    tasks.submit_report(actor, task, "已更换全部灯具")
    tasks.return_task(actor, task, "请补充照片")
    assert task.state is TaskState.RETURNED
    tasks.submit_report(actor, task, "已更换全部灯具，附照片")
    tasks.accept_task(actor, task, "同意")
    assert task.state is TaskState.ACCEPTED and task.accepted_at is not None
    for attempt in (
        lambda: tasks.submit_report(actor, task, "再交一次"),
        lambda: tasks.write_plan(actor, task, "新方案"),
        lambda: tasks.add_progress(actor, task, "新进展"),
    ):
        with pytest.raises(AppError) as closed:
            attempt()
        assert closed.value.code == "task.closed"
    actions = db.session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.object_type == "rectification_task", AuditEvent.object_id == str(task.id))
        .order_by(AuditEvent.id)
    ).all()
    assert actions == [
        "task.create",
        "task.plan",
        "task.progress",
        "task.submit",
        "task.return",
        "task.submit",
        "task.accept",
    ]
    assert [e.kind for e in task.entries] == ["plan", "progress", "closing", "returned", "closing", "accepted"]


def test_a_deadline_in_the_past_is_refused(db_session):
    unit = create_unit()
    with pytest.raises(AppError) as refused:
        tasks.add_task(SYSTEM, tasks.NewTask(unit.code, "x", deadline=clock.utcnow() - timedelta(hours=1)))
    assert refused.value.code == "task.deadline_past"
    assert count(RectificationTask) == 0


def test_reminders_go_out_once_before_and_once_after_the_deadline(db_session, monkeypatch):
    unit = create_unit()
    create_account("rem_unit", "unit", unit)
    task = tasks.add_task(SYSTEM, tasks.NewTask(unit.code, "窗口排队时间长"))
    now = clock.utcnow()
    assert sweep_reminders(SYSTEM, now).reminders == 0
    soon = task.deadline - timedelta(days=3)
    assert sweep_reminders(SYSTEM, soon).messages == 1
    assert sweep_reminders(SYSTEM, soon).reminders == 0
    late = task.deadline + timedelta(days=1)
    monkeypatch.setattr(clock, "utcnow", lambda: late)
    assert tasks.task_status(task, late) == {"overdue": True, "days_late": 1}
    assert [t.id for t in tasks.list_tasks(tasks.TaskFilter(state="overdue"))] == [task.id]
    assert sweep_reminders(SYSTEM, late).reminders == 1
    kinds = db.session.scalars(select(TaskReminder.kind).order_by(TaskReminder.id)).all()
    assert [k.value for k in kinds] == ["due_soon", "overdue"]
    waiting = unsent_messages()
    assert len(waiting) == 2 and "已于" in waiting[1].body
    assert mark_sent(SYSTEM, [m.id for m in waiting]) == 2
    assert unsent_messages() == [] and mark_sent(SYSTEM, [waiting[0].id]) == 0
    with pytest.raises(AppError):
        mark_sent(SYSTEM, [999999])
    assert count(OutboxMessage) == 2
