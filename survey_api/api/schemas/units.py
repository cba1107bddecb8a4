from __future__ import annotations

from marshmallow import fields, validate

from .base import BaseSchema

CODE = validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$", error="Use 1–32 letters, digits, '.', '_' or '-'.")


class UnitCreateSchema(BaseSchema):
    code = fields.String(required=True, validate=CODE)
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    category = fields.String(required=True, validate=validate.Length(min=1, max=50))
    parent_area = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))


class UnitSchema(BaseSchema):
    code = fields.String()
    name = fields.String()
    category = fields.String()
    parent_area = fields.String(allow_none=True)


class UnitQuerySchema(BaseSchema):
    category = fields.String(load_default=None, validate=validate.Length(max=50))
