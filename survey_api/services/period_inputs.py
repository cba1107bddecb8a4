"""A period's entered inputs: component scores (performance, leader evaluation, party building … on 0–100), typed
in or imported from CSV/XLSX with a per-row report, and bonuses, deductions, vetoes and affirmations, each with a
reason and an attachment reference. Sending the same entry again replaces it, so retries never duplicate."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select

from ..domain.unit_results import ADJUSTMENT_KINDS
from ..errors import AppError
from ..extensions import db
from ..models import AssessmentPeriod, PeriodEntry
from .audit import Actor, record
from .import_messages import table_message
from .periods import check_period_rules, ensure_editable
from .table_files import TableError, read_table

SCORE = "score"
MAX_IMPORT_ROWS = 5_000
UNIT_COLUMN = "unit_code"


@dataclass(frozen=True)
class EntryInput:
    unit_code: str
    kind: str  # score, bonus, deduction, veto or affirmation
    value: float | None  # the score (0–100) or the points; None (or anything) for vetoes and affirmations
    component: str | None = None  # for scores
    reason: str | None = None  # required for adjustments
    attachment: str | None = None


def entered_components(period: AssessmentPeriod) -> list[str]:
    """The components of the period's rules whose scores are entered (or imported) rather than computed."""
    rules = check_period_rules(period.rules)
    return [c.key for c in rules.components if c.source == "entered"]


def entry_problems(period: AssessmentPeriod, entry: EntryInput, units: dict[str, int]) -> dict[str, str]:
    """What is wrong with one entry, by field; empty when it may be stored."""
    problems = {}
    if entry.unit_code not in units:
        problems["unit_code"] = f"{entry.unit_code} is not assessed in this period"
    if entry.kind == SCORE:
        allowed = entered_components(period)
        if entry.component not in allowed:
            problems["component"] = f"must be one of the entered components {allowed}"
        if entry.value is None or not 0 <= entry.value <= 100:
            problems["value"] = "a component score must be given, between 0 and 100"
    elif entry.kind in ADJUSTMENT_KINDS:
        if not (entry.reason or "").strip():
            problems["reason"] = "every adjustment needs its reason"
        if entry.kind in ("bonus", "deduction") and (entry.value is None or not 0 < entry.value <= 100):
            problems["value"] = "the points must be given, above 0 and at most 100"
    else:
        problems["kind"] = f"must be one of {[SCORE, *ADJUSTMENT_KINDS]}"
    return problems


def store_entries(actor: Actor, period: AssessmentPeriod, entries: list[EntryInput]) -> list[PeriodEntry]:
    """Store every entry, or none if any has a problem (details name the entry and field)."""
    ensure_editable(period)
    units = {pu.unit.code: pu.unit_id for pu in period.units}
    problems = {
        f"entries.{i + 1}.{field}": message
        for i, entry in enumerate(entries)
        for field, message in entry_problems(period, entry, units).items()
    }
    if problems:
        raise AppError("period.invalid", details=problems)
    stored = [_upsert(actor, period, entry, units[entry.unit_code]) for entry in entries]
    db.session.flush()
    record(actor, "period.inputs", "assessment_period", period.id, {"entries": [_summary(e) for e in entries]})
    return stored


def _key(entry: EntryInput) -> str:
    if entry.kind == SCORE:
        return str(entry.component)
    return hashlib.sha256(entry.reason.strip().encode()).hexdigest()[:40]  # type: ignore[union-attr]


def _upsert(actor: Actor, period: AssessmentPeriod, entry: EntryInput, unit_id: int) -> PeriodEntry:
    key = _key(entry)
    row = db.session.scalar(
        select(PeriodEntry).where(
            PeriodEntry.period_id == period.id,
            PeriodEntry.unit_id == unit_id,
            PeriodEntry.kind == entry.kind,
            PeriodEntry.key == key,
        )
    )
    if row is None:
        row = PeriodEntry(period_id=period.id, unit_id=unit_id, kind=entry.kind, key=key)
        db.session.add(row)
    row.value = float(entry.value) if entry.kind in (SCORE, "bonus", "deduction") else 0.0  # type: ignore[arg-type]
    row.reason = entry.reason.strip() if entry.reason else None
    row.attachment = (entry.attachment or "").strip() or None
    row.entered_by = actor.user_id
    return row


def _summary(entry: EntryInput) -> dict[str, Any]:
    return {k: v for k, v in vars(entry).items() if v is not None}


def remove_entry(actor: Actor, period: AssessmentPeriod, entry_id: int) -> None:
    """Take back one entry (e.g. a deduction entered by mistake)."""
    ensure_editable(period)
    row = db.session.get(PeriodEntry, entry_id)
    if row is None or row.period_id != period.id:
        raise AppError("period.invalid", details={"entry": f"this period has no entry {entry_id}"})
    record(
        actor,
        "period.input_removed",
        "assessment_period",
        period.id,
        {"entry": entry_id, "kind": row.kind, "key": row.key, "value": row.value},
    )
    db.session.execute(delete(PeriodEntry).where(PeriodEntry.id == entry_id))


def list_entries(period_id: int, unit_id: int | None = None) -> list[PeriodEntry]:
    query = select(PeriodEntry).where(PeriodEntry.period_id == period_id)
    if unit_id is not None:
        query = query.where(PeriodEntry.unit_id == unit_id)
    return list(db.session.scalars(query.order_by(PeriodEntry.unit_id, PeriodEntry.kind, PeriodEntry.key)))


def import_scores(actor: Actor, period: AssessmentPeriod, filename: str, data: bytes) -> dict[str, Any]:
    """Component scores from a table with a unit_code column and one column per entered component (blank cells
    leave a score as it is). Every row is checked; if any row has a problem nothing is stored and the report says
    which rows and why."""
    ensure_editable(period)
    try:
        table = read_table(filename, data, MAX_IMPORT_ROWS)
    except TableError as error:
        raise AppError("import.unreadable", reason=table_message(error.code, error.params)) from error
    allowed = entered_components(period)
    headers = [h.strip() for h in table.headers]
    unknown = [h for h in headers if h and h != UNIT_COLUMN and h not in allowed]
    if UNIT_COLUMN not in headers or unknown:
        details = {"columns": f"need {UNIT_COLUMN} and some of {allowed}; unknown: {unknown}"}
        raise AppError("import.bad_columns", details=details)
    units = {pu.unit.code: pu.unit_id for pu in period.units}
    rows, entries = [], []
    for number, cells in table.rows:
        values = dict(zip(headers, cells))
        code = values.get(UNIT_COLUMN, "").strip()
        row_entries, problems = [], {}
        for component in (h for h in headers if h in allowed):
            text = values.get(component, "").strip()
            if not text:
                continue
            try:
                entry = EntryInput(code, SCORE, float(text), component)
            except ValueError:
                problems[component] = f"{text!r} is not a number"
                continue
            problems.update(
                {component if f != "unit_code" else f: m for f, m in entry_problems(period, entry, units).items()}
            )
            row_entries.append(entry)
        rows.append(
            {"row": number, "unit_code": code, "outcome": "rejected" if problems else "ok", "problems": problems}
        )
        entries += row_entries
    report = {"total": len(rows), "rejected": sum(1 for r in rows if r["problems"]), "rows": rows}
    if report["rejected"]:
        raise AppError("period.import_rejected", details=report, rejected=report["rejected"], total=report["total"])
    if entries:
        store_entries(actor, period, entries)
    report["stored"] = len(entries)
    return report
