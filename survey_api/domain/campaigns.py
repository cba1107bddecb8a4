"""Campaign lifecycle: draft → open → closed, and whether a campaign takes answers at a given moment."""

from __future__ import annotations

from datetime import datetime
from enum import Enum


class CampaignState(str, Enum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


ALLOWED_TRANSITIONS = {
    CampaignState.DRAFT: frozenset({CampaignState.OPEN, CampaignState.CLOSED}),
    CampaignState.OPEN: frozenset({CampaignState.CLOSED}),
    CampaignState.CLOSED: frozenset(),
}


class Acceptance(str, Enum):
    ACCEPTING = "accepting"
    NOT_YET_OPEN = "not_yet_open"
    CLOSED = "closed"


def can_transition(current: CampaignState, target: CampaignState) -> bool:
    """Whether a campaign may move from `current` to `target`."""
    return target in ALLOWED_TRANSITIONS[current]


def acceptance(
    state: CampaignState, opens_at: datetime | None, closes_at: datetime | None, now: datetime
) -> Acceptance:
    """Whether answers are taken now: the campaign must be open and inside its time window."""
    if state is CampaignState.CLOSED or (closes_at is not None and now >= closes_at):
        return Acceptance.CLOSED
    if state is CampaignState.DRAFT or (opens_at is not None and now < opens_at):
        return Acceptance.NOT_YET_OPEN
    return Acceptance.ACCEPTING


def check_window(opens_at: datetime | None, closes_at: datetime | None) -> str | None:
    """A reason the window is unusable, or None."""
    if opens_at is not None and closes_at is not None and closes_at <= opens_at:
        return "closes_before_opens"
    return None
