"""Importing answers collected elsewhere (telephone interviews, paper questionnaires) from CSV or XLSX files.

Every row is validated exactly like a web submission against the campaign's pinned questionnaire versions. By
default a file is imported whole or not at all; `accept_valid` stores the valid rows and reports the others.
Each row has a deterministic submission id, so importing the same file (or the same records) again adds nothing."""

from __future__ import annotations

import secrets
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Sequence
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from ..domain.answers import AnswerError, answers_digest, answers_document, validate_answers
from ..domain.campaigns import CampaignState
from ..domain.codes import RECEIPT_BYTES, receipt_code
from ..domain.import_columns import ColumnMap, map_columns
from ..domain.import_rows import ParsedRow, file_digest, import_submission_id, parse_row
from ..domain.quality import Flag, scored_choices
from ..errors import AppError
from ..extensions import db
from ..models import Channel, Response
from .answer_messages import describe_answer_error
from .audit import Actor, record
from .campaigns import campaign_definitions, get_campaign
from .clock import utcnow
from .import_messages import header_message, row_message, table_message
from .quality import response_flags, status_for, store_flags, stored_rules
from .response_insert import insert_many
from .table_files import TableError, read_table

IMPORT_CHANNELS = (Channel.PHONE, Channel.PAPER)
MAX_ROWS = 100_000
RECEIPT_ATTEMPTS = 3
LOOKUP_CHUNK = 1000

# Row outcomes in the report.
IMPORTED, ALREADY_IMPORTED, REJECTED, NOT_IMPORTED = "imported", "already_imported", "rejected", "not_imported"


@dataclass(frozen=True)
class ImportRequest:
    campaign_id: int
    filename: str
    data: bytes
    channel: Channel = Channel.PHONE
    accept_valid: bool = False


@dataclass
class RowReport:
    row: int
    unit_code: str
    record_id: str | None
    outcome: str = NOT_IMPORTED
    problems: list[dict[str, str]] = field(default_factory=list)  # {"column": header, "message": text}


@dataclass
class ImportReport:
    campaign_id: int
    file_name: str
    file_sha256: str
    channel: Channel
    accept_valid: bool
    has_record_ids: bool
    rows: list[RowReport]

    def count(self, outcome: str) -> int:
        return sum(1 for r in self.rows if r.outcome == outcome)

    @property
    def counts(self) -> dict[str, int]:
        found = Counter(r.outcome for r in self.rows)
        return {"total": len(self.rows), **{o: found[o] for o in (IMPORTED, ALREADY_IMPORTED, REJECTED)}}

    @property
    def is_rejected(self) -> bool:
        """All or nothing: some row was rejected and only valid rows were not asked for, so nothing was stored."""
        return not self.accept_valid and self.count(REJECTED) > 0


@dataclass
class _Candidate:
    report: RowReport
    values: dict[str, Any]
    flags: list[Flag] = field(default_factory=list)


