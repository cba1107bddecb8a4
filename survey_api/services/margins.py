"""Population margins per unit for a campaign (DOMAIN.md §3, weighting): uploaded by the statistician, checked
as a whole, stored all or nothing."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import delete, select

from ..domain.forms import FormDefinition
from ..errors import AppError
from ..extensions import db
from ..models import Campaign, UnitMargin
from .audit import Actor, record
from .campaigns import campaign_definitions
from .table_files import TableError, read_table

SUM_TOLERANCE = 0.001

Margins = dict[int, dict[str, dict[str, float]]]  # unit id → variable → category → share


@dataclass(frozen=True)
class MarginRow:
    unit_code: str
    variable: str
    category: str
    share: float


MARGIN_COLUMNS = ("unit_code", "variable", "category", "share")
MAX_MARGIN_BYTES = 2 * 1024 * 1024
MAX_MARGIN_ROWS = 50_000


def parse_margins_file(filename: str, data: bytes) -> list[MarginRow]:
    """Rows of a margins table (CSV in UTF-8 or GBK, or XLSX) with the columns unit_code, variable, category,
    share; every bad line named."""
    if len(data) > MAX_MARGIN_BYTES:
        raise AppError("margins.invalid", details=[f"the file is larger than {MAX_MARGIN_BYTES // 1024} KB"])
    try:
        table = read_table(filename, data, MAX_MARGIN_ROWS)
    except TableError as exc:
        if exc.code == "bad_encoding":
            raise AppError("file.encoding") from exc
        raise AppError("margins.invalid", details=[f"the file cannot be read as a table ({exc.code})"]) from exc
    headers = [h.strip() for h in table.headers]
    missing = [c for c in MARGIN_COLUMNS if c not in headers]
    if missing:
        raise AppError("margins.invalid", details=[f"missing columns: {', '.join(missing)}"])
    position = {c: headers.index(c) for c in MARGIN_COLUMNS}
    rows, problems = [], []
    for line, cells in table.rows:
        text = {c: (cells[i] if i < len(cells) else "").strip() for c, i in position.items()}
        try:
            share = float(text["share"])
        except ValueError:
            problems.append(f"line {line}: share {text['share']!r} is not a number")
            continue
        rows.append(MarginRow(text["unit_code"], text["variable"], text["category"], share))
    if problems:
        raise AppError("margins.invalid", details=problems)
    return rows


def weighting_questions(definitions: list[FormDefinition]) -> dict[str, tuple[str, str, dict[str, str]]]:
    """Each profile variable of the campaign's forms: (form key, question key, option label → option key)."""
    found = {}
    for definition in definitions:
        for question in definition.questions:
            if question.profile and question.options:
                labels = {o.label: o.key for o in question.options} | {o.key: o.key for o in question.options}
                found.setdefault(question.profile, (definition.key, question.key, labels))
    return found


def margins_of(campaign_id: int) -> Margins:
    margins: Margins = defaultdict(lambda: defaultdict(dict))
    for row in db.session.scalars(select(UnitMargin).where(UnitMargin.campaign_id == campaign_id)):
        margins[row.unit_id][row.variable][row.category] = row.share
    return {unit: dict(variables) for unit, variables in margins.items()}


def set_margins(actor: Actor, campaign: Campaign, rows: list[MarginRow]) -> Margins:
    """Replace the margins of every unit named in the rows; refuse all rows if any is wrong, naming each problem."""
    variables = weighting_questions(campaign_definitions(campaign))
    units = {link.unit.code: link.unit_id for link in campaign.links}
    problems: list[str] = []
    table: Margins = defaultdict(lambda: defaultdict(dict))
    for line, row in enumerate(rows, start=1):
        where = f"row {line}"
        unit_id = units.get(row.unit_code)
        variable = variables.get(row.variable)
        if unit_id is None:
            problems.append(f"{where}: unit {row.unit_code!r} is not in this campaign")
            continue
        if variable is None:
            problems.append(f"{where}: {row.variable!r} is not a profile question; use {sorted(variables)}")
            continue
        category = variable[2].get(row.category)
        if category is None:
            problems.append(f"{where}: {row.category!r} is not an answer of {row.variable}")
            continue
        if not 0 <= row.share <= 1:
            problems.append(f"{where}: share must be between 0 and 1")
            continue
        if category in table[unit_id][row.variable]:
            problems.append(f"{where}: {row.unit_code} {row.variable}={category} is given twice")
            continue
        table[unit_id][row.variable][category] = row.share
    codes = {unit_id: code for code, unit_id in units.items()}
    for unit_id, by_variable in table.items():
        for variable, shares in by_variable.items():
            total = sum(shares.values())
            if abs(total - 1) > SUM_TOLERANCE:
                problems.append(f"{codes[unit_id]} {variable}: shares add up to {total:.4f}, not 1")
    if not rows:
        problems.append("no margins given")
    if problems:
        raise AppError("margins.invalid", details=problems)
    db.session.execute(
        delete(UnitMargin).where(UnitMargin.campaign_id == campaign.id, UnitMargin.unit_id.in_(list(table)))
    )
    for unit_id, by_variable in table.items():
        for variable, shares in by_variable.items():
            for category, share in shares.items():
                db.session.add(
                    UnitMargin(
                        campaign_id=campaign.id, unit_id=unit_id, variable=variable, category=category, share=share
                    )
                )
    db.session.flush()
    record(actor, "margins.set", "campaign", campaign.id, {"units": sorted(codes[u] for u in table)})
    return margins_of(campaign.id)
