"""The 限期整改 issue's "done when" in Chromium: on a phone (390 px wide) a unit's staff read their feedback report
(comments masked; the PDF offered), write a plan, upload evidence and submit the closing report; the office, on a
laptop, returns it once and then accepts it and approves the residents' notice, which a resident then reads at the
unit's QR code; with the clock moved past a deadline, the office sees the overdue task first."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import delete, select

from survey_api.extensions import db
from survey_api.models import OutboxMessage, RectificationTask, TaskEntry, TaskEvidence, TaskReminder
from survey_api.services import clock
from tests.factories import create_account, create_unit, remove_campaign
from tests.rectification_support import published_campaign
from tests.web.test_console_browser import click, save_full_page, sign_in

pytestmark = pytest.mark.browser

FETCH_TYPE_SCRIPT = """
const [url, done] = arguments;
fetch(url, {credentials: 'same-origin'}).then(r => done([r.status, r.headers.get('content-type')]));
"""


def remove_tasks(unit_ids: tuple[int, ...]) -> None:
    task_ids = select(RectificationTask.id).where(RectificationTask.unit_id.in_(unit_ids))
    reminder_ids = select(TaskReminder.id).where(TaskReminder.task_id.in_(task_ids))
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.reminder_id.in_(reminder_ids)))
    for model in (TaskReminder, TaskEntry, TaskEvidence):
        db.session.execute(delete(model).where(model.task_id.in_(task_ids)))
    db.session.execute(delete(RectificationTask).where(RectificationTask.unit_id.in_(unit_ids)))
    db.session.commit()


@pytest.fixture
def published(app):
    """Two committed units with published results, a unit account for the first and an office account."""
    suffix = uuid.uuid4().hex[:6].upper()
    with app.app_context():
        units = [create_unit(code=f"RECT{suffix}{i}", name=name) for i, name in enumerate(["城关街道", "东城街道"])]
        staff = create_account(f"unit_{suffix.lower()}", "unit", units[0]).username
        office = create_account(f"office_{suffix.lower()}", "admin").username
        campaign, _ = published_campaign(units)
        token = next(link.link_token for link in campaign.links if link.unit_id == units[0].id)
        ids = (campaign.id, tuple(u.id for u in units))
    yield staff, office, token
    with app.app_context():
        remove_tasks(ids[1])
        remove_campaign(ids[0])


def submit_step(driver, form_id: str, text: str | None = None) -> None:
    form = driver.find_element(By.ID, form_id)
    if text is not None:
        form.find_element(By.NAME, "text").send_keys(text)
    driver.execute_script("window.beforeSubmit = true;")
    click(driver, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    # The next page is a new document without the mark; asking while it loads may fail, so such errors are retried.
    WebDriverWait(driver, 15, ignored_exceptions=(WebDriverException,)).until(
        lambda d: d.execute_script("return !window.beforeSubmit && document.readyState === 'complete'")
    )


def state_of(driver) -> str:
    return driver.find_element(By.ID, "task-state").get_attribute("data-state")


def test_a_unit_rectifies_on_a_phone_and_residents_see_it(
    browser, laptop, live_server, published, screenshot_dir, tmp_path, monkeypatch
):
    staff, office, token = published
    phone = browser
    phone.get(f"{live_server}/")  # a first page in the fresh browser before the sign-in's cookie juggling
    sign_in(phone, live_server, staff)
    phone.get(f"{live_server}/console/feedback")
    comments = phone.find_element(By.ID, "feedback-comments").text
    assert "＊＊＊" in comments and "某某" in comments
    lines = [line for line in comments.splitlines() if not line.endswith(")")]  # not the question headings
    assert lines and not any(re.search(r"[0-9０-９]", line) for line in lines)
    assert phone.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1")
    pdf = phone.find_element(By.ID, "feedback-pdf").get_attribute("href")
    assert phone.execute_async_script(FETCH_TYPE_SCRIPT, pdf) == [200, "application/pdf"]
    save_full_page(phone, screenshot_dir / "rectification-feedback-phone.png")

    first_task = phone.find_element(By.CSS_SELECTOR, "#feedback-items a").get_attribute("href")
    phone.get(first_task)
    submit_step(phone, "form-work-plan", "增设两个便民窗口，安排专人引导")
    evidence = tmp_path / "evidence.pdf"
    evidence.write_bytes(b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n")
    phone.find_element(By.CSS_SELECTOR, "#form-evidence input[type=file]").send_keys(str(evidence))
    submit_step(phone, "form-evidence")
    assert "evidence.pdf" in phone.find_element(By.ID, "task-evidence").text
    submit_step(phone, "form-work-submit", "已增设窗口，平均等候时间缩短到10分钟")
    assert state_of(phone) == "submitted"

    sign_in(laptop, live_server, office)
    laptop.get(first_task)
    submit_step(laptop, "form-review-return", "请补充排队时间的统计")
    assert state_of(laptop) == "returned"
    phone.get(first_task)
    submit_step(phone, "form-work-submit", "附一个月的排队时间统计")
    laptop.get(first_task)
    submit_step(laptop, "form-review-accept")
    assert state_of(laptop) == "accepted"
    submit_step(laptop, "form-review-notice")  # the office approves the text the report proposes
    save_full_page(phone, screenshot_dir / "rectification-task-phone.png")

    phone.delete_all_cookies()  # now a resident scanning the unit's QR code
    phone.get(f"{live_server}/s/{token}")
    assert "附一个月的排队时间统计" in phone.find_element(By.ID, "rectified").text

    later = clock.utcnow() + timedelta(days=31)
    monkeypatch.setattr(clock, "utcnow", lambda: later)
    laptop.get(f"{live_server}/console/tasks?state=overdue")
    rows = laptop.find_elements(By.CSS_SELECTOR, "#tasks tr.overdue")
    assert rows and all(re.fullmatch(r"\d+", r.get_attribute("data-task")) for r in rows)
    assert first_task.rsplit("/", 1)[1] not in {r.get_attribute("data-task") for r in rows}
