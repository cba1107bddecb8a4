"""The bureau's household-survey page of a campaign: import the frame, draw each unit's sample, assign it to
enumerators, and supervise progress, response rates, quota cells, enumerators and back-checks."""

from __future__ import annotations

import secrets

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from ...auth import page_requires
from ...domain.access import is_allowed
from ...domain.fieldwork import HouseholdState
from ...domain.sampling import Allocation, SizeTarget
from ...downloads import as_download
from ...errors import AppError
from ...extensions import db
from ...models import SampleDesign
from ...services.campaigns import campaign_definitions, get_campaign
from ...services.fieldwork import assign_in_batches, reassign
from ...services.fieldwork_export import response_rates_file
from ...services.household_frame import import_frame
from ...services.household_sample import DesignRequest, campaign_unit, draw_sample
from ...services.supervision import (
    AGE,
    QUOTA_FORM,
    SEX,
    back_checks,
    enumerator_work,
    progress,
    quota_cells,
    record_back_check,
    select_back_checks,
)
from ...state_labels import state_label
from ...transactions import commit_on_success
from ...uploads import accepts_upload, uploaded_file
from . import bp


@bp.app_template_filter("household_state_label")
def household_state_label(state) -> str:
    value = getattr(state, "value", state)
    return str(state_label(HouseholdState(value))) if value in HouseholdState._value2member_map_ else str(value)


@bp.app_template_filter("enumerator_row")
def enumerator_row(work) -> tuple[str, int, None]:
    return work.name, work.completed, None


def _option_labels(campaign) -> dict[str, str]:
    """Option key → label of the questions the quota cells are made of (sex, age group)."""
    labels = {}
    for definition in campaign_definitions(campaign):
        if definition.key == QUOTA_FORM:
            for question in definition.questions:
                if question.key in (SEX, AGE):
                    labels.update({option.key: option.label for option in question.options})
    return labels


def _page(campaign_id: int, frame_report=None, error: AppError | None = None, status: int = 200):
    campaign = get_campaign(campaign_id)
    designs = {
        d.unit_id: d for d in db.session.scalars(select(SampleDesign).where(SampleDesign.campaign_id == campaign_id))
    }
    return render_template(
        "console/households.html",
        campaign=campaign,
        units=progress(campaign_id),
        designs=designs,
        quotas=quota_cells(campaign_id),
        option_labels=_option_labels(campaign),
        enumerators=enumerator_work(campaign_id),
        checks=back_checks(campaign_id) if is_allowed(g.user.role, "households.addresses") else [],
        frame_report=frame_report,
        form_error=error,
        states=list(HouseholdState),
        allocations=[a.value for a in Allocation],
        link_units={link.unit.id: link.unit for link in campaign.links},
    ), status


@bp.get("/campaigns/<int:campaign_id>/households")
@page_requires("fieldwork.read")
def households(campaign_id: int):
    return _page(campaign_id)


def _done(campaign_id: int, message: str):
    flash(message)
    return redirect(url_for("console.households", campaign_id=campaign_id))


@bp.post("/campaigns/<int:campaign_id>/households/frame")
@accepts_upload("IMPORT_MAX_BYTES")
@page_requires("households.write")
@commit_on_success
def household_frame(campaign_id: int):
    """All rows or none; the report names every problem by row and column."""
    try:
        filename, data = uploaded_file()
        report = import_frame(g.actor, campaign_id, filename, data)
    except AppError as error:
        if error.code == "campaign.not_found":
            raise
        return _page(campaign_id, error=error, status=error.status)
    if report.is_rejected:
        error = AppError("household.frame_rejected", rows=len(report.problems))
        return _page(campaign_id, frame_report=report, error=error, status=422)
    return _done(campaign_id, _("%(n)s households imported into the frame.", n=report.imported))


def _number(name: str, default: float, cast=float):
    text = (request.form.get(name) or "").strip()
    if not text:
        return default
    try:
        return cast(text)
    except ValueError:
        raise AppError("sample.invalid", details={name: ["a number"]}) from None


