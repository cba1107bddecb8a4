"""The operator console: server-rendered pages for staff, signed in with a cookie session. Each page names its
action from the permission table; forms carry a CSRF token."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("console", __name__)

from . import (  # noqa: E402,F401  (register the pages)
    account,
    audit,
    campaigns,
    field,
    households,
    imports,
    meetings,
    paper,
    periods,
    rectification,
    results,
    review,
    sign_in,
    units,
    users,
)
