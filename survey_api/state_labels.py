"""Translated names of the workflow states people read in pages and error messages (a campaign that is 进行中,
a task that is 待审核, a household 拒访), keyed by enum type so that equal values of different workflows may read
differently."""

from __future__ import annotations

from enum import Enum
from typing import Any

from flask_babel import lazy_gettext as _l

from .domain.campaigns import CampaignState
from .domain.fieldwork import HouseholdState
from .domain.meetings import MeetingState
from .domain.rectification import TaskState

STATE_LABELS: dict[type[Enum], dict[str, Any]] = {
    CampaignState: {"draft": _l("draft"), "open": _l("open"), "closed": _l("closed")},
    MeetingState: {"draft": _l("draft"), "open": _l("open"), "closed": _l("closed")},
    TaskState: {
        "open": _l("open"),
        "submitted": _l("submitted"),
        "accepted": _l("accepted"),
        "returned": _l("returned"),
    },
    HouseholdState: {
        "reserve": _l("reserve"),
        "pending": _l("to visit"),
        "completed": _l("interviewed"),
        "refused": _l("refused"),
        "non_contact": _l("nobody home"),
        "not_eligible": _l("moved or vacant"),
    },
}


def state_label(value: Any) -> Any:
    """A state member's translated name; any other value as it is (a state without a label reads as its value)."""
    if isinstance(value, Enum):
        labels = STATE_LABELS.get(type(value), {})
        return labels.get(value.value, value.value)
    return value
