"""Scoring: rule sets, population margins and campaign results under /api/v1/campaigns/<id>/…"""

from __future__ import annotations

from flask import g, request
from flask_smorest import Blueprint

from ..auth import api_requires
from ..services import results as result_service
from ..services.campaigns import get_campaign
from ..services.margins import MarginRow, margins_of, set_margins
from ..services.rule_sets import choose_rule_set, get_rule_set_version, list_rule_set_versions, store_rules
from ..transactions import commit_on_success
from .schemas.results import (
    MarginsBodySchema,
    MarginSchema,
    ResultRunSchema,
    ResultRunSummarySchema,
    RuleSetChoiceSchema,
    RuleSetVersionSchema,
    RunQuerySchema,
    VerificationSchema,
)
from .security import TOKEN_SECURITY

PREFIX = ""
blp = Blueprint("results", __name__, description="Scoring rule sets, population margins and campaign results")


@blp.route("/rule-sets")
@api_requires("results.read")
@blp.doc(security=TOKEN_SECURITY)
@blp.response(200, RuleSetVersionSchema(many=True))
def list_rule_sets():
    """Every stored scoring rule-set version."""
    return list_rule_set_versions()


@blp.route("/rule-sets", methods=["POST"])
@api_requires("results.write")
@blp.doc(
    security=TOKEN_SECURITY,
    requestBody={"content": {"application/json": {"schema": {"type": "object"}}}, "required": True},
)
@blp.response(201, RuleSetVersionSchema)
@blp.alt_response(422, schema="Error", description="rules.invalid: every problem named in details")
@commit_on_success
def create_rule_set():
    """Store a rule set (the same fields as a file in rules/); identical content returns the stored version."""
    return store_rules(g.actor, request.get_json(silent=True), "request body")


@blp.route("/campaigns/<int:campaign_id>/rule-set", methods=["PUT"])
@api_requires("results.write")
@blp.doc(security=TOKEN_SECURITY)
@blp.arguments(RuleSetChoiceSchema)
@blp.response(200, RuleSetVersionSchema)
@blp.alt_response(404, schema="Error", description="campaign.not_found or rules.not_found")
@blp.alt_response(409, schema="Error", description="rules.locked: the campaign has published results")
@commit_on_success
def choose_campaign_rule_set(body, campaign_id):
    """Score the campaign with another stored rule-set version (until its results are published)."""
    return choose_rule_set(g.actor, get_campaign(campaign_id), get_rule_set_version(body["rule_set_version_id"]))


@blp.route("/campaigns/<int:campaign_id>/margins")
@api_requires("results.read")
@blp.doc(security=TOKEN_SECURITY)
@blp.response(200, MarginSchema(many=True))
@blp.alt_response(404, schema="Error", description="campaign.not_found")
def list_margins(campaign_id):
    """The population margins of each unit of the campaign."""
    return _margin_rows(campaign_id)


def _margin_rows(campaign_id: int) -> list[dict]:
    campaign = get_campaign(campaign_id)
    codes = {link.unit_id: link.unit.code for link in campaign.links}
    return [
        {"unit_code": codes[unit], "variable": variable, "category": category, "share": share}
        for unit, by_variable in sorted(margins_of(campaign_id).items(), key=lambda item: codes[item[0]])
        for variable, shares in sorted(by_variable.items())
        for category, share in sorted(shares.items())
    ]


@blp.route("/campaigns/<int:campaign_id>/margins", methods=["PUT"])
@api_requires("results.write")
@blp.doc(security=TOKEN_SECURITY)
@blp.arguments(MarginsBodySchema)
@blp.response(200, MarginSchema(many=True))
@blp.alt_response(404, schema="Error", description="campaign.not_found")
@blp.alt_response(422, schema="Error", description="margins.invalid: every problem named in details")
@commit_on_success
def replace_margins(body, campaign_id):
    """Replace the margins of every unit named in the body (units not named keep theirs); all rows or none."""
    set_margins(g.actor, get_campaign(campaign_id), [MarginRow(**row) for row in body["margins"]])
    return _margin_rows(campaign_id)


@blp.route("/campaigns/<int:campaign_id>/results", methods=["POST"])
@api_requires("results.write")
@blp.doc(security=TOKEN_SECURITY)
@blp.response(201, ResultRunSchema)
@blp.alt_response(404, schema="Error", description="campaign.not_found")
@blp.alt_response(409, schema="Error", description="results.no_responses")
@blp.alt_response(422, schema="Error", description="margins.not_fitted")
@commit_on_success
def compute_results(campaign_id):
    """Compute the campaign's results from its included answers now, and store them as a new run."""
    return result_service.compute_results(g.actor, campaign_id)


@blp.route("/campaigns/<int:campaign_id>/results")
@api_requires("results.read")
@blp.doc(security=TOKEN_SECURITY)
@blp.arguments(RunQuerySchema, location="query")
@blp.response(200, ResultRunSchema)
@blp.alt_response(404, schema="Error", description="campaign.not_found, results.not_found or results.run_not_found")
def get_results(query, campaign_id):
    """A computed run with every number (the latest unless run= is given)."""
    return result_service.get_run(campaign_id, query["run"])


@blp.route("/campaigns/<int:campaign_id>/results/runs")
@api_requires("results.read")
@blp.doc(security=TOKEN_SECURITY)
@blp.response(200, ResultRunSummarySchema(many=True))
@blp.alt_response(404, schema="Error", description="campaign.not_found")
def list_runs(campaign_id):
    """Every run of the campaign, newest first."""
    return result_service.list_runs(campaign_id)


@blp.route("/campaigns/<int:campaign_id>/results/<int:run_id>/publish", methods=["POST"])
@api_requires("results.write")
@blp.doc(security=TOKEN_SECURITY)
@blp.response(200, ResultRunSummarySchema)
@blp.alt_response(404, schema="Error", description="campaign.not_found or results.run_not_found")
@commit_on_success
def publish_results(campaign_id, run_id):
    """Publish a run as the campaign's result; publishing again changes nothing."""
    return result_service.publish_run(g.actor, campaign_id, run_id)


@blp.route("/campaigns/<int:campaign_id>/results/<int:run_id>/verification")
@api_requires("results.read")
@blp.doc(security=TOKEN_SECURITY)
@blp.response(200, VerificationSchema)
@blp.alt_response(404, schema="Error", description="campaign.not_found or results.run_not_found")
def verify_results(campaign_id, run_id):
    """Recompute a run from its frozen rules and margins: are the inputs and every number unchanged?"""
    return result_service.verify_run(campaign_id, run_id)
