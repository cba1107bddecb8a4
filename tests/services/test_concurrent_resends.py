"""Twenty clients resending one submission at the same moment leave exactly one response (real commits)."""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import select

from survey_api.extensions import db
from survey_api.models import Response

from ..factories import create_campaign, create_unit, full_answers, remove_campaign

CLIENTS = 20


@pytest.fixture
def committed_campaign(app):
    """A campaign committed for real, so that concurrent requests on their own connections see it."""
    with app.app_context():
        unit = create_unit(code=f"C{uuid.uuid4().hex[:8]}")
        campaign = create_campaign([unit])
        db.session.commit()
        ids = (campaign.id, unit.id)
        payload = (campaign.links[0].link_token, full_answers(campaign))
    yield payload
    with app.app_context():
        campaign_id, unit_id = ids
        remove_campaign(campaign_id, (unit_id,))


def test_twenty_concurrent_resends_leave_exactly_one_row(app, committed_campaign):
    """Runs on whichever database the suite uses; the CI run with TEST_DATABASE_URL is the PostgreSQL proof."""
    token, answers = committed_campaign
    submission_id = uuid.uuid4().hex
    barrier = threading.Barrier(CLIENTS)
    results: list[tuple[int, dict]] = []
    lock = threading.Lock()

    def resend() -> None:
        client = app.test_client()
        barrier.wait()
        response = client.post(
            f"/api/v1/links/{token}/responses", json={"submission_id": submission_id, "answers": answers}
        )
        with lock:
            results.append((response.status_code, response.get_json()))

    threads = [threading.Thread(target=resend) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    statuses = sorted(status for status, _ in results)
    assert len(results) == CLIENTS
    assert statuses == [200] * (CLIENTS - 1) + [201], results
    assert len({body["receipt"] for _, body in results}) == 1
    with app.app_context():
        stored = db.session.scalars(select(Response).where(Response.submission_id == submission_id)).all()
    assert len(stored) == 1
    assert stored[0].answers == answers
