"""Console forms that change a draft period: its rule set (edited as JSON), its units' levels and sources, entered
scores and adjustments, and importing scores from a file. Each refuses a published period with period.locked."""

from __future__ import annotations

import json

from flask import g, redirect, request, url_for

from ...auth import page_requires
from ...errors import AppError
from ...services import periods as period_service
from ...services.period_inputs import EntryInput, import_scores, remove_entry, store_entries
from ...transactions import commit_on_success
from ...uploads import accepts_upload
from ..form_fields import form_texts
from . import bp
from .periods import period_page


def _back(period_id: int):
    return redirect(url_for("console.period", period_id=period_id), code=303)


@bp.post("/periods/<int:period_id>/rules")
@page_requires("period.write")
@commit_on_success
def period_rules(period_id: int):
    text = request.form.get("rules", "")
    try:
        try:
            document = json.loads(text)
        except ValueError as exc:
            raise AppError("period.rules_invalid", details={"rules": f"not valid JSON: {exc}"}) from exc
        period_service.update_rules(g.actor, period_service.get_period(period_id), document)
    except AppError as error:
        return period_page(period_id, error, error.status, rules_text=text)
    return _back(period_id)


@bp.post("/periods/<int:period_id>/setup")
@page_requires("period.write")
@commit_on_success
def period_setup(period_id: int):
    form = request.form
    try:
        found = period_service.get_period(period_id)
        levels = {}
        for pu in found.units:
            text = form.get(f"level_{pu.unit.code}", "").strip()
            if not text.isdigit():
                raise AppError("period.invalid", details={f"levels.{pu.unit.code}": "must be a whole number"})
            levels[pu.unit.code] = int(text)
        campaign = form.get("campaign_id", "").strip()
        meetings = tuple(int(m) for m in form.getlist("meeting_id") if m.isdigit())
        setup = period_service.PeriodSetup(levels, int(campaign) if campaign.isdigit() else None, meetings)
        period_service.update_setup(g.actor, found, setup)
    except AppError as error:
        return period_page(period_id, error, error.status)
    return _back(period_id)


@bp.post("/periods/<int:period_id>/entries")
@page_requires("period.write")
@commit_on_success
def period_entry(period_id: int):
    form = request.form
    try:
        texts = form_texts(
            form,
            {"unit_code": 32, "kind": 16, "component": 40, "value": 20, "reason": 2000, "attachment": 300},
            required=("unit_code", "kind"),
        )
        try:
            value = float(texts["value"]) if texts["value"] else None
        except ValueError:
            raise AppError("period.invalid", details={"value": "must be a number"}) from None
        entry = EntryInput(
            texts["unit_code"],
            texts["kind"],
            value,
            texts["component"] or None,
            texts["reason"] or None,
            texts["attachment"] or None,
        )
        store_entries(g.actor, period_service.get_period(period_id), [entry])
    except AppError as error:
        return period_page(period_id, error, error.status)
    return _back(period_id)


@bp.post("/periods/<int:period_id>/entries/<int:entry_id>/remove")
@page_requires("period.write")
@commit_on_success
def period_entry_remove(period_id: int, entry_id: int):
    try:
        remove_entry(g.actor, period_service.get_period(period_id), entry_id)
    except AppError as error:
        return period_page(period_id, error, error.status)
    return _back(period_id)


@bp.post("/periods/<int:period_id>/import")
@accepts_upload("IMPORT_MAX_BYTES")
@page_requires("period.write")
@commit_on_success
def period_import(period_id: int):
    upload = request.files.get("file")
    try:
        if upload is None or not upload.filename:
            raise AppError("request.invalid", details={"file": ["Choose a CSV or XLSX file."]})
        import_scores(g.actor, period_service.get_period(period_id), upload.filename, upload.read())
    except AppError as error:
        if error.code == "period.import_rejected":
            rows = [f"{r['row']}: {r['problems']}" for r in error.details["rows"] if r["problems"]]
            error = AppError(error.code, details=rows, **error.params)
        return period_page(period_id, error, error.status)
    return _back(period_id)
