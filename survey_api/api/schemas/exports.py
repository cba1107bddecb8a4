"""Query parameters of the export endpoints."""

from __future__ import annotations

from marshmallow import fields, validate

from ...domain.export_layout import HEADER_STYLES, RESULT_TABLES
from ...services.export_formats import FORMATS
from .base import DATABASE_ID, BaseSchema


class ExportQuerySchema(BaseSchema):
    format = fields.String(
        load_default="csv", validate=validate.OneOf(list(FORMATS)), metadata={"description": "csv, xlsx or json"}
    )
    headers = fields.String(
        load_default="keys",
        validate=validate.OneOf(HEADER_STYLES),
        metadata={"description": "keys (e.g. satisfaction.overall) or zh (Chinese, the question text)"},
    )


class ResponseExportQuerySchema(ExportQuerySchema):
    labels = fields.Boolean(
        load_default=False, metadata={"description": "add a column with the chosen option's label after each choice"}
    )


class ResultExportQuerySchema(ExportQuerySchema):
    run = fields.Integer(
        load_default=None,
        strict=False,
        validate=DATABASE_ID,
        metadata={"description": "result run id; the latest run by default"},
    )
    table = fields.String(
        load_default="indices",
        validate=validate.OneOf(list(RESULT_TABLES)),
        metadata={
            "description": "for csv and json: indices (unit × index), questions (unit × question) or "
            "response_rates (per unit, household surveys only)"
        },
    )
