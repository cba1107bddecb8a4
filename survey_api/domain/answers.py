"""Validate a respondent's answers against the campaign's questionnaires."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from .forms import FormDefinition
from .question_types import QUESTION_TYPES, AnswerProblem


@dataclass(frozen=True)
class ValidAnswer:
    form_key: str
    question_key: str
    value: Any
    score: float | None
    is_substantive: bool | None


@dataclass(frozen=True)
class AnswerError:
    """One problem with the submitted answers; `question` is None when it concerns a whole form."""

    form: str
    question: str | None
    code: str
    params: Mapping[str, Any]


def validate_answers(forms: Sequence[FormDefinition], answers: Any) -> tuple[list[ValidAnswer], list[AnswerError]]:
    """Check answers shaped {form_key: {question_key: value}}; return the canonical answers and every error."""
    valid: list[ValidAnswer] = []
    errors: list[AnswerError] = []
    if not isinstance(answers, Mapping):
        return [], [AnswerError(form="", question=None, code="wrong_type", params={"expected": "mapping"})]
    known = {f.key for f in forms}
    for form_key in answers:
        if form_key not in known:
            errors.append(AnswerError(form=str(form_key)[:40], question=None, code="unknown_form", params={}))
    for form in forms:
        given = answers.get(form.key, {})
        if not isinstance(given, Mapping):
            errors.append(AnswerError(form=form.key, question=None, code="wrong_type", params={"expected": "mapping"}))
            continue
        for question_key in given:
            if form.question(str(question_key)) is None:
                errors.append(
                    AnswerError(form=form.key, question=str(question_key)[:40], code="unknown_question", params={})
                )
        for question in form.questions:
            qtype = QUESTION_TYPES[question.type]
            value = given.get(question.key)
            if qtype.is_empty(value):
                if question.required:
                    errors.append(AnswerError(form=form.key, question=question.key, code="required", params={}))
                continue
            try:
                checked = qtype.check(question, value)
            except AnswerProblem as problem:
                errors.append(
                    AnswerError(form=form.key, question=question.key, code=problem.code, params=problem.params)
                )
                continue
            if qtype.is_empty(checked.value):
                if question.required:
                    errors.append(AnswerError(form=form.key, question=question.key, code="required", params={}))
                continue
            valid.append(ValidAnswer(form.key, question.key, checked.value, checked.score, checked.is_substantive))
    return valid, errors


def answers_digest(link_token: str, answers: Sequence[ValidAnswer]) -> str:
    """A fingerprint of what was answered, for telling an identical resend from a different one."""
    canonical = sorted([a.form_key, a.question_key, a.value] for a in answers)
    body = json.dumps([link_token, canonical], ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def answers_document(answers: Sequence[ValidAnswer]) -> dict[str, dict[str, Any]]:
    """The canonical answers as one document: {form_key: {question_key: value}}."""
    document: dict[str, dict[str, Any]] = {}
    for answer in answers:
        document.setdefault(answer.form_key, {})[answer.question_key] = answer.value
    return document
