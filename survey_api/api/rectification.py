"""Rectification (限期整改): /api/v1/tasks for the task workflow, /api/v1/units/<code>/feedback for a unit's
feedback report, and /api/v1/outbox for the mail or SMS gateway that delivers reminders."""

from __future__ import annotations

from flask import g
from flask_smorest import Blueprint

from ..auth import api_requires, ensure_unit_visible, own_unit_only
from ..downloads import as_download
from ..services import rectification as tasks
from ..services import reminders
from ..services.evidence import add_evidence, evidence_file
from ..services.feedback import feedback_report
from ..services.feedback_pdf import feedback_pdf
from ..services.rectification_followup import attach_pulse, draft_notice, pulse_result
from ..services.task_owner import assign_owner, take_ownership
from ..services.units import get_unit
from ..transactions import commit_on_success
from ..uploads import accepts_upload, uploaded_file
from .schemas.rectification import (
    DeadlineSchema,
    EvidenceSchema,
    FeedbackSchema,
    NoticeSchema,
    OutboxMessageSchema,
    OwnerSchema,
    RemarkSchema,
    SentCountSchema,
    SentSchema,
    SweepSchema,
    TaskCreateSchema,
    TaskDetailSchema,
    TaskQuerySchema,
    TaskSchema,
    TextSchema,
)
from .security import TOKEN_SECURITY, file_upload_body

PREFIX = ""
blp = Blueprint("rectification", __name__, description="Feedback reports and rectification tasks (限期整改)")
NOT_FOUND = "task.not_found (also for another unit's task)"


def _task(task_id: int):
    return tasks.get_task(task_id, own_unit_only())


def _detail(task):
    task.pulse = pulse_result(task)
    return task


@blp.route("/tasks")
@api_requires("task.read")
@blp.doc(security=TOKEN_SECURITY)
@blp.arguments(TaskQuerySchema, location="query")
@blp.response(200, TaskSchema(many=True))
def list_tasks(query):
    """Rectification tasks, overdue and returned first; a unit's staff see only their unit's."""
    return tasks.list_tasks(tasks.TaskFilter(query["unit"], query["state"], own_unit_only()))


@blp.route("/tasks", methods=["POST"])
@api_requires("task.review")
@blp.doc(security=TOKEN_SECURITY)
@blp.arguments(TaskCreateSchema)
@blp.response(201, TaskDetailSchema)
@blp.alt_response(404, schema="Error", description="unit.not_found")
@blp.alt_response(422, schema="Error", description="task.deadline_past or request.invalid")
@commit_on_success
def create_task(body):
    """Add a task by hand (the office), with a deadline in the future or the default one."""
    return _detail(tasks.add_task(g.actor, tasks.NewTask(**body)))


@blp.route("/tasks/<int:task_id>")
@api_requires("task.read")
@blp.doc(security=TOKEN_SECURITY)
@blp.response(200, TaskDetailSchema)
@blp.alt_response(404, schema="Error", description=NOT_FOUND)
def get_task(task_id):
    """A task with its history, evidence files and the follow-up questionnaire's result."""
    return _detail(_task(task_id))


def _work(name: str, doc: str, schema, action: str, run, status_409: str):
    """A POST/PUT route on one task that takes a small JSON body and answers with the task."""

    def view(body, task_id):
        return _detail(run(g.actor, _task(task_id), body))

    view.__name__ = name
    view.__doc__ = doc
    wrapped = commit_on_success(view)
    wrapped = blp.alt_response(409, schema="Error", description=status_409)(wrapped)
    wrapped = blp.alt_response(404, schema="Error", description=NOT_FOUND)(wrapped)
    wrapped = blp.response(200, TaskDetailSchema)(wrapped)
    wrapped = blp.arguments(schema)(wrapped)
    wrapped = blp.doc(security=TOKEN_SECURITY)(wrapped)
    return api_requires(action)(wrapped)


