"""Signing in and out, and the console's home page."""

from __future__ import annotations

from urllib.parse import urlparse

from flask import g, redirect, render_template, request, url_for
from flask_login import login_user, logout_user

from ...auth import client_address, own_unit_only, page_requires
from ...domain.access import Role, is_allowed
from ...errors import AppError
from ...services import accounts as account_service
from ...services.campaigns import campaigns_of_unit, list_campaigns, response_totals
from ...transactions import commit_on_success
from . import bp


def _safe_next(target: str | None) -> str:
    """Only redirect within this site after signing in."""
    if target and target.startswith("/") and not target.startswith("//") and not urlparse(target).netloc:
        return target
    return url_for("console.home")


@bp.get("/login")
def login():
    return render_template("console/login.html", next=request.args.get("next", ""))


@bp.post("/login")
@commit_on_success
def login_post():
    """Sign in; a failure says only that the name or password is wrong, and counts towards a lockout."""
    username = request.form.get("username", "")[:64]
    password = request.form.get("password", "")[:200]
    try:
        user = account_service.authenticate(username, password, client_address())
    except AppError as error:
        if error.code not in ("auth.invalid_credentials", "auth.locked"):
            raise
        # Returned, not raised, so the failure (and any lockout) is committed with the page.
        page = render_template(
            "console/login.html", next=request.form.get("next", ""), login_error=error.message, username=username
        )
        return page, error.status
    login_user(user)
    if user.role is Role.ENUMERATOR and not request.form.get("next"):
        return redirect(url_for("console.field"))  # an enumerator's work is the list of households
    return redirect(_safe_next(request.form.get("next")))


@bp.post("/logout")
def logout():
    logout_user()
    return redirect(url_for("console.login"))


@bp.get("/")
@page_requires("account.self")
def home():
    """Campaigns with their response counts; a unit's staff see the campaigns their unit is part of."""
    unit_id = own_unit_only()
    if unit_id is not None:
        campaigns = campaigns_of_unit(unit_id)
    elif is_allowed(g.user.role, "campaign.read"):
        campaigns = list_campaigns()
    else:
        campaigns = []
    totals = response_totals([c.id for c in campaigns], only_unit_id=unit_id)
    return render_template("console/home.html", user=g.user, campaigns=campaigns, totals=totals)
