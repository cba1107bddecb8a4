"""The resident's questionnaire at /s/<token>: works without JavaScript; a little JS adds progress and drafts."""

from __future__ import annotations

import math
import uuid
from typing import Any, Sequence

from flask import Blueprint, current_app, make_response, redirect, render_template, request, url_for
from flask_limiter import RateLimitExceeded
from itsdangerous import BadSignature, URLSafeTimedSerializer

from ..domain.codes import looks_like_receipt
from ..domain.forms import FormDefinition
from ..domain.identity import IdentityMode
from ..errors import AppError, rate_limited, render_error
from ..models import Channel
from ..services.clock import utcnow
from ..services.identity import FIELD_LABELS, RespondentKey, respondent_key
from ..services.links import require_accepting, resolve_link
from ..services.receipts import receipt_state
from ..services.rectification_followup import public_notices
from ..services.responses import MAX_DURATION_SECONDS, Submission, check_answers, find_receipt, submit
from ..transactions import commit_on_success
from .rectified import unit_page_when_closed
from .respondent import device_id, keep_device, replacement_ticket, signed_device, ticket_identity_key

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
    try:
        require_accepting(resolved)
    except AppError as error:
        return unit_page_when_closed(resolved, error)
    identity = {"value": request.args.get("invite", "")[:64]} if resolved.link_forms.identity_mode.is_typed else {}
    return _render_form(
        resolved,
        token,
        values={},
        errors={},
        submission_id=uuid.uuid4().hex,
        started=_start_signer().dumps(token),
        identity=identity,
    )


@bp.post("/s/<token>")
@commit_on_success
def submit_questionnaire(token: str):
    """Store the answers once and redirect to the receipt; on problems, show the page again with each marked."""
    resolved = resolve_link(token)
    mode = resolved.link_forms.identity_mode
    answers = answers_from_form(resolved.forms, request.form)
    typed = request.form.get("identity", "")[:64]
    page = {
        "values": answers,
        "submission_id": request.form.get("submission_id", ""),
        "started": request.form.get("started", ""),
        "identity": {"value": typed} if mode.is_typed else {},
    }
    device = signed_device() if mode is IdentityMode.DEVICE else None
    key = None
    try:
        key = _posted_key(token, resolved, typed, device)
        receipt = submit(
            Submission(
                link_token=token,
                submission_id=page["submission_id"],
                answers=answers,
                channel=Channel.QR,
                duration_seconds=_duration(token, page["started"]),
                key=key,
                replace=request.form.get("replace") == "1",
                address=request.remote_addr,
            ),
            resolved=resolved,
        )
    except AppError as error:
        answer = _refusal_page(resolved, token, page, error, key)
        return keep_device(make_response(answer), device) if device else answer
    answer = redirect(url_for("public.thanks", token=token, receipt=receipt.code), code=303)
    return keep_device(answer, device) if device else answer


def _posted_key(token: str, resolved, typed: str, device: str | None) -> RespondentKey | None:
    """The respondent's key: from a replacement ticket this server signed, the device cookie or the typed field."""
    from_ticket = ticket_identity_key(token)
    if from_ticket is not None:
        return RespondentKey(from_ticket)
    return respondent_key(resolved.link_forms, device_id(device) if device else typed)


def _refusal_page(resolved, token: str, page: dict, error: AppError, key: RespondentKey | None):
    """The page for a refused submission: the form with each problem marked, or the already-answered page."""
    if error.code in ("response.invalid", "identity.invalid"):
        errors = _answer_errors(resolved, page["values"]) if error.code == "identity.invalid" else {}
        if error.code == "response.invalid":
            errors = {field_name(d["form"], d["question"] or ""): d["message"] for d in error.details}
        if error.code == "identity.invalid":
            page["identity"]["error"] = error.details["identity"][0]
        return _render_form(resolved, token, errors=errors, status=422, **page)
    if error.code == "response.already_answered":
        can_replace = bool(error.details["can_replace"]) and key is not None
        return render_template(
            "public/already_answered.html",
            unit=resolved.unit,
            campaign=resolved.campaign,
            token=token,
            can_replace=can_replace,
            ticket=replacement_ticket(token, key.value) if can_replace and key else "",
            fields=_hidden_fields(resolved.forms, page["values"]),
            submission_id=page["submission_id"],
            started=page["started"],
        ), 409
    if error.code == "response.conflict":
        return render_template("public/already.html", unit=resolved.unit, campaign=resolved.campaign), 409
    raise error


def _answer_errors(resolved, answers: dict) -> dict[str, str]:
    """Answer problems to show next to an identity problem, so the respondent fixes everything at once."""
    try:
        check_answers(resolved.forms, answers)
    except AppError as error:
        return {field_name(d["form"], d["question"] or ""): d["message"] for d in error.details}
    return {}


def _hidden_fields(forms: Sequence[FormDefinition], answers: dict) -> list[tuple[str, str]]:
    """The answers as (name, value) pairs, to post them again from the replacement confirmation."""
    pairs = []
    for definition in forms:
        for question_key, value in answers.get(definition.key, {}).items():
            for item in value if isinstance(value, list) else [value]:
                pairs.append((field_name(definition.key, question_key), str(item)))
    return pairs


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
    typed = request.form.get("identity", "")[:64] if resolved.link_forms.identity_mode.is_typed else ""
    response = _render_form(
        resolved,
        token,
        values=answers_from_form(resolved.forms, request.form),
        errors={},
        submission_id=request.form.get("submission_id", ""),
        started=request.form.get("started", ""),
        identity={"value": typed} if typed else {},
        status=error.status,
        notice=error.message,
    )
    response.headers.update(error.headers or {})
    return response


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
    identity: dict,
    status: int = 200,
    notice: str | None = None,
):
    total = sum(len(f.questions) for f in resolved.forms)
    minutes = max(1, math.ceil(total * SECONDS_PER_QUESTION / 60))
    mode = resolved.link_forms.identity_mode
    device = signed_device() if mode is IdentityMode.DEVICE else None
    page = render_template(
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
        identity_mode=mode.value,
        identity=identity,
        identity_label=FIELD_LABELS.get(mode, ""),
        rectified=public_notices(resolved.unit.id),
        device=device,
        notice=notice,
    )
    response = make_response(page, status)
    return keep_device(response, device) if device else response


@bp.get("/r")
def receipt_check():
    """The public receipt check: a form, and for a posted code whether its answer counts (nothing more)."""
    code = request.args.get("code", "")[:32]
    if not code.strip():
        return render_template("public/receipt_check.html", code="", state=None)
    try:
        normalised, state = receipt_state(code)
    except AppError as error:
        if error.code != "receipt.not_found":
            raise
        return render_template("public/receipt_check.html", code=code, state="unknown"), 404
    return render_template("public/receipt_check.html", code=normalised, state=state.value)
