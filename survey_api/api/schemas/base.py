"""The base schema: unknown fields are refused and text is trimmed, in this one place."""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, pre_load, validate

from ...routing import MAX_DATABASE_ID

# An id sent in a body or a query: positive, and no larger than the database can store.
DATABASE_ID = validate.Range(min=1, max=MAX_DATABASE_ID)


def _trim(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, list):
        return [v.strip() if isinstance(v, str) else v for v in value]
    return value


class BaseSchema(Schema):
    class Meta:
        unknown = RAISE
        ordered = True

    @pre_load
    def trim_whitespace(self, data: Any, **kwargs: Any) -> Any:
        """Trim the body's own text fields and lists of text. Nested documents (a respondent's answers) are
        canonicalised by the domain rules that check them."""
        return {k: _trim(v) for k, v in data.items()} if isinstance(data, dict) else data
