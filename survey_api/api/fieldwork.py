"""The household survey's figures for scripts: /api/v1/campaigns/{id}/fieldwork/response-rates as a file (CSV,
XLSX, JSON) with progress and AAPOR response rates per unit and community."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from ..auth import api_requires
from ..downloads import as_download
from ..services.fieldwork_export import response_rates_file
from .security import TOKEN_SECURITY

PREFIX = "/campaigns"
blp = Blueprint("fieldwork", __name__, description="Household survey progress and response rates")


class RatesQuerySchema(Schema):
    format = fields.String(load_default="csv", validate=validate.OneOf(["csv", "xlsx", "json"]))


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
