from __future__ import annotations

from marshmallow import fields, validate

from ...domain.access import Role
from .base import DATABASE_ID, BaseSchema
from .units import CODE

USERNAME = validate.Regexp(r"^[a-z][a-z0-9_.-]{2,63}$", error="Use 3–64 lower-case letters, digits, '.', '_' or '-'.")


class UserCreateSchema(BaseSchema):
    username = fields.String(required=True, validate=USERNAME)
    display_name = fields.String(load_default=None, validate=validate.Length(min=1, max=100))
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=200))
    role = fields.Enum(Role, by_value=True, required=True)
    unit_code = fields.String(load_default=None, allow_none=True, validate=CODE)


class UserSchema(BaseSchema):
    id = fields.Integer()
    username = fields.String()
    display_name = fields.String()
    role = fields.Enum(Role, by_value=True)
    unit_code = fields.String(attribute="unit.code", allow_none=True)
    is_active = fields.Boolean()
    last_login_at = fields.AwareDateTime(allow_none=True)


class UserUpdateSchema(BaseSchema):
    is_active = fields.Boolean(required=True)


class TokenCreateSchema(BaseSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    valid_days = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=3650))


class TokenSchema(BaseSchema):
    id = fields.Integer()
    name = fields.String()
    prefix = fields.String(metadata={"description": "The first characters, to recognise the token"})
    created_at = fields.AwareDateTime()
    expires_at = fields.AwareDateTime(allow_none=True)
    last_used_at = fields.AwareDateTime(allow_none=True)
    revoked_at = fields.AwareDateTime(allow_none=True)


class IssuedTokenSchema(TokenSchema):
    token = fields.String(metadata={"description": "The token itself. It is shown only now; store it safely."})


class AuditQuerySchema(BaseSchema):
    action = fields.String(load_default=None, validate=validate.Length(max=64))
    object_type = fields.String(load_default=None, validate=validate.Length(max=32))
    object_id = fields.String(load_default=None, validate=validate.Length(max=64))
    actor = fields.String(load_default=None, validate=validate.Length(max=64))
    since = fields.AwareDateTime(load_default=None)
    until = fields.AwareDateTime(load_default=None)
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))
    before_id = fields.Integer(load_default=None, validate=DATABASE_ID)


class AuditEventSchema(BaseSchema):
    id = fields.Integer()
    occurred_at = fields.AwareDateTime()
    actor_name = fields.String()
    actor_role = fields.String()
    via = fields.String()
    ip_address = fields.String(allow_none=True)
    action = fields.String()
    object_type = fields.String()
    object_id = fields.String()
    changes = fields.Raw()
