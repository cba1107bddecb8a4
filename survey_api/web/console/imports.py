"""Console page for importing telephone and paper answers: upload a file, read the report per row."""

from __future__ import annotations

from flask import g, render_template, request

from ...auth import page_requires
from ...downloads import as_download
from ...errors import AppError
from ...models import Channel
from ...services.campaigns import get_campaign
from ...services.import_template import import_template
from ...services.response_import import REJECTED, ImportRequest, import_responses
from ...transactions import commit_on_success
from ...uploads import accepts_upload, uploaded_file
from . import bp

CHANNELS = {"phone": Channel.PHONE, "paper": Channel.PAPER}


def _page(campaign_id: int, report=None, error: AppError | None = None, values=None, status: int = 200):
    campaign = get_campaign(campaign_id)
    return render_template(
        "console/import.html",
        campaign=campaign,
        report=report,
        rejected_rows=[r for r in report.rows if r.outcome == REJECTED] if report else [],
        import_error=error,
        values=values or {"channel": "phone"},
    ), status


@bp.get("/campaigns/<int:campaign_id>/import")
@page_requires("responses.import")
def import_page(campaign_id: int):
    return _page(campaign_id)


@bp.post("/campaigns/<int:campaign_id>/import")
@accepts_upload("IMPORT_MAX_BYTES")
@page_requires("responses.import")
@commit_on_success
def import_upload(campaign_id: int):
    """All rows or none (unless the box is ticked); the report names every problem by row and column."""
    values = {"channel": request.form.get("channel", "phone"), "accept_valid": bool(request.form.get("accept_valid"))}
    try:
        channel = CHANNELS.get(values["channel"])
        if channel is None:
            raise AppError("request.invalid", details={"channel": ["phone, paper"]})
        filename, data = uploaded_file()
        report = import_responses(g.actor, ImportRequest(campaign_id, filename, data, channel, values["accept_valid"]))
    except AppError as error:
        if error.code == "campaign.not_found":
            raise
        return _page(campaign_id, error=error, values=values, status=error.status)
    return _page(campaign_id, report=report, values=values, status=422 if report.is_rejected else 200)


@bp.get("/campaigns/<int:campaign_id>/import/template.csv", defaults={"file_format": "csv"})
@bp.get("/campaigns/<int:campaign_id>/import/template.xlsx", defaults={"file_format": "xlsx"})
@page_requires("responses.import")
def import_template_file(campaign_id: int, file_format: str):
    return as_download(import_template(get_campaign(campaign_id), file_format))
