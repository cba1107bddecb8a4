"""Console pages for results: each unit's indices with their intervals, ranked, and a drill-down per unit; computing,
publishing and verifying runs; uploading population margins."""

from __future__ import annotations

import math
from dataclasses import dataclass

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ...auth import page_requires
from ...domain.access import is_allowed
from ...errors import AppError
from ...services import results as result_service
from ...services.campaigns import get_campaign
from ...services.margins import margins_of, parse_margins_file, set_margins
from ...transactions import commit_on_success
from . import bp

INDEX_LABELS = {"happiness": _l("Happiness"), "satisfaction": _l("Satisfaction"), "security": _l("Security")}


@dataclass(frozen=True)
class IntervalRow:
    label: str
    value: float
    low: float | None
    high: float | None
    sufficient: bool


@dataclass(frozen=True)
class IntervalChart:
    label: str
    rows: list[IntervalRow]
    low: float
    high: float
    ticks: list[int]


def interval_chart(label: str, rows: list[IntervalRow]) -> IntervalChart:
    """An axis around the values shown (within 0–100), so units a few points apart stay distinguishable."""
    ends = [v for r in rows for v in (r.value, r.low, r.high) if v is not None]
    low = max(0.0, math.floor(min(ends, default=0.0)) - 2)
    high = min(100.0, math.ceil(max(ends, default=100.0)) + 2)
    if high - low < 5:
        low, high = max(0.0, low - 5), min(100.0, high + 5)
    step = max(1, math.ceil((high - low) / 5))
    ticks = list(range(math.ceil(low), int(high) + 1, step))
    return IntervalChart(label, rows, low, high, ticks)


def charts_of(document: dict) -> list[tuple[str, IntervalChart]]:
    charts = []
    for name in document["indices"]:
        rows = [
            IntervalRow(
                f"{u['unit_code']} {u['unit_name']}",
                u["indices"][name]["value"],
                u["indices"][name]["ci_low"],
                u["indices"][name]["ci_high"],
                u["indices"][name]["sufficient"],
            )
            for u in document["units"]
            if u["indices"][name]["value"] is not None
        ]
        rows.sort(key=lambda r: (-r.value, r.label))
        charts.append((name, interval_chart(str(INDEX_LABELS.get(name, name)), rows)))
    return charts


def _run_or_none(campaign_id: int):
    try:
        return result_service.get_run(campaign_id, request.args.get("run", type=int))
    except AppError as error:
        if error.code == "results.not_found":
            return None
        raise


@bp.get("/campaigns/<int:campaign_id>/results")
@page_requires("results.read")
def results(campaign_id: int):
    return _results_page(campaign_id, None)


def _results_page(campaign_id: int, error: AppError | None, status: int = 200):
    campaign = get_campaign(campaign_id)
    run = _run_or_none(campaign_id)
    page = render_template(
        "console/results.html",
        campaign=campaign,
        run=run,
        runs=result_service.list_runs(campaign_id),
        document=run.results if run else None,
        charts=charts_of(run.results) if run else [],
        index_labels=INDEX_LABELS,
        can_write=is_allowed(g.user.role, "results.write"),
        error=error,
    )
    return page, status


@bp.get("/campaigns/<int:campaign_id>/results/units/<unit_code>")
@page_requires("results.read")
def unit_results(campaign_id: int, unit_code: str):
    campaign = get_campaign(campaign_id)
    run = result_service.get_run(campaign_id, request.args.get("run", type=int))
    unit = next((u for u in run.results["units"] if u["unit_code"] == unit_code), None)
    if unit is None:
        raise AppError("unit.not_found", code=unit_code)
    category = next((c for c in run.results["categories"] if c["category"] == unit["category"]), None)
    return render_template(
        "console/unit_results.html",
        campaign=campaign,
        run=run,
        unit=unit,
        category=category,
        previous=run.results.get("previous"),
        index_labels=INDEX_LABELS,
        weakest={(q["form"], q["question"]) for q in unit["weakest_questions"]},
    )


@bp.post("/campaigns/<int:campaign_id>/results")
@page_requires("results.write")
@commit_on_success
def compute(campaign_id: int):
    try:
        run = result_service.compute_results(g.actor, campaign_id)
    except AppError as error:
        if error.code == "campaign.not_found":
            raise
        return _results_page(campaign_id, error, error.status)
    return redirect(url_for("console.results", campaign_id=campaign_id, run=run.id), code=303)


@bp.post("/campaigns/<int:campaign_id>/results/<int:run_id>/publish")
@page_requires("results.write")
@commit_on_success
def publish(campaign_id: int, run_id: int):
    result_service.publish_run(g.actor, campaign_id, run_id)
    return redirect(url_for("console.results", campaign_id=campaign_id, run=run_id), code=303)


@bp.post("/campaigns/<int:campaign_id>/results/<int:run_id>/verify")
@page_requires("results.read")
def verify(campaign_id: int, run_id: int):
    check = result_service.verify_run(campaign_id, run_id)
    if check["identical"]:
        flash(_message("identical"), "ok")
    elif not check["same_inputs"]:
        flash(_message("inputs_changed"), "error")
    else:
        flash(_message("numbers_differ"), "error")
    return redirect(url_for("console.results", campaign_id=campaign_id, run=run_id), code=303)


def _message(kind: str) -> str:
    return {
        "identical": _("Recomputed from its frozen rules and margins: every number is identical."),
        "inputs_changed": _("The counted answers have changed since this run; compute a new run to include them."),
        "numbers_differ": _("Recomputing this run gave different numbers. Report this to the administrator."),
    }[kind]


@bp.get("/campaigns/<int:campaign_id>/margins")
@page_requires("results.read")
def margins(campaign_id: int):
    return _margins_page(campaign_id, None)


def _margins_page(campaign_id: int, error: AppError | None, status: int = 200):
    campaign = get_campaign(campaign_id)
    codes = {link.unit_id: link.unit for link in campaign.links}
    stored = margins_of(campaign_id)
    page = render_template(
        "console/margins.html",
        campaign=campaign,
        units=[(codes[unit_id], stored[unit_id]) for unit_id in sorted(stored, key=lambda u: codes[u].code)],
        error=error,
        can_write=is_allowed(g.user.role, "results.write"),
    )
    return page, status


@bp.post("/campaigns/<int:campaign_id>/margins")
@page_requires("results.write")
@commit_on_success
def upload_margins(campaign_id: int):
    upload = request.files.get("file")
    try:
        if upload is None or not upload.filename:
            raise AppError("margins.invalid", details=["choose a CSV file to upload"])
        set_margins(g.actor, get_campaign(campaign_id), parse_margins_file(upload.filename, upload.read()))
    except AppError as error:
        return _margins_page(campaign_id, error, error.status)
    return redirect(url_for("console.margins", campaign_id=campaign_id), code=303)
