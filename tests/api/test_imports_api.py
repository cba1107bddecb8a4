"""POST /api/v1/campaigns/<id>/imports: a script uploads a call centre's file and reads the report."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from survey_api.extensions import db
from survey_api.models import Channel, Response

from ..factories import create_campaign
from ..import_files import answer_table, csv_bytes, xlsx_bytes


def upload(client, campaign_id: int, data: bytes, filename: str = "cati.xlsx", **fields):
    body = {"file": (io.BytesIO(data), filename), **{k: str(v).lower() for k, v in fields.items()}}
    return client.post(f"/api/v1/campaigns/{campaign_id}/imports", data=body, content_type="multipart/form-data")


def stored(campaign_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Response).where(Response.campaign_id == campaign_id))


def test_a_statistician_uploads_an_xlsx_and_gets_the_report(client_as, persona_units):
    campaign = create_campaign([persona_units["A"]])
    headers, rows = answer_table(campaign, 3)
    response = upload(client_as("statistician"), campaign.id, xlsx_bytes(headers, rows), channel="paper")
    assert response.status_code == 200, response.get_json()
    report = response.get_json()
    assert report["counts"] == {"total": 3, "imported": 3, "already_imported": 0, "rejected": 0}
    assert report["channel"] == "paper" and [r["outcome"] for r in report["rows"]] == ["imported"] * 3
    assert db.session.scalar(select(Response.channel).where(Response.campaign_id == campaign.id)) is Channel.PAPER
    again = upload(client_as("statistician"), campaign.id, xlsx_bytes(headers, rows)).get_json()
    assert again["counts"]["already_imported"] == 3 and stored(campaign.id) == 3


def test_a_rejected_file_is_a_422_with_the_report_and_stores_nothing(client_as, persona_units):
    campaign = create_campaign([persona_units["A"]])
    headers, rows = answer_table(campaign, 2)
    rows[1][headers.index("satisfaction.overall")] = "还行"
    response = upload(client_as("admin"), campaign.id, csv_bytes(headers, rows), filename="cati.csv")
    body = response.get_json()
    assert response.status_code == 422 and body["code"] == "import.rejected"
    assert body["details"]["counts"] == {"total": 2, "imported": 0, "already_imported": 0, "rejected": 1}
    assert [r["outcome"] for r in body["details"]["rows"]] == ["not_imported", "rejected"]
    assert body["details"]["rows"][1]["problems"][0]["column"] == "satisfaction.overall"
    assert stored(campaign.id) == 0
    accepted = upload(client_as("admin"), campaign.id, csv_bytes(headers, rows), filename="cati.csv", accept_valid=True)
    assert accepted.status_code == 200 and accepted.get_json()["counts"]["imported"] == 1


def test_file_level_problems_are_catalogue_errors(client_as, persona_units):
    campaign = create_campaign([persona_units["A"]])
    statistician = client_as("statistician")
    headers, rows = answer_table(campaign, 1)
    unknown = upload(statistician, campaign.id, csv_bytes(headers + ["手机号"], [rows[0] + ["1"]]), "a.csv")
    assert unknown.status_code == 422 and unknown.get_json()["code"] == "import.bad_columns"
    assert "手机号" in unknown.get_json()["details"][0]["message"]
    garbled = upload(statistician, campaign.id, b"\xff\xfe\x80\x81,\x80\n", "a.csv")
    assert garbled.get_json()["code"] == "import.unreadable"
    as_json = statistician.post(f"/api/v1/campaigns/{campaign.id}/imports", json={"file": "x"})
    assert as_json.status_code == 415 and as_json.get_json()["code"] == "request.upload_required"
    bad_channel = upload(statistician, campaign.id, csv_bytes(headers, rows), "a.csv", channel="qr")
    assert bad_channel.status_code == 422 and "channel" in bad_channel.get_json()["details"]
    draft = create_campaign([persona_units["A"]], state="draft")
    refused = upload(statistician, draft.id, csv_bytes(*answer_table(draft, 1)), "a.csv")
    assert refused.status_code == 409 and refused.get_json()["code"] == "import.campaign_draft"
    assert upload(statistician, 999999, b"x", "a.csv").get_json()["code"] == "campaign.not_found"


def test_a_file_larger_than_the_request_limit_but_within_the_import_limit_is_read(app, client_as, persona_units):
    campaign = create_campaign([persona_units["A"]])
    headers, rows = answer_table(campaign, 400)
    data = csv_bytes(headers, rows)
    assert len(data) > app.config["MAX_CONTENT_LENGTH"]
    response = upload(client_as("statistician"), campaign.id, data, "big.csv")
    assert response.status_code == 200 and response.get_json()["counts"]["imported"] == 400


def test_the_template_has_the_campaigns_headers(client_as, persona_units):
    campaign = create_campaign([persona_units["A"]])
    response = client_as("statistician").get(f"/api/v1/campaigns/{campaign.id}/imports/template?format=csv")
    assert response.status_code == 200
    header = response.get_data().decode("utf-8-sig").splitlines()[0].split(",")
    assert header[:2] == ["unit", "record_id"] and "satisfaction.overall" in header
    xlsx = client_as("statistician").get(f"/api/v1/campaigns/{campaign.id}/imports/template")
    assert xlsx.status_code == 200 and xlsx.get_data()[:2] == b"PK"


def test_the_import_route_is_documented_with_the_error_component(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    route = spec["paths"]["/api/v1/campaigns/{campaign_id}/imports"]["post"]
    assert "multipart/form-data" in route["requestBody"]["content"]
    assert {"200", "404", "409", "413", "415", "422"} <= set(route["responses"])
    assert route["responses"]["422"]["content"]["application/json"]["schema"]["$ref"].endswith("/Error")
    assert route["security"] == [{"apiToken": []}]
