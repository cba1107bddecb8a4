from __future__ import annotations

from marshmallow import fields, validate

from .base import DATABASE_ID, BaseSchema
from .units import CODE

KEY = validate.Regexp(r"^[a-z][a-z0-9_]{0,39}$", error="Use a key such as sex or age_group.")


class MarginSchema(BaseSchema):
    unit_code = fields.String(required=True, validate=CODE)
    variable = fields.String(required=True, validate=KEY, metadata={"example": "sex"})
    category = fields.String(
        required=True,
        validate=validate.Length(min=1, max=40),
        metadata={"description": "The answer's key or its label", "example": "female"},
    )
    share = fields.Float(required=True, validate=validate.Range(min=0, max=1), metadata={"example": 0.51})


class MarginsBodySchema(BaseSchema):
    margins = fields.List(fields.Nested(MarginSchema), required=True, validate=validate.Length(min=1, max=100000))


class RuleSetChoiceSchema(BaseSchema):
    rule_set_version_id = fields.Integer(required=True, validate=DATABASE_ID)


class RuleSetVersionSchema(BaseSchema):
    id = fields.Integer()
    key = fields.String()
    version = fields.Integer()
    title = fields.String()
    checksum = fields.String()
    document = fields.Dict()
    created_at = fields.AwareDateTime()


class RunQuerySchema(BaseSchema):
    run = fields.Integer(load_default=None, validate=DATABASE_ID, metadata={"description": "default: latest"})


class ResultRunSummarySchema(BaseSchema):
    id = fields.Integer()
    campaign_id = fields.Integer()
    rule_set_version_id = fields.Integer()
    input_counts = fields.Dict()
    inputs_digest = fields.String()
    computed_at = fields.AwareDateTime()
    published_at = fields.AwareDateTime(allow_none=True)


class ResultRunSchema(ResultRunSummarySchema):
    rules_snapshot = fields.Dict()
    margins_snapshot = fields.Dict()
    results = fields.Dict(
        metadata={
            "description": "Per unit: indices with n, effective n, SE and 95% interval; points; rank; and `fieldwork`: "
            "the household survey's released households by outcome (completed, refused, non_contact, unresolved, "
            "not_eligible) with the AAPOR rates rr1, coop1 and ref1 (0–1) as when the run was computed — null for "
            "units without a household sample."
        }
    )


class VerificationSchema(BaseSchema):
    run_id = fields.Integer()
    same_inputs = fields.Boolean()
    identical = fields.Boolean()
    input_counts = fields.Dict()
