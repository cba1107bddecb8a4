"""The operator console driven in headless Chromium on a 1280×900 laptop: signing in, creating and opening a
campaign, its posters, progress while a phone answers, the audit trail, and what a unit account may not do."""

from __future__ import annotations

import base64
import re
import uuid
from dataclasses import dataclass

import pytest
from flask_babel import gettext
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import delete

from survey_api.extensions import db
from survey_api.models import Response
from survey_api.services.units import get_unit
from tests.conftest import PUBLIC_BASE_URL
from tests.factories import PERSONA_PASSWORD, create_account, create_campaign, create_unit
from tests.web.test_questionnaire_browser import answer_all, open_questionnaire, submit_and_read_receipt

pytestmark = pytest.mark.browser

WAIT_SECONDS = 15
CAMPAIGN_PAGE = re.compile(r"/console/campaigns/(\d+)$")


@dataclass(frozen=True)
class Staff:
    """Committed accounts and two units of this module's own, so runs and other tests do not see each other."""

    admin: str
    auditor: str
    unit_user: str
    unit_codes: tuple[str, str]


@pytest.fixture(scope="module")
def staff(app) -> Staff:
    suffix = uuid.uuid4().hex[:8]
    with app.app_context():
        first = create_unit(code=f"CON{suffix.upper()}A", name="城关街道")
        second = create_unit(code=f"CON{suffix.upper()}B", name="东城街道")
        found = Staff(
            admin=create_account(f"admin_{suffix}", "admin").username,
            auditor=create_account(f"auditor_{suffix}", "auditor").username,
            unit_user=create_account(f"unit_{suffix}", "unit", first).username,
            unit_codes=(first.code, second.code),
        )
        db.session.commit()
    return found


def committed_campaign(app, unit_codes, state: str) -> int:
    """A campaign over these units with two short questionnaires, committed so the live server sees it."""
    with app.app_context():
        campaign = create_campaign(
            units=[get_unit(code) for code in unit_codes], forms=["satisfaction", "profile"], state=state
        )
        db.session.commit()
        return campaign.id


@pytest.fixture
def open_campaign_id(app, staff):
    """An open campaign over the module's units; the responses it gets are deleted afterwards, since other tests
    (tests/web/test_public_pages.py) count every response in the database."""
    campaign_id = committed_campaign(app, staff.unit_codes, "open")
    yield campaign_id
    with app.app_context():
        db.session.execute(delete(Response).where(Response.campaign_id == campaign_id))
        db.session.commit()


def translated(app, text: str) -> str:
    """The text as the console shows it (in Chinese, the default language)."""
    with app.test_request_context():
        return gettext(text)


def wait(driver):
    return WebDriverWait(driver, WAIT_SECONDS)


def click(driver, element) -> None:
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
    element.click()


def submit_login(driver, username: str, password: str) -> None:
    for name, value in (("username", username), ("password", password)):
        field = driver.find_element(By.NAME, name)
        field.clear()
        field.send_keys(value)
    old_page = driver.find_element(By.TAG_NAME, "html")
    click(driver, driver.find_element(By.CSS_SELECTOR, "form button.submit"))
    wait(driver).until(EC.staleness_of(old_page))


def fresh_login_page(driver, base: str) -> None:
    """The sign-in page in a fresh session: whoever used this browser before is forgotten."""
    driver.get(f"{base}/console/login")
    driver.delete_all_cookies()
    driver.get(f"{base}/console/login")


def sign_in(driver, base: str, username: str) -> None:
    fresh_login_page(driver, base)
    submit_login(driver, username, PERSONA_PASSWORD)
    assert driver.current_url == f"{base}/console/"


def open_campaign(driver, app) -> None:
    """On a draft campaign's page, open it and wait for the page to show the open state."""
    state = driver.find_element(By.ID, "campaign-state")
    assert state.text == translated(app, "draft")
    click(driver, driver.find_element(By.ID, "open-campaign"))
    wait(driver).until(EC.staleness_of(state))
    wait(driver).until(EC.text_to_be_present_in_element((By.ID, "campaign-state"), translated(app, "open")))
    assert driver.find_element(By.ID, "close-campaign").is_displayed()
    assert driver.find_elements(By.ID, "open-campaign") == []


def fetch(driver, url: str) -> dict:
    """GET the address with the browser's own cookies; the status, content type and first bytes of the body."""
    return driver.execute_async_script(
        """const done = arguments[arguments.length - 1];
        fetch(arguments[0], {credentials: 'same-origin'})
          .then(r => r.arrayBuffer().then(body => done({
            status: r.status, type: r.headers.get('content-type'), size: body.byteLength,
            head: String.fromCharCode.apply(null, new Uint8Array(body.slice(0, 5)))})))
          .catch(e => done({error: String(e)}));""",
        url,
    )


def unit_row(driver, code: str):
    return driver.find_element(By.CSS_SELECTOR, f'#by-unit tr[data-unit="{code}"]')


def responses_of(driver, code: str) -> int:
    return int(unit_row(driver, code).find_element(By.CSS_SELECTOR, "td.num").text)


def total_responses(driver) -> int:
    return int(driver.find_element(By.ID, "total-responses").text)


def navigation_status(driver) -> int:
    return driver.execute_script("return performance.getEntriesByType('navigation')[0].responseStatus")


def save_full_page(driver, path) -> None:
    """A screenshot of the whole page, not just the visible part (the laptop's pixel ratio is 1)."""
    width, height = driver.execute_script("return [window.innerWidth, document.documentElement.scrollHeight]")
    clip = {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {"captureBeyondViewport": True, "clip": clip})
    path.write_bytes(base64.b64decode(shot["data"]))


