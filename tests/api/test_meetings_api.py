"""The meetings API: create with default groups, open and close, slips as a PDF sheet that decodes, void, turnout
counts only; and the public ballot pages a rater sees."""

from __future__ import annotations

import re

import pytest
import zxingcpp

from ..conftest import PUBLIC_BASE_URL
from ..factories import create_meeting, create_unit, full_ballot, issue_codes
from .test_qr_and_posters import pdf_pages, pdf_text

SLIP_URL = re.compile(re.escape(PUBLIC_BASE_URL) + r"/b/([0-9A-HJKMNP-TV-Z]{10})$")


@pytest.fixture
def unit(db_session):
    return create_unit(code="MTG01", name="示范区财政局")


def new_meeting(admin_client, **changes):
    body = {
        "title": "2026年度民主测评会",
        "unit_code": "MTG01",
        "held_on": "2026-12-08",
        "targets": [{"kind": "team", "name": "领导班子"}, {"kind": "cadre", "name": "张三", "post": "局长"}],
        "groups": [
            {"key": "superiors", "headcount": 5},
            {"key": "peers", "headcount": 30},
            {"key": "public", "headcount": 20},
        ],
        **changes,
    }
    return admin_client.post("/api/v1/meetings", json=body)


def test_create_a_meeting_with_the_default_groups_open_and_close_it(admin_client, unit):
    response = new_meeting(admin_client)
    assert response.status_code == 201, response.get_json()
    meeting = response.get_json()
    assert meeting["state"] == "draft" and meeting["unit_name"] == "示范区财政局"
    assert [(g["label"], g["weight"]) for g in meeting["groups"]] == [
        ("上级领导", 0.2),
        ("同级及干部职工", 0.4),
        ("服务对象/群众代表", 0.4),
    ]
    assert meeting["team_form_version_id"] and meeting["cadre_form_version_id"]
    base = f"/api/v1/meetings/{meeting['id']}"
    assert admin_client.post(f"{base}/open").get_json()["state"] == "open"
    assert admin_client.post(f"{base}/close").get_json()["state"] == "closed"
    again = admin_client.post(f"{base}/open")
    assert (again.status_code, again.get_json()["code"]) == (409, "meeting.invalid_transition")
    assert again.get_json()["message"] == "处于“已结束”状态的测评会不能改为“进行中”。"


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"groups": [{"key": "superiors", "headcount": 5}, {"key": "peers", "headcount": 5}]}, "groups"),
        ({"groups": [{"key": "custom", "headcount": 5}]}, "groups"),
        ({"targets": [{"kind": "team", "name": "班子"}, {"kind": "team", "name": "班子二"}]}, "targets"),
        ({"targets": [{"kind": "cadre", "name": "张三"}, {"kind": "cadre", "name": "张三"}]}, "targets"),
        ({"quorum_share": 1.5}, "quorum_share"),
        ({"tally_rules": {"min_valid_to_show": 0}}, "tally_rules"),
        ({"tally_rules": {"trim_later": 5}}, "tally_rules"),
        ({"tally_rules": {"group_weights": {"peers": 1}}}, "tally_rules"),
    ],
)
def test_groups_whose_weights_miss_one_and_doubled_targets_are_refused(admin_client, unit, changes, field):
    response = new_meeting(admin_client, **changes)
    body = response.get_json()
    assert (response.status_code, body["code"]) == (422, "meeting.invalid"), body
    assert field in body["details"]


def test_a_meeting_sets_its_own_tally_rules_and_its_results_follow_them(admin_client, unit):
    created = new_meeting(admin_client, tally_rules={"min_valid_to_show": 1, "trim_above": None})
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["tally_rules"] == {"min_valid_to_show": 1, "trim_above": None}
    from survey_api.services.meeting_results import meeting_rules
    from survey_api.services.meetings import get_meeting

    rules = meeting_rules(get_meeting(created.get_json()["id"]))
    assert (rules.min_valid_to_show, rules.trim_above) == (1, None)
    assert dict(rules.group_weights) == {"superiors": 0.2, "peers": 0.4, "public": 0.4}


def test_unknown_unit_and_bad_bodies(admin_client, unit):
    assert new_meeting(admin_client, unit_code="NOPE").get_json()["code"] == "unit.not_found"
    assert new_meeting(admin_client, held_on="yesterday").get_json()["code"] == "request.invalid"
    assert new_meeting(admin_client, extra=1).get_json()["code"] == "request.invalid"


def test_the_slip_sheet_is_a_pdf_whose_codes_decode_to_slip_addresses(admin_client, db_session, tmp_path):
    meeting = create_meeting()
    response = admin_client.post(f"/api/v1/meetings/{meeting.id}/groups/peers/slips.pdf", json={"count": 9})
    assert response.status_code == 201 and response.mimetype == "application/pdf"
    pages = pdf_pages(response.data, tmp_path)
    assert len(pages) == 2  # eight slips a page
    decoded = [
        r.text
        for page in pages
        for r in zxingcpp.read_barcodes(page.convert("L").resize((page.width * 2, page.height * 2)))
    ]
    assert len(decoded) == 9 and all(SLIP_URL.match(url) for url in decoded), decoded
    text = pdf_text(response.data, tmp_path)
    assert meeting.title in text and "同级及干部职工" in text
    for url in decoded:
        code = SLIP_URL.match(url).group(1)
        assert f"{code[:5]}-{code[5:]}" in text  # the same code printed for typing
    turnout = admin_client.get(f"/api/v1/meetings/{meeting.id}/turnout").get_json()
    assert [g["issued"] for g in turnout["groups"]] == [0, 9, 0]


