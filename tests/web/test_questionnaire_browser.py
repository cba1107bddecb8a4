"""The resident's questionnaire driven in headless Chromium on a phone-sized screen, with and without JavaScript."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import select

from survey_api.extensions import db
from survey_api.models import Response
from tests.web.conftest import PIXEL_RATIO

pytestmark = pytest.mark.browser

WAIT_SECONDS = 15
RECEIPT_PATTERN = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")  # Crockford's alphabet
COMMENT = "路灯坏了很久，希望尽快修好。"


@dataclass(frozen=True)
class StoredResponse:
    submission_id: str
    channel: str
    duration_seconds: int | None
    answers: dict[str, object]  # {"form.question": value}, the page's own field names


def wait(driver):
    return WebDriverWait(driver, WAIT_SECONDS)


def open_questionnaire(driver, url: str, javascript: bool = True) -> None:
    """Open the page; with JavaScript on, wait until the script has run (it is what un-hides the progress bar)."""
    driver.get(url)
    wait(driver).until(EC.presence_of_element_located((By.ID, "questionnaire")))
    if javascript:
        wait(driver).until(EC.visibility_of_element_located((By.CSS_SELECTOR, ".progress")))


def tap(driver, element) -> None:
    """Scroll the element to the middle of the screen (clear of the sticky progress bar) and click it."""
    driver.execute_script("arguments[0].scrollIntoView({block: 'center', inline: 'nearest'});", element)
    element.click()


def questions(driver):
    return driver.find_elements(By.CSS_SELECTOR, "fieldset.question")


def unanswered(driver) -> list:
    """The question blocks with nothing chosen or typed, in page order (one round trip for the whole page)."""
    return driver.execute_script("""
        return Array.prototype.filter.call(document.querySelectorAll('fieldset.question'), function (q) {
            var box = q.querySelector('textarea');
            return box ? box.value.trim() === '' : !q.querySelector('input:checked');
        });""")


def answer(driver, question) -> None:
    """Give one answer like a resident: type into a text box, otherwise tap the label of the first option."""
    boxes = question.find_elements(By.TAG_NAME, "textarea")
    if boxes:
        tap(driver, boxes[0])
        boxes[0].send_keys(COMMENT)
    else:
        tap(driver, question.find_element(By.CSS_SELECTOR, "label.choice, label.rate"))


def answer_all(driver) -> int:
    """Answer every question not answered yet; return how many questions the page has."""
    for question in unanswered(driver):
        answer(driver, question)
    assert unanswered(driver) == []
    return len(questions(driver))


def submit_and_read_receipt(driver) -> str:
    tap(driver, driver.find_element(By.CSS_SELECTOR, "button.submit"))
    wait(driver).until(EC.url_contains("/done/"))
    code = wait(driver).until(EC.visibility_of_element_located((By.ID, "receipt-code"))).text.strip()
    assert RECEIPT_PATTERN.match(code), code
    return code


def stored(app, receipt: str) -> StoredResponse:
    """The one response in the database with this receipt code (read on a fresh session: it was committed)."""
    with app.app_context():
        found = db.session.scalars(select(Response).where(Response.receipt_code == receipt)).all()
        assert len(found) == 1, f"{len(found)} responses with receipt {receipt}"
        response = found[0]
        given = {
            f"{form}.{question}": value
            for form, values in response.answers.items()
            for question, value in values.items()
        }
        return StoredResponse(
            submission_id=response.submission_id,
            channel=response.channel.value,
            duration_seconds=response.duration_seconds,
            answers=given,
        )


def assert_chinese_page(driver, survey) -> None:
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-CN"
    assert driver.find_element(By.CSS_SELECTOR, ".unit strong").text == survey.unit_name
    assert driver.find_element(By.CSS_SELECTOR, ".survey-head h1").text == survey.title


def progress(driver) -> tuple[int, ...]:
    """(answered, total) from the progress text, whatever the language wraps around the two numbers."""
    return tuple(int(n) for n in re.findall(r"\d+", driver.find_element(By.ID, "progress-text").text))


def navigation_status(driver) -> int:
    return driver.execute_script("return performance.getEntriesByType('navigation')[0].responseStatus")


def save_full_page(driver, path) -> None:
    """A screenshot of the whole page at CSS-pixel scale, not just the visible part."""
    width, height = driver.execute_script("return [window.innerWidth, document.documentElement.scrollHeight]")
    clip = {"x": 0, "y": 0, "width": width, "height": height, "scale": 1 / PIXEL_RATIO}
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {"captureBeyondViewport": True, "clip": clip})
    path.write_bytes(base64.b64decode(shot["data"]))


def test_resident_answers_everything_and_gets_a_receipt(browser, survey, app, screenshot_dir):
    open_questionnaire(browser, survey.url)
    assert_chinese_page(browser, survey)
    browser.save_screenshot(str(screenshot_dir / "questionnaire.png"))

    total = answer_all(browser)
    assert progress(browser) == (total, total)
    save_full_page(browser, screenshot_dir / "questionnaire-answered-full.png")
    receipt = submit_and_read_receipt(browser)
    browser.save_screenshot(str(screenshot_dir / "receipt.png"))

    response = stored(app, receipt)
    assert response.channel == "qr"
    assert response.duration_seconds is not None and response.duration_seconds >= 0
    assert len(response.answers) == total
    assert COMMENT in response.answers.values()  # Chinese text arrives intact
    # The thank-you page removes the draft so the next resident on this phone starts afresh.
    assert browser.execute_script("return localStorage.getItem(arguments[0])", f"survey-draft:{survey.token}") is None


def test_questionnaire_works_without_javascript(browser_no_js, survey, app):
    open_questionnaire(browser_no_js, survey.url, javascript=False)
    assert_chinese_page(browser_no_js, survey)
    # Only the script un-hides the progress bar and fills its text, so this proves JavaScript is really off.
    assert not browser_no_js.find_element(By.CSS_SELECTOR, ".progress").is_displayed()
    assert browser_no_js.find_element(By.ID, "progress-text").get_property("textContent") == ""

    total = answer_all(browser_no_js)
    receipt = submit_and_read_receipt(browser_no_js)

    response = stored(app, receipt)
    assert response.channel == "qr"
    assert response.duration_seconds is not None
    assert len(response.answers) == total


def test_reload_restores_the_draft_and_keeps_the_submission_id(browser, survey, app):
    draft_key = f"survey-draft:{survey.token}"
    open_questionnaire(browser, survey.url)
    # Control: without the draft a reload comes back empty, so the browser's own form restoring plays no part.
    answer(browser, questions(browser)[0])
    browser.execute_script("localStorage.removeItem(arguments[0])", draft_key)
    browser.refresh()
    wait(browser).until(lambda d: progress(d) == (0, len(questions(d))))

    first_id = browser.find_element(By.NAME, "submission_id").get_property("value")
    page = questions(browser)
    radio_questions = [q for q in page if q.find_elements(By.CSS_SELECTOR, "input[type=radio]")][:2]
    text_question = next(q for q in page if q.find_elements(By.TAG_NAME, "textarea"))
    for question in [*radio_questions, text_question]:
        answer(browser, question)
    chosen = [
        (q.get_attribute("data-question"), q.find_element(By.CSS_SELECTOR, "input:checked").get_property("value"))
        for q in radio_questions
    ]
    wait(browser).until(
        lambda d: COMMENT in (d.execute_script("return localStorage.getItem(arguments[0])", draft_key) or "")
    )

    # The server renders the reloaded page empty with a new submission id; the draft refills it.
    browser.refresh()
    wait(browser).until(lambda d: progress(d) == (3, len(page)))
    for name, value in chosen:
        checked = browser.find_elements(By.CSS_SELECTOR, f'fieldset[data-question="{name}"] input:checked')
        assert [c.get_property("value") for c in checked] == [value]
    assert browser.find_element(By.CSS_SELECTOR, "fieldset.question textarea").get_property("value") == COMMENT
    assert browser.find_element(By.NAME, "submission_id").get_property("value") == first_id

    answer_all(browser)
    receipt = submit_and_read_receipt(browser)
    assert stored(app, receipt).submission_id == first_id


def test_server_side_validation_keeps_the_given_answers(browser, survey, screenshot_dir):
    open_questionnaire(browser, survey.url)
    page = questions(browser)
    first = page[0]
    text_question = next(q for q in page if q.find_elements(By.TAG_NAME, "textarea"))
    answer(browser, first)
    answer(browser, text_question)
    first_name, text_name = first.get_attribute("data-question"), text_question.get_attribute("data-question")
    first_value = first.find_element(By.CSS_SELECTOR, "input:checked").get_property("value")
    submission_id = browser.find_element(By.NAME, "submission_id").get_property("value")
    blank = unanswered(browser)
    missing = [q.get_attribute("data-question") for q in blank if q.get_attribute("data-required") == "true"]
    assert missing

    # Post the incomplete page as a browser without our script would if it skipped native validation.
    browser.execute_script("""
        document.querySelectorAll('[required]').forEach(function (el) { el.removeAttribute('required'); });
        HTMLFormElement.prototype.submit.call(document.getElementById('questionnaire'));""")
    summary = wait(browser).until(EC.visibility_of_element_located((By.ID, "error-summary")))

    assert navigation_status(browser) == 422
    assert summary.find_element(By.TAG_NAME, "h2").text.strip()
    links = [a.get_attribute("href").split("#", 1)[1] for a in summary.find_elements(By.CSS_SELECTOR, "li a")]
    assert links == [f"q-{name}" for name in missing]
    for name in missing:
        block = browser.find_element(By.ID, f"q-{name}")
        assert "has-error" in block.get_attribute("class")
        assert block.find_element(By.CSS_SELECTOR, ".field-error").text.strip()
    # The answers given come back from the server itself (the checked attribute), not from the draft.
    kept = browser.find_element(By.CSS_SELECTOR, f'fieldset[data-question="{first_name}"] input[value="{first_value}"]')
    assert kept.is_selected() and browser.execute_script("return arguments[0].hasAttribute('checked')", kept)
    assert "has-error" not in browser.find_element(By.ID, f"q-{first_name}").get_attribute("class")
    textarea = browser.find_element(By.CSS_SELECTOR, f'fieldset[data-question="{text_name}"] textarea')
    assert textarea.get_property("defaultValue") == COMMENT
    assert browser.find_element(By.NAME, "submission_id").get_property("value") == submission_id
    assert progress(browser) == (2, len(page))

    # A link in the summary brings its question into view with the question text clear of the sticky progress bar.
    summary.find_element(By.CSS_SELECTOR, "li a").click()
    wait(browser).until(lambda d: d.execute_script("return location.hash") == f"#q-{missing[0]}")
    gap = browser.execute_script(
        """var legend = document.getElementById(arguments[0]).querySelector('legend');
        var bar = document.querySelector('.progress');
        return legend.getBoundingClientRect().top - bar.getBoundingClientRect().bottom;""",
        f"q-{missing[0]}",
    )
    assert gap >= 0, f"the question text is {-gap} px under the progress bar"
    browser.save_screenshot(str(screenshot_dir / "questionnaire-error.png"))


def test_page_is_usable_on_a_360px_phone(chrome_factory, survey):
    narrow = chrome_factory(javascript=True, width=360, height=740)
    open_questionnaire(narrow, survey.url)
    metrics = narrow.execute_script("""
        var root = document.documentElement;
        return {inner: window.innerWidth, client: root.clientWidth, scroll: root.scrollWidth};""")
    assert metrics["inner"] == 360
    assert metrics["scroll"] <= metrics["inner"] and metrics["scroll"] <= metrics["client"], metrics

    heights = narrow.execute_script("""
        return Array.prototype.map.call(document.querySelectorAll('input[type=radio], input[type=checkbox]'),
            function (input) { return input.closest('label').getBoundingClientRect().height; });""")
    radios = narrow.find_elements(By.CSS_SELECTOR, "input[type=radio]")
    assert len(heights) > len(radios) > 0
    assert min(heights) >= 44, f"smallest tap target is {min(heights)} px tall"
    assert narrow.find_element(By.CSS_SELECTOR, "button.submit").size["height"] >= 44
