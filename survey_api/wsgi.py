"""WSGI entry point: gunicorn "survey_api.wsgi:app"."""

from . import create_app

app = create_app()
