"""Accept a respondent's submission exactly once."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Sequence

from sqlalchemy import bindparam, select

from ..domain.answers import AnswerError, ValidAnswer, answers_digest, answers_document, validate_answers
from ..domain.codes import RECEIPT_BYTES, receipt_code
from ..domain.forms import FormDefinition
from ..domain.identity import IdentityMode
from ..domain.quality import scored_choices
from ..errors import AppError
from ..extensions import db
from ..models import Channel, Response
from .answer_messages import describe_answer_error
from .clock import utcnow
from .identity import (
    RespondentKey,
    consume_invitation,
    current_answer,
    link_replacement,
    require_invitation,
    respondent_key,
    supersede,
)
from .links import LinkForms, ResolvedLink, cached_link_forms, require_accepting, resolve_link
from .quality import cached_rules, network_key, response_flags, status_for, store_flags
from .response_insert import insert_if_accepting

SUBMISSION_ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
MAX_DURATION_SECONDS = 24 * 3600
ATTEMPTS = 4  # receipt code collisions and replacement races, each rare


_EARLIER_RECEIPT = select(Response.receipt_code, Response.submitted_at, Response.answers_digest).where(
    Response.submission_id == bindparam("submission_id")
)


@dataclass(frozen=True)
class Submission:
    link_token: str
    submission_id: str
    answers: Any
    channel: Channel
    duration_seconds: int | None = None
    # What identifies the respondent under the campaign's identity mode (a typed phone number, household number,
    # invitation code or the browser's device id), in clear: it is hashed here and never stored or logged.
    identity: str | None = None
    # The key already computed from `identity` by the caller (or read from a replacement ticket it signed).
    key: RespondentKey | None = None
    # The respondent confirmed that this answer replaces their earlier one (only if the campaign allows it).
    replace: bool = False
    # The client's address, in clear: only a keyed hash of its network is stored (services/quality.network_key).
    address: str | None = None


@dataclass(frozen=True)
class Receipt:
    code: str
    submission_id: str
    submitted_at: datetime
    unit_code: str
    is_new: bool


def submit(submission: Submission, now: datetime | None = None, resolved: ResolvedLink | None = None) -> Receipt:
    """Store a response once. The same submission id with the same answers returns the first receipt and stores
    nothing; with different answers it is response.conflict. Pass `resolved` if the caller already resolved the link.

    The usual case costs one statement (see response_insert); only when it stores nothing does this look up why:
    an unknown link, a campaign not taking answers, a resend, an answer already stored under the respondent's
    identity key (refused, or replaced when the campaign allows it and the respondent asked), or a receipt code
    that happened to be taken."""
    if not SUBMISSION_ID_PATTERN.match(submission.submission_id or ""):
        raise AppError("request.invalid", details={"submission_id": ["Use 8–64 letters, digits, - or _ (a UUID)."]})
    token = submission.link_token
    if resolved is not None and resolved.token != token:
        resolved = None
    forms = resolved.link_forms if resolved else cached_link_forms(token)
    if forms is None:
        resolved = resolve_link(token)
        forms = resolved.link_forms
    valid = check_answers(forms.definitions, submission.answers)
    key = _respondent_key(forms, submission)
    invitation_id = None
    if key is not None and key.invitation_hash is not None:
        resolved = resolved or resolve_link(token)
        invitation_id = require_invitation(resolved, key)
    digest = answers_digest(token, valid)
    values = _response_values(forms, submission, valid, digest, now or utcnow())
    values["identity_key"] = key.value if key else None
    flags = _quality_flags(forms, valid, values, submission.address)
    replaced_id = None
    for _attempt in range(ATTEMPTS):
        values["receipt_code"] = receipt_code(secrets.token_bytes(RECEIPT_BYTES))
        inserted = insert_if_accepting(token, values)
        if inserted is not None:
            if replaced_id is not None:
                link_replacement(replaced_id, inserted.id)
            if invitation_id is not None:
                consume_invitation(invitation_id, values["submitted_at"])
            if flags:
                store_flags({inserted.id: flags}, values["submitted_at"], new_responses=True)
            return Receipt(
                values["receipt_code"], submission.submission_id, values["submitted_at"], forms.unit_code, is_new=True
            )
        resolved = resolved or resolve_link(token)  # an unknown link stops here
        earlier = _earlier_receipt(forms, submission.submission_id, digest)
        if earlier is not None:
            return earlier  # a resend, perhaps concurrent, perhaps after the campaign closed
        require_accepting(resolved, values["submitted_at"])
        existing = current_answer(resolved, key) if key is not None else None
        if existing is not None:
            if not (submission.replace and forms.allow_replacement):
                raise AppError("response.already_answered", details={"can_replace": forms.allow_replacement})
            if supersede(existing, values["submitted_at"]):
                replaced_id = existing
            continue  # insert again: into the key just freed, or, if another request took it, explain that
        # Open, this submission id is new and its key free: the random receipt code was taken. Try another.
    if replaced_id is not None or submission.replace:
        # Other replacements of the same answer kept winning the race; nothing of this one is stored.
        raise AppError("response.already_answered", details={"can_replace": forms.allow_replacement})
    raise AppError("server.error")


def _quality_flags(forms: LinkForms, valid: list[ValidAnswer], values: dict[str, Any], address: str | None):
    """The per-response flags of this answer; sets its status and network key in `values`. Costs no query but
    a re-read of the campaign's thresholds every few seconds per process."""
    rules = cached_rules(forms.campaign_id)
    scores = scored_choices(valid)
    flags = response_flags(rules, forms.definitions, scores, values["duration_seconds"], values["submitted_at"])
    values["status"] = status_for(flags)
    values["network_key"] = network_key(forms.campaign_id, address) if rules.enabled else None
    return flags


