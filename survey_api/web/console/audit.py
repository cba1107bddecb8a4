"""The audit trail in the console, for admins and oversight."""

from __future__ import annotations

from flask import render_template, request

from ...auth import page_requires
from ...services.audit import AuditFilter, list_events
from ..local_time import parse_local
from . import bp

PAGE_SIZE = 50


@bp.get("/audit")
@page_requires("audit.read")
def audit():
    args = request.args
    before = args.get("before_id", "")
    try:
        since = parse_local(args.get("since", "")[:20])
    except ValueError:
        since = None
    query = AuditFilter(
        action=args.get("action", "").strip()[:64] or None,
        object_type=args.get("object_type", "").strip()[:32] or None,
        object_id=args.get("object_id", "").strip()[:64] or None,
        actor=args.get("actor", "").strip()[:64] or None,
        since=since,
        limit=PAGE_SIZE,
        before_id=int(before) if before.isdigit() else None,
    )
    events = list_events(query)
    next_before = events[-1].id if len(events) == PAGE_SIZE else None
    return render_template("console/audit.html", events=events, args=args, next_before=next_before)
