"""GET /healthz: is the database reachable."""

from __future__ import annotations

import logging

from flask import Blueprint
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ..errors import AppError
from ..extensions import db

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)


@bp.get("/healthz")
def healthz():
    """200 with {"status": "ok"} when the database answers; 503 server.unavailable when it does not."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        log.warning("health check: database unreachable: %s", exc.__class__.__name__)
        db.session.rollback()
        raise AppError("server.unavailable") from exc
    return {"status": "ok", "database": "ok"}
