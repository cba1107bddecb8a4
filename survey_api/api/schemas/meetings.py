"""Schemas of evaluation meetings, their slips and turnout."""

from __future__ import annotations

from marshmallow import fields, validate

from ...domain.meetings import DEFAULT_QUORUM_SHARE, MeetingState, TargetKind
from .base import BaseSchema
from .units import CODE

GROUP_KEY = validate.Regexp(r"^[a-z][a-z0-9_]{0,31}$", error="Lower-case letters, digits and _, e.g. peers.")


class TargetInSchema(BaseSchema):
    kind = fields.Enum(TargetKind, by_value=True, required=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=100), metadata={"example": "张三"})
    post = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))


class GroupInSchema(BaseSchema):
    key = fields.String(required=True, validate=GROUP_KEY, metadata={"example": "peers"})
    headcount = fields.Integer(required=True, validate=validate.Range(min=0, max=100000))
    label = fields.String(
        load_default=None,
        validate=validate.Length(min=1, max=100),
        metadata={"description": "Optional for the default keys superiors, peers and public (DOMAIN.md §4)."},
    )
    weight = fields.Float(
        load_default=None, validate=validate.Range(min=0, max=1, min_inclusive=False), allow_nan=False
    )


class MeetingCreateSchema(BaseSchema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    unit_code = fields.String(required=True, validate=CODE)
    held_on = fields.Date(
        required=True, metadata={"description": "The day of the sitting (a ballot has no other time)."}
    )
    targets = fields.List(fields.Nested(TargetInSchema), required=True, validate=validate.Length(min=1, max=100))
    groups = fields.List(
        fields.Nested(GroupInSchema),
        required=True,
        validate=validate.Length(min=1, max=20),
        metadata={"description": "Weights must add up to 1; the default groups take their label and weight."},
    )
    quorum_share = fields.Float(
        load_default=DEFAULT_QUORUM_SHARE,
        allow_nan=False,
        metadata={"description": "Turnout must exceed this share of the expected headcount."},
    )
    tally_rules = fields.Dict(
        load_default=None,
        allow_none=True,
        metadata={
            "description": "The tally's other rules (DOMAIN.md §4), each optional: trim_above, max_blank_share, "
            "all_same_invalid, all_top_invalid, min_valid_to_show, good_share_floor, bottom_share_ceiling, "
            "renormalise_missing_groups",
            "example": {"min_valid_to_show": 10},
        },
    )


class TargetSchema(BaseSchema):
    id = fields.Integer()
    kind = fields.Enum(TargetKind, by_value=True)
    name = fields.String()
    post = fields.String(allow_none=True)


class GroupSchema(BaseSchema):
    key = fields.String()
    label = fields.String()
    weight = fields.Float()
    headcount = fields.Integer()


class MeetingSchema(BaseSchema):
    id = fields.Integer()
    title = fields.String()
    unit_code = fields.String(attribute="unit.code")
    unit_name = fields.String(attribute="unit.name")
    held_on = fields.Date()
    state = fields.Enum(MeetingState, by_value=True)
    quorum_share = fields.Float()
    tally_rules = fields.Dict(allow_none=True)
    team_form_version_id = fields.Integer(allow_none=True)
    cadre_form_version_id = fields.Integer(allow_none=True)
    targets = fields.List(fields.Nested(TargetSchema))
    groups = fields.List(fields.Nested(GroupSchema))


class SlipRequestSchema(BaseSchema):
    count = fields.Integer(required=True, validate=validate.Range(min=1, max=1000))


class SlipSchema(BaseSchema):
    code = fields.String()
    url = fields.String()


class VoidSchema(BaseSchema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=40), metadata={"example": "7K3Q9-XD2MB"})


class VoidedSchema(BaseSchema):
    group = fields.String()
    state = fields.String()


class GroupTurnoutSchema(BaseSchema):
    key = fields.String()
    label = fields.String()
    headcount = fields.Integer()
    issued = fields.Integer(metadata={"description": "Slips printed and not voided."})
    used = fields.Integer()
    voided = fields.Integer()
    remaining = fields.Integer()


class TurnoutSchema(BaseSchema):
    groups = fields.List(fields.Nested(GroupTurnoutSchema))
    used = fields.Integer()
    headcount = fields.Integer()
    quorum_share = fields.Float()
    has_quorum = fields.Boolean()


class TeamScoreSchema(BaseSchema):
    unit_code = fields.String(metadata={"description": "the unit whose leadership team was evaluated"})
    target_id = fields.Integer()
    score = fields.Float(
        allow_none=True, metadata={"description": "the team's group-weighted score (40–100); null unless counted"}
    )
    status = fields.String(metadata={"description": "counted, hidden, no_quorum or void"})


class MeetingResultsSchema(BaseSchema):
    team_score = fields.Nested(
        TeamScoreSchema,
        allow_none=True,
        metadata={
            "description": "the unit's 'team democratic evaluation' (班子民主测评) component for unit results; "
            "null when the meeting has no team target"
        },
    )
    meeting = fields.Dict(metadata={"description": "id, title, unit_code, held_on"})
    targets = fields.List(
        fields.Dict(),
        metadata={
            "description": "per target: id, kind (team/cadre), name, post and its tally (status, round, groups, "
            "grades, score, weights_used, missing_groups, flags)"
        },
    )
