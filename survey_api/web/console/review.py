"""Console pages for quality flags: the review queue (filters, evidence, bulk include/exclude with a reason), the
unit integrity view with each unit's burst timeline, and the campaign's thresholds."""

from __future__ import annotations

from dataclasses import dataclass

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ...auth import page_requires
from ...domain.access import is_allowed
from ...domain.campaigns import CampaignState
from ...domain.quality import Rule
from ...errors import AppError
from ...models import ResponseStatus
from ...services import quality, review
from ...services.campaigns import get_campaign
from ...services.clock import utcnow
from ...transactions import commit_on_success
from ..local_time import local_time
from . import bp

RULE_LABELS = {
    Rule.TOO_FAST.value: _l("Too fast"),
    Rule.STRAIGHT_LINING.value: _l("Same option everywhere"),
    Rule.OUTSIDE_HOURS.value: _l("Outside answering hours"),
    Rule.DUPLICATE_ANSWERS.value: _l("Identical answers from one device or network"),
    Rule.BURST.value: _l("Burst at the unit's QR code"),
}
STATUS_LABELS = {
    ResponseStatus.INCLUDED.value: _l("included"),
    ResponseStatus.UNDER_REVIEW.value: _l("under review"),
    ResponseStatus.EXCLUDED.value: _l("excluded"),
}
SETTING_LABELS = {
    "min_seconds": _l("Minimum answering time in seconds (empty: the questionnaires' own minimum)"),
    "straight_lining_min_questions": _l("Straight-lining: at least this many scored questions"),
    "day_starts_hour": _l("Answering day starts at (hour)"),
    "day_ends_hour": _l("Answering day ends at (hour, 24 for midnight)"),
    "duplicate_min_count": _l("Identical answers: at least this many"),
    "duplicate_window_minutes": _l("Identical answers: within this many minutes"),
    "burst_window_minutes": _l("Burst window in minutes"),
    "burst_min_count": _l("Burst: at least this many answers in one window"),
    "burst_factor": _l("Burst: at least this many times the unit's usual count"),
}


@bp.get("/campaigns/<int:campaign_id>/review")
@page_requires("responses.read")
@commit_on_success
def review_queue(campaign_id: int):
    """The queue; opening it runs the sweep first (idempotent), so what it shows is up to date."""
    campaign = get_campaign(campaign_id)
    quality.sweep(campaign, utcnow())
    filters = {
        "unit": request.args.get("unit") or None,
        "rule": request.args.get("rule") if request.args.get("rule") in RULE_LABELS else None,
        "status": request.args.get("status") if request.args.get("status") in STATUS_LABELS else None,
    }
    items = review.review_queue(campaign, filters["unit"], filters["rule"], filters["status"], limit=500)
    return render_template(
        "console/review.html",
        campaign=campaign,
        items=items,
        filters=filters,
        units=[link.unit for link in campaign.links],
        rule_labels=RULE_LABELS,
        status_labels=STATUS_LABELS,
        can_review=is_allowed(g.user.role, "responses.review"),
    )


@bp.post("/campaigns/<int:campaign_id>/review")
@page_requires("responses.review")
@commit_on_success
def review_decide(campaign_id: int):
    campaign = get_campaign(campaign_id)
    back = {k: v for k in ("unit", "rule", "status") if (v := request.form.get(f"filter_{k}"))}
    ids = [int(v) for v in request.form.getlist("response_id") if v.isdigit()]
    decision = request.form.get("decision", "")
    reason = request.form.get("reason", "").strip()
    if not ids or decision not in review.DECISIONS or not 2 <= len(reason) <= 500:
        flash(_("Tick at least one response and give a reason (2 to 500 characters)."), "error")
    else:
        report = review.decide(g.actor, campaign, ids, decision, reason, utcnow())
        flash(_("%(count)d responses decided.", count=len(report.changed)), "ok")
    return redirect(url_for("console.review_queue", campaign_id=campaign_id, **back), code=303)


@dataclass(frozen=True)
class TimelineBar:
    label: str
    value: int
    burst: bool


@bp.get("/campaigns/<int:campaign_id>/integrity")
@page_requires("responses.read")
def integrity(campaign_id: int):
    campaign = get_campaign(campaign_id)
    units = review.integrity(campaign)
    chosen = request.args.get("unit") or (units[0].unit_code if units else None)
    timeline = review.unit_timeline(campaign, chosen) if chosen else None
    bars = []
    if timeline is not None:
        bars = [
            TimelineBar(local_time(at, "%H:%M"), count, count >= timeline.threshold) for at, count in timeline.windows
        ]
    return render_template(
        "console/integrity.html",
        campaign=campaign,
        units=units,
        rules=list(RULE_LABELS),
        rule_labels=RULE_LABELS,
        timeline=timeline,
        bars=bars,
        first_window=local_time(timeline.windows[0][0]) if timeline and timeline.windows else None,
    )


@bp.get("/campaigns/<int:campaign_id>/quality-rules")
@page_requires("responses.read")
def quality_rules(campaign_id: int):
    return _rules_page(get_campaign(campaign_id), None)


def _rules_page(campaign, error: AppError | None, status: int = 200):
    page = render_template(
        "console/quality_rules.html",
        campaign=campaign,
        rules=quality.stored_rules(campaign).document(),
        labels=SETTING_LABELS,
        editable=campaign.state is not CampaignState.CLOSED and is_allowed(g.user.role, "responses.review"),
        error=error,
    )
    return page, status


@bp.post("/campaigns/<int:campaign_id>/quality-rules")
@page_requires("responses.review")
@commit_on_success
def quality_rules_save(campaign_id: int):
    campaign = get_campaign(campaign_id)
    document: dict = {"enabled": request.form.get("enabled") == "1"}
    for name in SETTING_LABELS:
        text = request.form.get(name, "").strip()
        if name == "min_seconds" and not text:
            document[name] = None
            continue
        try:
            document[name] = float(text) if name == "burst_factor" else int(text)
        except ValueError:
            document[name] = text  # refused with the field named by the rules
    try:
        quality.set_rules(g.actor, campaign, document)
    except AppError as error:
        if error.code == "quality.rules_locked":
            raise
        return _rules_page(campaign, error, error.status)
    flash(_("Quality-flag settings saved."), "ok")
    return redirect(url_for("console.quality_rules", campaign_id=campaign_id), code=303)
