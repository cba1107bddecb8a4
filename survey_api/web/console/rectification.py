"""Console pages for 限期整改: a unit's feedback report (page and PDF), the task list (for the office: by unit,
state and lateness, overdue and returned first) and a task's page with the workflow forms each role may use."""

from __future__ import annotations

from flask import current_app, g, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from ...auth import ensure_unit_visible, own_unit_only, page_requires
from ...domain.access import is_allowed
from ...domain.rectification import TaskState
from ...downloads import as_download
from ...errors import AppError
from ...extensions import db
from ...services import clock
from ...services import rectification as tasks
from ...services.evidence import add_evidence, evidence_file
from ...services.feedback import feedback_report
from ...services.feedback_pdf import feedback_pdf
from ...services.rectification_followup import attach_pulse, draft_notice, pulse_result
from ...services.reminders import notices_for
from ...services.task_owner import assign_owner, owner_choices, take_ownership
from ...services.units import get_unit
from ...state_labels import STATE_LABELS as WORKFLOW_STATE_LABELS
from ...transactions import commit_on_success
from ...uploads import accepts_upload
from ..local_time import parse_local
from . import bp
from .results import INDEX_LABELS, IntervalRow, interval_chart

STATE_LABELS = WORKFLOW_STATE_LABELS[TaskState] | {"overdue": _l("overdue")}
ENTRY_LABELS = {
    "plan": _l("plan"),
    "progress": _l("progress"),
    "closing": _l("closing report"),
    "returned": _l("returned by the office"),
    "accepted": _l("accepted by the office"),
    "owner": _l("owner named"),
}
KIND_LABELS = {
    "weak_question": _l("low-scoring question"),
    "gate": _l("satisfaction gate"),
    "deduction": _l("deduction"),
    "veto": _l("veto"),
    "component": _l("component"),
    "manual": _l("added by the office"),
}


def _feedback_charts(report) -> list:
    """Per index: the unit with its interval, the category average and the previous period, on one axis."""
    charts = []
    for line in report.indices:
        if line.value is None:
            continue
        rows = [IntervalRow(str(_l("This unit")), line.value, line.ci_low, line.ci_high, True)]
        if line.category_average is not None:
            rows.append(IntervalRow(str(_l("Category average")), line.category_average, None, None, True))
        if line.previous is not None:
            rows.append(IntervalRow(str(_l("Previous period")), line.previous, None, None, False))
        charts.append(interval_chart(str(INDEX_LABELS.get(line.name, line.name)), rows))
    return charts


@bp.get("/feedback")
@page_requires("feedback.read")
def my_feedback():
    """A unit's staff go to their unit's report; others choose a unit."""
    unit_id = own_unit_only()
    if unit_id is None:
        return redirect(url_for("console.units"))
    return redirect(url_for("console.unit_feedback", code=g.user.unit.code))


@bp.get("/units/<code>/feedback")
@page_requires("feedback.read")
def unit_feedback(code: str):
    unit = get_unit(code)
    ensure_unit_visible(unit.id, code)
    report = feedback_report(unit)
    # Points lost per 扣分项 as bars: which problem cost most reads faster from a chart than from the table.
    lost = [(item.title[:14], round(item.points_lost, 2)) for item in report.items if item.points_lost]
    return render_template(
        "console/feedback.html",
        report=report,
        charts=_feedback_charts(report),
        index_labels=INDEX_LABELS,
        kind_labels=KIND_LABELS,
        state_labels=STATE_LABELS,
        lost=lost,
    )


@bp.get("/units/<code>/feedback.pdf")
@page_requires("feedback.read")
def unit_feedback_pdf(code: str):
    unit = get_unit(code)
    ensure_unit_visible(unit.id, code)
    return as_download(feedback_pdf(feedback_report(unit)))


def _oversight(all_tasks) -> list[dict]:
    """Per unit: tasks in each state, and how many are overdue."""
    now = clock.utcnow()
    rows: dict[int, dict] = {}
    for task in all_tasks:
        row = rows.setdefault(task.unit_id, {"unit": task.unit, "overdue": 0} | {s.value: 0 for s in TaskState})
        row[task.state.value] += 1
        row["overdue"] += tasks.task_status(task, now)["overdue"]
    return sorted(rows.values(), key=lambda r: (-r["overdue"], -r["returned"], r["unit"].code))


@bp.get("/tasks")
@page_requires("task.read")
def task_list():
    return _task_list_page(None)


def _task_list_page(error: AppError | None, status: int = 200, values: dict | None = None):
    unit_code = request.args.get("unit") or None
    state = request.args.get("state") or None
    if state not in (None, *STATE_LABELS):
        state = None
    own = own_unit_only()
    listed = tasks.list_tasks(tasks.TaskFilter(unit_code, state, own))
    now = clock.utcnow()
    page = render_template(
        "console/tasks.html",
        tasks=[(task, tasks.task_status(task, now)) for task in listed],
        oversight=_oversight(tasks.list_tasks(tasks.TaskFilter(own_unit_id=own))) if own is None else [],
        notices=notices_for(own),
        state_labels=STATE_LABELS,
        kind_labels=KIND_LABELS,
        filters={"unit": unit_code or "", "state": state or ""},
        can_review=is_allowed(g.user.role, "task.review"),
        values=values or {},
        error=error,
    )
    return page, status


