"""Console pages for assessment periods: the list and a new period, the ranking per category with its chart, each
unit's breakdown, computing, publishing, corrections and the files. A unit user sees its own published result."""

from __future__ import annotations

from flask import g, redirect, render_template, request, url_for

from ...auth import own_unit_only, page_requires
from ...domain.access import is_allowed
from ...downloads import as_download
from ...errors import AppError
from ...services import period_results as revisions
from ...services import periods as period_service
from ...services.campaigns import list_campaigns
from ...services.meetings import list_meetings
from ...services.period_files import results_file
from ...services.period_inputs import entered_components, list_entries
from ...services.period_labels import component_label, missing_label, presented
from ...services.units import list_units
from ...transactions import commit_on_success
from ..form_fields import form_texts
from . import bp


@bp.get("/periods")
@page_requires("period.read")
def periods():
    return _periods_page({}, None)


def _periods_page(values: dict, error: AppError | None, status: int = 200):
    writer = is_allowed(g.user.role, "period.write")
    page = render_template(
        "console/periods.html",
        periods=period_service.list_periods(),
        campaigns=list_campaigns() if writer else [],
        values=values,
        can_write=writer,
        error=error,
    )
    return page, status


@bp.post("/periods")
@page_requires("period.write")
@commit_on_success
def create_period():
    form = request.form
    values = {key: form.get(key, "") for key in ("title", "kind", "campaign_id")}
    try:
        texts = form_texts(form, {"title": 200, "kind": 16}, required=("title",))
        campaign = int(values["campaign_id"]) if values["campaign_id"].isdigit() else None
        new = period_service.NewPeriod(
            title=texts["title"],
            kind=texts["kind"] or "annual",
            unit_codes=tuple(u.code for u in list_units()),
            campaign_id=campaign,
        )
        period = period_service.create_period(g.actor, new)
    except AppError as error:
        return _periods_page(values, error, error.status)
    return redirect(url_for("console.period", period_id=period.id), code=303)


def _revision_or_none(period_id: int, own_unit: int | None):
    try:
        return revisions.visible_revision(period_id, own_unit, request.args.get("revision", type=int))
    except AppError as error:
        if error.code == "period.not_computed":
            return None
        raise


@bp.get("/periods/<int:period_id>")
@page_requires("period.read")
def period(period_id: int):
    return period_page(period_id, None)


def period_page(period_id: int, error: AppError | None, status: int = 200, rules_text: str | None = None):
    """The period page: setup and inputs while editable, and the ranking of the chosen (or latest) revision."""
    found = period_service.get_period(period_id)
    own_unit = own_unit_only()
    revision = _revision_or_none(period_id, own_unit)
    shown = presented(revisions.visible_results(revision, own_unit), revision.rules_snapshot) if revision else None
    if own_unit is not None and shown and shown["units"]:
        return redirect(url_for("console.period_unit", period_id=period_id, unit_code=shown["units"][0]["unit_code"]))
    writer = is_allowed(g.user.role, "period.write") and own_unit is None
    editable = writer and found.state.value != "published"
    page = render_template(
        "console/period.html",
        period=found,
        revision=revision,
        revisions=revisions.list_revisions(period_id) if own_unit is None else [],
        shown=shown,
        grades=revision.rules_snapshot["grades"] if revision else [],
        component_label=component_label,
        can_write=writer,
        editable=editable,
        rules_text=rules_text,
        entered=entered_components(found) if editable else [],
        entries=list_entries(period_id) if own_unit is None else [],
        meetings=list_meetings() if editable else [],
        unit_codes={pu.unit_id: pu.unit.code for pu in found.units},
        error=error,
    )
    return page, status


@bp.get("/periods/<int:period_id>/units/<unit_code>")
@page_requires("period.read")
def period_unit(period_id: int, unit_code: str):
    found = period_service.get_period(period_id)
    own_unit = own_unit_only()
    revision = revisions.visible_revision(period_id, own_unit, request.args.get("revision", type=int))
    shown = presented(revisions.visible_results(revision, own_unit), revision.rules_snapshot)
    unit = next((u for u in shown["units"] if u["unit_code"] == unit_code), None)
    if unit is None:
        raise AppError("unit.not_found", code=unit_code)
    return render_template(
        "console/period_unit.html",
        period=found,
        revision=revision,
        unit=unit,
        model=revision.rules_snapshot["model"],
        component_label=component_label,
        missing_label=missing_label,
        items=revisions.deduction_items(revision)[unit["unit_id"]],
    )


@bp.post("/periods/<int:period_id>/compute")
@page_requires("period.write")
@commit_on_success
def compute_period(period_id: int):
    try:
        revision = revisions.compute_revision(g.actor, period_service.get_period(period_id))
    except AppError as error:
        return period_page(period_id, error, error.status)
    return redirect(url_for("console.period", period_id=period_id, revision=revision.number), code=303)


@bp.post("/periods/<int:period_id>/revisions/<int:number>/publish")
@page_requires("period.write")
@commit_on_success
def publish_period(period_id: int, number: int):
    try:
        revisions.publish_revision(g.actor, period_service.get_period(period_id), number)
    except AppError as error:
        return period_page(period_id, error, error.status)
    return redirect(url_for("console.period", period_id=period_id, revision=number), code=303)


@bp.post("/periods/<int:period_id>/correction")
@page_requires("period.write")
@commit_on_success
def correct_period(period_id: int):
    try:
        revisions.open_correction(g.actor, period_service.get_period(period_id), request.form.get("reason", ""))
    except AppError as error:
        return period_page(period_id, error, error.status)
    return redirect(url_for("console.period", period_id=period_id), code=303)


@bp.get("/periods/<int:period_id>/results.pdf", defaults={"file_format": "pdf"})
@bp.get("/periods/<int:period_id>/results.xlsx", defaults={"file_format": "xlsx"})
@page_requires("period.read")
def period_file(period_id: int, file_format: str):
    """The ranking as a PDF to print or an XLSX workbook, downloaded."""
    found = period_service.get_period(period_id)
    revision = revisions.visible_revision(period_id, own_unit_only(), request.args.get("revision", type=int))
    response = as_download(results_file(found, revision, own_unit_only(), file_format))
    response.headers["Content-Disposition"] = response.headers["Content-Disposition"].replace("inline", "attachment")
    return response


from . import period_inputs  # noqa: E402,F401  (its forms render this page, so it registers after it)
