"""SQLAlchemy models, one module per aggregate. No request access and no commits here."""

from .account import ApiToken, User
from .audit import AuditEvent
from .campaign import Campaign, CampaignForm, CampaignUnit
from .form_version import FormVersion
from .invitation import Invitation
from .meeting import Ballot, BallotToken, Meeting, MeetingTarget, RaterGroup
from .paper_entry import PaperEntry
from .rectification import NoticeState, OutboxMessage, RectificationTask, TaskEntry, TaskEvidence, TaskReminder
from .response import Channel, Response, ResponseFlag, ResponseStatus, is_counted
from .scoring import ResultRun, RuleSetVersion, UnitMargin
from .unit import Unit

__all__ = [
    "ApiToken",
    "AuditEvent",
    "Ballot",
    "BallotToken",
    "Campaign",
    "CampaignForm",
    "CampaignUnit",
    "Channel",
    "FormVersion",
    "Invitation",
    "Meeting",
    "NoticeState",
    "OutboxMessage",
    "MeetingTarget",
    "PaperEntry",
    "Response",
    "ResponseFlag",
    "ResponseStatus",
    "ResultRun",
    "RaterGroup",
    "RectificationTask",
    "RuleSetVersion",
    "TaskEntry",
    "TaskEvidence",
    "TaskReminder",
    "Unit",
    "UnitMargin",
    "User",
    "is_counted",
]
