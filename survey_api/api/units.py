"""Units: /api/v1/units"""

from __future__ import annotations

from flask_smorest import Blueprint

from ..services import units as unit_service
from ..transactions import commit_on_success
from .guard import OPERATOR_SECURITY, operator_required
from .schemas.units import UnitCreateSchema, UnitQuerySchema, UnitSchema

PREFIX = "/units"
blp = Blueprint("units", __name__, description="Evaluated units (考核对象)")


@blp.route("")
@blp.doc(security=OPERATOR_SECURITY)
@blp.arguments(UnitQuerySchema, location="query")
@blp.response(200, UnitSchema(many=True))
@blp.alt_response(401, schema="Error")
@operator_required
def list_units(query):
    """List units, optionally of one category."""
    return unit_service.list_units(query.get("category"))


@blp.route("", methods=["POST"])
@blp.doc(security=OPERATOR_SECURITY)
@blp.arguments(UnitCreateSchema)
@blp.response(201, UnitSchema)
@blp.alt_response(409, schema="Error", description="unit.exists")
@blp.alt_response(422, schema="Error", description="request.invalid")
@operator_required
@commit_on_success
def create_unit(body):
    """Add a unit."""
    return unit_service.create_unit(**body)


@blp.route("/<code>")
@blp.doc(security=OPERATOR_SECURITY)
@blp.response(200, UnitSchema)
@blp.alt_response(404, schema="Error", description="unit.not_found")
@operator_required
def get_unit(code):
    """One unit by code."""
    return unit_service.get_unit(code)
