"""The enumerator's phone: today's list of assigned households, and visits (an outcome or an interview) that the
page queues on the phone and sends, with their submission ids, whenever the network allows (static/field.js)."""

from __future__ import annotations

from datetime import datetime, timezone

from flask import current_app, g, jsonify, render_template, request, send_from_directory
from marshmallow import Schema, ValidationError, fields, validate

from ...auth import page_requires
from ...domain.fieldwork import Outcome
from ...errors import AppError
from ...extensions import db
from ...models import Campaign
from ...services.campaigns import campaign_definitions
from ...services.fieldwork import VisitRecord, households_of, record_visit
from ...transactions import commit_on_success
from ..public import field_name
from . import bp

MAX_CLOCK_SKEW_SECONDS = 600


class VisitSchema(Schema):
    submission_id = fields.String(required=True, validate=validate.Length(min=8, max=64))
    household_id = fields.Integer(required=True)
    outcome = fields.Enum(Outcome, by_value=True, required=True)
    visited_at = fields.AwareDateTime(required=True, default_timezone=timezone.utc)
    answers = fields.Dict(load_default=None)
    duration_seconds = fields.Integer(load_default=None, allow_none=True)


VISIT_SCHEMA = VisitSchema()


@bp.get("/field/")
@page_requires("fieldwork.visit")
def field():
    """Today's list, with every questionnaire the enumerator may need already on the page (it works offline)."""
    households = households_of(g.user)
    campaign_ids = sorted({h.campaign_id for h in households})
    campaigns = [db.session.get(Campaign, cid) for cid in campaign_ids]
    forms = {c.id: campaign_definitions(c) for c in campaigns}
    return render_template(
        "console/field.html", households=households, campaigns=campaigns, forms=forms, field_name=field_name
    )


@bp.post("/field/visits")
@page_requires("fieldwork.visit")
@commit_on_success
def record_field_visit():
    """One visit from the phone's queue: 201 when stored, 200 for a resend of one already stored."""
    try:
        data = VISIT_SCHEMA.load(request.get_json(silent=True) or {})
    except ValidationError as error:
        raise AppError("request.invalid", details=error.messages) from error
    visited_at: datetime = data["visited_at"].astimezone(timezone.utc)
    now = datetime.now(timezone.utc)
    if (visited_at - now).total_seconds() > MAX_CLOCK_SKEW_SECONDS:
        raise AppError("request.invalid", details={"visited_at": ["in the future: check the phone's clock"]})
    if data["outcome"] is Outcome.COMPLETED and not data["answers"]:
        raise AppError("request.invalid", details={"answers": ["a completed visit carries the interview"]})
    receipt = record_visit(
        g.user,
        VisitRecord(
            submission_id=data["submission_id"],
            household_id=data["household_id"],
            outcome=data["outcome"],
            visited_at=visited_at,
            answers=data["answers"] if data["outcome"] is Outcome.COMPLETED else None,
            duration_seconds=data["duration_seconds"],
        ),
    )
    response = jsonify(
        {
            "submission_id": receipt.submission_id,
            "household_id": receipt.household_id,
            "outcome": receipt.outcome,
            "state": receipt.state,
            "receipt_code": receipt.receipt_code,
            "is_new": receipt.is_new,
        }
    )
    response.status_code = 201 if receipt.is_new else 200
    return response


@bp.get("/field/sw.js")
@page_requires("fieldwork.visit")
def field_service_worker():
    """The service worker, served under /console/field/ so that its scope is the enumerator's pages (fetched, like
    them, with the enumerator's session)."""
    response = send_from_directory(current_app.static_folder, "field-sw.js", mimetype="text/javascript", max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    return response
