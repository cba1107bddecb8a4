"""The operator console over HTTP: sign-in, each persona's pages, campaign creation, units, audit, account."""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import select

from survey_api.extensions import db
from survey_api.models import AuditEvent, Campaign, Unit

from ..conftest import PERSONAS
from ..factories import PERSONA_PASSWORD
from .console_client import csrf_of, post_form, sign_in


def test_signing_in_and_out(client, persona_tokens):
    assert client.get("/console/").status_code == 302  # to the sign-in page
    wrong = sign_in(client, "p_admin", "wrong-password")
    assert wrong.status_code == 401 and 'id="login-error"' in wrong.get_data(as_text=True)
    assert sign_in(client, "p_admin").headers["Location"] == "/console/"
    assert client.get("/console/").status_code == 200
    post_form(client, "/console/", "/console/logout", {})
    assert client.get("/console/").status_code == 302


def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(signed_in):
    admin = signed_in("admin")
    response = admin.post("/console/units", data={"code": "X9", "name": "伪造", "category": "测试"})
    assert response.status_code == 403 and "request.csrf_failed" in response.get_data(as_text=True)
    assert db.session.scalar(select(Unit).where(Unit.code == "X9")) is None


def test_sign_in_only_redirects_within_the_site(client, persona_tokens):
    page = client.get("/console/login?next=https://evil.example/").get_data(as_text=True)
    response = client.post(
        "/console/login",
        data={
            "csrf_token": csrf_of(page),
            "username": "p_admin",
            "password": PERSONA_PASSWORD,
            "next": "https://evil.example/",
        },
    )
    assert response.headers["Location"] == "/console/"


PAGES = {  # page: the personas that may open it
    "/console/": set(PERSONAS),
    "/console/account": set(PERSONAS),
    "/console/units": {"admin", "statistician", "auditor", "unit_a", "unit_b"},
    "/console/campaigns/new": {"admin", "statistician"},
    "/console/audit": {"admin", "auditor"},
}


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_each_persona_sees_exactly_its_pages(signed_in, persona):
    client = signed_in(persona)
    for url, allowed in PAGES.items():
        status = client.get(url).status_code
        assert status == (200 if persona in allowed else 403), (persona, url, status)


def test_a_unit_user_sees_its_own_unit_and_its_own_campaigns_only(signed_in, persona_units):
    from ..factories import create_campaign

    create_campaign([persona_units["A"]], title="只有城关")
    create_campaign([persona_units["B"]], title="只有东城")
    home = signed_in("unit_a").get("/console/").get_data(as_text=True)
    assert "只有城关" in home and "只有东城" not in home
    units = signed_in("unit_a").get("/console/units").get_data(as_text=True)
    assert "UA1" in units and "UB1" not in units


def test_an_admin_creates_opens_and_prints_a_campaign_from_the_console(signed_in, persona_units):
    admin = signed_in("admin")
    form = admin.get("/console/campaigns/new").get_data(as_text=True)
    assert 'value="satisfaction"' in form and 'value="UA1"' in form
    created = admin.post(
        "/console/campaigns/new",
        data={
            "csrf_token": csrf_of(form),
            "title": "2027年一季度测评",
            "period": "2027Q1",
            "form_keys": ["satisfaction", "profile"],
            "unit_codes": ["UA1", "UB1"],
            "closes_at": "2027-03-31T23:59",
        },
    )
    assert created.status_code == 303
    campaign = db.session.scalar(select(Campaign).where(Campaign.title == "2027年一季度测评"))
    assert campaign.closes_at.isoformat() == "2027-03-31T15:59:00+00:00"  # typed in Beijing time, stored in UTC
    page_url = created.headers["Location"]
    opened = post_form(admin, page_url, f"/console/campaigns/{campaign.id}/open", {})
    assert opened.status_code == 303
    page = admin.get(page_url).get_data(as_text=True)
    assert 'id="close-campaign"' in page and 'id="open-campaign"' not in page and "<svg" in page
    posters = admin.get(f"/console/campaigns/{campaign.id}/posters.pdf")
    assert posters.status_code == 200 and posters.data.startswith(b"%PDF")
    actions = db.session.scalars(
        select(AuditEvent.action).where(
            AuditEvent.object_type == "campaign",
            AuditEvent.object_id == str(campaign.id),
            AuditEvent.actor_name == "p_admin",
        )
    )
    assert sorted(actions) == ["campaign.create", "campaign.open"]


def test_the_campaign_form_explains_mistakes_and_keeps_what_was_typed(signed_in, persona_units):
    admin = signed_in("admin")
    form = admin.get("/console/campaigns/new").get_data(as_text=True)
    response = admin.post(
        "/console/campaigns/new",
        data={"csrf_token": csrf_of(form), "title": "缺少单位", "period": "2027Q1", "form_keys": ["profile"]},
    )
    assert response.status_code == 422 and 'value="缺少单位"' in unescape(response.get_data(as_text=True))


