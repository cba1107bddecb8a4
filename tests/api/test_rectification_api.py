"""The task workflow through the JSON API: a unit's staff plan, upload evidence and submit; the office returns and
accepts; another unit's staff cannot tell the task exists; bad input is refused with nothing changed."""

from __future__ import annotations

import hashlib
import io
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from survey_api.extensions import db
from survey_api.models import RectificationTask, TaskEvidence

from ..rectification_support import published_campaign

PDF = b"%PDF-1.4\n% evidence\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def task_of_a(admin_client, persona_units):
    created = admin_client.post("/api/v1/tasks", json={"unit_code": "UA1", "title": "窗口排队时间长"})
    assert created.status_code == 201, created.get_json()
    return created.get_json()


def upload(client, task_id, name, content):
    return client.post(
        f"/api/v1/tasks/{task_id}/evidence",
        data={"file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def test_a_unit_plans_uploads_and_submits_then_the_office_returns_and_accepts(client_as, task_of_a, app):
    unit, office = client_as("unit_a"), client_as("admin")
    task_id = task_of_a["id"]
    assert [t["id"] for t in unit.get("/api/v1/tasks").get_json()] == [task_id]
    assert unit.put(f"/api/v1/tasks/{task_id}/plan", json={"text": "增设两个窗口"}).status_code == 200
    assert unit.post(f"/api/v1/tasks/{task_id}/progress", json={"text": "已招聘人员"}).status_code == 200
    stored = upload(unit, task_id, "照片.png", PNG)
    assert stored.status_code == 201, stored.get_json()
    evidence = stored.get_json()
    assert evidence["sha256"] == hashlib.sha256(PNG).hexdigest() and evidence["content_type"] == "image/png"
    download = unit.get(f"/api/v1/tasks/{task_id}/evidence/{evidence['id']}")
    assert download.status_code == 200 and download.data == PNG
    submitted = unit.post(f"/api/v1/tasks/{task_id}/submit", json={"text": "已增设窗口，平均等候缩短到10分钟"})
    assert submitted.get_json()["state"] == "submitted"
    returned = office.post(f"/api/v1/tasks/{task_id}/return", json={"remark": "请附上排队数据"})
    assert returned.get_json()["state"] == "returned"
    assert unit.post(f"/api/v1/tasks/{task_id}/submit", json={"text": "附排队数据"}).get_json()["state"] == "submitted"
    accepted = office.post(f"/api/v1/tasks/{task_id}/accept", json={"remark": "同意"}).get_json()
    assert accepted["state"] == "accepted"
    kinds = [e["kind"] for e in accepted["entries"]]
    assert kinds == ["plan", "progress", "closing", "returned", "closing", "accepted"]

    again = unit.post(f"/api/v1/tasks/{task_id}/submit", json={"text": "再交一次"})
    assert again.status_code == 409 and again.get_json()["code"] == "task.closed"
    late_file = upload(unit, task_id, "more.pdf", PDF)
    assert late_file.status_code == 409 and late_file.get_json()["code"] == "task.closed"
    assert unit.get(f"/api/v1/tasks/{task_id}").get_json()["closing_report"] == "附排队数据"


def test_another_units_task_answers_like_a_missing_one(client_as, task_of_a):
    other = client_as("unit_b")
    task_id = task_of_a["id"]
    assert other.get("/api/v1/tasks").get_json() == []
    for method, path, body in [
        ("GET", "", None),
        ("PUT", "/plan", {"text": "x"}),
        ("POST", "/submit", {"text": "x"}),
    ]:
        theirs = other.open(f"/api/v1/tasks/{task_id}{path}", method=method, json=body)
        missing = other.open(f"/api/v1/tasks/999999{path}", method=method, json=body)
        assert theirs.status_code == missing.status_code == 404
        assert theirs.get_json() == missing.get_json() and theirs.get_json()["code"] == "task.not_found"
    assert upload(other, task_id, "a.pdf", PDF).get_json()["code"] == "task.not_found"
    assert client_as("unit_a").get(f"/api/v1/tasks/{task_id}").get_json()["plan"] == ""


def evidence_count() -> int:
    return db.session.scalar(select(func.count()).select_from(TaskEvidence))


@pytest.mark.parametrize(
    "name, content, code",
    [
        ("report.pdf", b"MZ\x90\x00 an executable renamed", "evidence.bad_type"),
        ("photo.jpg", PNG, "evidence.bad_type"),  # a PNG named as a JPEG
        ("script.exe", PDF, "evidence.bad_type"),
    ],
)
def test_a_disguised_upload_is_refused(client_as, task_of_a, name, content, code):
    refused = upload(client_as("unit_a"), task_of_a["id"], name, content)
    assert refused.status_code == 415 and refused.get_json()["code"] == code
    assert evidence_count() == 0


def test_an_oversized_upload_is_refused(client_as, task_of_a, app):
    limit = app.config["EVIDENCE_MAX_BYTES"]
    app.config["EVIDENCE_MAX_BYTES"] = 1024
    try:
        refused = upload(client_as("unit_a"), task_of_a["id"], "big.pdf", PDF + b"0" * 2048)
    finally:
        app.config["EVIDENCE_MAX_BYTES"] = limit
    assert refused.status_code == 413 and refused.get_json()["code"] == "evidence.too_large"
    assert evidence_count() == 0


def test_a_deadline_in_the_past_is_refused(client_as, persona_units, task_of_a):
    office = client_as("admin")
    past = (datetime.now(timezone.utc) - timedelta(days=1)).isoformat()
    before = db.session.scalar(select(func.count()).select_from(RectificationTask))
    refused = office.post("/api/v1/tasks", json={"unit_code": "UA1", "title": "x", "deadline": past})
    assert refused.status_code == 422 and refused.get_json()["code"] == "task.deadline_past"
    moved = office.put(f"/api/v1/tasks/{task_of_a['id']}/deadline", json={"deadline": past})
    assert moved.status_code == 422 and moved.get_json()["code"] == "task.deadline_past"
    assert db.session.scalar(select(func.count()).select_from(RectificationTask)) == before
    assert office.get(f"/api/v1/tasks/{task_of_a['id']}").get_json()["deadline"] == task_of_a["deadline"]


def test_the_feedback_report_masks_comments_and_the_pdf_prints(client_as, persona_units):
    published_campaign([persona_units["A"], persona_units["B"]])
    unit = client_as("unit_a")
    report = unit.get("/api/v1/units/UA1/feedback").get_json()
    assert report["unit_code"] == "UA1" and report["rank"] in (1, 2)
    assert {i["kind"] for i in report["items"]} >= {"weak_question"}
    assert all(i["task_id"] for i in report["items"])
    comments = [c for group in report["comments"] for c in group["comments"]]
    assert comments and not any("1381234" in c or "张三" in c or "12号" in c for c in comments)
    pdf = unit.get("/api/v1/units/UA1/feedback.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    other = unit.get("/api/v1/units/UB1/feedback")
    assert other.status_code == 404 and other.get_json()["code"] == "unit.not_found"


def test_reminders_reach_the_outbox_and_the_gateway_marks_them_sent(client_as, persona_units, monkeypatch):
    from survey_api.services import clock

    office = client_as("admin")
    task = office.post("/api/v1/tasks", json={"unit_code": "UA1", "title": "路灯"}).get_json()
    deadline = datetime.fromisoformat(task["deadline"])
    monkeypatch.setattr(clock, "utcnow", lambda: deadline + timedelta(days=2))
    assert office.post("/api/v1/reminders/sweep").get_json() == {"reminders": 1, "messages": 1}
    waiting = client_as("auditor").get("/api/v1/outbox").get_json()
    assert len(waiting) == 1 and "逾期" in waiting[0]["subject"]
    assert client_as("auditor").post("/api/v1/outbox/sent", json={"ids": [waiting[0]["id"]]}).status_code == 403
    assert office.post("/api/v1/outbox/sent", json={"ids": [waiting[0]["id"], 999999]}).status_code == 422
    assert office.post("/api/v1/outbox/sent", json={"ids": [waiting[0]["id"]]}).get_json() == {"messages": 1}
    assert office.get("/api/v1/outbox").get_json() == []
    overdue = office.get("/api/v1/tasks?state=overdue").get_json()
    assert [t["id"] for t in overdue] == [task["id"]] and overdue[0]["days_late"] == 2
