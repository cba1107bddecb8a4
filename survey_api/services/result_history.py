"""A campaign's results against the previous campaign of its series (e.g. last year's 民评 of the same district):
each unit's change on each index."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ..extensions import db
from ..models import Campaign, ResultRun


def previous_comparison(campaign: Campaign, units: list[dict[str, Any]], names: list[str]) -> dict[str, Any] | None:
    """Each unit's change on each index since the latest run of the previous campaign of the same series."""
    if not campaign.series:
        return None
    previous = db.session.scalar(
        select(ResultRun)
        .join(Campaign, Campaign.id == ResultRun.campaign_id)
        .where(Campaign.series == campaign.series, Campaign.id < campaign.id)  # ids grow with creation
        .order_by(Campaign.id.desc(), ResultRun.published_at.is_(None), ResultRun.id.desc())
        .limit(1)
    )
    if previous is None:
        return None
    before = {u["unit_code"]: u for u in previous.results["units"]}
    for unit in units:
        old = before.get(unit["unit_code"])
        unit["change"] = {
            name: difference(unit["indices"][name]["value"], old and old["indices"].get(name, {}).get("value"))
            for name in names
        }
    return {
        "campaign_id": previous.campaign_id,
        "period": previous.results["campaign"]["period"],
        "run_id": previous.id,
        "published": previous.published_at is not None,
    }


def difference(now: float | None, before: float | None) -> float | None:
    return None if now is None or before is None else now - before
