"""Many clients answering at the same moment with one identity key leave exactly one counted response, through
the API and through the HTML form; concurrent replacements keep every earlier answer as history (real commits;
the CI run with TEST_DATABASE_URL is the PostgreSQL proof)."""

from __future__ import annotations

import threading
import uuid
from typing import Callable

import pytest
from sqlalchemy import select

from survey_api.extensions import db
from survey_api.models import Response, is_counted

from ..factories import create_campaign, create_unit, full_answers, remove_campaign

CLIENTS = 16


def committed_campaign(app, **options):
    with app.app_context():
        unit = create_unit(code=f"K{uuid.uuid4().hex[:8]}")
        campaign = create_campaign([unit], **options)
        db.session.commit()
        return campaign.id, unit.id, campaign.links[0].link_token, full_answers(campaign)


@pytest.fixture
def committed(app):
    """Make committed campaigns on demand and remove them (and their responses) afterwards."""
    made: list[tuple[int, int]] = []

    def make(**options):
        campaign_id, unit_id, token, answers = committed_campaign(app, **options)
        made.append((campaign_id, unit_id))
        return campaign_id, token, answers

    yield make
    with app.app_context():
        for campaign_id, unit_id in made:
            remove_campaign(campaign_id, (unit_id,))


def all_at_once(app, send: Callable) -> list:
    """Run send(client) in CLIENTS threads released together; return the responses."""
    barrier = threading.Barrier(CLIENTS)
    results: list = []
    lock = threading.Lock()

    def run() -> None:
        client = app.test_client()
        barrier.wait()
        response = send(client)
        with lock:
            results.append(response)

    threads = [threading.Thread(target=run) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(results) == CLIENTS
    return results


def stored(app, campaign_id: int) -> list[Response]:
    with app.app_context():
        return list(
            db.session.scalars(select(Response).where(Response.campaign_id == campaign_id).order_by(Response.id))
        )


def counted_ids(app, campaign_id: int) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(select(Response.id).where(Response.campaign_id == campaign_id, is_counted())))


def test_concurrent_answers_from_one_phone_leave_exactly_one_counted_response(app, committed):
    campaign_id, token, answers = committed(identity_mode="personal_phone")

    def send(client):
        body = {"submission_id": uuid.uuid4().hex, "answers": answers, "identity": "138 1234 5678"}
        return client.post(f"/api/v1/links/{token}/responses", json=body)

    results = all_at_once(app, send)
    statuses = sorted(r.status_code for r in results)
    assert statuses == [201] + [409] * (CLIENTS - 1), [r.get_json() for r in results]
    assert {r.get_json()["code"] for r in results if r.status_code == 409} == {"response.already_answered"}
    assert len(stored(app, campaign_id)) == 1
    assert len(counted_ids(app, campaign_id)) == 1


def test_concurrent_html_answers_with_one_household_key_count_once(app, committed):
    campaign_id, token, answers = committed(identity_mode="household")
    fields = {
        f"{form}.{question}": [str(v) for v in value] if isinstance(value, list) else str(value)
        for form, given in answers.items()
        for question, value in given.items()
    }

    def send(client):
        body = {**fields, "submission_id": uuid.uuid4().hex, "identity": "HH-0012"}
        return client.post(f"/s/{token}", data=body)

    results = all_at_once(app, send)
    assert sorted(r.status_code for r in results) == [303] + [409] * (CLIENTS - 1)
    assert len(stored(app, campaign_id)) == 1


def test_concurrent_replacements_keep_every_earlier_answer_and_count_one(app, committed):
    campaign_id, token, answers = committed(identity_mode="personal_phone", allow_replacement=True)
    first = app.test_client().post(
        f"/api/v1/links/{token}/responses",
        json={"submission_id": uuid.uuid4().hex, "answers": answers, "identity": "13812345678"},
    )
    assert first.status_code == 201

    def send(client):
        body = {"submission_id": uuid.uuid4().hex, "answers": answers, "identity": "13812345678", "replace": True}
        return client.post(f"/api/v1/links/{token}/responses", json=body)

    results = all_at_once(app, send)
    accepted = [r for r in results if r.status_code == 201]
    assert accepted, [r.get_json() for r in results]
    assert all(r.status_code == 201 or r.get_json()["code"] == "response.already_answered" for r in results)
    rows = stored(app, campaign_id)
    assert len(rows) == 1 + len(accepted)  # nothing deleted, nothing half-written
    current = [r for r in rows if r.superseded_at is None]
    assert len(current) == 1 and counted_ids(app, campaign_id) == [current[0].id]
    ids = {r.id for r in rows}
    assert all(r.replaced_by_id in ids for r in rows if r is not current[0])
    assert len({r.replaced_by_id for r in rows if r is not current[0]}) == len(rows) - 1  # one chain, no fork