def _respondent_key(forms: LinkForms, submission: Submission) -> RespondentKey | None:
    if submission.key is not None and forms.identity_mode is not IdentityMode.NONE:
        return submission.key
    return respondent_key(forms, submission.identity)


def check_answers(forms: Sequence[FormDefinition], answers: Any) -> list[ValidAnswer]:
    """Validate answers against the link's questionnaires; every problem is reported with its question."""
    valid, errors = validate_answers(forms, answers)
    if errors:
        raise AppError("response.invalid", details=[_detail(forms, e) for e in errors])
    return valid


def _detail(forms: Sequence[FormDefinition], error: AnswerError) -> dict[str, Any]:
    form = next((f for f in forms if f.key == error.form), None)
    question = form.question(error.question) if form and error.question else None
    return {
        "form": error.form,
        "question": error.question,
        "code": error.code,
        "question_text": question.text if question else None,
        "message": describe_answer_error(error.code, error.params),
    }


def _earlier_receipt(forms: LinkForms, submission_id: str, digest: str) -> Receipt | None:
    row = db.session.connection().execute(_EARLIER_RECEIPT, {"submission_id": submission_id}).first()
    if row is None:
        return None
    if row.answers_digest != digest:
        raise AppError("response.conflict")
    return Receipt(row.receipt_code, submission_id, row.submitted_at, forms.unit_code, is_new=False)


def _response_values(
    forms: LinkForms, submission: Submission, valid: list[ValidAnswer], digest: str, now: datetime
) -> dict[str, Any]:
    duration = submission.duration_seconds
    if duration is not None and not 0 <= duration <= MAX_DURATION_SECONDS:
        duration = None  # an impossible duration is not evidence of anything; keep the answers, drop the timing
    return {
        "submission_id": submission.submission_id,
        "channel": submission.channel,
        "form_versions": dict(forms.version_ids),
        "answers": answers_document(valid),
        "duration_seconds": duration,
        "answers_digest": digest,
        "submitted_at": now,
    }


def find_receipt(resolved: ResolvedLink, code: str) -> Response:
    """The response with this receipt code for this link, or response.not_found."""
    response = db.session.scalar(
        select(Response).where(Response.receipt_code == code.upper(), Response.campaign_unit_id == resolved.link_id)
    )
    if response is None:
        raise AppError("response.not_found")
    return response
