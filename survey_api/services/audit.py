"""Recording and reading the audit trail. A record is written in the same transaction as the change it describes,
so a change without its record (or a record without its change) cannot be committed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from ..extensions import db
from ..models import AuditEvent
from .clock import utcnow


@dataclass(frozen=True)
class Actor:
    """Who is acting, from where and through which door; views and commands build one and pass it to services."""

    user_id: int | None
    name: str
    role: str
    via: str  # web, api or cli
    ip_address: str | None = None


SYSTEM = Actor(user_id=None, name="system", role="system", via="cli")


def record(actor: Actor, action: str, object_type: str, object_id: Any, changes: dict[str, Any] | None = None) -> None:
    """Add an audit record to the current transaction."""
    db.session.add(
        AuditEvent(
            occurred_at=utcnow(),
            actor_id=actor.user_id,
            actor_name=actor.name,
            actor_role=actor.role,
            via=actor.via,
            ip_address=actor.ip_address,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            changes=_plain(changes or {}),
        )
    )


def _plain(value: Any) -> Any:
    """JSON-safe copy: times as ISO text, enums as their values."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "value") and not isinstance(value, (str, int, float, bool)):
        return value.value
    return value


@dataclass(frozen=True)
class AuditFilter:
    action: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    actor: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 100
    before_id: int | None = None  # keyset paging: the smallest id of the previous page


def list_events(query: AuditFilter) -> list[AuditEvent]:
    """Audit records, newest first, filtered."""
    statement = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(query.limit)
    conditions = {
        AuditEvent.action: query.action,
        AuditEvent.object_type: query.object_type,
        AuditEvent.object_id: query.object_id,
        AuditEvent.actor_name: query.actor,
    }
    for column, value in conditions.items():
        if value:
            statement = statement.where(column == value)
    if query.since:
        statement = statement.where(AuditEvent.occurred_at >= query.since)
    if query.until:
        statement = statement.where(AuditEvent.occurred_at < query.until)
    if query.before_id:
        statement = statement.where(AuditEvent.id < query.before_id)
    return list(db.session.scalars(statement))