def test_admin_signs_in_creates_and_opens_a_campaign(laptop, live_server, staff, app):
    fresh_login_page(laptop, live_server)
    submit_login(laptop, staff.admin, "not-the-password")
    assert laptop.find_element(By.ID, "login-error").is_displayed()
    assert laptop.current_url == f"{live_server}/console/login" and navigation_status(laptop) == 401
    submit_login(laptop, staff.admin, PERSONA_PASSWORD)
    assert laptop.current_url == f"{live_server}/console/"

    click(laptop, laptop.find_element(By.ID, "new-campaign"))
    wait(laptop).until(EC.url_to_be(f"{live_server}/console/campaigns/new"))
    title = f"浏览器测评 {uuid.uuid4().hex[:6]}"
    laptop.find_element(By.NAME, "title").send_keys(title)
    laptop.find_element(By.NAME, "period").send_keys("2026年度")
    boxes = [f'input[name="form_keys"][value="{key}"]' for key in ("satisfaction", "profile")]
    boxes += [f'input[name="unit_codes"][value="{code}"]' for code in staff.unit_codes]
    for selector in boxes:
        box = laptop.find_element(By.CSS_SELECTOR, selector)
        click(laptop, box)
        assert box.is_selected(), selector
    click(laptop, laptop.find_element(By.ID, "create-campaign"))
    wait(laptop).until(EC.url_matches(CAMPAIGN_PAGE.pattern))

    assert laptop.find_element(By.TAG_NAME, "h1").text == title
    rows = laptop.find_elements(By.CSS_SELECTOR, "#by-unit tbody tr")
    assert sorted(row.get_attribute("data-unit") for row in rows) == sorted(staff.unit_codes)
    open_campaign(laptop, app)

    posters = fetch(laptop, laptop.find_element(By.ID, "all-posters").get_attribute("href"))
    assert posters.get("status") == 200, posters
    assert posters["type"].startswith("application/pdf") and posters["head"] == "%PDF-", posters
    assert posters["size"] > 1000, posters


def test_progress_counts_a_response_from_a_phone(laptop, browser, live_server, staff, open_campaign_id, screenshot_dir):
    answered, other = staff.unit_codes
    sign_in(laptop, live_server, staff.admin)
    page = f"{live_server}/console/campaigns/{open_campaign_id}"
    laptop.get(page)
    before = total_responses(laptop), responses_of(laptop, answered), responses_of(laptop, other)
    link = unit_row(laptop, answered).find_element(By.TAG_NAME, "code").text
    assert link.startswith(f"{PUBLIC_BASE_URL}/s/"), link

    open_questionnaire(browser, f"{live_server}/s/{link.rsplit('/s/', 1)[1]}")
    answer_all(browser)
    submit_and_read_receipt(browser)

    laptop.get(page)
    after = total_responses(laptop), responses_of(laptop, answered), responses_of(laptop, other)
    assert after == (before[0] + 1, before[1] + 1, before[2])
    assert laptop.find_element(By.CSS_SELECTOR, "#chart-units svg rect")  # the unit chart has its bars
    save_full_page(laptop, screenshot_dir / "console-campaign.png")


def test_auditor_sees_who_opened_a_campaign(laptop, live_server, staff, app):
    campaign_id = committed_campaign(app, staff.unit_codes, "draft")
    sign_in(laptop, live_server, staff.admin)
    laptop.get(f"{live_server}/console/campaigns/{campaign_id}")
    open_campaign(laptop, app)

    sign_in(laptop, live_server, staff.auditor)
    assert laptop.find_elements(By.ID, "new-campaign") == []  # oversight reads, it changes nothing
    click(laptop, laptop.find_element(By.CSS_SELECTOR, '.console-nav a[href="/console/audit"]'))
    wait(laptop).until(EC.url_to_be(f"{live_server}/console/audit"))
    action = laptop.find_element(By.CSS_SELECTOR, '#audit-filters input[name="action"]')
    action.send_keys("campaign.open")
    click(laptop, laptop.find_element(By.CSS_SELECTOR, "#audit-filters button[type=submit]"))
    wait(laptop).until(EC.url_contains("action=campaign.open"))

    rows = [
        [cell.text for cell in row.find_elements(By.TAG_NAME, "td")]
        for row in laptop.find_elements(By.CSS_SELECTOR, "#audit-events tbody tr")
    ]
    assert rows and all(row[2] == "campaign.open" for row in rows), rows
    ours = [row for row in rows if row[3] == f"campaign {campaign_id}"]
    assert len(ours) == 1, rows
    assert ours[0][1] == f"{staff.admin} (admin)"
    assert ours[0][5].startswith("web"), ours


def test_unit_account_sees_only_its_unit_and_may_not_create_campaigns(laptop, live_server, staff):
    sign_in(laptop, live_server, staff.unit_user)
    assert laptop.find_elements(By.ID, "new-campaign") == []
    laptop.get(f"{live_server}/console/units")
    codes = [cell.text for cell in laptop.find_elements(By.CSS_SELECTOR, "#units tbody tr td:first-child")]
    assert codes == [staff.unit_codes[0]]
    assert laptop.find_elements(By.ID, "unit-form") == []

    laptop.get(f"{live_server}/console/campaigns/new")
    assert navigation_status(laptop) == 403
    assert laptop.find_element(By.CSS_SELECTOR, "[role=alert] code").text == "auth.forbidden"
    assert laptop.find_elements(By.ID, "campaign-form") == []
