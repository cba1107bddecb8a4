"""Checks every JSON API request body before a view sees it: right content type, valid JSON."""

from __future__ import annotations

from flask import request

from ..errors import AppError
from ..uploads import upload_limit_key

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def check_json_body() -> None:
    """Refuse a body that is not JSON (415) or not valid JSON (400); an empty body is allowed. Upload views check
    their own multipart body, after authentication."""
    if request.method not in BODY_METHODS or not request.path.startswith("/api/") or upload_limit_key():
        return
    has_body = bool(request.content_length) or request.headers.get("Transfer-Encoding") == "chunked"
    if not has_body:
        return
    if request.mimetype != "application/json":
        raise AppError("request.unsupported_media_type")
    if request.get_json(silent=True) is None:
        raise AppError("request.malformed_json")
