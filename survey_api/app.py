"""The application factory: a short checklist of named steps."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import Any

from flask import Flask, g, request
from flask_babel import get_locale
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from .config import SUPPORTED_LOCALES, load_config
from .extensions import api, babel, csrf, db, migrate

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app; tests pass their own config mapping."""
    app = Flask(__name__)
    app.config.update(load_config(config))
    Path(app.config["INSTANCE_PATH"]).mkdir(parents=True, exist_ok=True)
    configure_logging(app)
    register_extensions(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_request_hooks(app)
    register_commands(app)
    if app.config["TRUSTED_PROXY_COUNT"]:
        n = app.config["TRUSTED_PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]
    return app


def configure_logging(app: Flask) -> None:
    if not app.debug and not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True, compare_type=True)
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.trim_blocks = app.jinja_env.lstrip_blocks = True  # lighter pages for weak mobile networks
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # Chinese stays readable in JSON
    api.init_app(app, spec_kwargs={"components": {"schemas": {}}})
    csrf.init_app(app)
    from .rate_limits import init_rate_limits

    init_rate_limits(app)
    from .auth import init_auth

    init_auth(app)
    from . import models  # noqa: F401  (register the tables with the metadata)


def register_blueprints(app: Flask) -> None:
    from .api import register_api
    from .routing import DatabaseIdConverter
    from .web import register_web

    app.url_map.converters["int"] = DatabaseIdConverter
    register_api(api)
    register_web(app)


def register_error_handlers(app: Flask) -> None:
    from .errors import register_error_handlers as register

    register(app)


def register_request_hooks(app: Flask) -> None:
    from .api.body import check_json_body
    from .uploads import raise_upload_limit

    app.url_value_preprocessor(raise_upload_limit)  # runs before every before_request hook
    app.before_request(check_json_body)

    @app.after_request
    def remember_locale(response):
        chosen = getattr(g, "chosen_locale", None)
        if chosen:
            response.set_cookie("lang", chosen, max_age=365 * 24 * 3600, samesite="Lax")
        return response

    app.after_request(add_security_headers)
    from .transactions import close_session_quietly

    app.teardown_appcontext(close_session_quietly)  # runs before Flask-SQLAlchemy's own (registered earlier)


SECURITY_HEADERS = {
    # Only our own files: no inline script, no third-party asset, never framed by another site.
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",  # the link token in the address must not leak to other sites
    "X-Frame-Options": "DENY",
}


def add_security_headers(response):
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def register_commands(app: Flask) -> None:
    from .cli import register_cli

    register_cli(app)


def select_locale() -> str:
    """Chinese by default; ?lang=en (remembered in a cookie) switches the pages to English."""
    from flask import current_app, has_request_context

    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]  # CLI commands speak the default language
    asked = request.args.get("lang")
    if asked in SUPPORTED_LOCALES:
        g.chosen_locale = asked
        return asked
    cookie = request.cookies.get("lang")
    if cookie in SUPPORTED_LOCALES:
        return cookie
    return current_app.config["BABEL_DEFAULT_LOCALE"]


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection, connection_record) -> None:
    """SQLite: write-ahead log, foreign keys, and let SQLAlchemy issue BEGIN so savepoints work."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_on_begin(connection) -> None:
    # IMMEDIATE takes the write lock up front: a deferred transaction that reads and then writes can fail at once
    # with "database is locked" when another process wrote in between; an immediate one waits (busy_timeout).
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")
