"""Schemas of rectification tasks (限期整改), their workflow bodies, the feedback report and the outbox."""

from __future__ import annotations

from marshmallow import fields, validate

from ...domain.rectification import TaskState
from ...services.rectification import task_status
from .base import BaseSchema

TEXT = validate.Length(min=1, max=5000)
STATES = [s.value for s in TaskState] + ["overdue"]


class TaskQuerySchema(BaseSchema):
    unit = fields.String(load_default=None, validate=validate.Length(max=32), metadata={"description": "unit code"})
    state = fields.String(load_default=None, validate=validate.OneOf(STATES))


class TaskCreateSchema(BaseSchema):
    unit_code = fields.String(required=True, validate=validate.Length(min=1, max=32))
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    reason = fields.String(load_default="", validate=validate.Length(max=500))
    points_lost = fields.Float(load_default=None, allow_none=True, validate=validate.Range(min=0, max=1000))
    deadline = fields.AwareDateTime(load_default=None, allow_none=True, metadata={"description": "default: 30 days"})


class TextSchema(BaseSchema):
    text = fields.String(required=True, validate=TEXT)


class RemarkSchema(BaseSchema):
    remark = fields.String(load_default="", validate=validate.Length(max=5000))


class DeadlineSchema(BaseSchema):
    deadline = fields.AwareDateTime(required=True)


class OwnerSchema(BaseSchema):
    owner_id = fields.Integer(
        required=True, strict=True, metadata={"description": "an active account of the task's own unit"}
    )


class NoticeSchema(BaseSchema):
    text = fields.String(required=True, validate=validate.Length(min=1, max=500))


class TaskEntrySchema(BaseSchema):
    kind = fields.String(metadata={"description": "plan, progress, closing, returned, accepted or owner"})
    text = fields.String()
    author_name = fields.String()
    created_at = fields.DateTime()


class EvidenceSchema(BaseSchema):
    id = fields.Integer()
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    uploaded_at = fields.DateTime()


class TaskSchema(BaseSchema):
    id = fields.Integer()
    unit_code = fields.Function(lambda task: task.unit.code)
    unit_name = fields.Function(lambda task: task.unit.name)
    source_kind = fields.String()
    source_ref = fields.String()
    item_key = fields.String()
    kind = fields.String()
    title = fields.String()
    reason = fields.String()
    points_lost = fields.Float(allow_none=True)
    state = fields.Function(lambda task: task.state.value, metadata={"enum": [s.value for s in TaskState]})
    deadline = fields.DateTime()
    overdue = fields.Function(lambda task: task_status(task)["overdue"])
    days_late = fields.Function(lambda task: task_status(task)["days_late"])
    owner_id = fields.Integer(allow_none=True, metadata={"description": "null while the unit has no account"})
    owner_name = fields.Function(lambda task: task.owner.display_name if task.owner else None, allow_none=True)
    submitted_at = fields.DateTime(allow_none=True)
    accepted_at = fields.DateTime(allow_none=True)
    notice_state = fields.Function(lambda task: task.notice_state.value)
    pulse_campaign_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()


class PulseSchema(BaseSchema):
    campaign_id = fields.Function(lambda pulse: pulse.campaign.id)
    link_token = fields.String()
    answers = fields.Integer()
    shown = fields.Boolean(metadata={"description": "false while too few answers to show"})
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    improved_share = fields.Float(allow_none=True)


class TaskDetailSchema(TaskSchema):
    plan = fields.String()
    closing_report = fields.String()
    notice_text = fields.String()
    entries = fields.List(fields.Nested(TaskEntrySchema))
    evidence = fields.List(fields.Nested(EvidenceSchema))
    pulse = fields.Nested(PulseSchema, allow_none=True)


class OutboxMessageSchema(BaseSchema):
    id = fields.Integer()
    recipient_id = fields.Integer()
    recipient_name = fields.String()
    subject = fields.String()
    body = fields.String()
    created_at = fields.DateTime()


class SentSchema(BaseSchema):
    ids = fields.List(fields.Integer(), required=True, validate=validate.Length(min=1, max=1000))


class SentCountSchema(BaseSchema):
    messages = fields.Integer()


class SweepSchema(BaseSchema):
    reminders = fields.Integer()
    messages = fields.Integer()


class FeedbackItemSchema(BaseSchema):
    kind = fields.String()
    key = fields.String()
    title = fields.String()
    reason = fields.String()
    points_lost = fields.Float(allow_none=True)
    task_id = fields.Integer(allow_none=True)


class FeedbackIndexSchema(BaseSchema):
    name = fields.String()
    value = fields.Float(allow_none=True, metadata={"description": "null when the sample is insufficient"})
    ci_low = fields.Float(allow_none=True)
    ci_high = fields.Float(allow_none=True)
    sufficient = fields.Boolean()
    category_average = fields.Float(allow_none=True)
    previous = fields.Float(allow_none=True)
    change = fields.Float(allow_none=True)
    questions = fields.List(fields.Dict())


class CommentGroupSchema(BaseSchema):
    question = fields.String()
    count = fields.Integer()
    comments = fields.List(fields.String(), metadata={"description": "anonymised; empty when the group is small"})


class FeedbackSchema(BaseSchema):
    unit_code = fields.Function(lambda r: r.unit.code)
    unit_name = fields.Function(lambda r: r.unit.name)
    category = fields.Function(lambda r: r.unit.category)
    campaign_id = fields.Function(lambda r: r.campaign.id)
    period = fields.Function(lambda r: r.campaign.period)
    run_id = fields.Function(lambda r: r.run.id)
    n = fields.Integer()
    min_n = fields.Integer()
    rank = fields.Integer(allow_none=True)
    ranked_in_category = fields.Integer()
    composite = fields.Float(allow_none=True)
    points = fields.Float(allow_none=True)
    indices = fields.List(fields.Nested(FeedbackIndexSchema))
    items = fields.List(fields.Nested(FeedbackItemSchema), attribute="item_rows")
    comments = fields.List(fields.Nested(CommentGroupSchema))
    comments_hidden = fields.Boolean(metadata={"description": "true when the unit has fewer than min_n answers"})
    min_comments = fields.Integer()
