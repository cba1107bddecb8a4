"""One row of an imported answers table: its cells read as answers (option keys or labels, several choices
separated by ; or ；), its unit, record id, sample design and timing, and its deterministic submission id."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any, Mapping, Sequence

from .forms import Question
from .import_columns import ColumnMap, QuestionColumn, column_name

CHOICE_SEPARATOR = re.compile(r"[;；]")
TEXT_LIMITS = {"unit": 32, "record_id": 64, "stratum": 64, "cluster": 64}
MAX_DURATION_SECONDS = 24 * 3600
FUTURE_SLACK = timedelta(minutes=10)  # clocks of the source system may run a little fast
SUBMISSION_ID_PREFIX = "imp-"


@dataclass(frozen=True)
class CellProblem:
    """What is wrong in one cell: `column` is the header as written, `code` is stable, `params` fill the message."""

    column: str
    code: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class ParsedRow:
    row_number: int  # as the spreadsheet shows it: the header is row 1
    unit_code: str
    record_id: str | None
    stratum: str | None
    cluster: str | None
    duration_seconds: int | None
    interviewed_at: datetime | None
    answers: dict[str, dict[str, Any]]
    problems: list[CellProblem]


def _label_key(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()


def option_key(question: Question, text: str) -> str | None:
    """The key of the option given by its key or its label (width, case and spaces ignored), or None."""
    if question.option(text) is not None:
        return text
    wanted = _label_key(text)
    for option in question.options:
        if _label_key(option.label) == wanted or option.key == wanted:
            return option.key
    return None


def cell_answer(column: QuestionColumn, text: str) -> tuple[Any, CellProblem | None]:
    """The answer a cell gives to its question (None for a blank cell), or the problem with it."""
    question = column.question
    if question.type not in ("single_choice", "multiple_choice"):
        return text, None  # ratings and text are checked by the question types, as on the web
    parts = [p.strip() for p in CHOICE_SEPARATOR.split(text)] if question.type == "multiple_choice" else [text]
    keys = []
    for part in filter(None, parts):
        key = option_key(question, part)
        if key is None:
            labels = "、".join(o.label for o in question.options)
            return None, CellProblem(column.header, "unknown_option", {"value": part[:40], "choices": labels})
        keys.append(key)
    if question.type == "single_choice":
        return (keys[0] if keys else None), None
    return keys, None


def parse_row(
    row_number: int, cells: Sequence[str], columns: ColumnMap, zone: tzinfo, now: datetime
) -> tuple[ParsedRow, list[CellProblem]]:
    """Read one row; the answers still need validate_answers, exactly like a web submission's."""
    problems: list[CellProblem] = []

    def cell(index: int) -> str:
        return cells[index].strip() if index < len(cells) and cells[index] is not None else ""

    texts: dict[str, str | None] = {}
    for name, index in columns.fields.items():
        value = cell(index)
        limit = TEXT_LIMITS.get(name)
        if limit is not None and len(value) > limit:
            problems.append(CellProblem(columns.headers[index], "too_long", {"maximum": limit}))
        texts[name] = value or None
    if not texts.get("unit"):
        problems.append(CellProblem(columns.headers[columns.fields["unit"]], "unit_missing"))
    for index in columns.ignored:
        if cell(index):
            problems.append(CellProblem("", "value_without_header", {"column": column_name(index)}))
    duration = _duration(texts.get("duration_seconds"), columns, problems)
    interviewed_at = _interviewed_at(texts.get("interviewed_at"), columns, zone, now, problems)
    answers: dict[str, dict[str, Any]] = {}
    for column in columns.questions:
        value, problem = cell_answer(column, cell(column.index))
        if problem is not None:
            problems.append(problem)
            continue
        if value not in (None, "", []):
            answers.setdefault(column.form_key, {})[column.question.key] = value
    parsed = ParsedRow(
        row_number=row_number,
        unit_code=texts.get("unit") or "",
        record_id=texts.get("record_id"),
        stratum=texts.get("stratum"),
        cluster=texts.get("cluster"),
        duration_seconds=duration,
        interviewed_at=interviewed_at,
        answers=answers,
        problems=problems,
    )
    return parsed, problems


def _duration(text: str | None, columns: ColumnMap, problems: list[CellProblem]) -> int | None:
    if text is None:
        return None
    header = columns.headers[columns.fields["duration_seconds"]]
    try:
        number = float(text)
    except ValueError:
        number = -1.0
    if not number.is_integer() or not 0 <= number <= MAX_DURATION_SECONDS:
        problems.append(CellProblem(header, "bad_duration", {"value": text[:20], "maximum": MAX_DURATION_SECONDS}))
        return None
    return int(number)


def parse_time(text: str, zone: tzinfo) -> datetime:
    """An ISO time, or `2026-11-20 14:05[:30]` / `2026/11/20 14:05`; a time without a zone is in `zone`. UTC out."""
    cleaned = text.strip().replace("/", "-")
    parsed = datetime.fromisoformat(cleaned)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed.astimezone(timezone.utc)


def _interviewed_at(
    text: str | None, columns: ColumnMap, zone: tzinfo, now: datetime, problems: list[CellProblem]
) -> datetime | None:
    if text is None:
        return None
    header = columns.headers[columns.fields["interviewed_at"]]
    try:
        moment = parse_time(text, zone)
    except ValueError:
        problems.append(CellProblem(header, "bad_time", {"value": text[:40]}))
        return None
    if moment > now + FUTURE_SLACK:
        problems.append(CellProblem(header, "future_time", {"value": text[:40]}))
        return None
    return moment


def file_digest(data: bytes) -> str:
    """The SHA-256 of an uploaded file, as recorded in the audit trail."""
    return hashlib.sha256(data).hexdigest()


def import_submission_id(campaign_id: int, record_id: str | None, file_sha256: str, row_number: int) -> str:
    """The submission id of an imported row: from the campaign and the source system's record id when the row has
    one (the same record imported again, from any file, is recognised), else from the file's digest and the row
    number (the same file imported again is recognised)."""
    basis: list[Any] = ["record", campaign_id, record_id]
    if not record_id:
        basis = ["row", campaign_id, file_sha256, row_number]
    body = json.dumps(basis, ensure_ascii=False, separators=(",", ":"))
    return SUBMISSION_ID_PREFIX + hashlib.sha256(body.encode("utf-8")).hexdigest()[:48]
