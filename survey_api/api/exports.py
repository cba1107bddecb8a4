"""Exports: /api/v1/campaigns/{id}/exports/responses and …/results as streamed files (CSV, XLSX, JSON)."""

from __future__ import annotations

from flask import g
from flask_smorest import Blueprint

from ..auth import api_requires
from ..downloads import as_streamed_download
from ..services.exports import export_responses, export_results
from ..transactions import commit_on_success
from .schemas.exports import ResponseExportQuerySchema, ResultExportQuerySchema
from .security import TOKEN_SECURITY

PREFIX = "/campaigns"
blp = Blueprint("exports", __name__, description="Streamed exports of responses and results")

FILE_CONTENT = {
    "200": {
        "description": "The file, streamed, with a Content-Disposition file name",
        "content": {
            "text/csv": {},
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {},
            "application/json": {},
        },
    }
}


@blp.route("/<int:campaign_id>/exports/responses")
@api_requires("responses.read")
@blp.doc(security=TOKEN_SECURITY, responses=FILE_CONTENT)
@blp.arguments(ResponseExportQuerySchema, location="query")
@blp.alt_response(404, schema="Error", description="campaign.not_found")
@blp.alt_response(422, schema="Error", description="request.invalid or export.too_many_rows (XLSX)")
@commit_on_success  # the audit record is committed before the first byte leaves
def responses_export(query, campaign_id):
    """Every response of the campaign: one row per response, one column per question (option keys), with unit,
    channel, status, flags, stratum, cluster, duration, submission time (display zone) and weight. Receipt codes
    are never exported. CSV is UTF-8 with a byte-order mark; JSON is one array of objects, one per line."""
    export = export_responses(g.actor, campaign_id, query["format"], query["headers"], query["labels"])
    return as_streamed_download(export)


@blp.route("/<int:campaign_id>/exports/results")
@api_requires("results.read")
@blp.doc(security=TOKEN_SECURITY, responses=FILE_CONTENT)
@blp.arguments(ResultExportQuerySchema, location="query")
@blp.alt_response(404, schema="Error", description="campaign.not_found, results.not_found or results.run_not_found")
@blp.alt_response(422, schema="Error", description="request.invalid")
@commit_on_success
def results_export(query, campaign_id):
    """A result run (the latest unless run is given): per unit × index, and per unit × question with score,
    interval, top-box rate and don't-know share. XLSX holds both tables as sheets; CSV and JSON the one in table."""
    export = export_results(
        g.actor, campaign_id, query["format"], query["headers"], run_id=query["run"], table=query["table"]
    )
    return as_streamed_download(export)
