"""Inserts that let the database settle duplicates: a unique violation skips the row instead of raising, so the
transaction stays usable and no savepoint is needed on the hot path."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, Table
from sqlalchemy.dialects import postgresql, sqlite

from ..extensions import db

_DIALECT_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def insert_unless_duplicate(table: Table, values: dict[str, Any], *returning: Any) -> Row | None:
    """Insert one row; return the `returning` columns, or None if any unique constraint already held the values."""
    dialect = db.session.get_bind().dialect.name
    make_insert = _DIALECT_INSERTS.get(dialect)
    if make_insert is None:
        raise RuntimeError(f"{dialect} is not a supported database; use PostgreSQL or SQLite")
    statement = make_insert(table).values(**values).on_conflict_do_nothing().returning(*returning)
    return db.session.execute(statement).first()
