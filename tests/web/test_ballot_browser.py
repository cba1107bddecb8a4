"""A rater on a phone-sized screen opens a slip's address (as a scan would), grades, submits, and sees the slip
spent — with JavaScript on and off."""

from __future__ import annotations

import uuid

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import func, select

from survey_api.extensions import db
from survey_api.models import Ballot
from tests.factories import create_meeting, create_unit, issue_codes, remove_meeting

pytestmark = pytest.mark.browser


@pytest.fixture
def slip(app, live_server):
    with app.app_context():
        unit = create_unit(code=f"BB{uuid.uuid4().hex[:8].upper()}")
        meeting = create_meeting(unit, cadres=("张三",))
        [code] = issue_codes(meeting, "peers", 1)
        ids = (meeting.id, unit.id)
    yield ids[0], f"{live_server}/b/{code.replace('-', '')}"
    with app.app_context():
        remove_meeting(*ids)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_scan_grade_submit_and_the_slip_is_spent(app, chrome_factory, slip, javascript, screenshot_dir):
    meeting_id, url = slip
    driver = chrome_factory(javascript=javascript)
    driver.get(url)
    assert "民主测评会" in driver.find_element(By.TAG_NAME, "h1").text
    assert driver.execute_script("return document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    sections = driver.find_elements(By.CSS_SELECTOR, "section.form-section")
    assert len(sections) == 2
    for section in sections:
        for question in section.find_elements(By.CSS_SELECTOR, "fieldset.question"):
            choice = question.find_elements(By.CSS_SELECTOR, "label.choice")[1]  # 良好 / 称职
            driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", choice)
            choice.click()
    driver.save_screenshot(str(screenshot_dir / f"ballot-{'js' if javascript else 'nojs'}.png"))
    button = driver.find_element(By.ID, "cast")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", button)
    button.click()
    WebDriverWait(driver, 15).until(EC.visibility_of_element_located((By.ID, "ballot-cast")))
    driver.get(url)
    assert driver.find_element(By.ID, "error").get_attribute("data-code") == "ballot.token_used"
    with app.app_context():
        rows = db.session.scalars(select(Ballot).where(Ballot.meeting_id == meeting_id)).all()
        assert len(rows) == 2
        assert sorted(len(r.answers) for r in rows) == [6, 11]
        assert {r.answers["overall"] for r in rows} == {"good", "competent"}
        assert db.session.scalar(select(func.count()).select_from(Ballot).where(Ballot.meeting_id == meeting_id)) == 2
