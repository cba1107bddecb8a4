"""The results pages in headless Chromium: a statistician computes results on a laptop and reads the ranked interval
charts and one unit's weakest questions; the same page stays readable on a phone."""

from __future__ import annotations

import random
import uuid

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from survey_api.extensions import db
from survey_api.services.campaigns import campaign_definitions
from tests.factories import (
    create_account,
    create_campaign,
    create_unit,
    random_answers,
    remove_campaign,
    store_response,
)
from tests.web.test_console_browser import click, save_full_page, sign_in, wait

pytestmark = pytest.mark.browser


@pytest.fixture
def answered_campaign(app):
    """A committed campaign over three units with 30 answers each, and a statistician; removed afterwards."""
    suffix = uuid.uuid4().hex[:6].upper()
    with app.app_context():
        units = [
            create_unit(code=f"RES{suffix}{i}", name=name)
            for i, name in enumerate(["城关街道", "东城街道", "西城街道"])
        ]
        campaign = create_campaign(units)
        rng = random.Random(3)
        definitions = campaign_definitions(campaign)
        for unit_index in range(3):
            for _ in range(30):
                store_response(campaign, unit_index, random_answers(definitions, rng))
        statistician = create_account(f"stat_{suffix.lower()}", "statistician").username
        db.session.commit()
        campaign_id, codes, unit_ids = campaign.id, [u.code for u in units], tuple(u.id for u in units)
    yield campaign_id, codes, statistician
    with app.app_context():
        remove_campaign(campaign_id, unit_ids)


def test_a_statistician_computes_results_and_reads_the_interval_charts(
    laptop, browser, live_server, answered_campaign, screenshot_dir
):
    campaign_id, codes, statistician = answered_campaign
    sign_in(laptop, live_server, statistician)
    laptop.get(f"{live_server}/console/campaigns/{campaign_id}/results")
    assert laptop.find_element(By.ID, "no-results").is_displayed()
    old_page = laptop.find_element(By.TAG_NAME, "html")
    click(laptop, laptop.find_element(By.ID, "compute-results"))
    wait(laptop).until(EC.staleness_of(old_page))
    wait(laptop).until(EC.presence_of_element_located((By.ID, "run-info")))

    for name in ("happiness", "satisfaction", "security"):
        chart = laptop.find_element(By.CSS_SELECTOR, f"#chart-{name} svg")
        assert chart.is_displayed() and chart.size["width"] > 500
        assert len(chart.find_elements(By.TAG_NAME, "circle")) == 3
    rows = laptop.find_elements(By.CSS_SELECTOR, "#unit-results tbody tr")
    assert sorted(r.get_attribute("data-unit") for r in rows) == sorted(codes)
    save_full_page(laptop, screenshot_dir / "results-laptop.png")

    click(laptop, laptop.find_element(By.CSS_SELECTOR, f'#unit-results tr[data-unit="{codes[0]}"] a'))
    wait(laptop).until(EC.presence_of_element_located((By.ID, "weakest")))
    assert len(laptop.find_elements(By.CSS_SELECTOR, "#weakest li")) == 3
    assert len(laptop.find_elements(By.CSS_SELECTOR, "table.questions tr.weak")) == 3

    sign_in(browser, live_server, statistician)
    browser.get(f"{live_server}/console/campaigns/{campaign_id}/results")
    chart = browser.find_element(By.CSS_SELECTOR, "#chart-satisfaction svg")
    viewport = browser.execute_script("return window.innerWidth")
    assert 0 < chart.size["width"] <= viewport  # the chart shrinks to the phone instead of overflowing
    browser.save_screenshot(str(screenshot_dir / "results-phone.png"))
