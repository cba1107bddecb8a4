"""The export endpoints: streamed files with a file name, every format parsed back, Chinese headers, the error
answers, who may export, and the audit record of every export."""

from __future__ import annotations

import csv
import io
import json

import openpyxl
import pytest

from survey_api.models import AuditEvent, ResponseStatus
from survey_api.services import exports

from ..exports_support import add_response, add_run, score_units
from ..factories import create_campaign, full_answers


@pytest.fixture
def campaign_a(persona_units):
    campaign = create_campaign([persona_units["A"]])
    add_response(campaign, full_answers(campaign))
    add_response(campaign, full_answers(campaign), status=ResponseStatus.EXCLUDED)
    return campaign


def url(campaign, what: str, **query) -> str:
    params = "&".join(f"{k}={v}" for k, v in query.items())
    return f"/api/v1/campaigns/{campaign.id}/exports/{what}" + (f"?{params}" if params else "")


def test_responses_as_csv_stream_with_a_file_name(client_as, campaign_a):
    response = client_as("statistician").get(url(campaign_a, "responses", format="csv"))
    assert response.status_code == 200 and response.is_streamed
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == f'attachment; filename="responses-{campaign_a.id}.csv"'
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert [r["status"] for r in rows] == ["included", "excluded"]  # excluded responses are kept, with their status
    assert rows[0]["unit_code"] == "UA1" and rows[0]["security.overall"]


def test_responses_as_xlsx_and_json_with_chinese_headers(client_as, campaign_a):
    auditor = client_as("auditor")
    xlsx = auditor.get(url(campaign_a, "responses", format="xlsx", headers="zh"))
    assert xlsx.status_code == 200 and xlsx.headers["Content-Disposition"].endswith('.xlsx"')
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.data), read_only=True).worksheets[0]
    header, first, second = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert header[:3] == ["答卷编号", "单位代码", "单位名称"] and "您的性别" in header
    assert first[1:3] == ["UA1", "城关街道"] and second[header.index("状态")] == "excluded"
    body = auditor.get(url(campaign_a, "responses", format="json", labels="true")).get_json()
    assert len(body) == 2 and body[0]["satisfaction.overall.label"] == "很满意"
    assert body[0]["satisfaction.improve_first"] == ["efficiency"]  # JSON keeps several options as a list


def test_results_export_latest_run_or_a_named_one(client_as, campaign_a):
    admin = client_as("admin")
    missing = admin.get(url(campaign_a, "results"))
    assert missing.status_code == 404 and missing.get_json()["code"] == "results.not_found"
    first = add_run(campaign_a, score_units(campaign_a, []))
    latest = add_run(campaign_a, score_units(campaign_a, [{"unit_code": "UA1", "status": "included"}]))
    response = admin.get(url(campaign_a, "results", format="json"))
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="results-{campaign_a.id}-run{latest.id}-indices.json"'
    )
    assert [r["unit_n"] for r in response.get_json()] == [1, 1, 1]
    named = admin.get(url(campaign_a, "results", format="csv", run=first.id, table="questions", headers="zh"))
    rows = list(csv.DictReader(io.StringIO(named.data.decode("utf-8-sig"))))
    assert rows and {"题目", "题目得分", "说不清占比"} <= set(rows[0])
    workbook = openpyxl.load_workbook(io.BytesIO(admin.get(url(campaign_a, "results", format="xlsx")).data))
    assert workbook.sheetnames == ["indices", "questions"]
    unknown = admin.get(url(campaign_a, "results", run=999999))
    assert unknown.status_code == 404 and unknown.get_json()["code"] == "results.run_not_found"


def test_bad_parameters_are_named(client_as, campaign_a):
    response = client_as("admin").get(url(campaign_a, "responses", format="pdf", headers="fr"))
    assert response.status_code == 422
    assert set(response.get_json()["details"]) == {"format", "headers"}
    assert client_as("admin").get("/api/v1/campaigns/999999/exports/responses").get_json()["code"] == (
        "campaign.not_found"
    )


def test_too_many_rows_for_xlsx_is_refused_before_any_byte(client_as, campaign_a, monkeypatch):
    monkeypatch.setattr(exports, "XLSX_MAX_ROWS", 2)
    response = client_as("admin").get(url(campaign_a, "responses", format="xlsx"))
    assert response.status_code == 422 and response.get_json()["code"] == "export.too_many_rows"


@pytest.mark.parametrize("persona", ["unit_a", "enumerator"])
def test_unit_users_and_enumerators_may_not_export(client_as, campaign_a, persona):
    for what in ("responses", "results"):
        response = client_as(persona).get(url(campaign_a, what))
        assert response.status_code == 403 and response.get_json()["code"] == "auth.forbidden"
    assert client_as(None).get(url(campaign_a, "responses")).status_code == 401


def test_each_export_is_recorded_with_who_and_what(client_as, campaign_a, db_session):
    client_as("auditor").get(url(campaign_a, "responses", format="csv", headers="zh")).data
    event = db_session.query(AuditEvent).filter_by(action="export.responses").one()
    assert (event.actor_name, event.via, event.object_id) == ("p_auditor", "api", str(campaign_a.id))
    assert event.changes["format"] == "csv" and event.changes["rows"] == 2


def test_openapi_documents_the_exports(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    responses = paths["/api/v1/campaigns/{campaign_id}/exports/responses"]["get"]
    assert {p["name"] for p in responses["parameters"]} >= {"format", "headers", "labels"}
    assert "text/csv" in responses["responses"]["200"]["content"]
    results = paths["/api/v1/campaigns/{campaign_id}/exports/results"]["get"]
    assert {"run", "table"} <= {p["name"] for p in results["parameters"]} and "404" in results["responses"]
    assert "results.not_found" in json.dumps(results)
