"""Inserts that let the database settle duplicates: a unique violation skips the row instead of raising, so the
transaction stays usable and no savepoint is needed on the hot path."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, Row, Table
from sqlalchemy.dialects import postgresql, sqlite

from ..extensions import db

_DIALECT_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
_STATEMENTS: dict[tuple[str, str, tuple[str, ...]], Any] = {}


def insert_unless_duplicate(table: Table, values: dict[str, Any], returning: Column) -> Row | None:
    """Insert one row; return the `returning` column, or None if a unique constraint already held the values."""
    connection = db.session.connection()
    dialect = connection.dialect.name
    key = (dialect, table.name, tuple(values))
    statement = _STATEMENTS.get(key)
    if statement is None:
        make_insert = _DIALECT_INSERTS.get(dialect)
        if make_insert is None:
            raise RuntimeError(f"{dialect} is not a supported database; use PostgreSQL or SQLite")
        # Built once per shape: building and coercing the statement costs more than running it.
        statement = _STATEMENTS[key] = make_insert(table).on_conflict_do_nothing().returning(returning)
    return connection.execute(statement, values).first()
