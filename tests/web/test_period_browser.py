"""The ranking page of an assessment period on a phone in headless Chromium: the office computes the results,
reads each category's chart and table, opens one unit's breakdown and publishes."""

from __future__ import annotations

import uuid

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from survey_api.extensions import db
from survey_api.models import AssessmentPeriod
from tests.factories import create_account, remove_campaign
from tests.period_support import make_period
from tests.web.test_console_browser import click, save_full_page, sign_in, wait

pytestmark = pytest.mark.browser


@pytest.fixture
def period_to_rank(app):
    """A committed period over six units in two categories, and an admin; the period, its campaign and units are
    removed afterwards (the account stays: the audit trail is append-only)."""
    suffix = uuid.uuid4().hex[:5].upper()
    rows = {
        f"P{suffix}{i}": {"performance": 100 - 2 * i, "adjustments": [("veto", 0, "重大安全事故")] if i == 0 else []}
        for i in range(6)
    }
    with app.app_context():
        period = make_period(
            rows, category_of=lambda code: "街道" if code[-1] in "012" else "部门", title=f"浏览器测试考核期{suffix}"
        )
        admin = create_account(f"office_{suffix.lower()}", "admin").username
        db.session.commit()
        ids = (period.id, period.campaign_id, tuple(pu.unit_id for pu in period.units))
    yield ids[0], admin
    with app.app_context():
        db.session.delete(db.session.get(AssessmentPeriod, ids[0]))
        db.session.commit()
        remove_campaign(ids[1], ids[2])


def test_the_office_ranks_and_publishes_a_period_on_a_phone(browser, live_server, period_to_rank, screenshot_dir):
    period_id, admin = period_to_rank
    sign_in(browser, live_server, admin)
    browser.get(f"{live_server}/console/periods/{period_id}")
    assert browser.find_element(By.ID, "no-revision").is_displayed()
    old_page = browser.find_element(By.TAG_NAME, "html")
    click(browser, browser.find_element(By.ID, "compute-period"))
    wait(browser).until(EC.staleness_of(old_page))
    charts = browser.find_elements(By.CSS_SELECTOR, "svg.period-chart")
    viewport = browser.execute_script("return window.innerWidth")
    assert len(charts) == 2 and all(0 < c.size["width"] <= viewport for c in charts)  # shrinks to the phone
    rows = browser.find_elements(By.CSS_SELECTOR, "table.ranking tbody tr")
    assert len(rows) == 6 and rows[0].get_attribute("data-rank") == "1"
    vetoed = browser.find_element(By.CSS_SELECTOR, "tr[data-rank='1'] td.why")
    assert "重大安全事故" in vetoed.text
    save_full_page(browser, screenshot_dir / "period-ranking-phone.png")

    click(browser, rows[0].find_element(By.TAG_NAME, "a"))
    wait(browser).until(EC.presence_of_element_located((By.ID, "unit-components")))
    assert len(browser.find_elements(By.CSS_SELECTOR, "#unit-components tr[data-component]")) == 5
    assert browser.find_element(By.CSS_SELECTOR, "#unit-why li[data-code='grade.veto_blocked']").is_displayed()
    save_full_page(browser, screenshot_dir / "period-unit-phone.png")

    browser.back()
    old_page = browser.find_element(By.TAG_NAME, "html")
    click(browser, browser.find_element(By.ID, "publish-revision"))
    wait(browser).until(EC.staleness_of(old_page))
    assert browser.find_element(By.ID, "period-state").get_attribute("data-state") == "published"
    assert browser.find_elements(By.ID, "compute-period") == []
