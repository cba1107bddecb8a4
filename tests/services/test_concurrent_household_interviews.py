"""Two enumerators interviewing one household at the same moment (the former one from work recorded before a
reassignment, the new one now) leave exactly one response: real commits on the database, so the CI run with
TEST_DATABASE_URL is the PostgreSQL proof."""

from __future__ import annotations

import re
import threading
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from survey_api.extensions import db
from survey_api.models import Household, Response, Visit
from survey_api.services.audit import SYSTEM
from survey_api.services.fieldwork import assign_in_batches, reassign

from ..factories import create_account, full_answers
from ..household_support import drawn, household_campaign, remove_household_campaign
from ..web.console_client import sign_in

PER_ENUMERATOR = 6


@pytest.fixture
def reassigned(app):
    """A committed household survey whose households went from one enumerator to another."""
    with app.app_context():
        campaign, unit = household_campaign(count=20, communities=1)
        drawn(campaign, unit)
        former = create_account(f"former_{uuid.uuid4().hex[:8]}", "enumerator")
        current = create_account(f"current_{uuid.uuid4().hex[:8]}", "enumerator")
        assign_in_batches(SYSTEM, campaign.id, None, [former.username])
        db.session.commit()
        before = datetime.now(timezone.utc) - timedelta(seconds=1)
        reassign(SYSTEM, campaign.id, former.username, current.username, None)
        household_id = db.session.scalar(
            select(Household.id).where(Household.enumerator_id == current.id).order_by(Household.id).limit(1)
        )
        db.session.commit()
        made = (campaign.id, unit.id, former.username, current.username, household_id, before, full_answers(campaign))
    yield made
    with app.app_context():
        remove_household_campaign(made[0], (made[1],))


def signed_client(app, username: str):
    client = app.test_client()
    assert sign_in(client, username).status_code == 302
    page = client.get("/console/field/").get_data(as_text=True)
    return client, re.search(r'data-csrf="([^"]+)"', page).group(1)


def test_two_enumerators_at_once_leave_one_interview_of_a_household(app, reassigned):
    campaign_id, _, former, current, household_id, before, answers = reassigned
    clients = [(signed_client(app, former), before) for _ in range(PER_ENUMERATOR)]
    clients += [(signed_client(app, current), datetime.now(timezone.utc)) for _ in range(PER_ENUMERATOR)]
    barrier = threading.Barrier(len(clients))
    results, lock = [], threading.Lock()

    def run(signed, visited_at):
        client, token = signed
        body = {
            "submission_id": uuid.uuid4().hex,
            "household_id": household_id,
            "outcome": "completed",
            "visited_at": visited_at.isoformat(),
            "answers": answers,
            "duration_seconds": 600,
        }
        barrier.wait()
        answer = client.post(
            "/console/field/visits", json=body, headers={"X-CSRFToken": token, "Accept": "application/json"}
        )
        with lock:
            results.append(answer)

    threads = [threading.Thread(target=run, args=item) for item in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    statuses = sorted(r.status_code for r in results)
    assert statuses == [201] + [409] * (len(clients) - 1), [r.get_json() for r in results]
    codes = {r.get_json()["code"] for r in results if r.status_code == 409}
    assert codes <= {"response.already_answered", "household.finished"}
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(Response.campaign_id == campaign_id)) == 1
        assert db.session.scalar(select(func.count()).where(Visit.household_id == household_id)) == 1
