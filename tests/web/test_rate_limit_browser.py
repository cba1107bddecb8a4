"""A resident refused by a rate limit in a real phone browser: the answers stay, the page waits and sends again."""

from __future__ import annotations

import uuid

import pytest
from selenium.webdriver.common.by import By
from sqlalchemy import func, select

from survey_api.extensions import db
from survey_api.models import Response

from .test_questionnaire_browser import RECEIPT_PATTERN, answer_all, open_questionnaire, unanswered, wait

pytestmark = pytest.mark.browser


@pytest.fixture
def short_link_limit(app, monkeypatch):
    """One submission per link every five seconds, on fresh counters."""
    limiter = app.extensions["rate_limiter"]
    limiter.reset()
    monkeypatch.setitem(app.config, "RATE_LIMIT_SUBMIT_PER_LINK", "1/5 seconds")
    yield
    limiter.reset()


def use_up_the_link(app, token: str) -> None:
    """Another resident's answer through the API takes the link's one submission of this window."""
    with app.app_context():
        body = {"submission_id": uuid.uuid4().hex, "answers": {"profile": {}}}
        status = app.test_client().post(f"/api/v1/links/{token}/responses", json=body).status_code
    assert status in (201, 422)  # counted either way: the limit is checked before the answers


def test_a_refused_submit_waits_keeps_the_answers_and_sends_again(browser, survey, app, short_link_limit):
    open_questionnaire(browser, survey.url)
    answer_all(browser)
    use_up_the_link(app, survey.token)
    status = browser.find_element(By.ID, "submit-status")
    browser.find_element(By.CSS_SELECTOR, "button.submit").click()
    wait(browser).until(lambda d: "秒后自动重新提交" in status.text)
    assert "/done/" not in browser.current_url
    assert unanswered(browser) == []  # every answer is still on the page while it waits
    # After Retry-After the page sends again by itself (same submission id) and the receipt appears.
    wait(browser).until(lambda d: "/done/" in d.current_url)
    receipt = browser.find_element(By.ID, "receipt-code").text.strip()
    assert RECEIPT_PATTERN.match(receipt), receipt
    with app.app_context():
        found = db.session.scalar(select(func.count()).select_from(Response).where(Response.receipt_code == receipt))
    assert found == 1
