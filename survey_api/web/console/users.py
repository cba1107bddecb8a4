"""Staff accounts in the console: admins and oversight see them; admins add, disable and re-enable them."""

from __future__ import annotations

from flask import g, redirect, render_template, request, url_for

from ...auth import page_requires
from ...domain.access import Role, is_allowed
from ...errors import AppError
from ...services import accounts as account_service
from ...services.units import list_units
from ...transactions import commit_on_success
from ..form_fields import form_texts
from . import bp


def _page(error=None, values=None, status=200):
    return render_template(
        "console/users.html",
        users=account_service.list_users(),
        roles=list(Role),
        units=list_units(),
        error=error,
        values=values or {},
        can_write=is_allowed(g.user.role, "user.write"),
    ), status


@bp.get("/users")
@page_requires("user.read")
def users():
    return _page()


@bp.post("/users")
@page_requires("user.write")
@commit_on_success
def add_user():
    limits = {"username": 64, "display_name": 100, "password": 200, "role": 16, "unit_code": 32}
    values = {name: request.form.get(name, "") for name in limits if name != "password"}
    try:
        fields = form_texts(request.form, limits, required=("username", "password", "role"))
        if fields["role"] not in {r.value for r in Role}:
            raise AppError("request.invalid", details={"role": ["one of the listed roles"]})
        account_service.create_user(
            g.actor,
            fields["username"],
            fields["password"],
            Role(fields["role"]),
            display_name=fields["display_name"] or None,
            unit_code=fields["unit_code"] or None,
        )
    except AppError as error:
        return _page(error=error, values=values, status=error.status)
    return redirect(url_for("console.users"), code=303)


@bp.post("/users/<int:user_id>/<any(enable, disable):change>")
@page_requires("user.write")
@commit_on_success
def set_user_active(user_id: int, change: str):
    try:
        account_service.set_active(g.actor, account_service.get_user(user_id), change == "enable")
    except AppError as error:
        if error.code != "account.self_disable":
            raise
        return _page(error=error, status=error.status)
    return redirect(url_for("console.users"), code=303)