def test_void_a_slip_then_it_is_not_valid_and_turnout_shows_counts_only(admin_client, client, db_session):
    meeting = create_meeting()
    codes = [
        s["code"]
        for s in admin_client.post(f"/api/v1/meetings/{meeting.id}/groups/public/slips", json={"count": 3}).get_json()
    ]
    assert client.post(f"/b/{codes[1]}", data={}).status_code == 303
    voided = admin_client.post(f"/api/v1/meetings/{meeting.id}/slips/void", json={"code": codes[0].lower()})
    assert voided.get_json() == {"group": "public", "state": "voided"}
    used = admin_client.post(f"/api/v1/meetings/{meeting.id}/slips/void", json={"code": codes[1]})
    assert (used.status_code, used.get_json()["code"]) == (409, "slip.used")
    assert client.get(f"/b/{codes[0]}").status_code == 404
    turnout = admin_client.get(f"/api/v1/meetings/{meeting.id}/turnout").get_json()
    assert turnout["groups"][2] == {
        "key": "public",
        "label": "服务对象/群众代表",
        "headcount": 30,
        "issued": 2,
        "used": 1,
        "voided": 1,
        "remaining": 1,
    }
    assert turnout["has_quorum"] is False
    assert not any(code in str(turnout) or code.replace("-", "") in str(turnout) for code in codes)


def test_the_auditor_reads_turnout_but_cannot_issue_slips(client_as, db_session):
    meeting = create_meeting()
    auditor = client_as("auditor")
    assert auditor.get(f"/api/v1/meetings/{meeting.id}/turnout").status_code == 200
    assert auditor.post(f"/api/v1/meetings/{meeting.id}/groups/peers/slips", json={"count": 1}).status_code == 403
    assert client_as("statistician").get(f"/api/v1/meetings/{meeting.id}").status_code == 403


def test_the_ballot_page_shows_every_target_and_a_cast_slip_is_spent(client, db_session):
    meeting = create_meeting()
    [code] = issue_codes(meeting, "superiors", 1)
    page = client.get(f"/b/{code}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and meeting.title in html and "上级领导" in html
    assert "张三" in html and "李四" in html and "政治鉴别力" in html and "不称职" in html
    form = {f"t{t}.{q}": g for t, items in full_ballot(meeting).items() for q, g in items.items()}
    cast = client.post(f"/b/{code}", data=form)
    assert cast.status_code == 303 and cast.headers["Location"].endswith(f"/b/{code}/cast")
    assert "ballot-cast" in client.get(cast.headers["Location"]).get_data(as_text=True)
    again = client.get(f"/b/{code}")
    assert again.status_code == 409 and "ballot.token_used" in again.get_data(as_text=True)
    replay = client.post(f"/b/{code}", data=form)
    assert replay.status_code == 409


def test_a_wrong_grade_shows_the_ballot_again_with_the_choices_kept(client, db_session):
    meeting = create_meeting()
    [code] = issue_codes(meeting, "peers", 1)
    cadre = meeting.targets[1].id
    form = {f"t{cadre}.overall": "superb", f"t{cadre}.morality": "good"}
    page = client.post(f"/b/{code}", data=form)
    html = page.get_data(as_text=True)
    assert page.status_code == 422 and "error-summary" in html
    assert re.search(rf'name="t{cadre}.morality" value="good" checked', html)
    stray = client.post(f"/b/{code}", data={"t999999.overall": "good"})
    assert stray.status_code == 422 and "ballot.unknown_target" in stray.get_data(as_text=True)
    assert client.get(f"/b/{code}").status_code == 200  # still unused


def test_typing_a_code_leads_to_its_ballot_and_bad_codes_get_a_plain_page(client, db_session):
    meeting = create_meeting()
    [code] = issue_codes(meeting, "peers", 1)
    assert client.get("/b").status_code == 200
    typed = client.get("/b", query_string={"code": f" {code.lower()} "})
    assert typed.status_code == 303 and typed.headers["Location"].endswith(f"/b/{code.replace('-', '')}")
    assert client.get("/b", query_string={"code": "hello"}).status_code == 404
    forged = client.get("/b/ABCDE12345")
    assert forged.status_code == 404 and "ballot.token_invalid" in forged.get_data(as_text=True)


def test_a_closed_or_unopened_meeting_takes_no_ballot(client, db_session):
    draft, closed = create_meeting(state="draft"), create_meeting(state="open")
    [early] = issue_codes(draft, "peers", 1)
    [late] = issue_codes(closed, "peers", 1)
    from survey_api.domain.meetings import MeetingState
    from survey_api.services.audit import SYSTEM
    from survey_api.services.meetings import transition

    transition(SYSTEM, closed.id, MeetingState.CLOSED)
    assert "meeting.not_open" in client.get(f"/b/{early}").get_data(as_text=True)
    refused = client.post(f"/b/{late}", data={})
    assert refused.status_code == 409 and "meeting.closed" in refused.get_data(as_text=True)
