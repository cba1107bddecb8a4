"""Simulated demo answers are valid, idempotent and give every demo unit a full, computable result."""

from __future__ import annotations

from sqlalchemy import func, select

from survey_api.extensions import db
from survey_api.models import Response
from survey_api.services.audit import SYSTEM
from survey_api.services.demo import load_demo
from survey_api.services.demo_answers import simulate_answers
from survey_api.services.results import compute_results


def test_demo_answers_fill_every_unit_once_and_rank_them(db_session):
    campaign = load_demo(SYSTEM)
    assert simulate_answers(SYSTEM, campaign, per_unit=210) == 210 * len(campaign.links)
    assert simulate_answers(SYSTEM, campaign, per_unit=210) == 0  # a second run adds nothing
    count = db.session.scalar(select(func.count()).select_from(Response).where(Response.campaign_id == campaign.id))
    assert count == 210 * len(campaign.links)
    run = compute_results(SYSTEM, campaign.id)
    units = run.results["units"]
    assert all(u["ranked"] and u["indices"]["satisfaction"]["sufficient"] for u in units)
    values = sorted(u["indices"]["satisfaction"]["value"] for u in units)
    assert values[-1] - values[0] > 10  # units differ, so the ranking means something
