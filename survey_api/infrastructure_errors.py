"""When the machinery under the app fails (the database restarting, a full disk) or refuses what HTTP carries (the
NUL character in text): clean catalogue answers a client can act on or retry, never a 500, and a log line for the
operator."""

from __future__ import annotations

import errno
import logging

from flask import Flask, request
from sqlalchemy.exc import DataError, DisconnectionError, InterfaceError, OperationalError, SQLAlchemyError

from .errors import AppError, render_error, unexpected_error
from .extensions import db

log = logging.getLogger(__name__)

# How long a client is asked to wait when the database cannot be reached (a restart takes a few seconds) ...
DATABASE_RETRY_SECONDS = 5
# ... and when the disk is full, which needs an operator.
DISK_FULL_RETRY_SECONDS = 300


def database_unavailable(exc: Exception):
    """The database cannot be reached (restarting, failing over, overloaded): a refusal the client may retry. A
    submission cut off at its commit is safe to resend: its id makes it count once."""
    log.warning("database unavailable on %s %s: %s", request.method, request.path, exc.__class__.__name__)
    try:
        db.session.rollback()
    except SQLAlchemyError:
        db.session.remove()
    return render_error(AppError("server.unavailable", headers={"Retry-After": str(DATABASE_RETRY_SECONDS)}))


def os_error(exc: OSError):
    """No space left (an upload spooling to a full temporary folder): refused cleanly, the operator told loudly."""
    if exc.errno != errno.ENOSPC:
        return unexpected_error(exc)
    log.error("no space left on device on %s %s (temporary folder or disk full)", request.method, request.path)
    db.session.rollback()
    return render_error(AppError("server.unavailable", headers={"Retry-After": str(DISK_FULL_RETRY_SECONDS)}))


def data_error(exc: DataError):
    """PostgreSQL refuses text holding the NUL character (0x00), which HTTP happily carries: the client's input."""
    if "NUL" not in str(exc.orig):
        return unexpected_error(exc)
    db.session.rollback()
    return render_error(AppError("request.invalid", details={"": ["Text cannot contain the NUL character (0x00)."]}))


def register_infrastructure_handlers(app: Flask) -> None:
    for kind in (OperationalError, InterfaceError, DisconnectionError):
        app.errorhandler(kind)(database_unavailable)
    app.errorhandler(OSError)(os_error)
    app.errorhandler(DataError)(data_error)
