"""Quality flags and their review under /api/v1/campaigns/<id>/…: thresholds, the sweep, the review queue,
include/exclude decisions and the unit integrity view."""

from __future__ import annotations

from flask import g, request
from flask_smorest import Blueprint

from ..auth import api_requires
from ..services import quality, review
from ..services.campaigns import get_campaign
from ..services.clock import utcnow
from ..transactions import commit_on_success
from .schemas.review import (
    DecisionBodySchema,
    DecisionReportSchema,
    QualityRulesSchema,
    QueueItemSchema,
    ReviewQuerySchema,
    SweepReportSchema,
    UnitIntegritySchema,
    UnitTimelineSchema,
)
from .security import TOKEN_SECURITY

PREFIX = "/campaigns"
blp = Blueprint("review", __name__, description="Quality flags, the review queue and unit integrity")


@blp.route("/<int:campaign_id>/quality-rules")
@api_requires("responses.read")
@blp.doc(security=TOKEN_SECURITY)
@blp.response(200, QualityRulesSchema)
@blp.alt_response(404, schema="Error", description="campaign.not_found")
def get_quality_rules(campaign_id):
    """The campaign's quality-flag thresholds (defaults for those it does not set)."""
    return quality.stored_rules(get_campaign(campaign_id))


@blp.route("/<int:campaign_id>/quality-rules", methods=["PATCH"])
@api_requires("responses.review")
@blp.doc(
    security=TOKEN_SECURITY,
    requestBody={"content": {"application/json": {"schema": {"type": "object"}}}, "required": True},
)
@blp.response(200, QualityRulesSchema)
@blp.alt_response(404, schema="Error", description="campaign.not_found")
@blp.alt_response(409, schema="Error", description="quality.rules_locked: the campaign has closed")
@blp.alt_response(422, schema="Error", description="quality.rules_invalid: each setting's problem in details")
@commit_on_success
def set_quality_rules(campaign_id):
    """Change some thresholds of a draft or open campaign; settings not sent keep their value."""
    return quality.set_rules(g.actor, get_campaign(campaign_id), request.get_json(silent=True))


@blp.route("/<int:campaign_id>/quality/sweep", methods=["POST"])
@api_requires("responses.review")
@blp.doc(security=TOKEN_SECURITY)
@blp.response(200, SweepReportSchema)
@blp.alt_response(404, schema="Error", description="campaign.not_found")
@commit_on_success
def sweep_campaign(campaign_id):
    """Decide the duplicate and burst rules over the campaign's answers now (idempotent)."""
    return quality.sweep(get_campaign(campaign_id), utcnow())


@blp.route("/<int:campaign_id>/review")
@api_requires("responses.read")
@blp.doc(security=TOKEN_SECURITY)
@blp.arguments(ReviewQuerySchema, location="query")
@blp.response(200, QueueItemSchema(many=True))
@blp.alt_response(404, schema="Error", description="campaign.not_found or unit.not_found")
def review_queue(query, campaign_id):
    """Flagged responses, newest first, with every flag's evidence; filter by unit, rule and status. The flags of
    duplicate answers and bursts are as of the last sweep (POST …/quality/sweep, the console, or the timer)."""
    campaign = get_campaign(campaign_id)
    return review.review_queue(campaign, query.get("unit"), query.get("rule"), query.get("status"), query["limit"])


@blp.route("/<int:campaign_id>/review/decisions", methods=["POST"])
@api_requires("responses.review")
@blp.doc(security=TOKEN_SECURITY)
@blp.arguments(DecisionBodySchema)
@blp.response(200, DecisionReportSchema)
@blp.alt_response(404, schema="Error", description="campaign.not_found")
@blp.alt_response(422, schema="Error", description="review.unknown_responses: nothing changed; or request.invalid")
@commit_on_success
def decide(body, campaign_id):
    """Include or exclude responses (one or many) with a reason; all or none. Each decision is audited and can be
    changed later; an excluded response stays stored, with its status."""
    campaign = get_campaign(campaign_id)
    return review.decide(g.actor, campaign, body["response_ids"], body["decision"], body["reason"], utcnow())


@blp.route("/<int:campaign_id>/integrity")
@api_requires("responses.read")
@blp.doc(security=TOKEN_SECURITY)
@blp.response(200, UnitIntegritySchema(many=True))
@blp.alt_response(404, schema="Error", description="campaign.not_found")
def campaign_integrity(campaign_id):
    """Per unit: answers, how many are flagged (by any rule and by each), under review and excluded."""
    return review.integrity(get_campaign(campaign_id))


@blp.route("/<int:campaign_id>/integrity/<unit_code>")
@api_requires("responses.read")
@blp.doc(security=TOKEN_SECURITY)
@blp.response(200, UnitTimelineSchema)
@blp.alt_response(404, schema="Error", description="campaign.not_found or unit.not_found")
def unit_integrity(campaign_id, unit_code):
    """One unit's answers per window around its busiest stretch, its usual count per window and the burst
    threshold."""
    return review.unit_timeline(get_campaign(campaign_id), unit_code)
