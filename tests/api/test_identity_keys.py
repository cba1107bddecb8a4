"""One counted response per identity key: a second answer from one phone, household or invitation is refused
plainly, a replacement keeps the earlier answer as history, and the receipt check tells only whether it counts."""

from __future__ import annotations

import logging
import uuid

import pytest
from sqlalchemy import select, update

from survey_api.domain.campaigns import CampaignState
from survey_api.extensions import db
from survey_api.models import Invitation, Response, ResponseStatus, is_counted
from survey_api.services.audit import SYSTEM
from survey_api.services.campaigns import response_counts, transition

from ..factories import create_campaign, full_answers

PHONE = "13812345678"


def post(client, token, answers, identity=None, submission_id=None, **extra):
    body = {"submission_id": submission_id or uuid.uuid4().hex, "answers": answers, **extra}
    if identity is not None:
        body["identity"] = identity
    return client.post(f"/api/v1/links/{token}/responses", json=body)


def rows(campaign) -> list[Response]:
    return list(db.session.scalars(select(Response).where(Response.campaign_id == campaign.id).order_by(Response.id)))


@pytest.fixture
def phone_campaign(db_session):
    return create_campaign(identity_mode="personal_phone")


def test_answering_twice_from_one_phone_is_refused_with_a_clear_message(client, phone_campaign):
    token, answers = phone_campaign.links[0].link_token, full_answers(phone_campaign)
    first = post(client, token, answers, "138 1234 5678")
    second = post(client, token, answers, "+86 138-1234-5678")
    assert first.status_code == 201
    assert second.status_code == 409
    body = second.get_json()
    assert body["code"] == "response.already_answered"
    assert body["details"] == {"can_replace": False}
    assert "已经提交过" in body["message"]  # Chinese by default
    assert len(rows(phone_campaign)) == 1


def test_a_resend_of_the_same_submission_still_gets_its_receipt(client, phone_campaign):
    token, answers = phone_campaign.links[0].link_token, full_answers(phone_campaign)
    submission_id = uuid.uuid4().hex
    first = post(client, token, answers, PHONE, submission_id)
    again = post(client, token, answers, PHONE, submission_id)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.get_json()["receipt"] == again.get_json()["receipt"]


def test_the_same_phone_answers_each_unit_and_each_campaign_once(client, phone_campaign):
    other = create_campaign(identity_mode="personal_phone")
    for campaign in (phone_campaign, other):
        assert post(client, campaign.links[0].link_token, full_answers(campaign), PHONE).status_code == 201
    keys = {r.identity_key for r in rows(phone_campaign) + rows(other)}
    assert len(keys) == 2  # unrelated keys: campaigns cannot be joined on them


@pytest.mark.parametrize(
    "mode, typed, fragment",
    [
        ("personal_phone", "010-6512-3456", "11位"),
        ("personal_phone", None, "每人只计一份"),
        ("personal_id_suffix", "12X4", "后4至6位"),
        ("invitation", "ABCDE-FGHJK", "不适用于本次调查"),
        ("device", "short", "设备标识"),
    ],
)
def test_an_unusable_identity_is_refused_with_what_to_type(client, db_session, mode, typed, fragment):
    campaign = create_campaign(identity_mode=mode)
    response = post(client, campaign.links[0].link_token, full_answers(campaign), typed)
    assert response.status_code == 422
    body = response.get_json()
    assert body["code"] == "identity.invalid"
    assert fragment in body["details"]["identity"][0]
    assert typed is None or typed not in str(body)
    assert rows(campaign) == []


def test_a_household_key_used_by_two_enumerators_counts_once(client, db_session):
    campaign = create_campaign(identity_mode="household")
    token, answers = campaign.links[0].link_token, full_answers(campaign)
    assert post(client, token, answers, "hh-0012").status_code == 201
    assert post(client, token, answers, "HH 0012").get_json()["code"] == "response.already_answered"
    assert post(client, token, answers, "HH-0013").status_code == 201
    assert response_counts(campaign.id) == {campaign.links[0].unit_id: 2}


def test_a_replacement_supersedes_the_earlier_answer_and_keeps_it(client, db_session):
    campaign = create_campaign(identity_mode="personal_phone", allow_replacement=True)
    token, answers = campaign.links[0].link_token, full_answers(campaign)
    first = post(client, token, answers, PHONE)
    changed = {**answers, "satisfaction": {**answers["satisfaction"], "overall": "dissatisfied"}}
    refused = post(client, token, changed, PHONE)
    assert refused.status_code == 409 and refused.get_json()["details"] == {"can_replace": True}
    replaced = post(client, token, changed, PHONE, replace=True)
    assert replaced.status_code == 201
    again = post(client, token, answers, PHONE, replace=True)
    assert again.status_code == 201

    old, middle, current = rows(campaign)
    assert old.receipt_code == first.get_json()["receipt"]
    assert old.superseded_at is not None and old.replaced_by_id == middle.id
    assert middle.superseded_at is not None and middle.replaced_by_id == current.id
    assert current.superseded_at is None and current.replaced_by_id is None
    assert {r.status for r in (old, middle, current)} == {ResponseStatus.INCLUDED}  # status untouched
    assert old.answers == answers and middle.answers["satisfaction"]["overall"] == "dissatisfied"
    counted = db.session.scalars(select(Response.id).where(Response.campaign_id == campaign.id, is_counted())).all()
    assert counted == [current.id]
    assert response_counts(campaign.id) == {campaign.links[0].unit_id: 1}

    states = {
        r.receipt_code: client.get(f"/api/v1/receipts/{r.receipt_code}").get_json()["state"] for r in rows(campaign)
    }
    assert states == {old.receipt_code: "replaced", middle.receipt_code: "replaced", current.receipt_code: "counted"}


