"""Accept a respondent's submission exactly once."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..domain.answers import AnswerError, ValidAnswer, answers_digest, validate_answers
from ..domain.codes import RECEIPT_BYTES, receipt_code
from ..errors import AppError
from ..extensions import db
from ..models import Answer, Channel, Response
from .answer_messages import describe_answer_error
from .clock import utcnow
from .links import ResolvedLink, require_accepting, resolve_link

SUBMISSION_ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
MAX_DURATION_SECONDS = 24 * 3600
RECEIPT_ATTEMPTS = 3


@dataclass(frozen=True)
class Submission:
    link_token: str
    submission_id: str
    answers: Any
    channel: Channel
    duration_seconds: int | None = None


@dataclass(frozen=True)
class Receipt:
    response: Response
    is_new: bool
    unit_code: str

    @property
    def code(self) -> str:
        return self.response.receipt_code


def submit(submission: Submission, now: datetime | None = None, resolved: ResolvedLink | None = None) -> Receipt:
    """Store a response once. The same submission id with the same answers returns the first receipt and stores
    nothing; with different answers it is response.conflict. Pass `resolved` if the caller already resolved the link."""
    if not SUBMISSION_ID_PATTERN.match(submission.submission_id or ""):
        raise AppError("request.invalid", details={"submission_id": ["Use 8–64 letters, digits, - or _ (a UUID)."]})
    if resolved is None or resolved.link.link_token != submission.link_token:
        resolved = resolve_link(submission.link_token)
    valid = check_answers(resolved, submission.answers)
    digest = answers_digest(submission.link_token, valid)
    earlier = _earlier_receipt(resolved, submission.submission_id, digest)
    if earlier is not None:
        return earlier
    require_accepting(resolved, now)
    for _attempt in range(RECEIPT_ATTEMPTS):
        response = _build_response(resolved, submission, digest)
        try:
            with db.session.begin_nested():
                db.session.add(response)
                db.session.flush()
                # One executemany for all answers; the ORM would send one INSERT per answer to learn its id.
                db.session.execute(Answer.__table__.insert(), _answer_rows(resolved, response.id, valid))
        except IntegrityError:
            # Either a concurrent resend won the race on submission_id, or (rarely) the receipt code collided.
            earlier = _earlier_receipt(resolved, submission.submission_id, digest)
            if earlier is not None:
                return earlier
            continue
        return Receipt(response=response, is_new=True, unit_code=resolved.link.unit.code)
    raise AppError("server.error")


def check_answers(resolved: ResolvedLink, answers: Any) -> list[ValidAnswer]:
    """Validate answers against the link's questionnaires; every problem is reported with its question."""
    valid, errors = validate_answers(resolved.forms, answers)
    if errors:
        raise AppError("response.invalid", details=[_detail(resolved, e) for e in errors])
    return valid


def _detail(resolved: ResolvedLink, error: AnswerError) -> dict[str, Any]:
    form = next((f for f in resolved.forms if f.key == error.form), None)
    question = form.question(error.question) if form and error.question else None
    return {
        "form": error.form,
        "question": error.question,
        "code": error.code,
        "question_text": question.text if question else None,
        "message": describe_answer_error(error.code, error.params),
    }


def _earlier_receipt(resolved: ResolvedLink, submission_id: str, digest: str) -> Receipt | None:
    existing = db.session.scalar(select(Response).where(Response.submission_id == submission_id))
    if existing is None:
        return None
    if existing.answers_digest != digest:
        raise AppError("response.conflict")
    return Receipt(response=existing, is_new=False, unit_code=resolved.link.unit.code)


def _answer_rows(resolved: ResolvedLink, response_id: int, valid: list[ValidAnswer]) -> list[dict[str, Any]]:
    versions = {cf.form_version.key: cf.form_version_id for cf in resolved.campaign.forms}
    return [
        {
            "response_id": response_id,
            "form_version_id": versions[a.form_key],
            "question_key": a.question_key,
            "value": a.value,
            "score": a.score,
            "is_substantive": a.is_substantive,
        }
        for a in valid
    ]


def _build_response(resolved: ResolvedLink, submission: Submission, digest: str) -> Response:
    duration = submission.duration_seconds
    if duration is not None and not 0 <= duration <= MAX_DURATION_SECONDS:
        duration = None  # an impossible duration is not evidence of anything; keep the answers, drop the timing
    return Response(
        submission_id=submission.submission_id,
        campaign_id=resolved.campaign.id,
        unit_id=resolved.link.unit_id,
        campaign_unit_id=resolved.link.id,
        channel=submission.channel,
        duration_seconds=duration,
        answers_digest=digest,
        receipt_code=receipt_code(secrets.token_bytes(RECEIPT_BYTES)),
        submitted_at=utcnow(),
    )


def find_receipt(link_token: str, code: str) -> Response:
    """The response with this receipt code for this link, or response.not_found."""
    resolved = resolve_link(link_token)
    response = db.session.scalar(
        select(Response).where(Response.receipt_code == code.upper(), Response.campaign_unit_id == resolved.link.id)
    )
    if response is None:
        raise AppError("response.not_found")
    return response
