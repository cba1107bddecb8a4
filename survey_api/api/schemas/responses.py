from __future__ import annotations

from marshmallow import fields, validate

from .base import BaseSchema


class SubmissionSchema(BaseSchema):
    submission_id = fields.String(
        required=True,
        validate=validate.Regexp(r"^[A-Za-z0-9_-]{8,64}$", error="Use 8–64 letters, digits, - or _ (a UUID)."),
        metadata={"description": "Chosen by the client (a UUID); resend the same id after a network failure."},
    )
    # Checked question by question against the questionnaires in the domain, which names each problem; a
    # field-per-answer schema here would only repeat that work.
    answers = fields.Dict(
        required=True,
        metadata={
            "description": "{form_key: {question_key: answer}}: an option key, a list of option keys, "
            "a text or a whole number 0–10, by question type."
        },
    )
    duration_seconds = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=0, max=24 * 3600))
    identity = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=64),
        metadata={
            "description": "What identifies the respondent under the campaign's identity_mode: the app's device "
            "id, a household number, a mobile number, the ID card's last 4–6 characters or an invitation code. "
            "Only a keyed hash is stored."
        },
    )
    replace = fields.Boolean(
        load_default=False,
        metadata={"description": "Replace the answer already stored under this identity (if the campaign allows)."},
    )


class ReceiptSchema(BaseSchema):
    receipt = fields.String(attribute="code", metadata={"example": "7K3Q-9XD2"})
    submission_id = fields.String()
    submitted_at = fields.AwareDateTime()
    unit_code = fields.String()
    is_new = fields.Boolean(metadata={"description": "false when this was a resend of an earlier submission"})


class OptionSchema(BaseSchema):
    key = fields.String()
    label = fields.String()


class QuestionSchema(BaseSchema):
    key = fields.String()
    type = fields.String()
    text = fields.String()
    required = fields.Boolean()
    help = fields.String(allow_none=True)
    options = fields.List(fields.Nested(OptionSchema))
    max_choices = fields.Integer(allow_none=True)
    max_length = fields.Integer(allow_none=True)
    min_label = fields.String(allow_none=True)
    max_label = fields.String(allow_none=True)


class FormSchema(BaseSchema):
    key = fields.String()
    title = fields.String()
    intro = fields.String(allow_none=True)
    questions = fields.List(fields.Nested(QuestionSchema))


class PublicLinkSchema(BaseSchema):
    campaign_title = fields.String()
    period = fields.String()
    unit_name = fields.String()
    accepting = fields.String(metadata={"description": "accepting, not_yet_open or closed"})
    closes_at = fields.AwareDateTime(allow_none=True)
    identity_mode = fields.String(metadata={"description": "What to send as `identity` (none: nothing)"})
    allow_replacement = fields.Boolean()
    forms = fields.List(fields.Nested(FormSchema))


class ReceiptStateSchema(BaseSchema):
    receipt = fields.String(metadata={"example": "7K3Q-9XD2"})
    state = fields.String(metadata={"description": "counted, under_review, replaced or not_counted"})
