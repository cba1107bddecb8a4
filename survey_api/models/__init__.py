"""SQLAlchemy models, one module per aggregate. No request access and no commits here."""

from .account import ApiToken, User
from .audit import AuditEvent
from .campaign import Campaign, CampaignForm, CampaignUnit
from .form_version import FormVersion
from .household import BackCheck, Household, SampleDesign, Visit
from .invitation import Invitation
from .meeting import Ballot, BallotToken, Meeting, MeetingTarget, RaterGroup
from .paper_entry import PaperEntry
from .period import AssessmentPeriod, PeriodEntry, PeriodRevision, PeriodState, PeriodUnit
from .rectification import NoticeState, OutboxMessage, RectificationTask, TaskEntry, TaskEvidence, TaskReminder
from .response import Channel, Response, ResponseFlag, ResponseStatus, is_counted
from .scoring import ResultRun, RuleSetVersion, UnitMargin
from .unit import Unit

__all__ = [
    "ApiToken",
    "AssessmentPeriod",
    "AuditEvent",
    "BackCheck",
    "Ballot",
    "BallotToken",
    "Campaign",
    "CampaignForm",
    "CampaignUnit",
    "Channel",
    "FormVersion",
    "Household",
    "Invitation",
    "Meeting",
    "NoticeState",
    "OutboxMessage",
    "MeetingTarget",
    "PaperEntry",
    "PeriodEntry",
    "PeriodRevision",
    "PeriodState",
    "PeriodUnit",
    "Response",
    "ResponseFlag",
    "ResponseStatus",
    "ResultRun",
    "RaterGroup",
    "RectificationTask",
    "SampleDesign",
    "RuleSetVersion",
    "TaskEntry",
    "TaskEvidence",
    "TaskReminder",
    "Unit",
    "UnitMargin",
    "User",
    "Visit",
    "is_counted",
]
