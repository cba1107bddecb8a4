"""The audit trail: /api/v1/audit (admins and auditors; read only)."""

from __future__ import annotations

from flask_smorest import Blueprint

from ..auth import api_requires
from ..services.audit import AuditFilter, list_events
from .schemas.accounts import AuditEventSchema, AuditQuerySchema
from .security import TOKEN_SECURITY

PREFIX = "/audit"
blp = Blueprint("audit", __name__, description="Who changed what, when and from where")


@blp.route("")
@api_requires("audit.read")
@blp.doc(security=TOKEN_SECURITY)
@blp.arguments(AuditQuerySchema, location="query")
@blp.response(200, AuditEventSchema(many=True))
def list_audit(query):
    """Audit records, newest first; page with before_id (the smallest id you have)."""
    return list_events(AuditFilter(**query))
