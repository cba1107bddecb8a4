"""The enumerator's phone with the network cut (Chrome's own network emulation): two interviews recorded offline
stay queued on the phone, and once the network is back both arrive exactly once, even when the page sends again."""

from __future__ import annotations

import uuid

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import func, select

from survey_api.extensions import db
from survey_api.models import Channel, Response, Visit
from survey_api.services.audit import SYSTEM
from survey_api.services.fieldwork import assign_in_batches
from tests.factories import PERSONA_PASSWORD, create_account
from tests.household_support import drawn, household_campaign, remove_household_campaign

WAIT_SECONDS = 30


@pytest.fixture
def fieldwork(app):
    """A committed household survey whose sample is assigned to one fresh enumerator account."""
    with app.app_context():
        campaign, unit = household_campaign(count=30)
        drawn(campaign, unit)
        user = create_account(f"field_{uuid.uuid4().hex[:8]}", "enumerator")
        assign_in_batches(SYSTEM, campaign.id, None, [user.username])
        db.session.commit()
        ids = (campaign.id, unit.id, user.username)
    yield ids
    with app.app_context():
        remove_household_campaign(ids[0], (ids[1],))


def network(driver, offline: bool) -> None:
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd(
        "Network.emulateNetworkConditions",
        {"offline": offline, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )


def counted(app, campaign_id: int) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count()).where(Response.campaign_id == campaign_id, Response.channel == Channel.HOUSEHOLD)
        )


def tap(driver, element) -> None:
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
    element.click()


def interview(driver, index: int) -> None:
    """Open the index-th household of the list, answer every question with its first option, save."""
    rows = driver.find_elements(By.CSS_SELECTOR, "#households li.household:not(.visited-here) .open-household")
    tap(driver, rows[index])
    tap(driver, driver.find_element(By.ID, "start-interview"))
    form = driver.find_element(By.CSS_SELECTOR, ".field-questionnaire:not([hidden])")
    for question in form.find_elements(By.CSS_SELECTOR, "fieldset.question"):
        choices = question.find_elements(By.CSS_SELECTOR, "label")
        if choices and question.find_elements(By.CSS_SELECTOR, "input[type=radio], input[type=checkbox]"):
            tap(driver, choices[0])
    tap(driver, form.find_element(By.CSS_SELECTOR, "button.submit"))


def text_of(driver, element_id: str) -> str:
    return driver.find_element(By.ID, element_id).text


def sign_in_on(browser, live_server, username: str) -> None:
    browser.get(f"{live_server}/console/login")
    browser.delete_all_cookies()
    browser.get(f"{live_server}/console/login")
    browser.find_element(By.NAME, "username").send_keys(username)
    browser.find_element(By.NAME, "password").send_keys(PERSONA_PASSWORD)
    tap(browser, browser.find_element(By.CSS_SELECTOR, "form button.submit"))
    WebDriverWait(browser, WAIT_SECONDS).until(lambda d: d.current_url.endswith("/console/field/"))


def test_two_interviews_recorded_offline_arrive_exactly_once_when_the_network_returns(
    app, live_server, browser, fieldwork
):
    campaign_id, _, username = fieldwork
    sign_in_on(browser, live_server, username)
    assert browser.execute_script("return window.innerWidth") == 390
    WebDriverWait(browser, WAIT_SECONDS).until(
        lambda d: (
            d.execute_script("return !!(navigator.serviceWorker && navigator.serviceWorker.controller)") or d.refresh()
        )
    )  # the service worker controls the page (from the first reload after it installed)

    network(browser, offline=True)
    try:
        interview(browser, 0)
        interview(browser, 0)  # the first is marked visited, so this is the next household
        WebDriverWait(browser, WAIT_SECONDS).until(lambda d: text_of(d, "count-queued") == "2")
        assert counted(app, campaign_id) == 0  # nothing reached the server
        queued = browser.execute_script("return Object.keys(localStorage).filter(k => k.startsWith('field-queue:'))")
        assert len(queued) == 1
        # A reload with no network opens the list from the service worker's copy, with the queue intact.
        browser.refresh()
        WebDriverWait(browser, WAIT_SECONDS).until(lambda d: text_of(d, "count-queued") == "2")
        assert browser.find_elements(By.CSS_SELECTOR, "#households li.visited-here")
    finally:
        network(browser, offline=False)

    WebDriverWait(browser, WAIT_SECONDS).until(lambda d: text_of(d, "count-confirmed") == "2")
    assert text_of(browser, "count-queued") == "0"
    assert counted(app, campaign_id) == 2

    # Sending again (a reload, the button) changes nothing: the queue keeps confirmed visits as confirmed.
    browser.refresh()
    tap(browser, browser.find_element(By.ID, "send-now"))
    browser.execute_script(
        "var k = Object.keys(localStorage).find(k => k.startsWith('field-queue:'));"
        "var q = JSON.parse(localStorage.getItem(k)); q.forEach(i => i.status = 'queued');"
        "localStorage.setItem(k, JSON.stringify(q));"
    )  # as if the replies had been lost on the way back: the phone sends both again
    tap(browser, browser.find_element(By.ID, "send-now"))
    WebDriverWait(browser, WAIT_SECONDS).until(lambda d: text_of(d, "count-confirmed") == "2")
    with app.app_context():
        responses = db.session.scalar(select(func.count()).where(Response.campaign_id == campaign_id))
        visits = db.session.scalar(
            select(func.count()).select_from(Visit).where(Visit.household_id.in_(_household_ids(campaign_id)))
        )
    assert responses == 2 and visits == 2


def _household_ids(campaign_id: int):
    from survey_api.models import Household

    return select(Household.id).where(Household.campaign_id == campaign_id)


def test_a_visit_queued_when_the_sign_in_expired_waits_for_the_next_sign_in(app, live_server, browser, fieldwork):
    campaign_id, _, username = fieldwork
    sign_in_on(browser, live_server, username)
    network(browser, offline=True)
    try:
        rows = browser.find_elements(By.CSS_SELECTOR, "#households li.household .open-household")
        tap(browser, rows[-1])
        tap(browser, browser.find_element(By.CSS_SELECTOR, "[data-outcome=refused]"))
        WebDriverWait(browser, WAIT_SECONDS).until(lambda d: text_of(d, "count-queued") == "1")
        browser.delete_cookie("session")  # the sign-in ends while the phone is out of reach
    finally:
        network(browser, offline=False)
    tap(browser, browser.find_element(By.ID, "send-now"))
    WebDriverWait(browser, WAIT_SECONDS).until(
        lambda d: "sign in again" in text_of(d, "queue-list").lower() or "重新登录" in text_of(d, "queue-list")
    )
    assert text_of(browser, "count-confirmed") == "0" and text_of(browser, "count-queued") == "1"
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(Visit.household_id.in_(_household_ids(campaign_id)))) == 0
    sign_in_on(browser, live_server, username)  # same phone, same account: the queue is still there and is sent
    WebDriverWait(browser, WAIT_SECONDS).until(lambda d: text_of(d, "count-confirmed") == "1")
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(Visit.household_id.in_(_household_ids(campaign_id)))) == 1