WORKFLOW = [
    ("plan", "PUT", "write_plan", "The unit's rectification plan.", TextSchema, "task.work",
     lambda a, t, b: tasks.write_plan(a, t, b["text"]), "task.closed"),
    ("progress", "POST", "add_progress", "A progress update from the unit.", TextSchema, "task.work",
     lambda a, t, b: tasks.add_progress(a, t, b["text"]), "task.closed"),
    ("submit", "POST", "submit_report", "The unit's closing report: the task goes to the office for review.",
     TextSchema, "task.work", lambda a, t, b: tasks.submit_report(a, t, b["text"]),
     "task.closed or task.invalid_transition"),
    ("return", "POST", "return_task", "The office returns the report with what is missing.", RemarkSchema,
     "task.review", lambda a, t, b: tasks.return_task(a, t, b["remark"]), "task.closed or task.invalid_transition"),
    ("accept", "POST", "accept_task", "The office accepts the rectification; the task is closed.", RemarkSchema,
     "task.review", lambda a, t, b: tasks.accept_task(a, t, b["remark"]), "task.closed or task.invalid_transition"),
    ("deadline", "PUT", "set_deadline", "The office moves the deadline (never into the past).", DeadlineSchema,
     "task.review", lambda a, t, b: tasks.set_deadline(a, t, b["deadline"]), "task.closed; 422 task.deadline_past"),
    ("notice", "PUT", "approve_notice",
     "The office approves the residents' notice (我们做了) of an accepted task; it appears on the unit's public page.",
     NoticeSchema, "task.review", lambda a, t, b: draft_notice(a, t, b["text"], approve=True), "notice.not_accepted"),
    ("notice-draft", "PUT", "draft_notice", "The unit drafts the residents' notice of an accepted task.",
     NoticeSchema, "task.work", lambda a, t, b: draft_notice(a, t, b["text"], approve=False), "notice.not_accepted"),
]  # fmt: skip
for _path, _method, _name, _doc, _schema, _action, _run, _conflict in WORKFLOW:
    blp.route(f"/tasks/<int:task_id>/{_path}", methods=[_method], endpoint=_name)(
        _work(_name, _doc, _schema, _action, _run, _conflict)
    )


OWNER_REFUSED = "task.owner_not_unit, task.owner_other_unit or task.owner_inactive; nothing changed"


@blp.route("/tasks/<int:task_id>/owner", methods=["PUT"])
@api_requires("task.review")
@blp.doc(security=TOKEN_SECURITY)
@blp.arguments(OwnerSchema)
@blp.response(200, TaskDetailSchema)
@blp.alt_response(404, schema="Error", description=f"{NOT_FOUND}, or account.not_found")
@blp.alt_response(409, schema="Error", description="task.closed: an accepted task keeps its owner")
@blp.alt_response(422, schema="Error", description=OWNER_REFUSED)
@commit_on_success
def set_owner(body, task_id):
    """The office names the task's owner: an active account of the task's own unit (audited)."""
    return _detail(assign_owner(g.actor, _task(task_id), body["owner_id"]))


@blp.route("/tasks/<int:task_id>/take", methods=["POST"])
@api_requires("task.work")
@blp.doc(security=TOKEN_SECURITY)
@blp.response(200, TaskDetailSchema)
@blp.alt_response(404, schema="Error", description=NOT_FOUND)
@blp.alt_response(409, schema="Error", description="task.closed")
@blp.alt_response(422, schema="Error", description="task.owner_inactive")
@commit_on_success
def take_task(task_id):
    """A unit's user takes the task on as its owner (audited)."""
    return _detail(take_ownership(g.actor, _task(task_id)))


@blp.route("/tasks/<int:task_id>/pulse", methods=["POST"])
@api_requires("task.review")
@blp.doc(security=TOKEN_SECURITY)
@blp.response(201, TaskDetailSchema)
@blp.alt_response(404, schema="Error", description=NOT_FOUND)
@blp.alt_response(409, schema="Error", description="pulse.exists")
@commit_on_success
def attach_pulse_survey(task_id):
    """Open the follow-up pulse questionnaire at the unit's own link and QR code."""
    task = _task(task_id)
    attach_pulse(g.actor, task)
    return _detail(task)


