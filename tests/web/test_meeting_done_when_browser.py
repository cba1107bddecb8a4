"""The 民主测评 issue's "done when", end to end in Chromium: an organiser on a laptop creates a meeting in the
console, opens it and prints 30 slips across the rater groups (the slip PDFs the console answers with, read back
with pdftotext for their codes); 30 phone-sized raters each open a slip and cast a varied valid ballot; the
organiser's progress page shows counts only; the meeting is closed and the results sheet shows the counts, rates,
weighted scores and flags, and offers the PDF and XLSX.

The 30 raters share ONE headless Chromium (390×844, JavaScript on) with its cookies cleared before each slip:
30 browser processes are too heavy for a small CI machine, and a slip carries no cookie state anyway. The grades
are chosen with one script call per ballot rather than 17 WebDriver clicks, to keep the test near 30 seconds."""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
import uuid

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait
from sqlalchemy import select

from survey_api.extensions import db
from survey_api.models import Meeting
from survey_api.services import meetings as meeting_service
from survey_api.services.meeting_results import meeting_results
from tests.conftest import skip_or_fail
from tests.factories import create_account, create_unit, remove_meeting
from tests.web.test_console_browser import click, sign_in

pytestmark = pytest.mark.browser

HEADCOUNTS = {"superiors": 8, "peers": 12, "public": 15}  # 35 due: 30 ballots pass the quorum
SLIPS = {"superiors": 8, "peers": 10, "public": 12}  # each group at the anonymity threshold of 8 or above
SLIP_CODE = re.compile(r"\b[0-9A-Z]{5}-[0-9A-Z]{5}\b")
MEETING_PAGE = re.compile(r"/console/meetings/(\d+)$")

# Grade every item of the ballot: items cycle over 优秀/良好/一般 (never one grade throughout, so the ballot is
# valid); the cadre's overall grade cycles over all four grades with the rater's number, so that only half are
# 优秀 or 称职 and the cadre is flagged for review.
CAST_SCRIPT = """
const rater = arguments[0];
document.querySelectorAll('section.form-section').forEach((section, s) => {
  section.querySelectorAll('fieldset.question').forEach((question, q) => {
    const choices = question.querySelectorAll('label.choice');
    const isCadreOverall = s > 0 && question.dataset.question.endsWith('.overall');
    choices[isCadreOverall ? rater % 4 : (rater + q + s) % 3].click();
  });
});
"""

# Issue slips with the console's own form (its CSRF token and session) and answer with the PDF, base64-encoded.
PRINT_SCRIPT = """
const [group, count, done] = arguments;
const form = document.getElementById('print-slips');
const data = new FormData(form);
data.set('group', group);
data.set('count', String(count));
fetch(form.action, {method: 'POST', body: data, credentials: 'same-origin'})
  .then(r => r.arrayBuffer().then(b => [r.status, r.headers.get('content-type'), b]))
  .then(([status, type, buffer]) => {
    let text = '';
    new Uint8Array(buffer).forEach(byte => { text += String.fromCharCode(byte); });
    done([status, type, btoa(text)]);
  });
"""

FETCH_STATUS_SCRIPT = """
const [url, done] = arguments;
fetch(url, {credentials: 'same-origin'}).then(r => done([r.status, r.headers.get('content-type')]));
"""


def wait(driver, seconds: int = 15) -> WebDriverWait:
    return WebDriverWait(driver, seconds)


def slip_codes(pdf: bytes, tmp_path) -> list[str]:
    if not shutil.which("pdftotext"):
        skip_or_fail("pdftotext (Debian's poppler-utils) is needed to read the printed slips")
    source = tmp_path / f"slips-{uuid.uuid4().hex}.pdf"
    source.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(source), "-"], check=True, capture_output=True, timeout=60).stdout
    return SLIP_CODE.findall(text.decode("utf-8"))


@pytest.fixture
def organiser(app):
    """A committed unit and an administrator account; the meeting the test creates is removed afterwards."""
    suffix = uuid.uuid4().hex[:8].upper()
    with app.app_context():
        unit = create_unit(code=f"DW{suffix}", name="城关街道")
        admin = create_account(f"organiser_{suffix.lower()}", "admin")
        db.session.commit()
        ids = (unit.id, unit.code, admin.username)
    yield ids
    with app.app_context():
        for meeting_id in db.session.scalars(select(Meeting.id).where(Meeting.unit_id == ids[0])).all():
            remove_meeting(meeting_id, ids[0])


def create_in_console(laptop, live_server, unit_code: str) -> int:
    laptop.get(f"{live_server}/console/meetings/new")
    form = laptop.find_element(By.ID, "meeting-form")
    form.find_element(By.NAME, "title").send_keys("2026年度领导班子和领导干部民主测评会")
    Select(form.find_element(By.NAME, "unit_code")).select_by_value(unit_code)
    laptop.execute_script("arguments[0].value = '2026-12-08';", form.find_element(By.NAME, "held_on"))
    form.find_element(By.NAME, "team").send_keys("领导班子")
    form.find_elements(By.NAME, "cadre_name")[0].send_keys("张三")
    form.find_elements(By.NAME, "cadre_post")[0].send_keys("副局长")
    for key, headcount in HEADCOUNTS.items():
        form.find_element(By.NAME, f"headcount_{key}").send_keys(str(headcount))
    click(laptop, laptop.find_element(By.ID, "create-meeting"))
    wait(laptop).until(EC.url_matches(MEETING_PAGE.pattern))
    return int(MEETING_PAGE.search(laptop.current_url).group(1))


