"""Ids in addresses and bodies are bounded by what the database stores (INTEGER keys: 32 bits on PostgreSQL): a
larger number can name nothing, so it is "not found" in a path and invalid in a body, never a database error."""

from __future__ import annotations

from werkzeug.routing import IntegerConverter

MAX_DATABASE_ID = 2**31 - 1


class DatabaseIdConverter(IntegerConverter):
    """`<int:…>` in every route: a number beyond the largest id does not match the route (404 request.not_found)."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002  (werkzeug's parameter name)
        kwargs.setdefault("max", MAX_DATABASE_ID)
        super().__init__(map, *args, **kwargs)