def test_progress_counts_responses_per_unit_channel_and_day(signed_in, persona_units, client):
    from ..factories import create_campaign, full_answers

    campaign = create_campaign([persona_units["A"], persona_units["B"]])
    token = campaign.links[0].link_token
    for n in range(3):
        client.post(
            f"/api/v1/links/{token}/responses",
            json={"submission_id": f"progress-{n:04d}", "answers": full_answers(campaign)},
        )
    page = signed_in("statistician").get(f"/console/campaigns/{campaign.id}").get_data(as_text=True)
    assert '<span id="total-responses">3</span>' in page
    assert re.search(r'data-unit="UA1">\s*<td>UA1 城关街道</td><td>乡镇街道</td><td class="num">3</td>', page)
    assert '<td>接口</td><td class="num">3</td>' in page


def test_units_are_added_and_imported_all_or_nothing(signed_in):
    admin = signed_in("admin")
    added = post_form(
        admin, "/console/units", "/console/units", {"code": "N01", "name": "北山镇", "category": "乡镇街道"}
    )
    assert added.status_code == 200 and db.session.scalar(select(Unit).where(Unit.code == "N01"))
    bad_csv = "code,name,category,parent_area\nN02,新镇,乡镇街道,示范区\nN01,重复,乡镇街道,\n,无代码,乡镇街道,\n"
    from io import BytesIO

    refused = post_form(
        admin,
        "/console/units",
        "/console/units/import",
        {"file": (BytesIO(bad_csv.encode()), "units.csv")},
        content_type="multipart/form-data",
    )
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "N01 already exists" in body and "code is empty" in body
    assert db.session.scalar(select(Unit).where(Unit.code == "N02")) is None  # nothing half-imported
    good_csv = "code,name,category,parent_area\nN02,新镇,乡镇街道,示范区\nN03,老镇,乡镇街道,示范区\n"
    accepted = post_form(
        admin,
        "/console/units",
        "/console/units/import",
        {"file": (BytesIO(good_csv.encode("gb18030")), "units.csv")},
        content_type="multipart/form-data",
    )
    assert accepted.status_code == 200 and db.session.scalar(select(Unit.name).where(Unit.code == "N03")) == "老镇"


def test_the_auditor_reads_the_trail_in_the_console(signed_in, persona_units):
    page = signed_in("auditor").get("/console/audit?action=user.create").get_data(as_text=True)
    assert "p_admin" in page and "user.create" in page


def test_an_account_owner_changes_the_password_and_manages_tokens(signed_in, app):
    client = signed_in("statistician")
    made = post_form(client, "/console/account", "/console/account/tokens", {"name": "导出脚本", "valid_days": "7"})
    secret = re.search(r'class="secret">([^<]+)<', made.get_data(as_text=True)).group(1)
    assert app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    changed = post_form(
        client,
        "/console/account",
        "/console/account/password",
        {
            "current_password": PERSONA_PASSWORD,
            "new_password": "Brand-new-pass-9",
            "confirm_password": "Brand-new-pass-9",
        },
    )
    assert changed.status_code == 200 and client.get("/console/").status_code == 200  # this session goes on
    assert sign_in(app.test_client(), "p_statistician").status_code == 401
    assert sign_in(app.test_client(), "p_statistician", "Brand-new-pass-9").status_code == 302


def test_over_long_or_missing_fields_are_refused_not_cut_short(signed_in):
    admin = signed_in("admin")
    too_long = post_form(
        admin, "/console/units", "/console/units", {"code": "L01", "name": "长" * 101, "category": "乡镇街道"}
    )
    assert too_long.status_code == 422 and "at most 100 characters" in too_long.get_data(as_text=True)
    missing = post_form(admin, "/console/units", "/console/units", {"code": "L02", "name": "", "category": ""})
    assert missing.status_code == 422
    assert db.session.scalar(select(Unit).where(Unit.code.in_(["L01", "L02"]))) is None


def test_an_admin_adds_and_disables_accounts_in_the_console(signed_in, persona_units):
    from survey_api.models import User

    admin = signed_in("admin")
    added = post_form(
        admin,
        "/console/users",
        "/console/users",
        {
            "username": "nanhu_staff",
            "display_name": "南湖镇",
            "password": "Nanhu-pass-2026",
            "role": "unit",
            "unit_code": "UA1",
        },
    )
    assert added.status_code == 303
    user = db.session.scalar(select(User).where(User.username == "nanhu_staff"))
    assert user.unit.code == "UA1"
    assert post_form(admin, "/console/users", f"/console/users/{user.id}/disable", {}).status_code == 303
    assert db.session.scalar(select(User.is_active).where(User.id == user.id)) is False
    weak = post_form(
        admin, "/console/users", "/console/users", {"username": "weakling", "password": "short", "role": "auditor"}
    )
    assert weak.status_code == 422 and "account.weak_password" not in weak.get_data(as_text=True)
    assert 'id="page-error"' in weak.get_data(as_text=True)
