"""The household survey for scripts: /api/v1/campaigns/{id}/households (the frame), …/samples (a unit's draw),
…/assignments (batches to enumerators) and …/fieldwork/response-rates (progress and AAPOR rates as a file)."""

from __future__ import annotations

from flask import g, jsonify
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from ..auth import api_requires
from ..domain.sampling import Allocation, SizeTarget
from ..downloads import as_download
from ..errors import AppError, render_error
from ..services.fieldwork import assign_in_batches
from ..services.fieldwork_export import response_rates_file
from ..services.household_frame import import_frame
from ..services.household_sample import DesignRequest, campaign_unit, draw_sample
from ..transactions import commit_on_success
from ..uploads import accepts_upload, uploaded_file
from .schemas.fieldwork import (
    AssignmentRequestSchema,
    AssignmentResultSchema,
    FrameReportSchema,
    SampleDesignSchema,
    SampleRequestSchema,
)
from .security import TOKEN_SECURITY, file_upload_body

PREFIX = "/campaigns"
blp = Blueprint("fieldwork", __name__, description="Household survey: frame, sample, assignments, response rates")
REPORT_SCHEMA = FrameReportSchema()


class RatesQuerySchema(Schema):
    format = fields.String(load_default="csv", validate=validate.OneOf(["csv", "xlsx", "json"]))


FRAME_DOC = {"requestBody": file_upload_body("CSV or XLSX")}


@blp.route("/<int:campaign_id>/households", methods=["POST"])
@accepts_upload("IMPORT_MAX_BYTES")
@api_requires("households.write")
@blp.doc(security=TOKEN_SECURITY, **FRAME_DOC)
@blp.response(200, FrameReportSchema, description="Imported: the number of households")
@blp.alt_response(409, schema="Error", description="household.campaign_mode")
@blp.alt_response(
    422, schema="Error", description="household.frame_rejected (details: the report), household.frame_columns"
)
@commit_on_success
def frame(campaign_id):
    """Import the campaign's sampling frame: all rows or none; every problem is named by row and column."""
    filename, data = uploaded_file()
    report = import_frame(g.actor, campaign_id, filename, data)
    if report.is_rejected:
        error = AppError("household.frame_rejected", details=REPORT_SCHEMA.dump(report), rows=len(report.problems))
        body, status, _ = render_error(error)
        response = jsonify(body)
        response.status_code = status
        return response
    return report


@blp.route("/<int:campaign_id>/samples", methods=["POST"])
@api_requires("households.write")
@blp.doc(security=TOKEN_SECURITY)
@blp.arguments(SampleRequestSchema)
@blp.response(201, SampleDesignSchema)
@blp.alt_response(404, schema="Error", description="campaign.not_found or unit.not_found")
@blp.alt_response(409, schema="Error", description="sample.exists or sample.no_frame")
@blp.alt_response(422, schema="Error", description="sample.invalid or request.invalid")
@commit_on_success
def sample(body, campaign_id):
    """Draw a unit's sample once, with its design and seed recorded (the same frame and seed give the same sample)."""
    target = SizeTarget(
        sigma=body["sigma"],
        margin=body["margin"],
        design_effect=body["design_effect"],
        response_rate=body["response_rate"],
    )
    request = DesignRequest(
        body["unit"], target, Allocation(body["allocation"]), body["reserve_share"], body["max_visits"], body["seed"]
    )
    return draw_sample(g.actor, campaign_id, request)


@blp.route("/<int:campaign_id>/assignments", methods=["POST"])
@api_requires("households.write")
@blp.doc(security=TOKEN_SECURITY)
@blp.arguments(AssignmentRequestSchema)
@blp.response(200, AssignmentResultSchema)
@blp.alt_response(404, schema="Error", description="unit.not_found")
@blp.alt_response(422, schema="Error", description="assignment.invalid or request.invalid")
@commit_on_success
def assignments(body, campaign_id):
    """Share the unassigned released households (of one unit, or all) among the enumerators, in batches by
    community."""
    unit_id = campaign_unit(campaign_id, body["unit"]).id if body["unit"] else None
    return {"assigned": assign_in_batches(g.actor, campaign_id, unit_id, body["enumerators"])}


@blp.route("/<int:campaign_id>/fieldwork/response-rates")
@api_requires("fieldwork.read")
@blp.doc(
    security=TOKEN_SECURITY,
    responses={"200": {"content": {"text/csv": {}, "application/json": {}}}},
)
@blp.arguments(RatesQuerySchema, location="query")
@blp.alt_response(404, schema="Error", description="campaign.not_found")
def response_rates(query, campaign_id):
    """Per unit and community: frame, interviews needed, released, completed, refused, non-contact, unresolved,
    not eligible, RR1 = I/(I+R+NC+UH), COOP1 = I/(I+R) and REF1 = R/(I+R+NC+UH) (AAPOR; moved and vacant
    households are not eligible)."""
    return as_download(response_rates_file(campaign_id, query["format"]))
