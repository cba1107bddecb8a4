"""The household survey's API bodies: the frame report, a sample design, a batch assignment."""

from __future__ import annotations

from marshmallow import fields, validate

from ...domain.fieldwork import DEFAULT_MAX_VISITS
from ...domain.sampling import Allocation
from .base import BaseSchema


class FrameProblemSchema(BaseSchema):
    column = fields.String()
    message = fields.String()


class FrameRowSchema(BaseSchema):
    row = fields.Integer(metadata={"description": "The row as a spreadsheet shows it (the header is row 1)"})
    problems = fields.List(fields.Nested(FrameProblemSchema))


class FrameReportSchema(BaseSchema):
    campaign_id = fields.Integer()
    imported = fields.Integer()
    problems = fields.List(fields.Nested(FrameRowSchema))


class SampleRequestSchema(BaseSchema):
    unit = fields.String(required=True, validate=validate.Length(min=1, max=32))
    margin = fields.Float(load_default=3.4, metadata={"description": "Half-width of the 95% interval, in points"})
    sigma = fields.Float(load_default=20.0)
    design_effect = fields.Float(load_default=1.5)
    response_rate = fields.Float(load_default=0.8)
    allocation = fields.String(load_default="proportional", validate=validate.OneOf([a.value for a in Allocation]))
    reserve_share = fields.Float(load_default=0.5)
    max_visits = fields.Integer(load_default=DEFAULT_MAX_VISITS)
    seed = fields.Integer(load_default=None, allow_none=True, metadata={"description": "Default: random, recorded"})


class SampleDesignSchema(BaseSchema):
    id = fields.Integer()
    seed = fields.Integer()
    allocation = fields.Function(lambda design: design.allocation.value)
    margin = fields.Float()
    sigma = fields.Float()
    design_effect = fields.Float()
    response_rate = fields.Float()
    reserve_share = fields.Float()
    max_visits = fields.Integer()
    frame_size = fields.Integer()
    interviews_needed = fields.Integer()
    released = fields.Integer()
    strata = fields.Dict(metadata={"description": "{stratum: {size, main, reserve}}"})


class AssignmentRequestSchema(BaseSchema):
    enumerators = fields.List(fields.String(validate=validate.Length(min=1, max=64)), required=True)
    unit = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=32))


class AssignmentResultSchema(BaseSchema):
    assigned = fields.Dict(keys=fields.String(), values=fields.Integer())
