from __future__ import annotations

from marshmallow import fields, validate

from ...domain.quality import Rule
from ...models import ResponseStatus
from ...services.review import DECISIONS, MAX_DECISION_IDS, MAX_QUEUE
from .base import DATABASE_ID, BaseSchema
from .units import CODE


class ReviewQuerySchema(BaseSchema):
    unit = fields.String(validate=CODE, metadata={"description": "a unit code"})
    rule = fields.String(validate=validate.OneOf([r.value for r in Rule]))
    status = fields.String(validate=validate.OneOf([s.value for s in ResponseStatus]))
    limit = fields.Integer(load_default=200, validate=validate.Range(min=1, max=MAX_QUEUE))


class FlagSchema(BaseSchema):
    rule = fields.String()
    evidence = fields.Dict()
    created_at = fields.AwareDateTime()


class QueueItemSchema(BaseSchema):
    response_id = fields.Integer()
    unit_code = fields.String()
    unit_name = fields.String()
    channel = fields.String()
    submitted_at = fields.AwareDateTime()
    duration_seconds = fields.Integer(allow_none=True)
    status = fields.String()
    reviewed_at = fields.AwareDateTime(allow_none=True)
    superseded = fields.Boolean()
    flags = fields.List(fields.Nested(FlagSchema))


class DecisionBodySchema(BaseSchema):
    response_ids = fields.List(
        fields.Integer(validate=DATABASE_ID),
        required=True,
        validate=validate.Length(min=1, max=MAX_DECISION_IDS),
    )
    decision = fields.String(required=True, validate=validate.OneOf(sorted(DECISIONS)))
    reason = fields.String(required=True, validate=validate.Length(min=2, max=500))


class DecisionReportSchema(BaseSchema):
    decision = fields.String()
    changed = fields.List(fields.Integer())
    unchanged = fields.List(fields.Integer())


class SweepReportSchema(BaseSchema):
    campaign_id = fields.Integer()
    examined = fields.Integer()
    new_flags = fields.Integer()
    put_under_review = fields.Integer()


class UnitIntegritySchema(BaseSchema):
    unit_code = fields.String()
    unit_name = fields.String()
    responses = fields.Integer()
    flagged = fields.Integer()
    flagged_share = fields.Float()
    under_review = fields.Integer()
    excluded = fields.Integer()
    by_rule = fields.Dict(keys=fields.String(), values=fields.Integer())


class TimelineWindowSchema(BaseSchema):
    starts_at = fields.AwareDateTime()
    answers = fields.Integer()


class UnitTimelineSchema(BaseSchema):
    unit_code = fields.String()
    unit_name = fields.String()
    window_minutes = fields.Integer()
    usual_per_window = fields.Float()
    threshold = fields.Integer()
    burst_answers = fields.Integer()
    windows = fields.Method("_windows")

    def _windows(self, timeline) -> list[dict]:
        return [{"starts_at": at.isoformat(), "answers": count} for at, count in timeline.windows]


class QualityRulesSchema(BaseSchema):
    enabled = fields.Boolean()
    min_seconds = fields.Integer(allow_none=True, metadata={"description": "None: the questionnaires' own sum"})
    straight_lining_min_questions = fields.Integer()
    day_starts_hour = fields.Integer()
    day_ends_hour = fields.Integer()
    duplicate_min_count = fields.Integer()
    duplicate_window_minutes = fields.Integer()
    burst_window_minutes = fields.Integer()
    burst_min_count = fields.Integer()
    burst_factor = fields.Float()
