"""The request owns the transaction: write views commit here once, or roll back on any error."""

from __future__ import annotations

from functools import wraps
from typing import Any, Callable

from .extensions import db


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
