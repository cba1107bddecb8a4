"""The one statement that stores a response: it looks the link up, checks that its campaign takes answers now,
and inserts unless the submission id, the receipt code or the respondent's identity key (among current responses
of the campaign and unit: a partial unique index) is already stored, in a single round trip. When it
inserts nothing, the caller finds out why on the slow path."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, bindparam, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from ..domain.campaigns import CampaignState
from ..extensions import db
from ..models import Campaign, CampaignUnit, Response

RESPONSES = Response.__table__
VALUE_COLUMNS = (
    "submission_id",
    "channel",
    "form_versions",
    "answers",
    "duration_seconds",
    "answers_digest",
    "receipt_code",
    "submitted_at",
    "identity_key",
    "status",
    "network_key",
)
_DIALECT_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
_STATEMENTS: dict[str, Any] = {}


def _statement(dialect: str):
    links, campaigns = CampaignUnit.__table__, Campaign.__table__
    now = bindparam("now", type_=campaigns.c.opens_at.type)
    source = (
        select(
            bindparam("submission_id", type_=RESPONSES.c.submission_id.type),
            links.c.campaign_id,
            links.c.unit_id,
            links.c.id,
            *(bindparam(name, type_=RESPONSES.c[name].type) for name in VALUE_COLUMNS[1:]),
        )
        .select_from(links.join(campaigns, campaigns.c.id == links.c.campaign_id))
        .where(
            links.c.link_token == bindparam("token"),
            campaigns.c.state == CampaignState.OPEN,
            or_(campaigns.c.opens_at.is_(None), campaigns.c.opens_at <= now),
            or_(campaigns.c.closes_at.is_(None), campaigns.c.closes_at > now),
        )
    )
    columns = ["submission_id", "campaign_id", "unit_id", "campaign_unit_id", *VALUE_COLUMNS[1:]]
    make_insert = _DIALECT_INSERTS.get(dialect)
    if make_insert is None:
        raise RuntimeError(f"{dialect} is not a supported database; use PostgreSQL or SQLite")
    return make_insert(RESPONSES).from_select(columns, source).on_conflict_do_nothing().returning(RESPONSES.c.id)


def insert_if_accepting(token: str, values: dict[str, Any]) -> Row | None:
    """Insert the response for this link if its campaign is open at values["submitted_at"]; None if nothing was
    inserted (unknown link, campaign not taking answers, or a submission id or receipt code already stored)."""
    connection = db.session.connection()
    dialect = connection.dialect.name
    statement = _STATEMENTS.get(dialect)
    if statement is None:
        statement = _STATEMENTS[dialect] = _statement(dialect)  # built once: building costs more than running
    return connection.execute(statement, {**values, "token": token, "now": values["submitted_at"]}).first()


BULK_CHUNK = 1000


def insert_many(rows: list[dict[str, Any]]) -> set[str]:
    """Insert complete response rows in batches (a few statements for thousands of rows); return the submission
    ids actually inserted. A row whose submission id or receipt code is already stored is skipped, not an error."""
    if not rows:
        return set()
    connection = db.session.connection()
    make_insert = _DIALECT_INSERTS[connection.dialect.name]
    statement = make_insert(RESPONSES).on_conflict_do_nothing().returning(RESPONSES.c.submission_id)
    inserted: set[str] = set()
    for start in range(0, len(rows), BULK_CHUNK):
        result = connection.execute(statement, rows[start : start + BULK_CHUNK])
        inserted.update(result.scalars())
    return inserted
