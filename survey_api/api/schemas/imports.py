"""Answer imports: the options sent with the file, and the report that comes back."""

from __future__ import annotations

from marshmallow import fields, validate

from ...models import Channel
from .base import BaseSchema

IMPORT_CHANNEL_VALUES = ("phone", "paper")


class ImportOptionsSchema(BaseSchema):
    """The form fields next to the file in the multipart body."""

    channel = fields.String(
        load_default="phone",
        validate=validate.OneOf(IMPORT_CHANNEL_VALUES),
        metadata={"description": "How the answers were collected: phone (CATI) or paper"},
    )
    accept_valid = fields.Boolean(
        load_default=False,
        metadata={"description": "Store the valid rows even when others are rejected (default: all or nothing)"},
    )


class RowProblemSchema(BaseSchema):
    column = fields.String(metadata={"description": "The column's header as written in the file"})
    message = fields.String()


class ImportRowSchema(BaseSchema):
    row = fields.Integer(metadata={"description": "Row number as a spreadsheet shows it; the header is row 1"})
    unit_code = fields.String()
    record_id = fields.String(allow_none=True)
    outcome = fields.String(
        metadata={"description": "imported, already_imported, rejected, or not_imported (valid, but the file was)"}
    )
    problems = fields.List(fields.Nested(RowProblemSchema))


class ImportCountsSchema(BaseSchema):
    total = fields.Integer()
    imported = fields.Integer()
    already_imported = fields.Integer()
    rejected = fields.Integer()


class ImportReportSchema(BaseSchema):
    campaign_id = fields.Integer()
    file_name = fields.String()
    file_sha256 = fields.String()
    channel = fields.Enum(Channel, by_value=True)
    accept_valid = fields.Boolean()
    has_record_ids = fields.Boolean()
    counts = fields.Nested(ImportCountsSchema)
    rows = fields.List(fields.Nested(ImportRowSchema))


class TemplateQuerySchema(BaseSchema):
    format = fields.String(load_default="xlsx", validate=validate.OneOf(("csv", "xlsx")))
