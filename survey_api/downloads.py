"""Answering with a generated file, the same way for the API and the console."""

from __future__ import annotations

from flask import Response, stream_with_context

from .services.campaign_files import FileBody
from .services.exports import Export


def as_download(file: FileBody) -> Response:
    response = Response(file.body, mimetype=file.mimetype)
    response.headers["Content-Disposition"] = f'inline; filename="{file.filename}"'
    return response


def as_streamed_download(export: Export) -> Response:
    """A file sent chunk by chunk as it is produced, with the request's context (and database session) kept
    open until the last chunk."""
    response = Response(stream_with_context(export.chunks), content_type=export.mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response.headers["X-Export-Rows"] = str(export.rows)
    return response
