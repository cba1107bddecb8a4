"""The rectification pages: a unit's staff read their feedback report (page and PDF) and work a task through to
acceptance; the office returns, accepts, approves the residents' notice and sees overdue tasks; the notice then
appears on the unit's public page. Refusals show the catalogue's message with nothing changed."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from survey_api.extensions import db
from survey_api.models import RectificationTask
from survey_api.services.rectification_followup import forget_notices

from ..rectification_support import published_campaign
from .console_client import csrf_of, sign_in

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n"


def post(client, page: str, action: str, data: dict, **kwargs):
    token = csrf_of(client.get(page).get_data(as_text=True))
    return client.post(action, data={"csrf_token": token, **data}, **kwargs)


def signed_in(app, name: str):
    client = app.test_client()
    assert sign_in(client, f"p_{name}").status_code == 302
    return client


def test_a_unit_works_a_task_to_acceptance_and_residents_see_it(app, persona_tokens, persona_units, monkeypatch):
    forget_notices()  # notices cached by an earlier test's process state, for units whose ids are reused
    campaign, _ = published_campaign([persona_units["A"], persona_units["B"]])
    unit, office = signed_in(app, "unit_a"), signed_in(app, "admin")

    report = unit.get("/console/feedback", follow_redirects=True)
    html = report.get_data(as_text=True)
    assert report.status_code == 200 and 'id="feedback-items"' in html and "<svg" in html
    assert "13812345678" not in html and "张三" not in html and "某某" in html
    assert unit.get("/console/units/UA1/feedback.pdf").data.startswith(b"%PDF")
    assert unit.get("/console/units/UB1/feedback").status_code == 404

    task_id = int(re.search(r"/console/tasks/(\d+)", html).group(1))
    page = f"/console/tasks/{task_id}"
    assert post(unit, page, f"{page}/steps/plan", {"text": "增设便民窗口"}).status_code == 303
    disguised = post(
        unit, page, f"{page}/evidence", {"file": (io.BytesIO(b"MZ not a pdf"), "a.pdf")},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert disguised.status_code == 415 and 'id="page-error"' in disguised.get_data(as_text=True)
    stored = post(
        unit, page, f"{page}/evidence", {"file": (io.BytesIO(PDF), "整改照片.pdf")}, content_type="multipart/form-data"
    )
    assert stored.status_code == 303
    assert post(unit, page, f"{page}/steps/submit", {"text": "窗口已增设"}).status_code == 303
    assert post(office, page, f"{page}/review/return", {"text": "请附排队数据"}).status_code == 303
    assert post(unit, page, f"{page}/steps/submit", {"text": "附排队数据"}).status_code == 303
    assert post(office, page, f"{page}/review/accept", {"text": ""}).status_code == 303
    closed_page = unit.get(page).get_data(as_text=True)
    assert 'id="form-work-submit"' not in closed_page and "整改照片.pdf" in closed_page

    link = next(link for link in campaign.links if link.unit_id == persona_units["A"].id)
    public = app.test_client().get(f"/s/{link.link_token}").get_data(as_text=True)
    assert 'id="rectified"' not in public
    assert post(office, page, f"{page}/review/notice", {"text": "新增两个窗口，排队缩短一半"}).status_code == 303
    public = app.test_client().get(f"/s/{link.link_token}").get_data(as_text=True)
    assert 'id="rectified"' in public and "新增两个窗口" in public


def test_a_closing_report_after_acceptance_is_refused(app, persona_tokens, persona_units):
    office, unit = signed_in(app, "admin"), signed_in(app, "unit_a")
    added = post(office, "/console/tasks", "/console/tasks", {"unit_code": "UA1", "title": "路灯"})
    page = added.headers["Location"]
    post(unit, page, f"{page}/steps/submit", {"text": "已修好"})
    post(office, page, f"{page}/review/accept", {"text": ""})
    token = csrf_of(unit.get(page).get_data(as_text=True))
    refused = unit.post(f"{page}/steps/submit", data={"csrf_token": token, "text": "再交一次"})
    assert refused.status_code == 409 and 'id="page-error"' in refused.get_data(as_text=True)
    task = db.session.get(RectificationTask, int(page.rsplit("/", 1)[1]))
    db.session.refresh(task)
    assert task.closing_report == "已修好"


def test_the_office_sees_overdue_and_returned_tasks_first(app, persona_tokens, persona_units, monkeypatch):
    from survey_api.services import clock

    office = signed_in(app, "admin")
    for title in ("按时任务", "逾期任务"):
        post(office, "/console/tasks", "/console/tasks", {"unit_code": "UA1", "title": title})
    late = db.session.query(RectificationTask).filter_by(title="逾期任务").one()
    late.deadline = clock.utcnow() + timedelta(hours=1)
    db.session.commit()
    now = clock.utcnow() + timedelta(days=2)
    monkeypatch.setattr(clock, "utcnow", lambda: now)
    html = office.get("/console/tasks").get_data(as_text=True)
    rows = re.findall(r'<tr class="([^"]*)" data-task="(\d+)"', html)
    assert rows[0] == ("overdue ", str(late.id))
    assert 'id="oversight"' in html and 'class="attention"' in html
    past = post(
        office, "/console/tasks", "/console/tasks", {"unit_code": "UA1", "title": "x", "deadline": "2020-01-01T08:00"}
    )
    assert past.status_code == 422 and 'id="page-error"' in past.get_data(as_text=True)
    assert signed_in(app, "unit_b").get("/console/tasks").get_data(as_text=True).count("data-task=") == 0
