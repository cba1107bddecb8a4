"""One's own account: change the password, create and revoke personal API tokens."""

from __future__ import annotations

from flask import g, render_template, request
from flask_login import login_user

from ...auth import page_requires
from ...errors import AppError
from ...services.accounts import change_password
from ...services.api_tokens import create_token, list_tokens, revoke_token
from ...transactions import commit_on_success
from ..form_fields import form_texts
from . import bp


def _page(message=None, error=None, secret=None, status=200):
    return render_template(
        "console/account.html", user=g.user, tokens=list_tokens(g.user), message=message, error=error, secret=secret
    ), status


@bp.get("/account")
@page_requires("account.self")
def account():
    return _page()


@bp.post("/account/password")
@page_requires("account.self")
@commit_on_success
def password():
    form = request.form
    if form.get("new_password", "") != form.get("confirm_password", ""):
        return _page(error=AppError("account.weak_password"), status=422)
    try:
        change_password(g.actor, g.user, form.get("current_password", "")[:200], form.get("new_password", "")[:200])
    except AppError as error:
        return _page(error=error, status=error.status)
    login_user(g.user)  # this session continues under the new epoch; every other session has ended
    return _page(message="password")


@bp.post("/account/tokens")
@page_requires("account.self")
@commit_on_success
def new_token():
    try:
        fields = form_texts(request.form, {"name": 100, "valid_days": 4}, required=("name",))
        days = fields["valid_days"]
        if days and not (days.isdigit() and 1 <= int(days) <= 3650):
            raise AppError("request.invalid", details={"valid_days": ["a whole number from 1 to 3650"]})
    except AppError as error:
        return _page(error=error, status=error.status)
    issued = create_token(g.actor, g.user, fields["name"], int(days) if days else None)
    return _page(secret=issued.secret)


@bp.post("/account/tokens/<int:token_id>/revoke")
@page_requires("account.self")
@commit_on_success
def revoke(token_id: int):
    revoke_token(g.actor, g.user, token_id)
    return _page(message="revoked")
