"""The review queue, the unit integrity view and the thresholds page as the statistics bureau and the auditor use
them: a burst at one unit is swept when the queue opens, shown with its evidence and decided in bulk."""

from __future__ import annotations

import random
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from survey_api.extensions import db
from survey_api.models import AuditEvent, Channel, Response, ResponseStatus
from survey_api.services.audit import SYSTEM
from survey_api.services.campaigns import campaign_definitions
from survey_api.services.clock import utcnow
from survey_api.services.quality import set_rules

from ..factories import create_campaign, create_unit, random_answers, store_response
from .console_client import post_form


@pytest.fixture
def burst_campaign(db_session, quality_flags_on):
    """A unit with an answer an hour for ten hours, then 300 through its QR code within two minutes."""
    campaign = create_campaign([create_unit(code="RV1", name="城关街道"), create_unit(code="RV2", name="东城街道")])
    set_rules(SYSTEM, campaign, {"day_starts_hour": 0, "day_ends_hour": 24})
    definitions = campaign_definitions(campaign)
    rng = random.Random(2)
    start = utcnow() - timedelta(minutes=10)
    for hour in range(1, 11):
        store_response(campaign, 1, random_answers(definitions, rng), submitted_at=start - timedelta(hours=hour))
        store_response(
            campaign,
            0,
            random_answers(definitions, rng),
            submitted_at=start - timedelta(hours=hour),
            channel=Channel.QR,
        )
    for i in range(300):
        store_response(
            campaign,
            0,
            random_answers(definitions, rng),
            submitted_at=start + timedelta(seconds=0.4 * i),
            channel=Channel.QR,
        )
    db.session.commit()
    return campaign


def test_the_queue_sweeps_shows_the_burst_and_decides_in_bulk(signed_in, burst_campaign):
    statistician = signed_in("statistician")
    url = f"/console/campaigns/{burst_campaign.id}/review"
    page = statistician.get(f"{url}?unit=RV1&rule=burst").get_data(as_text=True)
    assert page.count('data-rule="burst"') == 300 and page.count('data-status="under_review"') == 300
    assert 'id="exclude-selected"' in page and "peak_in_window=" in page
    ids = re.findall(r'name="response_id" value="(\d+)"', page)[:25]

    refused = post_form(statistician, url, url, {"response_id": ids, "decision": "exclude", "reason": ""})
    assert refused.status_code == 303
    assert (
        db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "response.exclude"))
        == 0
    )

    done = post_form(
        statistician,
        url,
        url,
        {"response_id": ids, "decision": "exclude", "reason": "单位自行集中填写", "filter_unit": "RV1"},
        follow_redirects=True,
    )
    assert done.status_code == 200 and "RV1" in done.request.url
    excluded = select(func.count()).select_from(Response).where(Response.status == ResponseStatus.EXCLUDED)
    assert db.session.scalar(excluded) == 25
    assert db.session.scalar(select(func.count()).select_from(Response)) >= 320  # nothing deleted


def test_the_integrity_view_ranks_the_stuffing_unit_first_with_its_burst_timeline(signed_in, burst_campaign):
    auditor = signed_in("auditor")
    auditor.get(f"/console/campaigns/{burst_campaign.id}/review")  # an auditor may look; the sweep runs
    page = auditor.get(f"/console/campaigns/{burst_campaign.id}/integrity").get_data(as_text=True)
    rows = re.findall(r'<tr data-unit="([^"]+)"', page)
    assert rows == ["RV1", "RV2"]
    assert "96.8%" in page  # 300 of 310 answers
    assert 'id="burst-timeline"' in page and "<svg" in page and page.count("*</text>") >= 1
    assert 'id="exclude-selected"' not in auditor.get(f"/console/campaigns/{burst_campaign.id}/review").get_data(
        as_text=True
    )


def test_thresholds_are_edited_in_the_console_and_refused_with_the_field_named(signed_in, burst_campaign):
    statistician = signed_in("statistician")
    url = f"/console/campaigns/{burst_campaign.id}/quality-rules"
    form = {
        "enabled": "1",
        "min_seconds": "90",
        "straight_lining_min_questions": "8",
        "day_starts_hour": "6",
        "day_ends_hour": "23",
        "duplicate_min_count": "3",
        "duplicate_window_minutes": "30",
        "burst_window_minutes": "5",
        "burst_min_count": "40",
        "burst_factor": "4.5",
    }
    saved = post_form(statistician, url, url, form, follow_redirects=True)
    assert saved.status_code == 200 and 'value="40"' in saved.get_data(as_text=True)
    refused = post_form(statistician, url, url, {**form, "burst_min_count": "lots"})
    assert refused.status_code == 422 and "lots" not in refused.get_data(as_text=True).split("<form")[0]
