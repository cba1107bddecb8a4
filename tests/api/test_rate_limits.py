"""Rate limits in one process: each limit refuses at its threshold and not below, with its key, its 429 answer
(JSON for the API, a page for browsers, the questionnaire with its answers kept) and its Retry-After; forwarded
addresses count only through trusted proxies; a Redis that cannot be reached still leaves every request served."""

from __future__ import annotations

import logging
import uuid

import pytest
from sqlalchemy import func, select

from survey_api import create_app
from survey_api.extensions import db
from survey_api.models import Response

from ..factories import PERSONA_PASSWORD, create_campaign, create_unit, full_answers
from ..web.test_console import csrf_of
from ..web.test_public_pages import form_fields

OFFICE = "203.0.113.7"  # one shared office address (NAT)
OTHER = "198.51.100.20"


@pytest.fixture
def limit(app, monkeypatch):
    """limit("RATE_LIMIT_…", "3/minute") lowers one limit of the suite's app for this test, on fresh counters."""
    limiter = app.extensions["rate_limiter"]
    limiter.reset()

    def set_limit(setting: str, value: str) -> None:
        monkeypatch.setitem(app.config, setting, value)

    yield set_limit
    limiter.reset()


def submit(client, token, answers, address=OFFICE):
    body = {"submission_id": uuid.uuid4().hex, "answers": answers}
    return client.post(f"/api/v1/links/{token}/responses", json=body, environ_base={"REMOTE_ADDR": address})


def assert_rate_limited_json(response) -> None:
    assert response.status_code == 429
    body = response.get_json()
    seconds = int(response.headers["Retry-After"])
    assert 1 <= seconds <= 60
    assert body["code"] == "request.rate_limited" and body["details"] == {"retry_after": seconds}
    assert f"请等待 {seconds} 秒后再试" in body["message"]


def stored(campaign) -> int:
    return db.session.scalar(select(func.count()).select_from(Response).where(Response.campaign_id == campaign.id))


def test_submissions_per_link_stop_at_the_limit_whatever_the_address(client, limit):
    limit("RATE_LIMIT_SUBMIT_PER_LINK", "3/minute")
    busy, quiet = create_campaign(), create_campaign()
    answers = full_answers(busy)
    token = busy.links[0].link_token
    for n in range(3):
        assert submit(client, token, answers, address=f"10.0.0.{n}").status_code == 201
    assert_rate_limited_json(submit(client, token, answers, address="10.0.0.99"))
    assert stored(busy) == 3  # the refused submission wrote nothing
    assert submit(client, quiet.links[0].link_token, full_answers(quiet)).status_code == 201  # another link


def test_submissions_per_address_count_both_doors_and_every_link(client, limit):
    limit("RATE_LIMIT_SUBMIT_PER_ADDRESS", "3/minute")
    campaign = create_campaign(units=[create_unit(), create_unit()])
    first, second = (link.link_token for link in campaign.links)
    answers = full_answers(campaign)
    assert submit(client, first, answers).status_code == 201
    assert submit(client, second, answers).status_code == 201
    page = client.get(f"/s/{first}", environ_base={"REMOTE_ADDR": OFFICE}).get_data(as_text=True)
    web = client.post(f"/s/{first}", data=form_fields(campaign, page), environ_base={"REMOTE_ADDR": OFFICE})
    assert web.status_code == 303
    assert_rate_limited_json(submit(client, second, answers))
    assert submit(client, second, answers, address=OTHER).status_code == 201


