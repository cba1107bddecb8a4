"""Access to operator endpoints. Until accounts exist, a deployment protects them with one shared bearer token."""

from __future__ import annotations

import hmac
from functools import wraps
from typing import Any, Callable

from flask import current_app, request

from ..errors import AppError

OPERATOR_SECURITY = [{"operatorToken": []}]


def operator_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Refuse the request with auth.required unless it carries the configured operator token."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        expected = current_app.config.get("OPERATOR_API_TOKEN")
        if expected:
            header = request.headers.get("Authorization", "")
            given = header[7:] if header.startswith("Bearer ") else ""
            if not hmac.compare_digest(given.encode(), expected.encode()):
                raise AppError("auth.required")
        return view(*args, **kwargs)

    return wrapper
