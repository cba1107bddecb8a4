"""The base schema: unknown fields are refused and text is trimmed, in this one place."""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, pre_load


def _trim(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, list):
        return [_trim(v) for v in value]
    if isinstance(value, dict):
        return {k: _trim(v) for k, v in value.items()}
    return value


class BaseSchema(Schema):
    class Meta:
        unknown = RAISE
        ordered = True

    @pre_load
    def trim_whitespace(self, data: Any, **kwargs: Any) -> Any:
        return _trim(data) if isinstance(data, dict) else data
