"""The error catalogue's shape for API callers and browsers, the health check and the OpenAPI document."""

from __future__ import annotations

import io
import re

from sqlalchemy.exc import OperationalError

from survey_api.errors import CATALOGUE, AppError


def test_every_catalogue_entry_has_a_status_and_a_message(app):
    with app.test_request_context("/"):
        for code, kind in CATALOGUE.items():
            assert 400 <= kind.status < 600 and "." in code
            params = {name: "1" for name in re.findall(r"%\((\w+)\)", str(kind.message))}
            message = AppError(code, **params).message
            assert message.strip() and "%(" not in message


def test_api_errors_have_one_shape(client):
    body = client.get("/api/v1/nothing-here").get_json()
    assert set(body) == {"code", "status", "message", "details"}
    assert body["code"] == "request.not_found" and body["status"] == 404


def test_a_wrong_method_is_405_with_a_code(client):
    response = client.delete("/api/v1/units")
    assert response.status_code == 405 and response.get_json()["code"] == "request.method_not_allowed"


def test_browsers_get_a_page_and_scripts_get_json_for_the_same_error(client):
    page = client.get("/no-such-page", headers={"Accept": "text/html"})
    assert page.status_code == 404 and page.mimetype == "text/html" and "request.not_found" in page.get_data(True)
    data = client.get("/no-such-page", headers={"Accept": "application/json"})
    assert data.mimetype == "application/json" and data.get_json()["code"] == "request.not_found"


def test_an_unexpected_failure_is_a_logged_500_that_reveals_nothing(admin_client, monkeypatch, caplog):
    from survey_api.services import units

    def explode(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(units, "list_units", explode)
    response = admin_client.get("/api/v1/units")
    assert response.status_code == 500 and response.get_json()["code"] == "server.error"
    assert "secret" not in response.get_data(as_text=True)
    assert "secret internals" in caplog.text


def test_unknown_catalogue_codes_are_a_programming_error():
    try:
        AppError("no.such.code")
    except KeyError:
        return
    raise AssertionError("an unknown code must not be raised to clients")


def test_health_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok", "database": "ok"}


def test_health_is_503_when_the_database_is_down(client, monkeypatch):
    from survey_api.extensions import db

    def fail(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(db.session, "execute", fail)
    response = client.get("/healthz")
    assert response.status_code == 503 and response.get_json()["code"] == "server.unavailable"


def test_the_openapi_document_describes_the_api_and_its_errors(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    paths = spec["paths"]
    for path in (
        "/api/v1/units",
        "/api/v1/campaigns",
        "/api/v1/campaigns/{campaign_id}/open",
        "/api/v1/campaigns/{campaign_id}/units/{unit_code}/qr.{image_format}",
        "/api/v1/links/{token}/responses",
    ):
        assert path in paths, path
    assert set(spec["components"]["schemas"]["Error"]["properties"]) == {"code", "status", "message", "details"}
    submit = paths["/api/v1/links/{token}/responses"]["post"]
    assert {"201", "200", "409", "422", "413", "415"} <= set(submit["responses"])
    assert "apiToken" in spec["components"]["securitySchemes"]
    assert paths["/api/v1/units"]["get"]["security"] == [{"apiToken": []}]
    assert "security" not in submit  # the public questionnaire needs no login
    owner = paths["/api/v1/tasks/{task_id}/owner"]["put"]  # a task's owner, and every refusal, are documented
    assert {"200", "404", "409", "422"} <= set(owner["responses"])


def test_a_form_field_named_by_whitespace_is_refused_with_its_details_not_a_500(admin_client, campaign):
    """Found by the OpenAPI fuzzing: marshmallow reports such a field under the key None, which JSON cannot sort."""
    data = {"\r": "null", "channel": "", "file": (io.BytesIO(b"unit\nT01\n"), "answers.csv")}
    answer = admin_client.post(
        f"/api/v1/campaigns/{campaign.id}/imports", data=data, content_type="multipart/form-data"
    )
    body = answer.get_json()
    assert answer.status_code == 422 and body["code"] == "request.invalid"
    assert body["details"] == {"channel": ["Must be one of: phone, paper."], "": ["Unknown field."]}


def test_a_submission_while_the_database_is_unreachable_is_a_503_to_retry_not_a_500(client, campaign, monkeypatch):
    from survey_api.api import public

    from ..factories import full_answers

    def fail(*args, **kwargs):
        raise OperationalError("INSERT", {}, Exception("the database system is shutting down"))

    monkeypatch.setattr(public, "submit", fail)
    body = {"submission_id": "0b6f1c9e-5d1a-4c7e-9a43-2f0d7d1e8a11", "answers": full_answers(campaign)}
    response = client.post(f"/api/v1/links/{campaign.links[0].link_token}/responses", json=body)
    assert response.status_code == 503 and response.get_json()["code"] == "server.unavailable"
    assert response.headers["Retry-After"] == "5"  # the page's script waits this long and resends the same id


def test_an_upload_into_a_full_disk_is_a_clean_503_and_a_loud_log(admin_client, campaign, monkeypatch, caplog):
    import errno

    from survey_api.api import imports

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(imports, "uploaded_file", full)
    data = {"file": (io.BytesIO(b"unit\nT01\n"), "answers.csv")}
    answer = admin_client.post(
        f"/api/v1/campaigns/{campaign.id}/imports", data=data, content_type="multipart/form-data"
    )
    assert answer.status_code == 503 and answer.get_json()["code"] == "server.unavailable"
    assert answer.headers["Retry-After"] == "300"
    assert "no space left on device" in caplog.text


def test_ids_beyond_what_the_database_stores_are_not_found_or_invalid_never_a_500(admin_client, campaign):
    """Found by the OpenAPI fuzzing (PostgreSQL's INTEGER keys end at 2**31 - 1; SQLite's at 2**63 - 1)."""
    for too_big in (2**31, 2**63, 10**30):
        assert admin_client.get(f"/api/v1/campaigns/{too_big}").get_json()["code"] == "request.not_found"
        audit = admin_client.get(f"/api/v1/audit?before_id={too_big}")
        assert audit.status_code == 422 and "before_id" in audit.get_json()["details"]
        body = {"response_ids": [too_big], "decision": "include", "reason": "checked"}
        decision = admin_client.post(f"/api/v1/campaigns/{campaign.id}/review/decisions", json=body)
        assert decision.status_code == 422 and decision.get_json()["code"] == "request.invalid"
    assert admin_client.get(f"/api/v1/campaigns/{2**31 - 1}").get_json()["code"] == "campaign.not_found"


def test_text_with_a_nul_character_is_refused_or_stored_never_a_500(admin_client):
    """Found by the OpenAPI fuzzing on PostgreSQL, whose text columns refuse 0x00 (SQLite stores it)."""
    answer = admin_client.get("/api/v1/audit?actor=kao%00he")
    assert answer.status_code in (200, 422), answer.get_data(as_text=True)
    if answer.status_code == 422:
        assert answer.get_json()["code"] == "request.invalid" and "NUL" in str(answer.get_json()["details"])
