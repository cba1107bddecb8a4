"""Server-rendered pages: the public questionnaire, health and the landing page."""

from __future__ import annotations

from flask import Flask


def register_web(app: Flask) -> None:
    from . import health, public

    app.register_blueprint(public.bp)
    app.register_blueprint(health.bp)
