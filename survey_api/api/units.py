"""Units: /api/v1/units"""

from __future__ import annotations

from flask import g
from flask_smorest import Blueprint

from ..auth import api_requires, ensure_unit_visible, own_unit_only
from ..services import units as unit_service
from ..transactions import commit_on_success
from .schemas.units import UnitCreateSchema, UnitQuerySchema, UnitSchema
from .security import TOKEN_SECURITY

PREFIX = "/units"
blp = Blueprint("units", __name__, description="Evaluated units (考核对象)")


@blp.route("")
@api_requires("unit.read")
@blp.doc(security=TOKEN_SECURITY)
@blp.arguments(UnitQuerySchema, location="query")
@blp.response(200, UnitSchema(many=True))
@blp.alt_response(401, schema="Error")
def list_units(query):
    """List units, optionally of one category; a unit's own staff see only their unit."""
    return unit_service.list_units(query.get("category"), only_unit_id=own_unit_only())


@blp.route("", methods=["POST"])
@api_requires("unit.write")
@blp.doc(security=TOKEN_SECURITY)
@blp.arguments(UnitCreateSchema)
@blp.response(201, UnitSchema)
@blp.alt_response(409, schema="Error", description="unit.exists")
@blp.alt_response(422, schema="Error", description="request.invalid")
@commit_on_success
def create_unit(body):
    """Add a unit."""
    return unit_service.create_unit(g.actor, **body)


@blp.route("/<code>")
@api_requires("unit.read")
@blp.doc(security=TOKEN_SECURITY)
@blp.response(200, UnitSchema)
@blp.alt_response(404, schema="Error", description="unit.not_found")
def get_unit(code):
    """One unit by code; another unit's staff are told it does not exist."""
    unit = unit_service.get_unit(code)
    ensure_unit_visible(unit.id, code)
    return unit
