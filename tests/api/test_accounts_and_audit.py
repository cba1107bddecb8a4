"""Accounts, sign-in lockout, API tokens and the audit trail, as their users meet them."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from survey_api.errors import AppError
from survey_api.extensions import db
from survey_api.models import ApiToken, AuditEvent
from survey_api.services.accounts import authenticate, change_password, load_session_user
from survey_api.services.audit import SYSTEM

from ..factories import PERSONA_PASSWORD, create_account, create_unit, issue_token


def login_error(username, password, now=None) -> str:
    with pytest.raises(AppError) as caught:
        authenticate(username, password, "10.0.0.1", now=now)
    return caught.value.code


def test_repeated_wrong_passwords_lock_the_account_for_a_growing_time(db_session):
    create_account("clerk", "statistician")
    now = datetime(2026, 11, 22, 9, 0, tzinfo=timezone.utc)
    for _ in range(5):
        assert login_error("clerk", "wrong-password", now) == "auth.invalid_credentials"
    assert login_error("clerk", PERSONA_PASSWORD, now) == "auth.locked"  # even the right password waits
    later = now + timedelta(minutes=2)
    assert authenticate("clerk", PERSONA_PASSWORD, None, now=later).username == "clerk"
    failures = db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "auth.login_failed")
    )
    assert failures == 5


def test_an_unknown_name_and_a_wrong_password_look_the_same(db_session):
    create_account("clerk", "statistician")
    assert login_error("nobody", "whatever-password") == login_error("clerk", "wrong-password")


def test_changing_the_password_ends_other_sessions(db_session):
    user = create_account("clerk", "statistician")
    old_session = user.get_id()
    change_password(SYSTEM, user, PERSONA_PASSWORD, "Another-good-pass-1")
    assert load_session_user(old_session) is None
    assert load_session_user(user.get_id()) == user
    assert authenticate("clerk", "Another-good-pass-1", None).id == user.id


def test_tokens_are_stored_hashed_and_stop_at_revocation_or_expiry(client, db_session):
    user = create_account("scripter", "statistician")
    secret = issue_token(user)
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/me", headers=headers).get_json()["username"] == "scripter"
    stored = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    assert secret not in (stored.token_hash, stored.prefix) and stored.last_used_at is not None
    listed = client.get("/api/v1/me/tokens", headers=headers).get_json()
    assert "token" not in listed[0] and listed[0]["prefix"] == secret[:10]
    assert client.delete(f"/api/v1/me/tokens/{stored.id}", headers=headers).status_code == 200
    refused = client.get("/api/v1/me", headers=headers)
    assert refused.status_code == 401 and refused.get_json()["code"] == "auth.required"
    expiring = issue_token(user)
    token = db.session.scalar(select(ApiToken).where(ApiToken.prefix == expiring[:10]))
    token.expires_at = datetime.now(timezone.utc) - timedelta(seconds=1)
    db.session.commit()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {expiring}"}).status_code == 401


def test_an_owner_creates_a_token_shown_once_and_cannot_revoke_anothers(client_as, persona_tokens):
    admin = client_as("admin")
    created = admin.post("/api/v1/me/tokens", json={"name": "报表脚本", "valid_days": 30})
    body = created.get_json()
    assert created.status_code == 201 and body["token"].startswith("sa_") and body["expires_at"]
    assert (
        client_as("auditor").get("/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"}).get_json()["role"]
        == "admin"
    )
    stolen = client_as("auditor").delete(f"/api/v1/me/tokens/{body['id']}")
    assert stolen.status_code == 404 and stolen.get_json()["code"] == "token.not_found"


@pytest.mark.parametrize(
    "body, status, code",
    [
        ({"username": "new_admin", "password": "short", "role": "admin"}, 422, "account.weak_password"),
        ({"username": "new_admin", "password": "contains-new_admin-x", "role": "admin"}, 422, "account.weak_password"),
        ({"username": "unit_user", "password": "Good-password-22", "role": "unit"}, 422, "account.unit_mismatch"),
        ({"username": "p_admin", "password": "Good-password-22", "role": "admin"}, 409, "account.exists"),
        ({"username": "Bad Name", "password": "Good-password-22", "role": "admin"}, 422, "request.invalid"),
    ],
)
def test_account_creation_refuses_bad_input(client_as, body, status, code):
    response = client_as("admin").post("/api/v1/users", json=body)
    assert (response.status_code, response.get_json()["code"]) == (status, code)


def test_an_admin_creates_a_unit_account(client_as, persona_units):
    response = client_as("admin").post(
        "/api/v1/users", json={"username": "nanhu", "password": "Good-password-22", "role": "unit", "unit_code": "UA1"}
    )
    assert response.status_code == 201 and response.get_json()["unit_code"] == "UA1"
    assert "password" not in response.get_json()


def test_changes_are_in_the_audit_trail_with_who_when_and_from_where(client_as, persona_units):
    admin = client_as("admin")
    created = admin.post(
        "/api/v1/campaigns", json={"title": "测评", "period": "2026", "form_keys": ["profile"], "unit_codes": ["UA1"]}
    ).get_json()
    admin.post(f"/api/v1/campaigns/{created['id']}/open", environ_base={"REMOTE_ADDR": "192.0.2.7"})
    trail = client_as("auditor").get(f"/api/v1/audit?object_type=campaign&object_id={created['id']}").get_json()
    assert [e["action"] for e in trail] == ["campaign.open", "campaign.create"]
    opened = trail[0]
    assert opened["actor_name"] == "p_admin" and opened["actor_role"] == "admin" and opened["via"] == "api"
    assert opened["ip_address"] == "192.0.2.7" and opened["changes"] == {"state": ["draft", "open"]}
    assert trail[1]["changes"]["units"] == ["UA1"]


def test_a_failed_change_leaves_no_audit_record(client_as, persona_units):
    before = db.session.scalar(select(func.count()).select_from(AuditEvent))
    response = client_as("admin").post(
        "/api/v1/campaigns",
        json={"title": "测评", "period": "2026", "form_keys": ["profile"], "unit_codes": ["UA1", "NOPE"]},
    )
    assert response.status_code == 404
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == before


def test_the_database_refuses_to_change_or_delete_audit_records(db_session):
    create_unit(code="AUD1")
    event_id = db.session.scalar(select(func.max(AuditEvent.id)))
    for statement in (
        "UPDATE audit_events SET action = 'forged' WHERE id = :id",
        "DELETE FROM audit_events WHERE id = :id",
    ):
        with pytest.raises(DBAPIError):
            with db.session.begin_nested():
                db.session.execute(text(statement), {"id": event_id})
    assert db.session.get(AuditEvent, event_id).action == "unit.create"


def test_the_audit_trail_filters_and_pages(client_as, persona_units):
    admin = client_as("admin")
    for code in ("F1", "F2", "F3"):
        admin.post("/api/v1/units", json={"code": code, "name": code, "category": "测试"})
    first = admin.get("/api/v1/audit?action=unit.create&limit=2").get_json()
    assert len(first) == 2 and first[0]["id"] > first[1]["id"]
    rest = admin.get(f"/api/v1/audit?action=unit.create&limit=2&before_id={first[1]['id']}").get_json()
    assert rest and rest[0]["id"] < first[1]["id"]
    assert admin.get("/api/v1/audit?limit=0").status_code == 422


def test_a_disabled_account_loses_its_tokens_sessions_and_sign_in_at_once(client_as, persona_tokens, db_session):
    from survey_api.models import User

    statistician = db.session.scalar(select(User).where(User.username == "p_statistician"))
    session_id = statistician.get_id()
    admin = client_as("admin")
    disabled = admin.patch(f"/api/v1/users/{statistician.id}", json={"is_active": False})
    assert disabled.status_code == 200 and disabled.get_json()["is_active"] is False
    assert client_as("statistician").get("/api/v1/me").status_code == 401
    db.session.expire_all()  # the change was made by the request's own session
    assert load_session_user(session_id) is None
    assert login_error("p_statistician", PERSONA_PASSWORD) == "auth.invalid_credentials"
    assert admin.patch(f"/api/v1/users/{statistician.id}", json={"is_active": True}).status_code == 200
    assert client_as("statistician").get("/api/v1/me").status_code == 200
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.object_id == str(statistician.id), AuditEvent.object_type == "user")
    )
    assert {"user.disable", "user.enable"} <= set(actions)


def test_an_admin_cannot_disable_their_own_account(client_as, db_session):
    from survey_api.models import User

    me = db.session.scalar(select(User).where(User.username == "p_admin"))
    refused = client_as("admin").patch(f"/api/v1/users/{me.id}", json={"is_active": False})
    assert refused.status_code == 409 and refused.get_json()["code"] == "account.self_disable"


def test_the_command_line_resets_a_lost_password_and_lifts_the_lockout(app, db_session):
    create_account("forgetful", "statistician")
    for _ in range(6):
        login_error("forgetful", "wrong-password")
    result = app.test_cli_runner().invoke(
        args=["users", "set-password", "forgetful", "--password-stdin"], input="Fresh-password-77\n"
    )
    assert result.exit_code == 0, result.output
    assert authenticate("forgetful", "Fresh-password-77", None).username == "forgetful"
    disabled = app.test_cli_runner().invoke(args=["users", "disable", "forgetful"])
    assert "disabled" in disabled.output and login_error("forgetful", "Fresh-password-77") == "auth.invalid_credentials"
