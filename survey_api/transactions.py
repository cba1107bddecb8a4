"""The request owns the transaction: write views commit here once, or roll back on any error."""

from __future__ import annotations

import logging
from functools import wraps
from typing import Any, Callable

from sqlalchemy.exc import SQLAlchemyError

from .extensions import db

log = logging.getLogger(__name__)


def commit_on_success(view: Callable[..., Any]) -> Callable[..., Any]:
    """Commit after the view returns; roll back if it raises, so nothing is half-written."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            result = view(*args, **kwargs)
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise
        return result

    return wrapper


def close_session_quietly(exc: BaseException | None) -> None:
    """End the request's session. A connection the database cut meanwhile (a restart) cannot roll back; it is
    dropped with a warning rather than turning an answered request into a 500 after the fact."""
    try:
        db.session.remove()
    except SQLAlchemyError as error:
        log.warning("dropped a database connection that could not be closed: %s", error.__class__.__name__)
        db.session.registry.clear()
