"""Importing units from a CSV file (code, name, category, parent_area): all rows or none, with a report per row."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from sqlalchemy import select

from ..extensions import db
from ..models import Unit
from .audit import Actor
from .table_files import TableError, decode_text
from .units import create_unit

MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
COLUMNS = ("code", "name", "category", "parent_area")
LIMITS = {"code": 32, "name": 100, "category": 50, "parent_area": 100}


@dataclass
class ImportReport:
    imported: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)  # (line number, what is wrong)


def import_units_csv(actor: Actor, data: bytes) -> ImportReport:
    """Check every row first; create the units only if no row has a problem."""
    report = ImportReport()
    if len(data) > MAX_IMPORT_BYTES:
        report.problems.append((0, f"file larger than {MAX_IMPORT_BYTES // 1024} KB"))
        return report
    try:
        text = decode_text(data)
    except TableError:
        report.problems.append((0, "not UTF-8 or GB18030 text"))
        return report
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in COLUMNS[:3] if c not in (reader.fieldnames or [])]
    if missing:
        report.problems.append((1, f"missing columns: {', '.join(missing)}"))
        return report
    rows = _checked_rows(reader, report)
    if not report.problems:
        for row in rows:
            create_unit(actor, row["code"], row["name"], row["category"], row.get("parent_area") or None)
        report.imported = len(rows)
    return report


def _checked_rows(reader: csv.DictReader, report: ImportReport) -> list[dict[str, str]]:
    existing = set(db.session.scalars(select(Unit.code)))
    seen: set[str] = set()
    rows = []
    for line, raw in enumerate(reader, start=2):
        if line - 1 > MAX_ROWS:
            report.problems.append((line, f"more than {MAX_ROWS} rows"))
            break
        row = {k: (raw.get(k) or "").strip() for k in COLUMNS}
        for name in COLUMNS[:3]:
            if not row[name]:
                report.problems.append((line, f"{name} is empty"))
        for name, limit in LIMITS.items():
            if len(row[name]) > limit:
                report.problems.append((line, f"{name} longer than {limit} characters"))
        if row["code"] in existing or row["code"] in seen:
            report.problems.append((line, f"unit code {row['code']} already exists"))
        seen.add(row["code"])
        rows.append(row)
    return rows