@bp.post("/tasks")
@page_requires("task.review")
@commit_on_success
def add_task():
    form = request.form
    values = {k: form.get(k, "").strip() for k in ("unit_code", "title", "reason", "deadline")}
    try:
        if not values["unit_code"] or not values["title"]:
            raise AppError("request.invalid", details={"title": [str(_l("Name the unit and the problem."))]})
        deadline = _deadline(values["deadline"]) if values["deadline"] else None
        new = tasks.NewTask(values["unit_code"], values["title"][:300], values["reason"][:500], None, deadline)
        task = tasks.add_task(g.actor, new)
    except AppError as error:
        return _task_list_page(error, error.status, values)
    return redirect(url_for("console.task", task_id=task.id), code=303)


@bp.get("/tasks/<int:task_id>")
@page_requires("task.read")
def task(task_id: int):
    return _task_page(tasks.get_task(task_id, own_unit_only()), None)


def _task_page(task, error: AppError | None, status: int = 200):
    page = render_template(
        "console/task.html",
        task=task,
        status=tasks.task_status(task),
        pulse=pulse_result(task),
        state_labels=STATE_LABELS,
        kind_labels=KIND_LABELS,
        entry_labels=ENTRY_LABELS,
        can_work=is_allowed(g.user.role, "task.work"),
        can_review=is_allowed(g.user.role, "task.review"),
        owners=owner_choices(task) if is_allowed(g.user.role, "task.review") else [],
        error=error,
    )
    return page, status


def _account_id(text: str) -> int:
    if not text.isdigit():
        raise AppError("request.invalid", details={"owner": [str(_l("Choose an account of the unit."))]})
    return int(text)


UNIT_STEPS = {
    "plan": lambda actor, task, text: tasks.write_plan(actor, task, text),
    "progress": lambda actor, task, text: tasks.add_progress(actor, task, text),
    "submit": lambda actor, task, text: tasks.submit_report(actor, task, text),
    "notice": lambda actor, task, text: draft_notice(actor, task, text, approve=False),
    "take": lambda actor, task, text: take_ownership(actor, task),
}
OFFICE_STEPS = {
    "return": lambda actor, task, text: tasks.return_task(actor, task, text),
    "accept": lambda actor, task, text: tasks.accept_task(actor, task, text),
    "deadline": lambda actor, task, text: tasks.set_deadline(actor, task, _deadline(text)),
    "pulse": lambda actor, task, text: attach_pulse(actor, task),
    "owner": lambda actor, task, text: assign_owner(actor, task, _account_id(text)),
    "notice": lambda actor, task, text: draft_notice(actor, task, text, approve=True),
}


def _deadline(text: str):
    try:
        value = parse_local(text)
    except ValueError:
        value = None
    if value is None:
        raise AppError("request.invalid", details={"deadline": [str(_l("Give a date and time."))]})
    return value


def _step(task_id: int, step: str, steps: dict):
    task = tasks.get_task(task_id, own_unit_only())
    if step not in steps:
        raise AppError("request.not_found")
    try:
        steps[step](g.actor, task, request.form.get("text", "").strip()[:5000])
    except AppError as error:
        db.session.rollback()
        return _task_page(tasks.get_task(task_id, own_unit_only()), error, error.status)
    return redirect(url_for("console.task", task_id=task_id), code=303)


@bp.post("/tasks/<int:task_id>/steps/<step>")
@page_requires("task.work")
@commit_on_success
def task_work(task_id: int, step: str):
    return _step(task_id, step, UNIT_STEPS)


@bp.post("/tasks/<int:task_id>/review/<step>")
@page_requires("task.review")
@commit_on_success
def task_review(task_id: int, step: str):
    return _step(task_id, step, OFFICE_STEPS)


@bp.post("/tasks/<int:task_id>/evidence")
@accepts_upload("EVIDENCE_MAX_BYTES")
@page_requires("task.work")
@commit_on_success
def task_evidence(task_id: int):
    task = tasks.get_task(task_id, own_unit_only())
    upload = request.files.get("file")
    try:
        if upload is None or not upload.filename:
            raise AppError("request.invalid", details={"file": [str(_l("Choose a PDF, PNG or JPEG file."))]})
        limit = current_app.config["EVIDENCE_MAX_BYTES"]
        add_evidence(g.actor, task, upload.filename, upload.stream.read(limit + 1))
    except AppError as error:
        return _task_page(task, error, error.status)
    return redirect(url_for("console.task", task_id=task_id), code=303)


@bp.get("/tasks/<int:task_id>/evidence/<int:evidence_id>")
@page_requires("task.read")
def task_evidence_file(task_id: int, evidence_id: int):
    return as_download(evidence_file(tasks.get_task(task_id, own_unit_only()), evidence_id))
