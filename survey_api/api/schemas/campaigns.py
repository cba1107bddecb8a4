from __future__ import annotations

from marshmallow import fields, validate

from ...domain.campaigns import CampaignState
from ...domain.identity import IdentityMode
from .base import BaseSchema
from .units import CODE

FORM_KEY = validate.Regexp(r"^[a-z][a-z0-9_]{0,39}$", error="Use the questionnaire's key, e.g. satisfaction.")


class CampaignCreateSchema(BaseSchema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    period = fields.String(
        required=True, validate=validate.Length(min=1, max=50), metadata={"example": "2026年第四季度"}
    )
    form_keys = fields.List(fields.String(validate=FORM_KEY), required=True, validate=validate.Length(min=1, max=10))
    unit_codes = fields.List(fields.String(validate=CODE), required=True, validate=validate.Length(min=1, max=5000))
    opens_at = fields.AwareDateTime(load_default=None, allow_none=True, default_timezone=None)
    closes_at = fields.AwareDateTime(load_default=None, allow_none=True, default_timezone=None)
    series = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(min=1, max=100),
        metadata={"description": "Campaigns of one series are compared in results.", "example": "年度群众满意度测评"},
    )
    rule_set_key = fields.String(
        load_default="default", validate=FORM_KEY, metadata={"description": "A scoring rule file in rules/."}
    )
    identity_mode = fields.Enum(
        IdentityMode,
        by_value=True,
        load_default=IdentityMode.DEVICE,
        metadata={"description": "How a second answer from one respondent is recognised; fixed at creation."},
    )
    allow_replacement = fields.Boolean(
        load_default=False,
        metadata={"description": "A respondent may replace their earlier answer while the campaign is open."},
    )


class CampaignFormSchema(BaseSchema):
    key = fields.String(attribute="form_version.key")
    version = fields.Integer(attribute="form_version.version")
    title = fields.String(attribute="form_version.title")
    index = fields.String(attribute="form_version.index_name", allow_none=True)


class CampaignSchema(BaseSchema):
    id = fields.Integer()
    title = fields.String()
    period = fields.String()
    series = fields.String(allow_none=True)
    rule_set_version_id = fields.Integer(allow_none=True)
    state = fields.Enum(CampaignState, by_value=True)
    opens_at = fields.AwareDateTime(allow_none=True)
    closes_at = fields.AwareDateTime(allow_none=True)
    opened_at = fields.AwareDateTime(allow_none=True)
    closed_at = fields.AwareDateTime(allow_none=True)
    created_at = fields.AwareDateTime()
    identity_mode = fields.Enum(IdentityMode, by_value=True)
    allow_replacement = fields.Boolean()
    forms = fields.List(fields.Nested(CampaignFormSchema))
    unit_count = fields.Method("count_units")

    def count_units(self, campaign) -> int:
        return len(campaign.links)


class CampaignQuerySchema(BaseSchema):
    state = fields.Enum(CampaignState, by_value=True, load_default=None)


class LinkSchema(BaseSchema):
    unit_code = fields.String()
    unit_name = fields.String()
    category = fields.String()
    token = fields.String()
    url = fields.String()
    qr_png = fields.String()
    qr_svg = fields.String()
    poster_pdf = fields.String()
    responses = fields.Integer()


class InvitationCreateSchema(BaseSchema):
    unit_code = fields.String(required=True, validate=CODE)
    count = fields.Integer(required=True, validate=validate.Range(min=1, max=5000))


class InvitationSchema(BaseSchema):
    unit_code = fields.String()
    code = fields.String(metadata={"description": "Shown once: only a keyed hash is stored", "example": "7K3Q9-XD2MB"})
    url = fields.String(metadata={"description": "The unit's questionnaire with the code filled in"})
