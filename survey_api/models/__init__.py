"""SQLAlchemy models, one module per aggregate. No request access and no commits here."""

from .account import ApiToken, User
from .audit import AuditEvent
from .campaign import Campaign, CampaignForm, CampaignUnit
from .form_version import FormVersion
from .response import Channel, Response, ResponseStatus
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
    "Response",
    "ResponseStatus",
    "ResultRun",
    "RuleSetVersion",
    "Unit",
    "UnitMargin",
    "User",
]
