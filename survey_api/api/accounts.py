"""Accounts: /api/v1/users (admins), /api/v1/me and its API tokens (everyone, for themselves)."""

from __future__ import annotations

from flask import g
from flask_smorest import Blueprint

from ..auth import api_requires
from ..services import accounts as account_service
from ..services import api_tokens as token_service
from ..transactions import commit_on_success
from .schemas.accounts import (
    IssuedTokenSchema,
    TokenCreateSchema,
    TokenSchema,
    UserCreateSchema,
    UserSchema,
    UserUpdateSchema,
)
from .security import TOKEN_SECURITY

PREFIX = ""
blp = Blueprint("accounts", __name__, description="Staff accounts and personal API tokens")


@blp.route("/users")
@api_requires("user.read")
@blp.doc(security=TOKEN_SECURITY)
@blp.response(200, UserSchema(many=True))
def list_users():
    """Every staff account."""
    return account_service.list_users()


@blp.route("/users", methods=["POST"])
@api_requires("user.write")
@blp.doc(security=TOKEN_SECURITY)
@blp.arguments(UserCreateSchema)
@blp.response(201, UserSchema)
@blp.alt_response(409, schema="Error", description="account.exists")
@blp.alt_response(422, schema="Error", description="account.weak_password or account.unit_mismatch")
@commit_on_success
def create_user(body):
    """Add a staff account."""
    return account_service.create_user(g.actor, **body)


@blp.route("/users/<int:user_id>", methods=["PATCH"])
@api_requires("user.write")
@blp.doc(security=TOKEN_SECURITY)
@blp.arguments(UserUpdateSchema)
@blp.response(200, UserSchema)
@blp.alt_response(404, schema="Error", description="account.not_found")
@blp.alt_response(409, schema="Error", description="account.self_disable")
@commit_on_success
def update_user(body, user_id):
    """Disable or re-enable an account: a disabled account's sessions and tokens stop working at once."""
    return account_service.set_active(g.actor, account_service.get_user(user_id), body["is_active"])


@blp.route("/me")
@api_requires("account.self")
@blp.doc(security=TOKEN_SECURITY)
@blp.response(200, UserSchema)
def me():
    """The account behind this token."""
    return g.user


@blp.route("/me/tokens")
@api_requires("account.self")
@blp.doc(security=TOKEN_SECURITY)
@blp.response(200, TokenSchema(many=True))
def list_tokens():
    """Your API tokens (never the tokens themselves)."""
    return token_service.list_tokens(g.user)


@blp.route("/me/tokens", methods=["POST"])
@api_requires("account.self")
@blp.doc(security=TOKEN_SECURITY)
@blp.arguments(TokenCreateSchema)
@blp.response(201, IssuedTokenSchema)
@commit_on_success
def create_token(body):
    """A new API token; the answer is the only time it is shown."""
    issued = token_service.create_token(g.actor, g.user, body["name"], body.get("valid_days"))
    shown = {name: getattr(issued.token, name) for name in TokenSchema().fields}
    return {**shown, "token": issued.secret}


@blp.route("/me/tokens/<int:token_id>", methods=["DELETE"])
@api_requires("account.self")
@blp.doc(security=TOKEN_SECURITY)
@blp.response(200, TokenSchema)
@blp.alt_response(404, schema="Error", description="token.not_found")
@commit_on_success
def revoke_token(token_id):
    """Revoke one of your tokens; it stops working at once."""
    return token_service.revoke_token(g.actor, g.user, token_id)