EVIDENCE_DOC = {"requestBody": file_upload_body("PDF, PNG or JPEG")}


@blp.route("/tasks/<int:task_id>/evidence", methods=["POST"])
@accepts_upload("EVIDENCE_MAX_BYTES")
@api_requires("task.work")
@blp.doc(security=TOKEN_SECURITY, **EVIDENCE_DOC)
@blp.response(201, EvidenceSchema)
@blp.alt_response(404, schema="Error", description=NOT_FOUND)
@blp.alt_response(409, schema="Error", description="task.closed")
@blp.alt_response(413, schema="Error", description="evidence.too_large")
@blp.alt_response(415, schema="Error", description="evidence.bad_type (checked by content) or request.upload_required")
@commit_on_success
def upload_evidence(task_id):
    """An evidence file (PDF, PNG or JPEG, checked by its content), stored with its SHA-256."""
    task = _task(task_id)
    filename, content = uploaded_file()
    return add_evidence(g.actor, task, filename, content)


@blp.route("/tasks/<int:task_id>/evidence/<int:evidence_id>")
@api_requires("task.read")
@blp.doc(security=TOKEN_SECURITY)
@blp.response(200, description="the file as uploaded", content_type="application/octet-stream")
@blp.alt_response(404, schema="Error", description="task.not_found or evidence.not_found")
@blp.alt_response(409, schema="Error", description="evidence.damaged: the file no longer matches its checksum")
def download_evidence(task_id, evidence_id):
    """An evidence file, verified against its checksum."""
    return as_download(evidence_file(_task(task_id), evidence_id))


@blp.route("/units/<code>/feedback")
@api_requires("feedback.read")
@blp.doc(security=TOKEN_SECURITY)
@blp.response(200, FeedbackSchema)
@blp.alt_response(404, schema="Error", description="unit.not_found or feedback.not_published")
def unit_feedback(code):
    """The unit's feedback report from the latest published results that include it."""
    unit = get_unit(code)
    ensure_unit_visible(unit.id, code)
    return feedback_report(unit)


@blp.route("/units/<code>/feedback.pdf")
@api_requires("feedback.read")
@blp.doc(security=TOKEN_SECURITY)
@blp.response(200, description="the report as an A4 PDF", content_type="application/pdf")
@blp.alt_response(404, schema="Error", description="unit.not_found or feedback.not_published")
def unit_feedback_pdf(code):
    """The unit's feedback report as a PDF to print."""
    unit = get_unit(code)
    ensure_unit_visible(unit.id, code)
    return as_download(feedback_pdf(feedback_report(unit)))


@blp.route("/outbox")
@api_requires("outbox.read")
@blp.doc(security=TOKEN_SECURITY)
@blp.response(200, OutboxMessageSchema(many=True))
def outbox():
    """Reminder messages not yet marked sent, oldest first (at most 100): for a mail or SMS gateway."""
    return reminders.unsent_messages()


@blp.route("/outbox/sent", methods=["POST"])
@api_requires("outbox.write")
@blp.doc(security=TOKEN_SECURITY)
@blp.arguments(SentSchema)
@blp.response(200, SentCountSchema)
@blp.alt_response(422, schema="Error", description="request.invalid: an unknown message id (nothing marked)")
@commit_on_success
def mark_sent(body):
    """Mark messages as delivered by the gateway (all or none); marking again changes nothing."""
    return {"messages": reminders.mark_sent(g.actor, body["ids"])}


@blp.route("/reminders/sweep", methods=["POST"])
@api_requires("outbox.write")
@blp.doc(security=TOKEN_SECURITY)
@blp.response(200, SweepSchema)
@commit_on_success
def sweep():
    """Generate the reminders due now (before and after deadlines); each is generated once per task."""
    return reminders.sweep_reminders(g.actor)