def import_responses(actor: Actor, request: ImportRequest, now: datetime | None = None) -> ImportReport:
    """Validate every row of the file and store the valid new ones (all or none unless accept_valid); the report
    says, per row, imported, already imported or rejected with the reasons. Records an audit event."""
    campaign = get_campaign(request.campaign_id)
    if campaign.state is CampaignState.DRAFT:
        raise AppError("import.campaign_draft")
    if request.channel not in IMPORT_CHANNELS:
        raise AppError("request.invalid", details={"channel": ["Use phone or paper."]})
    limit = current_app.config["IMPORT_MAX_BYTES"]
    if len(request.data) > limit:
        raise AppError("import.too_large", limit=limit // (1024 * 1024))
    try:
        table = read_table(request.filename, request.data, MAX_ROWS)
    except TableError as error:
        raise AppError("import.unreadable", reason=table_message(error.code, error.params)) from error
    forms = campaign_definitions(campaign)
    columns, header_problems = map_columns(table.headers, forms)
    if header_problems:
        details = [
            {"problem": p.code, "columns": list(p.columns), "message": header_message(p)} for p in header_problems
        ]
        raise AppError("import.bad_columns", details=details)
    now = now or utcnow()
    digest = file_digest(request.data)
    links = {link.unit.code: link for link in campaign.links}
    zone = ZoneInfo(current_app.config["DISPLAY_TIMEZONE"])
    parsed = [parse_row(number, cells, columns, zone, now)[0] for number, cells in table.rows]
    record_rows = _record_rows(parsed)
    report = ImportReport(
        campaign.id, request.filename, digest, request.channel, request.accept_valid, "record_id" in columns.fields, []
    )
    form_versions = {cf.form_version.key: cf.form_version_id for cf in campaign.forms}
    rules = stored_rules(campaign)
    candidates: list[_Candidate] = []
    for row in parsed:
        row_report = RowReport(row.row_number, row.unit_code, row.record_id)
        report.rows.append(row_report)
        valid, errors = validate_answers(forms, row.answers)
        problems = _row_problems(row, columns, errors, links, record_rows)
        if problems:
            row_report.outcome, row_report.problems = REJECTED, problems
            continue
        link = links[row.unit_code]
        submitted_at = row.interviewed_at or now
        scores = scored_choices(valid)
        window = (campaign.opens_at, campaign.closes_at)
        flags = response_flags(rules, forms, scores, row.duration_seconds, submitted_at, window)
        candidates.append(
            _Candidate(
                row_report,
                {
                    "submission_id": import_submission_id(campaign.id, row.record_id, digest, row.row_number),
                    "campaign_id": campaign.id,
                    "unit_id": link.unit_id,
                    "campaign_unit_id": link.id,
                    "channel": request.channel,
                    "stratum": row.stratum,
                    "cluster": row.cluster,
                    "form_versions": form_versions,
                    "answers": answers_document(valid),
                    "duration_seconds": row.duration_seconds,
                    "answers_digest": answers_digest(link.link_token, valid),
                    "submitted_at": submitted_at,
                    "status": status_for(flags),
                },
                flags,
            )
        )
    new = _set_aside_earlier_imports(candidates)
    if not report.is_rejected:
        _store(new)
    _record_import(actor, report)
    return report


def _record_rows(rows: Sequence[ParsedRow]) -> dict[str, list[int]]:
    """Record ids that occur on more than one row, with those rows."""
    seen: dict[str, list[int]] = {}
    for row in rows:
        if row.record_id:
            seen.setdefault(row.record_id, []).append(row.row_number)
    return {record_id: numbers for record_id, numbers in seen.items() if len(numbers) > 1}


def _row_problems(
    row: ParsedRow,
    columns: ColumnMap,
    errors: Sequence[AnswerError],
    links: dict[str, Any],
    record_rows: dict[str, list[int]],
) -> list[dict[str, str]]:
    """Every problem of one row, each with its column: cells, unit, record id and the answers' validation."""
    headers = {c.name: c.header for c in columns.questions}
    unit_header = columns.headers[columns.fields["unit"]]
    problems = [_problem(p.column, p.code, p.params) for p in row.problems]
    if row.unit_code and row.unit_code not in links:
        problems.append(_problem(unit_header, "unit_not_in_campaign", {"code": row.unit_code}))
    if row.record_id in record_rows:
        rows = ", ".join(str(n) for n in record_rows[row.record_id])
        header = columns.headers[columns.fields["record_id"]]
        problems.append(_problem(header, "duplicate_record", {"record_id": row.record_id, "rows": rows}))
    flagged = {p.column for p in row.problems}
    for error in errors:
        header = headers.get(f"{error.form}.{error.question}", "")
        if header not in flagged:  # an unreadable cell is reported once, not again as unanswered
            problems.append({"column": header, "message": _answer_message(error)})
    return problems


def _problem(column: str, code: str, params: Any) -> dict[str, str]:
    return {"column": column, "message": row_message(code, params)}


def _answer_message(error: AnswerError) -> str:
    return describe_answer_error(error.code, error.params)


def _set_aside_earlier_imports(candidates: list[_Candidate]) -> list[_Candidate]:
    """Mark rows stored by an earlier import as already imported (or as a conflict when their answers differ);
    return the rest."""
    earlier = _stored_digests([c.values["submission_id"] for c in candidates])
    new = []
    for candidate in candidates:
        stored = earlier.get(candidate.values["submission_id"])
        if stored is None:
            new.append(candidate)
        elif stored == candidate.values["answers_digest"]:
            candidate.report.outcome = ALREADY_IMPORTED
        else:
            _mark_conflict(candidate)
    return new


def _mark_conflict(candidate: _Candidate) -> None:
    # Only a record id can meet different answers: a row without one is identified by the file's own digest.
    report = candidate.report
    report.outcome = REJECTED
    report.problems.append(_problem("record_id", "conflict", {"record_id": report.record_id or f"#{report.row}"}))


def _stored_digests(submission_ids: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for start in range(0, len(submission_ids), LOOKUP_CHUNK):
        chunk = submission_ids[start : start + LOOKUP_CHUNK]
        query = select(Response.submission_id, Response.answers_digest).where(Response.submission_id.in_(chunk))
        found.update({row[0]: row[1] for row in db.session.execute(query)})
    return found


def _store(candidates: list[_Candidate]) -> None:
    """Insert the rows in bulk. A row skipped by the insert was either stored meanwhile by a concurrent import of
    the same rows, or drew a receipt code already in use: the first is already imported, the second retried."""
    pending = candidates
    for _attempt in range(RECEIPT_ATTEMPTS):
        for candidate in pending:
            candidate.values["receipt_code"] = receipt_code(secrets.token_bytes(RECEIPT_BYTES))
        inserted = insert_many([c.values for c in pending])
        for candidate in pending:
            if candidate.values["submission_id"] in inserted:
                candidate.report.outcome = IMPORTED
        _store_flags([c for c in pending if c.flags and c.values["submission_id"] in inserted])
        pending = _set_aside_earlier_imports([c for c in pending if c.report.outcome != IMPORTED])
        if not pending:
            return
    raise AppError("server.error")


def _store_flags(flagged: list[_Candidate]) -> None:
    """The per-response flags of the rows just imported (an import has no device or network to compare)."""
    if not flagged:
        return
    by_submission = {c.values["submission_id"]: c for c in flagged}
    ids: dict[int, list[Flag]] = {}
    submission_ids = list(by_submission)
    for start in range(0, len(submission_ids), 500):
        query = select(Response.id, Response.submission_id).where(
            Response.submission_id.in_(submission_ids[start : start + 500])
        )
        for response_id, submission_id in db.session.execute(query):
            ids[response_id] = by_submission[submission_id].flags
    store_flags(ids, utcnow())


def _record_import(actor: Actor, report: ImportReport) -> None:
    record(
        actor,
        "responses.import",
        "campaign",
        report.campaign_id,
        {
            "file_name": report.file_name[:200],
            "file_sha256": report.file_sha256,
            "channel": report.channel,
            "accept_valid": report.accept_valid,
            "outcome": "rejected" if report.is_rejected else "imported",
            **report.counts,
        },
    )