def move(laptop) -> None:
    """Press the open/close button and wait for the page to come back."""
    state = laptop.find_element(By.ID, "meeting-state")
    click(laptop, laptop.find_element(By.ID, "move-meeting"))
    wait(laptop).until(EC.staleness_of(state))


def print_slips(laptop, tmp_path) -> list[str]:
    codes = []
    for group, count in SLIPS.items():
        status, mimetype, body = laptop.execute_async_script(PRINT_SCRIPT, group, count)
        assert status == 200 and mimetype == "application/pdf"
        printed = slip_codes(base64.b64decode(body), tmp_path)
        assert len(set(printed)) == count
        codes += printed
    return codes


def cast_on_a_phone(phone, live_server, code: str, rater: int) -> None:
    phone.delete_all_cookies()  # a fresh rater: nothing carried over from the previous slip
    phone.get(f"{live_server}/b/{code.replace('-', '')}")
    phone.execute_script(CAST_SCRIPT, rater)
    click(phone, phone.find_element(By.ID, "cast"))
    wait(phone).until(EC.visibility_of_element_located((By.ID, "ballot-cast")))


def turnout_used(laptop) -> int:
    return int(laptop.find_element(By.CSS_SELECTOR, "#turnout tfoot td:nth-of-type(4)").text)


def test_thirty_raters_on_phones_and_the_organisers_results_sheet(
    app, live_server, laptop, chrome_factory, organiser, tmp_path
):
    unit_id, unit_code, admin = organiser
    sign_in(laptop, live_server, admin)
    meeting_id = create_in_console(laptop, live_server, unit_code)
    move(laptop)  # open the ballot
    assert laptop.find_element(By.ID, "move-meeting").is_displayed()  # now the close button
    codes = print_slips(laptop, tmp_path)
    assert len(codes) == 30

    phone = chrome_factory(javascript=True)
    for rater, code in enumerate(codes):
        cast_on_a_phone(phone, live_server, code, rater)
        if rater == 14:  # halfway, the organiser watches the progress page
            laptop.get(f"{live_server}/console/meetings/{meeting_id}")
            assert turnout_used(laptop) == 15
            page = laptop.page_source
            assert not any(c in page or c.replace("-", "") in page for c in codes)  # never which slip
            assert "优秀" not in page and "称职" not in page  # never a ballot's content

    laptop.get(f"{live_server}/console/meetings/{meeting_id}")
    assert turnout_used(laptop) == 30
    rows = laptop.find_elements(By.CSS_SELECTOR, "#turnout tbody tr")
    assert {r.get_attribute("data-group"): int(r.find_elements(By.TAG_NAME, "td")[4].text) for r in rows} == SLIPS
    move(laptop)  # close the meeting
    click(laptop, laptop.find_element(By.ID, "meeting-results-link"))
    wait(laptop).until(EC.url_contains(f"/console/meetings/{meeting_id}/results"))

    with app.app_context():
        team, cadre = (r.tally for r in meeting_results(meeting_service.get_meeting(meeting_id)))
    sections = laptop.find_elements(By.CSS_SELECTOR, "section.target")
    assert [s.get_attribute("data-status") for s in sections] == ["counted", "counted"]
    for section, tally in zip(sections, (team, cadre)):
        assert section.find_element(By.CLASS_NAME, "weighted-score").text == f"{tally.score:.2f}"
        score_line = section.find_element(By.CLASS_NAME, "score").text
        for rate in (tally.grades.top_rate, tally.grades.good_rate, tally.grades.bottom_rate):
            assert f"{rate * 100:.1f}%" in score_line
        for key, count in SLIPS.items():
            cells = section.find_elements(By.CSS_SELECTOR, f'tr[data-group="{key}"] td')
            assert [int(c.text) for c in cells[2:4]] == [count, count]  # cast, issued
            assert int(cells[5].text) == count  # every ballot valid
    assert team.grades.valid == cadre.grades.valid == 30
    assert [f.get_attribute("data-flag") for f in sections[0].find_elements(By.CLASS_NAME, "flag")] == []
    assert [f.get_attribute("data-flag") for f in sections[1].find_elements(By.CLASS_NAME, "flag")] == [
        "admonition_or_adjustment"
    ]
    for link, mimetype in (("results-pdf", "application/pdf"), ("results-xlsx", "spreadsheetml.sheet")):
        href = laptop.find_element(By.ID, link).get_attribute("href")
        status, answered = laptop.execute_async_script(FETCH_STATUS_SCRIPT, href)
        assert status == 200 and answered.endswith(mimetype)
