"""Units and campaigns through the JSON API: create, list, open, close, links."""

from __future__ import annotations

from ..conftest import PUBLIC_BASE_URL
from ..factories import create_campaign, create_unit


def post_unit(admin_client, **body):
    payload = {"code": "T01", "name": "城关街道", "category": "乡镇街道", "parent_area": "示范区", **body}
    return admin_client.post("/api/v1/units", json=payload)


def test_create_list_and_get_units(admin_client):
    assert post_unit(admin_client, name="  城关街道 ").status_code == 201
    assert post_unit(admin_client, code="E01", name="商务局", category="经济管理部门").status_code == 201
    listed = admin_client.get("/api/v1/units?category=乡镇街道").get_json()
    codes = [u["code"] for u in listed]
    assert "T01" in codes and "E01" not in codes and codes == sorted(codes)
    assert next(u for u in listed if u["code"] == "T01")["name"] == "城关街道"  # whitespace trimmed
    assert admin_client.get("/api/v1/units/E01").get_json()["category"] == "经济管理部门"


def test_a_duplicate_unit_code_is_a_conflict_and_changes_nothing(admin_client):
    post_unit(admin_client)
    again = post_unit(admin_client, name="别的名字")
    assert again.status_code == 409 and again.get_json()["code"] == "unit.exists"
    assert admin_client.get("/api/v1/units/T01").get_json()["name"] == "城关街道"


def test_unit_fields_are_validated(admin_client):
    response = post_unit(admin_client, code="bad code!", name="", colour="red")
    body = response.get_json()
    assert response.status_code == 422 and body["code"] == "request.invalid"
    assert set(body["details"]) == {"code", "name", "colour"}
    assert body["details"]["colour"] == ["Unknown field."]


def test_an_unknown_unit_is_404(admin_client):
    response = admin_client.get("/api/v1/units/NOPE")
    assert response.status_code == 404 and response.get_json()["code"] == "unit.not_found"
    assert "NOPE" in response.get_json()["message"]


def campaign_body(**changes):
    body = {
        "title": "2026年度群众满意度测评",
        "period": "2026年度",
        "form_keys": ["happiness", "satisfaction", "security", "profile"],
        "unit_codes": ["T01"],
    }
    body.update(changes)
    return body


def test_create_open_and_close_a_campaign(admin_client):
    post_unit(admin_client)
    created = admin_client.post("/api/v1/campaigns", json=campaign_body(closes_at="2026-12-31T16:00:00+00:00"))
    assert created.status_code == 201
    campaign = created.get_json()
    assert campaign["state"] == "draft" and campaign["unit_count"] == 1
    assert [f["key"] for f in campaign["forms"]] == ["happiness", "satisfaction", "security", "profile"]
    assert all(f["version"] >= 1 for f in campaign["forms"])
    cid = campaign["id"]
    opened = admin_client.post(f"/api/v1/campaigns/{cid}/open")
    assert opened.status_code == 200 and opened.get_json()["state"] == "open"
    assert opened.get_json()["opened_at"] is not None
    assert admin_client.post(f"/api/v1/campaigns/{cid}/open").get_json()["state"] == "open"  # a retry is harmless
    closed = admin_client.post(f"/api/v1/campaigns/{cid}/close").get_json()
    assert closed["state"] == "closed"
    reopen = admin_client.post(f"/api/v1/campaigns/{cid}/open")
    assert reopen.status_code == 409 and reopen.get_json()["code"] == "campaign.invalid_transition"
    assert reopen.get_json()["message"] == "处于“已结束”状态的测评活动不能改为“进行中”。"  # states by name, not value
    assert [c["id"] for c in admin_client.get("/api/v1/campaigns?state=closed").get_json()] == [cid]


def test_links_carry_the_public_url_and_qr_addresses(admin_client):
    post_unit(admin_client)
    cid = admin_client.post("/api/v1/campaigns", json=campaign_body()).get_json()["id"]
    [link] = admin_client.get(f"/api/v1/campaigns/{cid}/links").get_json()
    assert link["unit_code"] == "T01" and link["responses"] == 0
    assert link["url"] == f"{PUBLIC_BASE_URL}/s/{link['token']}"
    assert len(link["token"]) >= 22
    assert link["qr_png"].endswith(f"/api/v1/campaigns/{cid}/units/T01/qr.png")


def test_campaign_creation_errors_name_what_is_wrong(admin_client):
    post_unit(admin_client)
    unknown_unit = admin_client.post("/api/v1/campaigns", json=campaign_body(unit_codes=["T01", "ZZ9"]))
    assert unknown_unit.status_code == 404 and unknown_unit.get_json()["details"] == {"missing": ["ZZ9"]}
    unknown_form = admin_client.post("/api/v1/campaigns", json=campaign_body(form_keys=["wellbeing"]))
    assert unknown_form.status_code == 404 and unknown_form.get_json()["code"] == "form.not_found"
    backwards = admin_client.post(
        "/api/v1/campaigns",
        json=campaign_body(opens_at="2026-12-02T00:00:00+08:00", closes_at="2026-12-01T00:00:00+08:00"),
    )
    assert backwards.status_code == 422 and backwards.get_json()["code"] == "campaign.window_invalid"
    naive = admin_client.post("/api/v1/campaigns", json=campaign_body(opens_at="2026-12-02T00:00:00"))
    assert naive.status_code == 422 and "opens_at" in naive.get_json()["details"]
    empty = admin_client.post("/api/v1/campaigns", json=campaign_body(unit_codes=[]))
    assert empty.status_code == 422 and "unit_codes" in empty.get_json()["details"]
    assert admin_client.get("/api/v1/campaigns").get_json() == []  # nothing half-written


def test_an_unknown_campaign_is_404(admin_client):
    for method, path in [
        ("get", "/api/v1/campaigns/999999"),
        ("post", "/api/v1/campaigns/999999/open"),
        ("get", "/api/v1/campaigns/999999/links"),
    ]:
        response = getattr(admin_client, method)(path)
        assert response.status_code == 404 and response.get_json()["code"] == "campaign.not_found"


def test_a_changed_form_file_becomes_a_new_version_and_old_campaigns_keep_theirs(app, db_session, tmp_path):
    unit = create_unit()
    first = create_campaign([unit], forms=["profile"])
    source = app.config["FORMS_DIR"] + "/profile.yaml"
    (tmp_path / "profile.yaml").write_text(
        open(source, encoding="utf-8").read().replace("您的性别", "您的性别是"), encoding="utf-8"
    )
    app.config["FORMS_DIR"], original = str(tmp_path), app.config["FORMS_DIR"]
    try:
        second = create_campaign([unit], forms=["profile"])
        third = create_campaign([unit], forms=["profile"])
    finally:
        app.config["FORMS_DIR"] = original
    versions = [c.forms[0].form_version for c in (first, second, third)]
    assert versions[1].version == versions[0].version + 1
    assert versions[2].id == versions[1].id  # unchanged content reuses the stored version
    assert versions[0].definition["questions"][0]["text"] == "您的性别"
