"""Console pages for units: list, add one, import many from CSV with a report per row."""

from __future__ import annotations

from flask import g, render_template, request

from ...auth import own_unit_only, page_requires
from ...domain.access import is_allowed
from ...errors import AppError
from ...services.unit_import import MAX_IMPORT_BYTES, import_units_csv
from ...services.units import create_unit, list_units
from ...transactions import commit_on_success
from ..form_fields import form_texts
from . import bp


def _page(message=None, error=None, report=None, values=None, status=200):
    units = list_units(only_unit_id=own_unit_only())
    return render_template(
        "console/units.html",
        units=units,
        message=message,
        error=error,
        report=report,
        values=values or {},
        can_write=is_allowed(g.user.role, "unit.write"),
    ), status


@bp.get("/units")
@page_requires("unit.read")
def units():
    return _page()


@bp.post("/units")
@page_requires("unit.write")
@commit_on_success
def add_unit():
    limits = {"code": 32, "name": 100, "category": 50, "parent_area": 100}
    values = {name: request.form.get(name, "") for name in limits}
    try:
        values = form_texts(request.form, limits, required=("code", "name", "category"))
        unit = create_unit(g.actor, values["code"], values["name"], values["category"], values["parent_area"] or None)
    except AppError as error:
        return _page(error=error, values=values, status=error.status)
    return _page(message=unit.code)


@bp.post("/units/import")
@page_requires("unit.write")
@commit_on_success
def import_units():
    """All rows or none: a file with any bad row imports nothing and says what is wrong on each row."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _page(error=AppError("request.invalid"), status=422)
    data = upload.read(MAX_IMPORT_BYTES + 1)
    report = import_units_csv(g.actor, data)
    return _page(report=report, status=200 if report.imported else 422)