def test_no_replacement_once_the_campaign_has_closed(client, db_session):
    campaign = create_campaign(identity_mode="personal_phone", allow_replacement=True)
    token, answers = campaign.links[0].link_token, full_answers(campaign)
    assert post(client, token, answers, PHONE).status_code == 201
    transition(SYSTEM, campaign.id, CampaignState.CLOSED)
    db.session.commit()
    response = post(client, token, answers, PHONE, replace=True)
    assert response.get_json()["code"] == "campaign.closed"
    assert [r.superseded_at for r in rows(campaign)] == [None]


def test_replace_is_refused_when_the_campaign_does_not_allow_it(client, phone_campaign):
    token, answers = phone_campaign.links[0].link_token, full_answers(phone_campaign)
    post(client, token, answers, PHONE)
    response = post(client, token, answers, PHONE, replace=True)
    assert response.status_code == 409 and response.get_json()["details"] == {"can_replace": False}
    assert len(rows(phone_campaign)) == 1


def test_invitation_codes_are_issued_once_and_consumed_once(client_as, db_session):
    campaign = create_campaign(identity_mode="invitation")
    unit_code = campaign.links[0].unit.code
    issued = client_as("statistician").post(
        f"/api/v1/campaigns/{campaign.id}/invitations", json={"unit_code": unit_code, "count": 3}
    )
    assert issued.status_code == 201
    codes = [i["code"] for i in issued.get_json()]
    assert len(set(codes)) == 3 and all(f"?invite={c}" in i["url"] for c, i in zip(codes, issued.get_json()))
    stored = db.session.scalars(select(Invitation).where(Invitation.campaign_id == campaign.id)).all()
    assert all(i.consumed_at is None and codes[0] not in i.code_hash for i in stored)

    client = client_as(None)
    token, answers = campaign.links[0].link_token, full_answers(campaign)
    assert post(client, token, answers, codes[0].lower()).status_code == 201
    assert post(client, token, answers, codes[0]).get_json()["code"] == "response.already_answered"
    assert post(client, token, answers, codes[1]).status_code == 201
    db.session.expire_all()
    consumed = sorted(
        i.consumed_at is not None
        for i in db.session.scalars(select(Invitation).where(Invitation.campaign_id == campaign.id))
    )
    assert consumed == [False, True, True]


def test_invitations_need_an_invitation_campaign(client_as, phone_campaign):
    response = client_as("admin").post(
        f"/api/v1/campaigns/{phone_campaign.id}/invitations",
        json={"unit_code": phone_campaign.links[0].unit.code, "count": 2},
    )
    assert response.status_code == 409 and response.get_json()["code"] == "invitation.wrong_mode"


def test_the_receipt_check_tells_only_whether_an_answer_counts(client, phone_campaign):
    token, answers = phone_campaign.links[0].link_token, full_answers(phone_campaign)
    receipt = post(client, token, answers, PHONE).get_json()["receipt"]
    body = client.get(f"/api/v1/receipts/{receipt.lower().replace('-', '')}").get_json()
    assert body == {"receipt": receipt, "state": "counted"}
    for status, state in ((ResponseStatus.UNDER_REVIEW, "under_review"), (ResponseStatus.EXCLUDED, "not_counted")):
        db.session.execute(update(Response).where(Response.receipt_code == receipt).values(status=status))
        assert client.get(f"/api/v1/receipts/{receipt}").get_json()["state"] == state
    unknown = client.get("/api/v1/receipts/0000-0000")
    assert unknown.status_code == 404 and unknown.get_json()["code"] == "receipt.not_found"


def test_the_link_tells_clients_which_identity_to_send(client, phone_campaign):
    body = client.get(f"/api/v1/links/{phone_campaign.links[0].link_token}").get_json()
    assert (body["identity_mode"], body["allow_replacement"]) == ("personal_phone", False)


def test_no_phone_number_appears_in_clear_in_the_database_or_the_logs(client, phone_campaign, caplog):
    token, answers = phone_campaign.links[0].link_token, full_answers(phone_campaign)
    caplog.set_level(logging.DEBUG)
    logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)  # statement parameters too
    try:
        assert post(client, token, answers, "138 1234 5678").status_code == 201
        assert post(client, token, answers, "138-1234-5678").status_code == 409
        assert post(client, token, answers, "138 1234 567").status_code == 422
    finally:
        logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
    dump = []
    for table in db.metadata.sorted_tables:
        dump.extend(str(tuple(row)) for row in db.session.execute(table.select()))
    everything = "\n".join(dump) + caplog.text
    assert "sa_device" not in everything
    for clear in (PHONE, "138 1234 5678", "138-1234-5678", "1381234567", "138 1234 567"):
        assert clear not in everything
    assert any(r.identity_key for r in rows(phone_campaign))
