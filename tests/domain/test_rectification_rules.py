"""The rules of a rectification task: its moves, when it is overdue and by how much, and its reminders."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from survey_api.domain.rectification import (
    DeductionItem,
    ReminderKind,
    TaskState,
    as_item,
    days_late,
    is_overdue,
    next_state,
    reminders_due,
    survey_items,
)

DEADLINE = datetime(2026, 12, 31, 16, 0, tzinfo=timezone.utc)
OFFSETS = st.integers(min_value=-60 * 24 * 60, max_value=60 * 24 * 60).map(lambda m: timedelta(minutes=m))


def test_the_moves_of_a_task():
    assert next_state(TaskState.OPEN, "submit") is TaskState.SUBMITTED
    assert next_state(TaskState.RETURNED, "submit") is TaskState.SUBMITTED
    assert next_state(TaskState.SUBMITTED, "return") is TaskState.RETURNED
    assert next_state(TaskState.SUBMITTED, "accept") is TaskState.ACCEPTED
    assert next_state(TaskState.OPEN, "accept") is None
    assert all(next_state(TaskState.ACCEPTED, move) is None for move in ("submit", "return", "accept"))


@given(st.sampled_from(list(TaskState)), OFFSETS)
def test_only_a_task_waiting_for_its_unit_past_its_deadline_is_overdue(state, offset):
    now = DEADLINE + offset
    waiting = state in (TaskState.OPEN, TaskState.RETURNED)
    assert is_overdue(state, DEADLINE, now) == (waiting and offset > timedelta(0))
    assert (days_late(state, DEADLINE, now, None) > 0) == (offset > timedelta(0))
    # A report submitted on time is never late, however long the office takes to review it.
    if not waiting:
        assert days_late(state, DEADLINE, now, DEADLINE - timedelta(hours=1)) == 0


@given(st.sampled_from(list(TaskState)), st.lists(OFFSETS, min_size=1, max_size=6))
def test_each_reminder_goes_out_at_most_once_and_only_while_the_unit_owes_the_report(state, offsets):
    sent: set[ReminderKind] = set()
    for offset in sorted(offsets):
        due = reminders_due(state, DEADLINE, DEADLINE + offset, sent, days_before=7)
        assert not (set(due) & sent)
        if state not in (TaskState.OPEN, TaskState.RETURNED):
            assert due == []
        if ReminderKind.OVERDUE in due:
            assert offset > timedelta(0)
        sent |= set(due)


def test_items_from_a_plain_mapping_and_from_the_survey():
    assert as_item({"kind": "veto", "title": "安全事故"}) == DeductionItem("veto", "veto:安全事故", "安全事故")
    question = {"form": "satisfaction", "question": "q1", "text": "办事方便吗", "weight": 1.0, "score": {"value": 50.0}}
    other = question | {"question": "q2", "score": {"value": 90.0}}
    unit = {
        "indices": {"satisfaction": {"value": 70.0, "questions": [question, other]}},
        "weakest_questions": [
            {"index": "satisfaction", "form": "satisfaction", "question": "q1", "text": "办事方便吗", "score": 50.0}
        ],
        "gate": {"threshold": 75, "passed": False},
    }
    rules = {"index_weights": {"satisfaction": 1, "happiness": 1}, "points": {"max_points": 15}}
    weak, gate = survey_items(unit, rules)
    # 50 points short on a question that is half of an index that is half of the composite worth 15 points.
    assert weak.points_lost == 1.88 and weak.key == "question:satisfaction.q1"
    assert gate.kind == "gate" and gate.points_lost is None and "70.0" in gate.reason