def test_a_refused_questionnaire_keeps_every_answer_on_the_page(client, limit):
    limit("RATE_LIMIT_SUBMIT_PER_LINK", "1/minute")
    campaign = create_campaign()
    token = campaign.links[0].link_token
    page = client.get(f"/s/{token}").get_data(as_text=True)
    assert client.post(f"/s/{token}", data=form_fields(campaign, page)).status_code == 303
    fields = form_fields(campaign, client.get(f"/s/{token}").get_data(as_text=True))
    refused = client.post(f"/s/{token}", data=fields, headers={"Accept": "text/html"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    assert 'id="submit-notice"' in html and "请求过于频繁" in html and "您填写的答案仍保留在本页" in html
    assert f'name="submission_id" value="{fields["submission_id"]}"' in html  # a resend later is harmless
    for name, value in fields.items():
        if name in ("submission_id", "started"):
            continue
        chosen = value[0] if isinstance(value, list) else value
        ticked = f'name="{name}" value="{chosen}" checked' in html
        assert ticked or f">{chosen}</textarea>" in html, name  # every answer is back: ticked, or typed in its box
    assert stored(campaign) == 1


def test_page_views_have_their_own_more_generous_limit_and_browsers_get_a_page(client, token, limit):
    limit("RATE_LIMIT_PAGES_PER_ADDRESS", "3/minute")
    limit("RATE_LIMIT_SUBMIT_PER_ADDRESS", "1/minute")  # page views do not use the submission counter
    for _ in range(2):
        assert client.get(f"/s/{token}").status_code == 200
    assert client.get(f"/api/v1/links/{token}").status_code == 200  # the API's read counts with the pages
    refused = client.get(f"/s/{token}", headers={"Accept": "text/html"})
    assert refused.status_code == 429 and refused.mimetype == "text/html"
    assert "request.rate_limited" in refused.get_data(as_text=True) and "Retry-After" in refused.headers
    assert_rate_limited_json(client.get(f"/api/v1/links/{token}"))


def test_health_and_static_files_are_never_limited(client, limit):
    for setting in ("RATE_LIMIT_PAGES_PER_ADDRESS", "RATE_LIMIT_SUBMIT_PER_ADDRESS", "RATE_LIMIT_API_PER_TOKEN"):
        limit(setting, "1/minute")
    for _ in range(5):
        assert client.get("/healthz").status_code == 200
        assert client.get("/static/app.css").status_code == 200


def sign_in(client, username, password, address=OFFICE):
    page = client.get("/console/login", environ_base={"REMOTE_ADDR": address}).get_data(as_text=True)
    data = {"csrf_token": csrf_of(page), "username": username, "password": password, "next": ""}
    return client.post("/console/login", data=data, environ_base={"REMOTE_ADDR": address})


def test_failed_sign_ins_per_address_stop_guessing_but_successes_never_count(app, persona_tokens, limit):
    limit("RATE_LIMIT_SIGN_IN_FAILURES_PER_ADDRESS", "3/minute")
    for _ in range(5):  # a whole office signing in correctly is never held up
        assert sign_in(app.test_client(), "p_admin", PERSONA_PASSWORD).status_code == 302
    for name in ("p_auditor", "p_unit_a", "nobody"):  # guessing across usernames
        assert sign_in(app.test_client(), name, "guess-guess-1").status_code == 401
    refused = sign_in(app.test_client(), "p_admin", PERSONA_PASSWORD)
    assert refused.status_code == 429 and "request.rate_limited" in refused.get_data(as_text=True)
    assert sign_in(app.test_client(), "p_admin", PERSONA_PASSWORD, address=OTHER).status_code == 302


def test_sign_ins_per_username_stop_at_the_limit_from_any_address(app, persona_tokens, limit):
    limit("RATE_LIMIT_SIGN_IN_PER_USERNAME", "3/minute")
    for n, spelling in enumerate(("p_statistician", "P_Statistician", " p_statistician ")):
        assert sign_in(app.test_client(), spelling, "guess-guess-1", address=f"10.1.0.{n}").status_code == 401
    refused = sign_in(app.test_client(), "p_statistician", PERSONA_PASSWORD, address="10.1.0.9")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    assert sign_in(app.test_client(), "p_admin", PERSONA_PASSWORD, address="10.1.0.9").status_code == 302


def test_api_calls_with_a_token_are_counted_per_token_not_per_address(client_as, limit):
    limit("RATE_LIMIT_API_PER_TOKEN", "3/minute")
    admin, auditor = client_as("admin"), client_as("auditor")
    for n in range(3):
        assert admin.get("/api/v1/me", environ_base={"REMOTE_ADDR": f"10.2.0.{n}"}).status_code == 200
    assert_rate_limited_json(admin.get("/api/v1/me", environ_base={"REMOTE_ADDR": "10.2.0.50"}))
    for _ in range(3):  # another script behind the same address has its own allowance
        assert auditor.get("/api/v1/me", environ_base={"REMOTE_ADDR": "10.2.0.0"}).status_code == 200


def sibling_app(app, **settings):
    """Another app on the suite's database, with its own limiter (storage, proxies and limits as given)."""
    keys = ("TESTING", "SECRET_KEY", "INSTANCE_PATH", "SQLALCHEMY_DATABASE_URI", "SQLALCHEMY_ENGINE_OPTIONS")
    from ..conftest import RELAXED_RATE_LIMITS

    return create_app({**{k: app.config[k] for k in keys}, **RELAXED_RATE_LIMITS, **settings})


@pytest.fixture
def make_app(app):
    made = []

    def make(**settings):
        made.append(sibling_app(app, **settings))
        return made[-1]

    yield make
    for other in made:
        with other.app_context():
            db.engine.dispose()


def page_views(client, count, **headers):
    return [client.get("/s/no-such-link", headers=headers).status_code for _ in range(count)]


def test_forwarded_addresses_are_ignored_without_a_trusted_proxy(app, limit):
    limit("RATE_LIMIT_PAGES_PER_ADDRESS", "2/minute")
    client = app.test_client()
    statuses = [client.get("/s/x", headers={"X-Forwarded-For": f"10.3.0.{n}"}).status_code for n in range(3)]
    assert statuses == [404, 404, 429]  # a client cannot buy fresh counters by inventing addresses


def test_behind_one_trusted_proxy_the_address_it_saw_is_the_key(make_app):
    client = make_app(TRUSTED_PROXY_COUNT=1, RATE_LIMIT_PAGES_PER_ADDRESS="2/minute").test_client()
    # The proxy appends the address it saw; anything the client wrote before it is not trusted.
    assert page_views(client, 3, **{"X-Forwarded-For": "1.1.1.1, 192.0.2.10"}) == [404, 404, 429]
    assert page_views(client, 1, **{"X-Forwarded-For": "2.2.2.2, 192.0.2.10"}) == [429]
    assert page_views(client, 2, **{"X-Forwarded-For": "192.0.2.11"}) == [404, 404]


def test_when_redis_cannot_be_reached_requests_are_served_and_limited_in_memory(make_app, caplog):
    unreachable = make_app(REDIS_URL="redis://127.0.0.1:1/0", RATE_LIMIT_PAGES_PER_ADDRESS="3/minute")
    client = unreachable.test_client()
    with caplog.at_level(logging.WARNING):
        assert client.get("/healthz").status_code == 200
        assert page_views(client, 4) == [404, 404, 404, 429]
    assert any("falling back to in-memory" in r.getMessage() for r in caplog.records)


def test_a_limit_that_does_not_parse_stops_the_start_with_its_name(app):
    with pytest.raises(ValueError, match="RATE_LIMIT_SUBMIT_PER_LINK"):
        sibling_app(app, RATE_LIMIT_SUBMIT_PER_LINK="lots per minute")


def test_guessing_slip_codes_stops_at_the_miss_limit_while_real_slips_still_open(client, limit):
    from ..factories import create_meeting, issue_codes

    limit("RATE_LIMIT_BALLOT_MISSES_PER_ADDRESS", "3/minute")
    meeting = create_meeting()
    [code] = issue_codes(meeting, "peers", 1)
    for _ in range(5):  # valid slips do not count as misses
        assert client.get(f"/b/{code}", environ_base={"REMOTE_ADDR": OFFICE}).status_code == 200
    guesses = [client.get(f"/b/ABCDE1234{n}", environ_base={"REMOTE_ADDR": OFFICE}).status_code for n in range(4)]
    assert guesses == [404, 404, 404, 429]
    assert client.get(f"/b/{code}", environ_base={"REMOTE_ADDR": OFFICE}).status_code == 429
    assert client.get(f"/b/{code}", environ_base={"REMOTE_ADDR": OTHER}).status_code == 200
