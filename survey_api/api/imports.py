"""Answer imports: /api/v1/campaigns/<id>/imports — telephone and paper answers from CSV or XLSX files."""

from __future__ import annotations

from flask import g, jsonify, request
from flask_smorest import Blueprint
from marshmallow import ValidationError

from ..auth import api_requires
from ..downloads import as_download
from ..errors import AppError, render_error
from ..models import Channel
from ..services.campaigns import get_campaign
from ..services.import_template import MIMETYPES, import_template
from ..services.response_import import ImportRequest, import_responses
from ..transactions import commit_on_success
from ..uploads import accepts_upload, uploaded_file
from .schemas.imports import ImportOptionsSchema, ImportReportSchema, TemplateQuerySchema
from .security import TOKEN_SECURITY, file_upload_body

PREFIX = "/campaigns"
blp = Blueprint("imports", __name__, description="Importing telephone (CATI) and paper answers from files")

OPTIONS_SCHEMA = ImportOptionsSchema()
REPORT_SCHEMA = ImportReportSchema()


def _error(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


# A multipart body is parsed here rather than by the argument layer, so the route can refuse a non-multipart body
# after authentication; the request body is documented by hand.
IMPORT_DOC = {
    "requestBody": file_upload_body(
        "CSV (UTF-8 or GBK) or XLSX",
        channel={"type": "string", "enum": ["phone", "paper"], "default": "phone"},
        accept_valid={"type": "boolean", "default": False},
    ),
    "responses": {
        "404": _error("campaign.not_found"),
        "409": _error("import.campaign_draft"),
        "413": _error("import.too_large or request.too_large"),
        "415": _error("request.upload_required"),
        "422": _error(
            "import.rejected (details: the report, nothing stored), import.bad_columns (details per problem), "
            "import.unreadable or request.invalid"
        ),
    },
}


@blp.route("/<int:campaign_id>/imports", methods=["POST"])
@accepts_upload("IMPORT_MAX_BYTES")
@api_requires("responses.import")
@blp.doc(security=TOKEN_SECURITY, **IMPORT_DOC)
@blp.response(200, ImportReportSchema, description="Imported: every row's outcome, with the reasons for rejections")
@commit_on_success
def import_file(campaign_id):
    """Import answers collected by telephone or on paper. All rows or none, unless accept_valid; importing the
    same file again adds nothing (its rows are reported as already imported)."""
    filename, data = uploaded_file()
    try:
        options = OPTIONS_SCHEMA.load(request.form.to_dict())
    except ValidationError as error:
        raise AppError("request.invalid", details=error.messages) from error
    report = import_responses(
        g.actor,
        ImportRequest(campaign_id, filename, data, Channel(options["channel"]), options["accept_valid"]),
    )
    if report.is_rejected:
        # Answered, not raised: the audit record of the refused attempt is committed; no answer was stored.
        error = AppError("import.rejected", details=REPORT_SCHEMA.dump(report), **report.counts)
        body, status, _ = render_error(error)
        response = jsonify(body)
        response.status_code = status
        return response
    return report


@blp.route("/<int:campaign_id>/imports/template")
@api_requires("responses.import")
@blp.doc(
    security=TOKEN_SECURITY,
    responses={"200": {"content": {mimetype: {} for mimetype in MIMETYPES.values()}}},
)
@blp.arguments(TemplateQuerySchema, location="query")
@blp.alt_response(404, schema="Error", description="campaign.not_found")
def template(query, campaign_id):
    """An empty answers file for this campaign with the right headers (XLSX also lists every question's options)."""
    return as_download(import_template(get_campaign(campaign_id), query["format"]))
