"""Submitting answers through the public JSON API: stored once, validated, and never half-written."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from survey_api.extensions import db
from survey_api.models import Response

from ..factories import create_campaign, full_answers


def post(client, token, answers, submission_id=None, **extra):
    body = {"submission_id": submission_id or uuid.uuid4().hex, "answers": answers, **extra}
    return client.post(f"/api/v1/links/{token}/responses", json=body)


_baseline = {"responses": 0}


@pytest.fixture(autouse=True)
def response_baseline(db_session):
    """Count only what this test stores: tests elsewhere commit for real and may leave responses behind."""
    _baseline["responses"] = db.session.scalar(select(func.count()).select_from(Response))


def stored_counts() -> int:
    return db.session.scalar(select(func.count()).select_from(Response)) - _baseline["responses"]


def test_the_questionnaire_is_served_without_scores(client, token):
    body = client.get(f"/api/v1/links/{token}").get_json()
    assert body["accepting"] == "accepting" and body["unit_name"] == "城关街道"
    assert [f["key"] for f in body["forms"]] == ["happiness", "satisfaction", "security", "profile"]
    first = body["forms"][0]["questions"][0]
    assert first["options"][0] == {"key": "very_happy", "label": "很幸福"}


def test_a_valid_submission_is_stored_with_its_context(client, campaign, token):
    answers = full_answers(campaign)
    response = post(client, token, answers, submission_id="sub-0001-aaaa", duration_seconds=95)
    assert response.status_code == 201
    receipt = response.get_json()
    assert receipt["is_new"] is True and receipt["submission_id"] == "sub-0001-aaaa"
    assert len(receipt["receipt"]) == 9 and receipt["unit_code"] == campaign.links[0].unit.code
    stored = db.session.scalar(select(Response).where(Response.receipt_code == receipt["receipt"]))
    assert stored.channel.value == "api" and stored.duration_seconds == 95
    assert stored.campaign_id == campaign.id and stored.unit_id == campaign.links[0].unit_id
    assert stored.form_versions == {cf.form_version.key: cf.form_version_id for cf in campaign.forms}
    assert stored.answers == answers  # the canonical document: these answers were already canonical


def test_answers_are_stored_in_canonical_form(client, campaign, token):
    answers = full_answers(campaign)
    answers["satisfaction"]["comment"] = "  路灯不亮  "
    answers["satisfaction"]["improve_first"] = ["environment", "efficiency", "efficiency"]
    answers["happiness"]["self_rating"] = "7"
    receipt = post(client, token, answers).get_json()["receipt"]
    stored = db.session.scalar(select(Response).where(Response.receipt_code == receipt))
    assert stored.answers["satisfaction"]["comment"] == "路灯不亮"
    assert stored.answers["satisfaction"]["improve_first"] == ["efficiency", "environment"]
    assert stored.answers["happiness"]["self_rating"] == 7


def test_an_identical_resend_returns_the_first_receipt_and_stores_nothing(client, campaign, token):
    answers = full_answers(campaign)
    first = post(client, token, answers, submission_id="resend-0001")
    counts = stored_counts()
    again = post(client, token, answers, submission_id="resend-0001", duration_seconds=999)
    assert again.status_code == 200 and again.get_json()["is_new"] is False
    assert again.get_json()["receipt"] == first.get_json()["receipt"]
    assert stored_counts() == counts


def test_the_same_id_with_different_answers_is_a_conflict(client, campaign, token):
    answers = full_answers(campaign)
    post(client, token, answers, submission_id="conflict-0001")
    counts = stored_counts()
    changed = {**answers, "satisfaction": {**answers["satisfaction"], "overall": "dissatisfied"}}
    response = post(client, token, changed, submission_id="conflict-0001")
    assert response.status_code == 409 and response.get_json()["code"] == "response.conflict"
    assert stored_counts() == counts
    kept = db.session.scalar(select(Response).where(Response.submission_id == "conflict-0001"))
    assert kept.answers["satisfaction"]["overall"] == "very_satisfied"


def test_a_resend_after_the_campaign_closed_still_gets_its_receipt(client, admin_client, campaign, token):
    answers = full_answers(campaign)
    first = post(client, token, answers, submission_id="late-resend-1").get_json()
    assert admin_client.post(f"/api/v1/campaigns/{campaign.id}/close").status_code == 200
    again = post(client, token, answers, submission_id="late-resend-1")
    assert again.status_code == 200 and again.get_json()["receipt"] == first["receipt"]
    fresh = post(client, token, answers)
    assert fresh.status_code == 409 and fresh.get_json()["code"] == "campaign.closed"


def test_missing_and_unknown_answers_are_named_per_question(client, campaign, token):
    answers = full_answers(campaign)
    del answers["satisfaction"]["overall"]
    answers["security"]["night_walk"] = "perfectly_safe"
    answers["security"]["made_up"] = "x"
    answers["happiness"]["self_rating"] = 12
    response = post(client, token, answers)
    body = response.get_json()
    assert response.status_code == 422 and body["code"] == "response.invalid"
    found = {(d["form"], d["question"], d["code"]) for d in body["details"]}
    assert found == {
        ("satisfaction", "overall", "required"),
        ("security", "night_walk", "unknown_option"),
        ("security", "made_up", "unknown_question"),
        ("happiness", "self_rating", "out_of_range"),
    }
    overall = next(d for d in body["details"] if d["question"] == "overall")
    assert overall["question_text"].startswith("总体来说") and overall["message"]
    assert stored_counts() == 0


def test_an_over_long_comment_is_refused_with_the_limit(client, campaign, token):
    answers = full_answers(campaign)
    answers["satisfaction"]["comment"] = "很" * 301
    detail = post(client, token, answers).get_json()["details"][0]
    assert detail["code"] == "too_long" and "300" in detail["message"]


@pytest.mark.parametrize(
    "body, status, code",
    [
        ('{"submission_id": "abcdefgh", "answers": {', 400, "request.malformed_json"),
        ("[1, 2", 400, "request.malformed_json"),
    ],
)
def test_malformed_json_is_refused(client, token, body, status, code):
    response = client.post(f"/api/v1/links/{token}/responses", data=body, content_type="application/json")
    assert response.status_code == status and response.get_json()["code"] == code
    assert stored_counts() == 0


def test_a_form_encoded_body_is_refused_as_the_wrong_content_type(client, token):
    response = client.post(f"/api/v1/links/{token}/responses", data={"submission_id": "abcdefgh"})
    assert response.status_code == 415 and response.get_json()["code"] == "request.unsupported_media_type"


def test_unknown_top_level_fields_and_bad_ids_are_refused(client, campaign, token):
    response = post(client, token, full_answers(campaign), submission_id="no spaces allowed", extra_field=1)
    body = response.get_json()
    assert response.status_code == 422 and body["code"] == "request.invalid"
    assert set(body["details"]) == {"submission_id", "extra_field"}
    assert stored_counts() == 0


def test_an_oversized_body_is_refused(client, app, campaign, token):
    answers = full_answers(campaign)
    answers["satisfaction"]["comment"] = "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = post(client, token, answers)
    assert response.status_code == 413 and response.get_json()["code"] == "request.too_large"
    assert str(app.config["MAX_CONTENT_LENGTH"]) in response.get_json()["message"]
    assert stored_counts() == 0


def test_unknown_and_mistyped_tokens_are_404(client, campaign, token):
    mistyped = token[:-1] + ("A" if token[-1] != "A" else "B")
    for bad in (mistyped, "nonsense", "x" * 80):
        response = post(client, bad, full_answers(campaign))
        assert response.status_code == 404 and response.get_json()["code"] == "link.not_found"
        assert client.get(f"/api/v1/links/{bad}").status_code == 404


@pytest.mark.parametrize(
    "state, opens_in, code",
    [
        ("draft", None, "campaign.not_open"),
        ("open", timedelta(days=1), "campaign.not_open"),
        ("closed", None, "campaign.closed"),
    ],
)
def test_a_campaign_that_does_not_take_answers_says_why(client, db_session, state, opens_in, code):
    opens_at = datetime.now(timezone.utc) + opens_in if opens_in else None
    campaign = create_campaign(state=state, opens_at=opens_at)
    response = post(client, campaign.links[0].link_token, full_answers(campaign))
    assert response.status_code == 409 and response.get_json()["code"] == code
    assert stored_counts() == 0


def test_a_campaign_past_its_closing_time_takes_no_answers(client, db_session):
    now = datetime.now(timezone.utc)
    campaign = create_campaign(opens_at=now - timedelta(days=2), closes_at=now - timedelta(seconds=1))
    response = post(client, campaign.links[0].link_token, full_answers(campaign))
    assert response.get_json()["code"] == "campaign.closed"


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(resends=st.integers(min_value=1, max_value=4), rating=st.integers(0, 10), comment=st.text(max_size=30))
def test_any_number_of_identical_resends_stores_exactly_one_response(client, campaign, token, resends, rating, comment):
    answers = full_answers(campaign)
    answers["happiness"]["self_rating"] = rating
    answers["satisfaction"]["comment"] = comment
    submission_id = uuid.uuid4().hex
    before = stored_counts()
    receipts = {
        post(client, token, answers, submission_id=submission_id).get_json()["receipt"] for _ in range(resends + 1)
    }
    assert len(receipts) == 1
    assert stored_counts() == before + 1


def test_a_taken_receipt_code_is_replaced_not_reported(client, campaign, token, monkeypatch):
    from survey_api.services import responses

    codes = iter(["AAAA-AAAA", "AAAA-AAAA", "BBBB-BBBB"])
    monkeypatch.setattr(responses, "receipt_code", lambda _random: next(codes))
    first = post(client, token, full_answers(campaign)).get_json()
    second = post(client, token, full_answers(campaign))
    assert first["receipt"] == "AAAA-AAAA"
    assert second.status_code == 201 and second.get_json()["receipt"] == "BBBB-BBBB"
    assert stored_counts() == 2


def test_a_warm_submission_is_one_statement(client, app, campaign, token):
    from ..web.test_public_pages import count_queries

    post(client, token, full_answers(campaign))  # the first one resolves the link and caches its questionnaires
    answers = full_answers(campaign)
    assert count_queries(app, lambda: post(client, token, answers)) == 1
