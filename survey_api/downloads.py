"""Answering with a generated file, the same way for the API and the console."""

from __future__ import annotations

from flask import Response

from .services.campaign_files import FileBody


def as_download(file: FileBody) -> Response:
    response = Response(file.body, mimetype=file.mimetype)
    response.headers["Content-Disposition"] = f'inline; filename="{file.filename}"'
    return response
