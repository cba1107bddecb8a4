"""The questionnaire page with identity keys, over plain HTTP: it says what is kept and why, refuses a second
answer with a plain page, lets the respondent replace it when allowed, and the receipt check page."""

from __future__ import annotations

import re
from html import unescape

from sqlalchemy import select

from survey_api.extensions import db
from survey_api.models import Response
from survey_api.web.respondent import DEVICE_COOKIE

from ..factories import create_campaign
from .test_public_pages import form_fields, hidden


def rows(campaign) -> list[Response]:
    return list(db.session.scalars(select(Response).where(Response.campaign_id == campaign.id).order_by(Response.id)))


def answer(client, campaign, **extra):
    token = campaign.links[0].link_token
    page = client.get(f"/s/{token}").get_data(as_text=True)
    return client.post(f"/s/{token}", data={**form_fields(campaign, page), **extra})


def test_a_phone_answers_once_by_its_device_cookie(client, db_session):
    campaign = create_campaign(identity_mode="device")
    page = client.get(f"/s/{campaign.links[0].link_token}")
    assert DEVICE_COOKIE in page.headers["Set-Cookie"] and "HttpOnly" in page.headers["Set-Cookie"]
    assert "每部手机只计一份答卷" in page.get_data(as_text=True)
    assert answer(client, campaign).status_code == 303
    again = answer(client, campaign)
    assert again.status_code == 409
    assert "已经" in again.get_data(as_text=True)
    assert len(rows(campaign)) == 1


def test_clearing_cookies_alone_keeps_the_device_through_the_mirrored_field(app, client, db_session):
    campaign = create_campaign(identity_mode="device")
    token = campaign.links[0].link_token
    first_page = client.get(f"/s/{token}").get_data(as_text=True)
    kept = hidden(first_page, "device")  # what the page's script stores in local storage
    assert client.post(f"/s/{token}", data=form_fields(campaign, first_page)).status_code == 303
    fresh = app.test_client()  # no cookies at all
    page = fresh.get(f"/s/{token}").get_data(as_text=True)
    assert hidden(page, "device") != kept
    refused = fresh.post(f"/s/{token}", data={**form_fields(campaign, page), "device": kept})
    assert refused.status_code == 409
    assert kept in refused.headers["Set-Cookie"]  # the mirrored id renews the cookie
    other = app.test_client()
    page = other.get(f"/s/{token}").get_data(as_text=True)
    forged = other.post(f"/s/{token}", data={**form_fields(campaign, page), "device": kept[:-2] + "xx"})
    assert forged.status_code == 303  # a forged value is ignored: the cookie this page set counts instead
    assert len(rows(campaign)) == 2


def test_a_phone_number_typed_twice_is_refused_plainly_and_can_replace_when_allowed(client, db_session):
    campaign = create_campaign(identity_mode="personal_phone", allow_replacement=True)
    page = client.get(f"/s/{campaign.links[0].link_token}").get_data(as_text=True)
    assert 'name="identity"' in page and 'type="tel"' in page
    assert answer(client, campaign, identity="138 1234 5678").status_code == 303
    refused = answer(client, campaign, identity="＋８６ １３８１２３４５６７８")
    html = unescape(refused.get_data(as_text=True))
    assert refused.status_code == 409
    assert "13812345678" not in html and "１３８" not in html  # the number is not echoed back
    assert 'id="replace-form"' in html
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
    assert fields["replace"] == "1"
    replaced = client.post(f"/s/{campaign.links[0].link_token}", data=fields)
    assert replaced.status_code == 303
    old, new = rows(campaign)
    assert old.superseded_at is not None and old.replaced_by_id == new.id and new.superseded_at is None
    assert old.identity_key == new.identity_key


def test_a_forged_replacement_ticket_changes_nothing(client, db_session):
    campaign = create_campaign(identity_mode="personal_phone", allow_replacement=True)
    assert answer(client, campaign, identity="13812345678").status_code == 303
    forged = answer(client, campaign, identity_ticket="forged", replace="1")
    assert forged.status_code == 422  # no valid ticket and no typed number: the number is asked for
    assert [r.superseded_at for r in rows(campaign)] == [None]


def test_without_replacement_the_page_says_the_answer_cannot_change(client, db_session):
    campaign = create_campaign(identity_mode="household")
    assert answer(client, campaign, identity="HH-0012").status_code == 303
    refused = answer(client, campaign, identity="hh0012")
    assert refused.status_code == 409 and 'id="replace-form"' not in refused.get_data(as_text=True)


def test_an_unusable_number_is_marked_on_the_form_with_the_answers_kept(client, db_session):
    campaign = create_campaign(identity_mode="personal_phone")
    token = campaign.links[0].link_token
    page = client.get(f"/s/{token}").get_data(as_text=True)
    fields = form_fields(campaign, page)
    fields.pop("satisfaction.overall")
    response = client.post(f"/s/{token}", data={**fields, "identity": "010-6512-3456"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="err-identity"' in html and 'id="err-satisfaction.overall"' in html
    assert rows(campaign) == []


def test_an_invitation_link_fills_in_its_code(client, db_session):
    campaign = create_campaign(identity_mode="invitation")
    page = client.get(f"/s/{campaign.links[0].link_token}?invite=ABCDE-FGHJK").get_data(as_text=True)
    assert 'value="ABCDE-FGHJK"' in page


def test_the_receipt_check_page(client, db_session):
    campaign = create_campaign(identity_mode="personal_phone")
    done = answer(client, campaign, identity="13812345678")
    receipt = done.headers["Location"].rsplit("/", 1)[-1]
    thanks = client.get(done.headers["Location"]).get_data(as_text=True)
    assert f"/r?code={receipt}" in thanks
    counted = client.get(f"/r?code={receipt.lower()}")
    assert counted.status_code == 200 and 'data-state="counted"' in counted.get_data(as_text=True)
    unknown = client.get("/r?code=0000-0000")
    assert unknown.status_code == 404 and 'data-state="unknown"' in unknown.get_data(as_text=True)
    assert client.get("/r").status_code == 200
