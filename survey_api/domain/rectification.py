"""限期整改: the rules of a rectification task (DOMAIN.md §5 step 12) — its states and moves, lateness, when a
reminder is due — and the 扣分项 a unit's survey result yields. Pure: callers pass `now`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Any, Mapping


class TaskState(str, Enum):
    OPEN = "open"  # waiting for the unit's plan and closing report
    SUBMITTED = "submitted"  # the unit submitted its closing report; the office reviews it
    ACCEPTED = "accepted"  # the office accepted the rectification: closed
    RETURNED = "returned"  # the office sent it back; the unit submits again


# Which state each move starts from and where it leads.
MOVES: dict[str, tuple[frozenset[TaskState], TaskState]] = {
    "submit": (frozenset({TaskState.OPEN, TaskState.RETURNED}), TaskState.SUBMITTED),
    "return": (frozenset({TaskState.SUBMITTED}), TaskState.RETURNED),
    "accept": (frozenset({TaskState.SUBMITTED}), TaskState.ACCEPTED),
}
# The unit may still write its plan, progress and evidence in these states.
WORKING_STATES = frozenset({TaskState.OPEN, TaskState.RETURNED, TaskState.SUBMITTED})
# A task waiting for the unit: late once its deadline has passed.
WAITING_FOR_UNIT = frozenset({TaskState.OPEN, TaskState.RETURNED})


def next_state(current: TaskState, move: str) -> TaskState | None:
    """The state a move leads to from the current one, or None if the move is not possible there."""
    starts, target = MOVES[move]
    return target if current in starts else None


def is_overdue(state: TaskState, deadline: datetime, now: datetime) -> bool:
    """Overdue: the deadline has passed and the task still waits for the unit."""
    return state in WAITING_FOR_UNIT and now > deadline


def days_late(state: TaskState, deadline: datetime, now: datetime, submitted_at: datetime | None) -> int:
    """Whole days past the deadline: until now while the unit owes the report, else until it was submitted."""
    end = now if state in WAITING_FOR_UNIT or submitted_at is None else submitted_at
    late = end - deadline
    return late.days + (1 if late.seconds or late.microseconds else 0) if late > timedelta(0) else 0


class ReminderKind(str, Enum):
    DUE_SOON = "due_soon"  # a few days before the deadline
    OVERDUE = "overdue"  # the deadline has passed


def reminders_due(
    state: TaskState, deadline: datetime, now: datetime, sent: set[ReminderKind], days_before: int
) -> list[ReminderKind]:
    """The reminders to send now for a task that waits for the unit; each kind is sent once."""
    if state not in WAITING_FOR_UNIT:
        return []
    due = []
    if now > deadline:
        due.append(ReminderKind.OVERDUE)
    elif deadline - now <= timedelta(days=days_before):
        due.append(ReminderKind.DUE_SOON)
    return [kind for kind in due if kind not in sent]


def deadline_problem(deadline: datetime, now: datetime) -> str | None:
    """Why a deadline cannot be set, or None."""
    return "in_the_past" if deadline <= now else None


def owner_problem(task_unit_id: int, role: str, account_unit_id: int | None, is_active: bool) -> str | None:
    """Why an account cannot own a unit's task, or None: the owner is an active unit account of that same unit."""
    if role != "unit":
        return "not_unit"
    if account_unit_id != task_unit_id:
        return "other_unit"
    return None if is_active else "inactive"


@dataclass(frozen=True)
class DeductionItem:
    """One 扣分项: where a unit lost points, and why. `key` is stable across recomputations of the same source."""

    kind: str  # weak_question, gate, deduction, veto, component
    key: str
    title: str
    reason: str = ""
    points_lost: float | None = None


def as_item(value: DeductionItem | Mapping[str, Any]) -> DeductionItem:
    """A DeductionItem from itself or from a plain mapping with the same fields (key defaults to kind:title)."""
    if isinstance(value, DeductionItem):
        return value
    points = value.get("points_lost")
    return DeductionItem(
        kind=str(value["kind"]),
        key=str(value.get("key") or f"{value['kind']}:{value['title']}"),
        title=str(value["title"]),
        reason=str(value.get("reason") or ""),
        points_lost=None if points is None else float(points),
    )


# Task titles and reasons are document text of the district, in Chinese like the printed sheets.
INDEX_NAMES_ZH = {"happiness": "幸福感", "satisfaction": "满意度", "security": "安全感"}


def survey_items(unit: Mapping[str, Any], rules: Mapping[str, Any]) -> list[DeductionItem]:
    """The 扣分项 of a unit's survey result: its weakest questions, each with the 民评 points it cost (what the
    question's shortfall from 100 weighs in the composite and its points), and a failed satisfaction gate."""
    index_weights = rules.get("index_weights") or {}
    total_mu = sum(index_weights.values()) or 1.0
    max_points = float((rules.get("points") or {}).get("max_points", 100))
    items = []
    for weak in unit.get("weakest_questions", []):
        index = unit["indices"][weak["index"]]
        lambdas = [q["weight"] for q in index["questions"] if q["score"]["value"] is not None]
        own = next(q["weight"] for q in index["questions"] if q["question"] == weak["question"])
        share = own / (sum(lambdas) or 1.0) * index_weights.get(weak["index"], 0) / total_mu
        items.append(
            DeductionItem(
                kind="weak_question",
                key=f"question:{weak['form']}.{weak['question']}",
                title=weak["text"],
                reason=f"{INDEX_NAMES_ZH.get(weak['index'], weak['index'])}指数题目，得分 {weak['score']:.1f}",
                points_lost=round((100 - weak["score"]) * share * max_points / 100, 2),
            )
        )
    gate = unit.get("gate") or {}
    if gate.get("passed") is False:
        value = unit["indices"].get("satisfaction", {}).get("value")
        items.append(
            DeductionItem(
                kind="gate",
                key="gate:satisfaction",
                title="群众满意度未达到要求",
                reason=f"满意度指数 {value:.1f}，低于 {gate['threshold']:g}" if value is not None else "",
                points_lost=None,
            )
        )
    return items
