"""SQLAlchemy models, one module per aggregate. No request access and no commits here."""

from .account import ApiToken, User
from .audit import AuditEvent
from .campaign import Campaign, CampaignForm, CampaignUnit
from .form_version import FormVersion
from .invitation import Invitation
from .response import Channel, Response, ResponseFlag, ResponseStatus, is_counted
from .scoring import ResultRun, RuleSetVersion, UnitMargin
from .unit import Unit

__all__ = [
    "ApiToken",
    "AuditEvent",
    "Campaign",
    "CampaignForm",
    "CampaignUnit",
    "Channel",
    "FormVersion",
    "Invitation",
    "Response",
    "ResponseFlag",
    "ResponseStatus",
    "ResultRun",
    "RuleSetVersion",
    "Unit",
    "UnitMargin",
    "User",
    "is_counted",
]
