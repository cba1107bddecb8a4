"""Console pages for campaigns: create, open and close, QR posters, and live progress."""

from __future__ import annotations

from flask import g, redirect, render_template, request, url_for

from ...auth import ensure_unit_visible, own_unit_only, page_requires
from ...domain.access import is_allowed
from ...domain.campaigns import CampaignState
from ...domain.export_layout import has_rates
from ...domain.identity import IdentityMode
from ...downloads import as_download, as_streamed_download
from ...errors import AppError
from ...services import campaigns as campaign_service
from ...services import exports
from ...services.campaign_files import campaign_posters, unit_poster, unit_qr
from ...services.forms_catalogue import check_forms, forms_dir
from ...services.links import campaign_links, get_campaign_link, public_url
from ...services.progress import campaign_progress
from ...services.results import latest_run
from ...services.units import list_units
from ...transactions import commit_on_success
from ..form_fields import form_texts
from ..local_time import parse_local, utc_offset_hours
from . import bp


def _available_forms():
    checked = check_forms(forms_dir()).values()
    return [d for d in checked if not isinstance(d, Exception) and d.kind != "ballot"]  # ballots: meetings only


@bp.get("/campaigns/new")
@page_requires("campaign.write")
def new_campaign():
    return _campaign_form({}, None)


def _campaign_form(values: dict, error: AppError | None, status: int = 200):
    units = list_units()
    categories = sorted({u.category for u in units})
    page = render_template(
        "console/campaign_new.html",
        forms=_available_forms(),
        units=units,
        categories=categories,
        values=values,
        error=error,
        identity_modes=campaign_service.IDENTITY_MODE_LABELS,
    )
    return page, status


@bp.post("/campaigns/new")
@page_requires("campaign.write")
@commit_on_success
def create_campaign():
    """Create a draft campaign from the chosen questionnaires and units."""
    form = request.form
    values = {
        "form_keys": form.getlist("form_keys"),
        "unit_codes": form.getlist("unit_codes"),
        "opens_at": form.get("opens_at", ""),
        "closes_at": form.get("closes_at", ""),
        "identity_mode": form.get("identity_mode", IdentityMode.DEVICE.value),
        "allow_replacement": form.get("allow_replacement") == "1",
    }
    try:
        values.update(form_texts(form, {"title": 200, "period": 50}, required=("title", "period")))
        if not values["form_keys"] or not values["unit_codes"]:
            raise AppError("request.invalid", details={"form_keys": ["required"], "unit_codes": ["required"]})
        spec = campaign_service.NewCampaign(
            title=values["title"],
            period=values["period"],
            form_keys=values["form_keys"],
            unit_codes=values["unit_codes"],
            opens_at=_time(values["opens_at"]),
            closes_at=_time(values["closes_at"]),
            identity_mode=_identity_mode(values["identity_mode"]),
            allow_replacement=values["allow_replacement"],
        )
        campaign = campaign_service.create_campaign(g.actor, spec)
    except AppError as error:
        return _campaign_form(values, error, error.status)
    return redirect(url_for("console.campaign", campaign_id=campaign.id), code=303)


def _identity_mode(text: str) -> IdentityMode:
    try:
        return IdentityMode(text)
    except ValueError:
        raise AppError("request.invalid", details={"identity_mode": ["Choose one of the listed modes."]}) from None


def _time(text: str):
    try:
        return parse_local(text)
    except ValueError as exc:
        raise AppError("request.invalid", details={"time": [text[:40]]}) from exc


@bp.get("/campaigns/<int:campaign_id>")
@page_requires("campaign.read")
def campaign(campaign_id: int):
    """A campaign: its state, links and posters, and responses per unit, channel and day."""
    found = campaign_service.get_campaign(campaign_id)
    links = campaign_links(found)
    progress = campaign_progress(found.id, utc_offset_hours(), only_unit_id=own_unit_only())
    unit_rows = [(f"{u.code} {u.name}", u.responses) for u in progress.by_unit]
    day_rows = [(day.strftime("%m-%d"), count) for day, count in progress.by_day]
    run = latest_run(found.id)
    return render_template(
        "console/campaign.html",
        campaign=found,
        links=links,
        progress=progress,
        unit_rows=unit_rows,
        day_rows=day_rows,
        public_url=public_url,
        can_write=is_allowed(g.user.role, "campaign.write"),
        can_export_responses=is_allowed(g.user.role, "responses.read"),
        can_export_results=is_allowed(g.user.role, "results.read"),
        has_results=run is not None,
        has_rates=run is not None and has_rates(run.results),
        states=CampaignState,
        identity_modes=campaign_service.IDENTITY_MODE_LABELS,
    )


@bp.post("/campaigns/<int:campaign_id>/<any(open, close):move>")
@page_requires("campaign.write")
@commit_on_success
def move_campaign(campaign_id: int, move: str):
    target = CampaignState.OPEN if move == "open" else CampaignState.CLOSED
    campaign_service.transition(g.actor, campaign_id, target)
    return redirect(url_for("console.campaign", campaign_id=campaign_id), code=303)


@bp.get("/campaigns/<int:campaign_id>/posters.pdf")
@page_requires("campaign.read")
def posters(campaign_id: int):
    return as_download(campaign_posters(campaign_service.get_campaign(campaign_id)))


@bp.get("/campaigns/<int:campaign_id>/units/<unit_code>/poster.pdf")
@page_requires("campaign.read")
def poster(campaign_id: int, unit_code: str):
    found = campaign_service.get_campaign(campaign_id)
    return as_download(unit_poster(found, get_campaign_link(found, unit_code)))


@bp.get("/campaigns/<int:campaign_id>/units/<unit_code>/qr.png")
@page_requires("campaign.read")
def qr(campaign_id: int, unit_code: str):
    found = campaign_service.get_campaign(campaign_id)
    link = get_campaign_link(found, unit_code)
    ensure_unit_visible(link.unit_id, unit_code)
    return as_download(unit_qr(found, link, "png"))


def _export_options() -> dict:
    return {"header_style": request.args.get("headers", "zh"), "file_format": request.args.get("format", "csv")}


@bp.get("/campaigns/<int:campaign_id>/exports/responses")
@page_requires("responses.read")
@commit_on_success  # the audit record is committed before the first byte leaves
def export_responses(campaign_id: int):
    """Download every response of the campaign (CSV, XLSX or JSON; Chinese headers unless headers=keys)."""
    labels = request.args.get("labels", "") in ("1", "true", "yes")
    return as_streamed_download(exports.export_responses(g.actor, campaign_id, labels=labels, **_export_options()))


@bp.get("/campaigns/<int:campaign_id>/exports/results")
@page_requires("results.read")
@commit_on_success
def export_results(campaign_id: int):
    """Download a result run, the latest unless run= is given (XLSX with every table, or one as CSV or JSON)."""
    table = request.args.get("table", "indices")
    run_id = request.args.get("run", type=int)
    return as_streamed_download(
        exports.export_results(g.actor, campaign_id, table=table, run_id=run_id, **_export_options())
    )
