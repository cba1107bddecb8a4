"""Server-rendered pages: the public questionnaire, health and the landing page."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l


def register_web(app: Flask) -> None:
    from ..extensions import csrf
    from . import ballot, console, health, public

    # Residents have no session to ride: a forged cross-site post could only do what anyone can do directly.
    csrf.exempt(public.bp)
    csrf.exempt(health.bp)
    csrf.exempt(ballot.bp)  # raters have no session either; the slip code in the address is the only credential
    app.register_blueprint(public.bp)
    app.register_blueprint(ballot.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(console.bp, url_prefix="/console")
    from .local_time import local_time

    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.globals["can"] = can
    app.jinja_env.filters["role_label"] = role_label
    app.jinja_env.filters["channel_label"] = channel_label


ROLE_LABELS = {
    "admin": _l("assessment office"),
    "statistician": _l("statistics bureau"),
    "enumerator": _l("enumerator"),
    "unit": _l("evaluated unit"),
    "auditor": _l("oversight"),
}


CHANNEL_LABELS = {
    "qr": _l("QR code"),
    "api": _l("API"),
    "phone": _l("telephone survey"),
    "paper": _l("paper questionnaire"),
    "household": _l("household survey"),
}


def channel_label(channel: str) -> str:
    """In templates: how an answer arrived, for people."""
    return str(CHANNEL_LABELS.get(channel, channel))


def role_label(role) -> str:
    """In templates: a role's name for people."""
    value = getattr(role, "value", role)
    return str(ROLE_LABELS.get(value, value))


def can(action: str) -> bool:
    """In templates: whether the signed-in user's role may take the action (to show or hide links)."""
    from flask import g

    from ..domain.access import is_allowed

    user = getattr(g, "user", None)
    return user is not None and is_allowed(user.role, action)
