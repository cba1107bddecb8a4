"""The resident's pages over plain HTTP (no browser): the questionnaire, its errors, the receipt, clear dead ends."""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import func, select

from survey_api.errors import AppError
from survey_api.extensions import db
from survey_api.models import Response
from survey_api.services.campaigns import campaign_definitions

from ..factories import create_campaign, full_answers


def hidden(html: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', html).group(1)


def form_fields(campaign, html: str, answers: dict | None = None) -> dict:
    """What a browser would post: the hidden fields of the page plus every answer."""
    fields: dict = {"submission_id": hidden(html, "submission_id"), "started": hidden(html, "started")}
    for form_key, given in (answers or full_answers(campaign)).items():
        for question_key, value in given.items():
            fields[f"{form_key}.{question_key}"] = [str(v) for v in value] if isinstance(value, list) else str(value)
    return fields


def catalogue_message(app, code: str, **params) -> str:
    with app.test_request_context("/"):
        return AppError(code, **params).message


def response_count(campaign) -> int:
    """Responses of this test's campaign (tests that commit for real may leave others in the database)."""
    return db.session.scalar(select(func.count()).select_from(Response).where(Response.campaign_id == campaign.id))


def test_the_questionnaire_is_a_self_contained_chinese_page(client, campaign, token):
    page = client.get(f"/s/{token}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'lang="zh-CN"' in html
    assert "城关街道" in html and campaign.title in html
    total = sum(len(f.questions) for f in campaign_definitions(campaign))
    assert html.count('<fieldset class="question') == total
    assert re.fullmatch(r"[0-9a-f]{32}", hidden(html, "submission_id"))
    assert not re.search(r'(src|href)="(https?:)?//', html), "no external assets"
    assert len(page.data) < 60_000
    assert 'name="viewport"' in html and "<label" in html


def test_posting_the_form_stores_once_and_redirects_to_the_receipt(client, campaign, token):
    html = client.get(f"/s/{token}").get_data(as_text=True)
    fields = form_fields(campaign, html)
    first = client.post(f"/s/{token}", data=fields)
    assert first.status_code == 303 and f"/s/{token}/done/" in first.headers["Location"]
    again = client.post(f"/s/{token}", data=fields)  # the resident pressed submit twice, or the network retried
    assert again.headers["Location"] == first.headers["Location"]
    assert response_count(campaign) == 1
    receipt_code = first.headers["Location"].rsplit("/", 1)[1]
    stored = db.session.scalar(select(Response).where(Response.receipt_code == receipt_code))
    assert stored.channel.value == "qr" and stored.duration_seconds is not None
    thanks = client.get(first.headers["Location"]).get_data(as_text=True)
    assert receipt_code in thanks and 'id="receipt-code"' in thanks


def test_changed_answers_under_a_used_submission_id_are_not_saved(client, campaign, token):
    html = client.get(f"/s/{token}").get_data(as_text=True)
    client.post(f"/s/{token}", data=form_fields(campaign, html))
    answers = full_answers(campaign)
    answers["satisfaction"]["overall"] = "dissatisfied"
    conflict = client.post(f"/s/{token}", data=form_fields(campaign, html, answers))
    assert conflict.status_code == 409 and "城关街道" in conflict.get_data(as_text=True)
    assert response_count(campaign) == 1


def test_missing_answers_come_back_marked_with_the_given_answers_kept(client, app, campaign, token):
    html = client.get(f"/s/{token}").get_data(as_text=True)
    answers = full_answers(campaign)
    del answers["satisfaction"]["overall"], answers["security"]["night_walk"]
    page = client.post(f"/s/{token}", data=form_fields(campaign, html, answers))
    body = unescape(page.get_data(as_text=True))
    assert page.status_code == 422 and 'id="error-summary"' in body
    assert body.count('class="field-error"') == 2
    assert 'href="#q-satisfaction.overall"' in body
    with app.test_request_context("/"):
        from survey_api.services.answer_messages import describe_answer_error

        assert describe_answer_error("required", {}) in body
    assert re.search(r'name="happiness.overall" value="very_happy" checked', body), "earlier answers stay checked"
    assert hidden(body, "submission_id") == hidden(html, "submission_id")
    assert response_count(campaign) == 0


def test_a_forged_start_stamp_keeps_the_answers_but_not_the_timing(client, campaign, token):
    html = client.get(f"/s/{token}").get_data(as_text=True)
    fields = {**form_fields(campaign, html), "started": "forged.stamp"}
    assert client.post(f"/s/{token}", data=fields).status_code == 303
    assert db.session.scalar(select(Response.duration_seconds)) is None


@pytest.mark.parametrize("state, code", [("draft", "campaign.not_open"), ("closed", "campaign.closed")])
def test_a_survey_that_is_not_open_shows_a_clear_page(client, app, db_session, state, code):
    campaign = create_campaign(state=state)
    page = client.get(f"/s/{campaign.links[0].link_token}")
    html = unescape(page.get_data(as_text=True))
    assert page.status_code == 409 and catalogue_message(app, code) in html
    assert "Traceback" not in html and "<form" not in html


def test_an_unknown_link_shows_a_clear_page(client, app):
    page = client.get("/s/not-a-real-token")
    assert page.status_code == 404
    assert catalogue_message(app, "link.not_found") in unescape(page.get_data(as_text=True))


def test_a_receipt_page_only_exists_for_a_real_receipt(client, token):
    assert client.get(f"/s/{token}/done/ABCD-EFGH").status_code == 404
    assert client.get(f"/s/{token}/done/nonsense").status_code == 404


def test_english_is_available_and_remembered(client, token):
    page = client.get(f"/s/{token}?lang=en")
    assert 'lang="en"' in page.get_data(as_text=True) and "Submit" in page.get_data(as_text=True)
    assert "lang=en" in page.headers["Set-Cookie"]
    assert 'lang="en"' in client.get(f"/s/{token}").get_data(as_text=True)


def test_an_oversized_form_post_is_refused_with_a_page(client, app, campaign, token):
    html = client.get(f"/s/{token}").get_data(as_text=True)
    fields = form_fields(campaign, html)
    fields["satisfaction.comment"] = "x" * (app.config["MAX_CONTENT_LENGTH"] + 10)
    page = client.post(f"/s/{token}", data=fields)
    assert page.status_code == 413 and "<html" in page.get_data(as_text=True)
    assert response_count(campaign) == 0


def test_pages_forbid_framing_foreign_assets_and_referrer_leaks(client, token):
    headers = client.get(f"/s/{token}").headers
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert (
        "script-src" not in headers["Content-Security-Policy"]
        or "'unsafe-inline'" not in headers["Content-Security-Policy"]
    )
    assert headers["X-Content-Type-Options"] == "nosniff" and headers["Referrer-Policy"] == "no-referrer"


def count_queries(app, action) -> int:
    from sqlalchemy import event

    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT")):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return len(statements)


def test_the_questionnaire_page_and_a_submission_take_a_handful_of_queries(client, app, campaign, token):
    client.get(f"/s/{token}")  # parse and cache the form versions once, as a warm worker would have
    assert count_queries(app, lambda: client.get(f"/s/{token}")) == 1
    warm = form_fields(campaign, client.get(f"/s/{token}").get_data(as_text=True))
    client.post(f"/s/{token}", data=warm)  # a warm worker has also read the campaign's quality thresholds
    fields = form_fields(campaign, client.get(f"/s/{token}").get_data(as_text=True))
    assert count_queries(app, lambda: client.post(f"/s/{token}", data=fields)) == 2  # resolve the link, insert


def test_pages_are_in_chinese_by_default(client, token):
    """The catalog really loads for the default locale (zh_CN is read as zh_Hans_CN by Babel)."""
    assert "群众测评问卷" in client.get("/").get_data(as_text=True)
    page = client.get(f"/s/{token}").get_data(as_text=True)
    assert "评价对象：" in page and "提交" in page and "English" in page
