"""Client-visible errors: AppError for codes of the one catalogue (error_catalogue.py), and the handlers that render
every error (JSON for API callers, a page for browsers)."""

from __future__ import annotations

import logging
from typing import Any, Mapping

from flask import Flask, current_app, render_template, request
from marshmallow import Schema, fields
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException

from .error_catalogue import CATALOGUE, HTTP_STATUS_CODES, UNIQUE_VIOLATIONS
from .state_labels import state_label

log = logging.getLogger(__name__)


class AppError(Exception):
    """An error from the catalogue, raised by services and views and rendered by the handlers below."""

    def __init__(self, code: str, /, details: Any = None, *, headers: Mapping[str, str] | None = None, **params: Any):
        if code not in CATALOGUE:
            raise KeyError(f"{code} is not in the error catalogue")
        super().__init__(code)
        self.code = code
        self.details = details
        self.headers = dict(headers or {})  # sent with the error answer, e.g. Retry-After
        self.params = params

    @property
    def status(self) -> int:
        return CATALOGUE[self.code].status

    @property
    def message(self) -> str:
        template = str(CATALOGUE[self.code].message)
        if not self.params:
            return template
        # A workflow state passed as its enum member reads as its translated name, never as the raw value.
        return template % {name: state_label(value) for name, value in self.params.items()}


class ErrorSchema(Schema):
    """The body of every error answer."""

    code = fields.String(required=True, metadata={"description": "Stable machine code, e.g. response.conflict"})
    status = fields.Integer(required=True)
    message = fields.String(required=True, metadata={"description": "What went wrong and what to do, for a person"})
    details = fields.Raw(allow_none=True)


def from_integrity_error(exc: IntegrityError) -> AppError:
    """Map a database unique violation to its catalogue error (the one place that reads constraint names)."""
    text = str(exc.orig)
    for constraint, code in UNIQUE_VIOLATIONS.items():
        if constraint in text or constraint.removeprefix("uq_").replace("_", ".", 1) in text:
            return AppError(code)
    return AppError("request.conflict")


def wants_json() -> bool:
    """API callers get JSON; browsers on pages get a friendly page."""
    if request.path.startswith("/api/") or request.path == "/healthz":
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def render_error(error: AppError):
    body: dict[str, Any] = {
        "code": error.code,
        "status": error.status,
        "message": error.message,
        "details": _with_text_keys(error.details),
    }
    if wants_json():
        return body, error.status, error.headers
    return render_template("error.html", error=body), error.status, error.headers


def _with_text_keys(value: Any) -> Any:
    """Details as JSON can carry them: every mapping key a string (a form field named by nothing but whitespace
    reaches marshmallow's messages as the key None, which JSON cannot sort against text)."""
    if isinstance(value, Mapping):
        return {("" if k is None else str(k)): _with_text_keys(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_with_text_keys(v) for v in value]
    return value


def rate_limited(exc: Exception) -> AppError:
    """The catalogue error for a breached rate limit, telling the client how long to wait."""
    from .rate_limits import retry_after_seconds

    seconds = retry_after_seconds(exc)  # type: ignore[arg-type]
    return AppError(
        "request.rate_limited", details={"retry_after": seconds}, headers={"Retry-After": str(seconds)}, seconds=seconds
    )


def _from_http_exception(exc: HTTPException) -> AppError:
    from flask_limiter import RateLimitExceeded
    from flask_wtf.csrf import CSRFError

    if isinstance(exc, RateLimitExceeded):
        return rate_limited(exc)
    if isinstance(exc, CSRFError):
        log.warning("refused a form without a valid CSRF token on %s from %s", request.path, request.remote_addr)
        return AppError("request.csrf_failed")
    data: Mapping[str, Any] = getattr(exc, "data", None) or {}
    messages = data.get("messages")
    if exc.code == 400 and messages and "json" in messages and any("Invalid JSON" in m for m in _flatten(messages)):
        return AppError("request.malformed_json")
    if exc.code == 413:
        return AppError("request.too_large", limit=current_app.config["MAX_CONTENT_LENGTH"])
    code = HTTP_STATUS_CODES.get(exc.code or 500)
    if code is None:
        return AppError("server.error")
    return AppError(code, details=_unwrap_locations(messages) if messages else None)


def _unwrap_locations(messages: Mapping[str, Any]) -> Any:
    """webargs nests field errors under their location ("json", "query"); callers care about the fields."""
    if len(messages) == 1:
        return next(iter(messages.values()))
    return dict(messages)


def _flatten(value: Any):
    if isinstance(value, Mapping):
        for v in value.values():
            yield from _flatten(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _flatten(v)
    else:
        yield str(value)


def register_error_handlers(app: Flask) -> None:
    """Render every error through the catalogue; never echo an unexpected exception."""

    @app.errorhandler(AppError)
    def handle_app_error(error: AppError):
        return render_error(error)

    @app.errorhandler(HTTPException)
    def handle_http_exception(exc: HTTPException):
        return render_error(_from_http_exception(exc))

    @app.errorhandler(IntegrityError)
    def handle_integrity_error(exc: IntegrityError):
        from .extensions import db

        db.session.rollback()
        return render_error(from_integrity_error(exc))

    app.errorhandler(Exception)(unexpected_error)
    from .infrastructure_errors import register_infrastructure_handlers

    register_infrastructure_handlers(app)


def unexpected_error(exc: Exception):
    """A logged 500 that reveals nothing."""
    from .extensions import db

    log.exception("unhandled error on %s %s", request.method, request.path)
    db.session.rollback()
    return render_error(AppError("server.error"))
