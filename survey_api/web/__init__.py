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
