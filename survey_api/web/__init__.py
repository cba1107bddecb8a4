"""Server-rendered pages: the public questionnaire, health and the landing page."""

from __future__ import annotations

from flask import Flask


def register_web(app: Flask) -> None:
    from ..extensions import csrf
    from . import console, health, public

    # Residents have no session to ride: a forged cross-site post could only do what anyone can do directly.
    csrf.exempt(public.bp)
    csrf.exempt(health.bp)
    app.register_blueprint(public.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(console.bp, url_prefix="/console")
    from .local_time import local_time

    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.globals["can"] = can


def can(action: str) -> bool:
    """In templates: whether the signed-in user's role may take the action (to show or hide links)."""
    from flask import g

    from ..domain.access import is_allowed

    user = getattr(g, "user", None)
    return user is not None and is_allowed(user.role, action)
