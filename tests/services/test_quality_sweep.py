"""The sweep and the per-channel choice of rules: imports get the per-response rules only; the sweep is idempotent
and looks at answers through a unit's link."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from survey_api.extensions import db
from survey_api.models import Channel, Response, ResponseFlag, ResponseStatus
from survey_api.services.audit import SYSTEM
from survey_api.services.campaigns import campaign_definitions
from survey_api.services.clock import utcnow
from survey_api.services.quality import set_rules, sweep
from survey_api.services.response_import import ImportRequest, import_responses

from ..factories import create_campaign, random_answers, store_response
from ..import_files import answer_table, csv_bytes


@pytest.fixture
def flagged_campaign(db_session, quality_flags_on):
    campaign = create_campaign()
    set_rules(SYSTEM, campaign, {"day_starts_hour": 0, "day_ends_hour": 24})
    db.session.flush()
    return campaign


def flag_count(campaign) -> int:
    query = select(func.count()).select_from(ResponseFlag).join(Response).where(Response.campaign_id == campaign.id)
    return db.session.scalar(query)


def burst_of(campaign, count: int, channel: Channel) -> list[Response]:
    definitions = campaign_definitions(campaign)
    rng = random.Random(9)
    start = utcnow()
    return [
        store_response(
            campaign, 0, random_answers(definitions, rng), submitted_at=start + timedelta(seconds=i), channel=channel
        )
        for i in range(count)
    ]


def test_the_sweep_is_idempotent(flagged_campaign):
    burst_of(flagged_campaign, 60, Channel.QR)
    first = sweep(flagged_campaign, utcnow())
    assert (first.examined, first.new_flags, first.put_under_review) == (60, 60, 60)
    second = sweep(flagged_campaign, utcnow())
    assert (second.new_flags, second.put_under_review) == (0, 0)
    assert flag_count(flagged_campaign) == 60


def test_imported_answers_are_never_bursts_or_network_duplicates(flagged_campaign):
    burst_of(flagged_campaign, 60, Channel.PHONE)
    report = sweep(flagged_campaign, utcnow())
    assert (report.examined, report.new_flags) == (0, 0)


def test_a_campaign_with_flags_off_is_never_flagged(flagged_campaign):
    set_rules(SYSTEM, flagged_campaign, {"enabled": False})
    burst_of(flagged_campaign, 60, Channel.QR)
    assert sweep(flagged_campaign, utcnow()).new_flags == 0


def test_imports_get_the_per_response_rules_without_a_network(flagged_campaign):
    headers, rows = answer_table(flagged_campaign, 2)  # row i picks option i everywhere: straight-lining
    headers.append("duration_seconds")
    rows = [[*row, "15"] for row in rows]
    report = import_responses(SYSTEM, ImportRequest(flagged_campaign.id, "cati.csv", csv_bytes(headers, rows)))
    assert report.counts["imported"] == 2
    imported = db.session.scalars(select(Response).where(Response.campaign_id == flagged_campaign.id)).all()
    assert {r.status for r in imported} == {ResponseStatus.UNDER_REVIEW}
    assert {r.network_key for r in imported} == {None}
    rules = set(
        db.session.scalars(select(ResponseFlag.rule).where(ResponseFlag.response_id.in_([r.id for r in imported])))
    )
    assert rules == {"straight_lining", "too_fast"}
