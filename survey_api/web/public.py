"""The resident's questionnaire at /s/<token>: works without JavaScript; a little JS adds progress and drafts."""

from __future__ import annotations

import math
import uuid
from typing import Any, Sequence

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_limiter import RateLimitExceeded
from itsdangerous import BadSignature, URLSafeTimedSerializer

from ..domain.codes import looks_like_receipt
from ..domain.forms import FormDefinition
from ..errors import AppError, rate_limited, render_error
from ..models import Channel
from ..services.clock import utcnow
from ..services.links import require_accepting, resolve_link
from ..services.responses import MAX_DURATION_SECONDS, Submission, find_receipt, submit
from ..transactions import commit_on_success

bp = Blueprint("public", __name__)
FIELD_SEPARATOR = "."
SECONDS_PER_QUESTION = 5  # a resident answers a closed question in a few seconds; used for the time estimate


def _start_signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="questionnaire-start")


def field_name(form_key: str, question_key: str) -> str:
    return f"{form_key}{FIELD_SEPARATOR}{question_key}"


@bp.get("/")
def index():
    return render_template("index.html")


@bp.get("/s/<token>")
def questionnaire(token: str):
    """The questionnaire page, or a clear page when the link is unknown or the survey is not open."""
    resolved = resolve_link(token)
    require_accepting(resolved)
    return _render_form(
        resolved, token, values={}, errors={}, submission_id=uuid.uuid4().hex, started=_start_signer().dumps(token)
    )


@bp.post("/s/<token>")
@commit_on_success
def submit_questionnaire(token: str):
    """Store the answers once and redirect to the receipt; on problems, show the page again with each marked."""
    resolved = resolve_link(token)
    answers = answers_from_form(resolved.forms, request.form)
    submission_id = request.form.get("submission_id", "")
    started = request.form.get("started", "")
    try:
        receipt = submit(
            Submission(
                link_token=token,
                submission_id=submission_id,
                answers=answers,
                channel=Channel.QR,
                duration_seconds=_duration(token, started),
            ),
            resolved=resolved,
        )
    except AppError as error:
        if error.code == "response.invalid":
            errors = {field_name(d["form"], d["question"] or ""): d["message"] for d in error.details}
            return _render_form(
                resolved, token, values=answers, errors=errors, submission_id=submission_id, started=started, status=422
            )
        if error.code == "response.conflict":
            return render_template("public/already.html", unit=resolved.unit, campaign=resolved.campaign), 409
        raise
    return redirect(url_for("public.thanks", token=token, receipt=receipt.code), code=303)


@bp.errorhandler(RateLimitExceeded)
def submission_rate_limited(exc: RateLimitExceeded):
    """A refused submission shows the questionnaire again with every answer kept and a note to wait."""
    error = rate_limited(exc)
    token = (request.view_args or {}).get("token", "")
    if request.endpoint != "public.submit_questionnaire":
        return render_error(error)
    try:
        resolved = resolve_link(token)
    except AppError:
        return render_error(error)
    page, status = _render_form(
        resolved,
        token,
        values=answers_from_form(resolved.forms, request.form),
        errors={},
        submission_id=request.form.get("submission_id", ""),
        started=request.form.get("started", ""),
        status=error.status,
        notice=error.message,
    )
    return page, status, error.headers


@bp.get("/s/<token>/done/<receipt>")
def thanks(token: str, receipt: str):
    """The thank-you page with the receipt code, shown only for a receipt that really exists."""
    if not looks_like_receipt(receipt.upper()):
        raise AppError("response.not_found")
    resolved = resolve_link(token)
    response = find_receipt(resolved, receipt)
    return render_template(
        "public/thanks.html",
        receipt=response.receipt_code,
        unit=resolved.unit,
        campaign=resolved.campaign,
        token=token,
    )


def answers_from_form(forms: Sequence[FormDefinition], form: Any) -> dict[str, dict[str, Any]]:
    """Read the posted fields into {form_key: {question_key: value}}; multiple choice reads every checked box."""
    answers: dict[str, dict[str, Any]] = {}
    for definition in forms:
        given: dict[str, Any] = {}
        for question in definition.questions:
            name = field_name(definition.key, question.key)
            if question.type == "multiple_choice":
                value: Any = form.getlist(name)
            else:
                value = form.get(name)
            if value not in (None, "", []):
                given[question.key] = value
        answers[definition.key] = given
    return answers


def _duration(token: str, started: str) -> int | None:
    """Seconds since the page was served, from the signed start stamp; None if the stamp is missing or forged."""
    try:
        signed_token, issued = _start_signer().loads(started, max_age=MAX_DURATION_SECONDS, return_timestamp=True)
    except BadSignature:
        return None
    if signed_token != token:
        return None
    return max(0, int((utcnow() - issued).total_seconds()))


def _render_form(
    resolved,
    token: str,
    values: dict,
    errors: dict,
    submission_id: str,
    started: str,
    status: int = 200,
    notice: str | None = None,
):
    total = sum(len(f.questions) for f in resolved.forms)
    minutes = max(1, math.ceil(total * SECONDS_PER_QUESTION / 60))
    return render_template(
        "public/questionnaire.html",
        resolved=resolved,
        forms=resolved.forms,
        token=token,
        values=values,
        errors=errors,
        submission_id=submission_id,
        started=started,
        field_name=field_name,
        total_questions=total,
        minutes=minutes,
        notice=notice,
    ), status
