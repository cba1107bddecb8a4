"""Error messages name workflow states as people read them: a state member passed to an error reads as its
translated name, a state without a label as its plain value (never as Python's TaskState.OPEN), other values as
they are."""

from __future__ import annotations

from enum import Enum

from survey_api.domain.fieldwork import HouseholdState
from survey_api.domain.meetings import MeetingState
from survey_api.domain.rectification import TaskState
from survey_api.errors import AppError


class Unlabelled(str, Enum):
    SOME = "some_state"


def test_states_in_messages_read_as_their_names(app):
    with app.test_request_context("/"):
        task = AppError("task.invalid_transition", current=TaskState.RETURNED, target=TaskState.ACCEPTED).message
        assert task.startswith("处于“已退回”状态的整改任务不能改为“已通过”")
        meeting = AppError("meeting.invalid_transition", current=MeetingState.DRAFT, target=MeetingState.OPEN)
        assert meeting.message == "处于“草稿”状态的测评会不能改为“进行中”。"
        household = AppError("household.finished", state=HouseholdState.REFUSED).message
        assert "（拒访）" in household and "refused" not in household
        unlabelled = AppError("household.finished", state=Unlabelled.SOME).message
        assert "（some_state）" in unlabelled and "Unlabelled" not in unlabelled
        assert "UA1" in AppError("unit.not_found", code="UA1").message
    with app.test_request_context("/?lang=en"):
        english = AppError("task.invalid_transition", current=TaskState.SUBMITTED, target=TaskState.SUBMITTED)
        assert english.message.startswith("A rectification task that is submitted cannot be submitted.")