@bp.post("/campaigns/<int:campaign_id>/households/sample")
@page_requires("households.write")
@commit_on_success
def household_sample(campaign_id: int):
    try:
        allocation = request.form.get("allocation", Allocation.PROPORTIONAL.value)
        if allocation not in {a.value for a in Allocation}:
            raise AppError("sample.invalid", details={"allocation": [a.value for a in Allocation]})
        seed_text = (request.form.get("seed") or "").strip()
        design = draw_sample(
            g.actor,
            campaign_id,
            DesignRequest(
                unit_code=(request.form.get("unit") or "").strip()[:32],
                target=SizeTarget(
                    sigma=_number("sigma", 20.0),
                    margin=_number("margin", 3.4),
                    design_effect=_number("design_effect", 1.5),
                    response_rate=_number("response_rate", 0.8),
                ),
                allocation=Allocation(allocation),
                reserve_share=_number("reserve_share", 0.5),
                max_visits=_number("max_visits", 3, int),
                seed=_number("seed", 0, int) if seed_text else None,
            ),
        )
    except AppError as error:
        if error.code == "campaign.not_found":
            raise
        return _page(campaign_id, error=error, status=error.status)
    message = _(
        "Sample drawn: %(released)s households released for %(needed)s interviews (seed %(seed)s).",
        released=design.released,
        needed=design.interviews_needed,
        seed=design.seed,
    )
    return _done(campaign_id, message)


@bp.post("/campaigns/<int:campaign_id>/households/assign")
@page_requires("households.write")
@commit_on_success
def household_assign(campaign_id: int):
    """Unassigned released households in batches to the enumerators named (comma separated)."""
    get_campaign(campaign_id)
    try:
        names = [n.strip() for n in (request.form.get("enumerators") or "").replace("，", ",").split(",") if n.strip()]
        unit_code = (request.form.get("unit") or "").strip()
        unit_id = campaign_unit(campaign_id, unit_code).id if unit_code else None
        counts = assign_in_batches(g.actor, campaign_id, unit_id, names)
    except AppError as error:
        return _page(campaign_id, error=error, status=error.status)
    summary = ", ".join(f"{name}: {count}" for name, count in counts.items())
    return _done(campaign_id, _("Households assigned: %(summary)s.", summary=summary))


@bp.post("/campaigns/<int:campaign_id>/households/reassign")
@page_requires("households.write")
@commit_on_success
def household_reassign(campaign_id: int):
    get_campaign(campaign_id)
    try:
        moved = reassign(
            g.actor,
            campaign_id,
            (request.form.get("from") or "").strip(),
            (request.form.get("to") or "").strip(),
            (request.form.get("community") or "").strip() or None,
        )
    except AppError as error:
        return _page(campaign_id, error=error, status=error.status)
    return _done(campaign_id, _("%(n)s households reassigned.", n=moved))


@bp.post("/campaigns/<int:campaign_id>/households/back-checks")
@page_requires("households.write")
@commit_on_success
def household_back_checks(campaign_id: int):
    get_campaign(campaign_id)
    try:
        seed = _number("seed", secrets.randbelow(2**31), int)
        chosen = select_back_checks(g.actor, campaign_id, _number("share", 0.1), seed)
    except AppError as error:
        return _page(campaign_id, error=error, status=error.status)
    return _done(campaign_id, _("%(n)s completed households selected for a back-check.", n=chosen))


@bp.post("/campaigns/<int:campaign_id>/households/back-checks/<int:check_id>")
@page_requires("households.write")
@commit_on_success
def household_back_check_result(campaign_id: int, check_id: int):
    get_campaign(campaign_id)
    try:
        record_back_check(g.actor, check_id, request.form.get("result", ""), request.form.get("note"))
    except AppError as error:
        return _page(campaign_id, error=error, status=error.status)
    return _done(campaign_id, _("Back-check recorded."))


@bp.get("/campaigns/<int:campaign_id>/households/response-rates.<file_format>")
@page_requires("fieldwork.read")
def household_response_rates(campaign_id: int, file_format: str):
    """Progress and AAPOR response rates per unit and community, as CSV, XLSX or JSON."""
    return as_download(response_rates_file(campaign_id, file_format))
