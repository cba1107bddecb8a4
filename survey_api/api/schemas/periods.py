"""Assessment periods, their inputs and their results (the document the district's performance platform pulls)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from .base import BaseSchema


class NewPeriodSchema(BaseSchema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    kind = fields.String(load_default="annual", validate=validate.OneOf(["annual", "routine"]))
    unit_codes = fields.List(fields.String(validate=validate.Length(max=32)), load_default=list)
    campaign_id = fields.Integer(load_default=None, allow_none=True)
    meeting_ids = fields.List(fields.Integer(), load_default=list)
    rules = fields.Dict(load_default=None, allow_none=True, metadata={"description": "None: the shipped rule set"})


class SetupSchema(BaseSchema):
    levels = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        required=True,
        metadata={"description": "unit code → difficulty level (1 = the first coefficient); units not named leave"},
    )
    campaign_id = fields.Integer(load_default=None, allow_none=True)
    meeting_ids = fields.List(fields.Integer(), load_default=list)


class PeriodUnitSchema(Schema):
    code = fields.String(attribute="unit.code")
    name = fields.String(attribute="unit.name")
    category = fields.String(attribute="unit.category")
    level = fields.Integer()


class PeriodSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    kind = fields.String()
    state = fields.Function(lambda p: p.state.value, metadata={"enum": ["draft", "published", "correcting"]})
    rules = fields.Dict(metadata={"description": "the rule set (rules/periods/annual.yaml shows every field)"})
    rules_version = fields.Integer()
    campaign_id = fields.Integer(allow_none=True)
    meeting_ids = fields.List(fields.Integer())
    correction_reason = fields.String(allow_none=True)
    units = fields.List(fields.Nested(PeriodUnitSchema))


class PeriodSummarySchema(Schema):
    id = fields.Integer()
    title = fields.String()
    kind = fields.String()
    state = fields.Function(lambda p: p.state.value)


class PeriodEntrySchema(BaseSchema):
    unit_code = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(["score", "bonus", "deduction", "veto", "affirmation"]))
    value = fields.Float(
        load_default=None, allow_none=True, metadata={"description": "score 0–100, or points of a bonus/deduction"}
    )
    component = fields.String(load_default=None, allow_none=True, metadata={"description": "for scores"})
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    attachment = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=300),
        metadata={"description": "a reference to the supporting document (file number, link)"},
    )


class EntriesBodySchema(BaseSchema):
    entries = fields.List(fields.Nested(PeriodEntrySchema), required=True, validate=validate.Length(min=1, max=2000))


class StoredEntrySchema(Schema):
    id = fields.Integer()
    unit_id = fields.Integer()
    kind = fields.String()
    key = fields.String(metadata={"description": "the component of a score; a digest of an adjustment's reason"})
    value = fields.Float()
    reason = fields.String(allow_none=True)
    attachment = fields.String(allow_none=True)


class PeriodImportRowSchema(Schema):
    row = fields.Integer()
    unit_code = fields.String()
    outcome = fields.String()
    problems = fields.Dict(keys=fields.String(), values=fields.String())


class ScoresImportReportSchema(Schema):
    total = fields.Integer()
    rejected = fields.Integer()
    stored = fields.Integer()
    rows = fields.List(fields.Nested(PeriodImportRowSchema))


class CorrectionSchema(BaseSchema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class RevisionQuerySchema(BaseSchema):
    revision = fields.Integer(load_default=None, metadata={"description": "the revision number; default the latest"})


class ComponentResultSchema(Schema):
    key = fields.String()
    source = fields.String(metadata={"enum": ["entered", "meeting", "campaign"]})
    share = fields.Float(metadata={"description": "weight (weights model) or points (points model)"})
    value = fields.Float(allow_none=True, metadata={"description": "the 0–100 component score; null when missing"})
    contribution = fields.Float(allow_none=True)
    gated = fields.Boolean(metadata={"description": "zeroed by the satisfaction gate"})
    lost = fields.Float(allow_none=True, metadata={"description": "points below the component's full share"})


class AdjustmentItemSchema(Schema):
    points = fields.Float()
    reason = fields.String()
    attachment = fields.String(allow_none=True)


class AdjustmentSumSchema(Schema):
    items = fields.List(fields.Nested(AdjustmentItemSchema))
    total = fields.Float()
    cap = fields.Float(allow_none=True)
    applied = fields.Float()


class ExplanationSchema(Schema):
    code = fields.String(metadata={"description": "e.g. grade.veto_blocked, grade.no_quota_slot, bonus.capped"})
    params = fields.Dict()
    text = fields.String(metadata={"description": "the explanation in the request's language"})


class UnitResultSchema(Schema):
    unit_id = fields.Integer()
    unit_code = fields.String()
    unit_name = fields.String()
    category = fields.String()
    level = fields.Integer()
    coefficient = fields.Float()
    components = fields.List(fields.Nested(ComponentResultSchema))
    public_composite = fields.Float(allow_none=True)
    gate = fields.Dict(metadata={"description": "threshold, satisfaction, passed, zeroed components"})
    bonuses = fields.Nested(AdjustmentSumSchema)
    deductions = fields.Nested(AdjustmentSumSchema)
    vetoes = fields.List(fields.Nested(AdjustmentItemSchema))
    affirmations = fields.List(fields.Nested(AdjustmentItemSchema))
    missing = fields.List(fields.Dict(), metadata={"description": "component and reason of each missing input"})
    complete = fields.Boolean()
    weighted_sum = fields.Float(allow_none=True)
    after_coefficient = fields.Float(allow_none=True)
    score = fields.Float(allow_none=True)
    rank = fields.Integer(allow_none=True)
    band = fields.String(allow_none=True)
    grade = fields.String(allow_none=True)
    grade_label = fields.String(allow_none=True)
    why = fields.List(fields.Nested(ExplanationSchema))


class CategoryResultSchema(Schema):
    category = fields.String()
    units = fields.Integer()
    ranked = fields.Integer()
    quota_slots = fields.Integer()
    top_grades = fields.Integer()
    order = fields.List(fields.String())
    incomplete = fields.List(fields.String())
    reminders = fields.List(fields.String(), metadata={"description": "bottom-ranked units for a reminder talk"})


class RevisionSummarySchema(Schema):
    number = fields.Integer()
    reason = fields.String(allow_none=True)
    inputs_digest = fields.String()
    computed_at = fields.DateTime()
    published_at = fields.DateTime(allow_none=True)
    changes = fields.List(fields.Dict(), allow_none=True, metadata={"description": "from the last published one"})


class PeriodResultsSchema(Schema):
    period = fields.Nested(PeriodSummarySchema)
    revision = fields.Nested(RevisionSummarySchema)
    units = fields.List(fields.Nested(UnitResultSchema))
    categories = fields.List(fields.Nested(CategoryResultSchema))


class PeriodVerificationSchema(Schema):
    number = fields.Integer()
    identical = fields.Boolean()
