"""File uploads: the few views that take one declare it, and only they get a body larger than MAX_CONTENT_LENGTH."""

from __future__ import annotations

from typing import Any, Callable

from flask import current_app, request

from .errors import AppError


def accepts_upload(config_key: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Mark a view that takes a multipart file upload of at most app.config[config_key] bytes."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        view.upload_limit_key = config_key  # type: ignore[attr-defined]
        return view

    return decorator


def upload_limit_key() -> str | None:
    """The config key of the current view's upload limit, if it takes uploads."""
    view = current_app.view_functions.get(request.endpoint or "")
    return getattr(view, "upload_limit_key", None)


def raise_upload_limit(endpoint: str | None, values: Any) -> None:
    """Runs before any before_request hook (the CSRF check reads the form, and with it the body): give an upload
    view its own body limit, with room for the multipart framing."""
    key = upload_limit_key()
    if key is not None:
        request.max_content_length = current_app.config[key] + 64 * 1024


def uploaded_file(field: str = "file") -> tuple[str, bytes]:
    """The name and content of the uploaded file; request.upload_required if the request carries none."""
    if request.mimetype != "multipart/form-data":
        raise AppError("request.upload_required")
    upload = request.files.get(field)
    if upload is None or not upload.filename:
        raise AppError("request.invalid", details={field: ["Choose a CSV or XLSX file."]})
    limit = current_app.config[upload_limit_key() or "MAX_CONTENT_LENGTH"]
    return upload.filename, upload.stream.read(limit + 1)
