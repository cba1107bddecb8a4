"""Importing a campaign's sampling frame of households from a CSV or XLSX file: all rows or none, with the
problems of every row reported. The household number is kept only as its keyed hash (the identity key its
interview will carry); the address is kept, as personal data that only the bureau's roles may read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select

from ..domain.identity import IdentityError, IdentityMode, identity_key, normalise_household
from ..errors import AppError
from ..extensions import db
from ..models import CampaignUnit, Household, SampleDesign, Unit
from .audit import Actor, record
from .campaigns import get_campaign
from .import_messages import table_message
from .table_files import TableError, read_table

MAX_ROWS = 100_000
MAX_SIZE = 50
INSERT_CHUNK = 2000
# Accepted headers of each column (English keys, and the Chinese a bureau's spreadsheet would use).
COLUMNS = {
    "household": ("household", "household_code", "户编号", "住户编号"),
    "unit": ("unit", "unit_code", "单位", "单位代码"),
    "community": ("community", "社区", "村社区", "村（社区）"),
    "address": ("address", "地址", "住址"),
    "building": ("building", "楼栋", "楼号"),  # optional parts of the address, appended to it
    "room": ("room", "门牌", "房号", "室号"),
    "size": ("size", "household_size", "户人数", "人数"),
    "stratum": ("stratum", "层", "抽样层"),
}
REQUIRED = ("household", "unit", "community", "address")
LIMITS = {"community": 100, "address": 240, "building": 30, "room": 30, "stratum": 100}

ROW_MESSAGES = {
    "required": _l("This cell is empty."),
    "household_invalid": _l("Write the household number with letters and digits only, at most 40 of them."),
    "duplicate": _l("This household number appears more than once in the file (rows %(rows)s)."),
    "already_in_frame": _l("This household is already in the campaign's frame."),
    "unit_not_in_campaign": _l("Unit %(code)s is not one of this campaign's units."),
    "too_long": _l("Use at most %(maximum)s characters."),
    "bad_size": _l("Write the number of people as a whole number from 1 to %(maximum)s."),
    "unit_sampled": _l("The sample of unit %(code)s is drawn; its frame can no longer change."),
}


@dataclass
class FrameRow:
    row: int
    problems: list[dict[str, str]] = field(default_factory=list)  # {"column": ..., "message": ...}


@dataclass
class FrameReport:
    campaign_id: int
    imported: int = 0
    problems: list[FrameRow] = field(default_factory=list)

    @property
    def is_rejected(self) -> bool:
        return bool(self.problems)


def _message(message_code: str, **params: Any) -> str:
    text = str(ROW_MESSAGES[message_code])
    return text % params if params else text


def import_frame(actor: Actor, campaign_id: int, filename: str, data: bytes) -> FrameReport:
    """Check every row, then store the households only if no row has a problem (household.* errors otherwise)."""
    campaign = get_campaign(campaign_id)
    if campaign.identity_mode is not IdentityMode.HOUSEHOLD:
        raise AppError("household.campaign_mode")
    try:
        table = read_table(filename, data, MAX_ROWS)
    except TableError as error:
        raise AppError("import.unreadable", reason=table_message(error.code, error.params)) from None
    positions = _positions(table.headers)
    missing = [name for name in REQUIRED if name not in positions]
    if missing:
        raise AppError("household.frame_columns", columns=", ".join(missing))
    units = dict(
        db.session.execute(
            select(Unit.code, Unit.id)
            .join(CampaignUnit, CampaignUnit.unit_id == Unit.id)
            .where(CampaignUnit.campaign_id == campaign_id)
        ).all()
    )
    existing = set(db.session.scalars(select(Household.identity_key).where(Household.campaign_id == campaign_id)))
    sampled = set(db.session.scalars(select(SampleDesign.unit_id).where(SampleDesign.campaign_id == campaign_id)))
    secret = str(current_app.config["IDENTITY_HASH_KEY"]).encode()
    report = FrameReport(campaign_id)
    rows: list[dict[str, Any]] = []
    first_row: dict[str, list[int]] = {}
    for number, cells in table.rows:
        cell = {name: (cells[i].strip() if i < len(cells) else "") for name, i in positions.items()}
        problems: list[dict[str, str]] = []
        values = _checked(cell, units, problems)
        if values["unit_id"] in sampled:
            problems.append({"column": "unit", "message": _message("unit_sampled", code=cell["unit"][:32])})
        key = None
        if cell["household"]:
            try:
                key = identity_key(secret, campaign_id, IdentityMode.HOUSEHOLD, normalise_household(cell["household"]))
            except IdentityError:
                problems.append({"column": "household", "message": _message("household_invalid")})
        if key is not None:
            first_row.setdefault(key, []).append(number)
            if key in existing:
                problems.append({"column": "household", "message": _message("already_in_frame")})
        if problems:
            report.problems.append(FrameRow(number, problems))
        rows.append({**values, "identity_key": key, "campaign_id": campaign_id, "_row": number})
    _report_duplicates(first_row, report)
    if report.problems:
        report.problems.sort(key=lambda r: r.row)
        return report
    for start in range(0, len(rows), INSERT_CHUNK):
        chunk = [{k: v for k, v in row.items() if k != "_row"} for row in rows[start : start + INSERT_CHUNK]]
        db.session.execute(insert(Household), chunk)
    report.imported = len(rows)
    record(actor, "households.import", "campaign", campaign_id, {"households": len(rows), "file": filename[:100]})
    return report


def _positions(headers: list[str]) -> dict[str, int]:
    """Column name → index, for the headers this file has."""
    found = {}
    for index, header in enumerate(headers):
        wanted = header.strip().lower()
        for name, aliases in COLUMNS.items():
            if wanted in aliases and name not in found:
                found[name] = index
    return found


def _checked(cell: dict[str, str], units: dict[str, int], problems: list[dict[str, str]]) -> dict[str, Any]:
    """The row's values for the households table; what is wrong goes into `problems`."""
    for name in REQUIRED:
        if not cell.get(name):
            problems.append({"column": name, "message": _message("required")})
    for name, limit in LIMITS.items():
        if len(cell.get(name, "")) > limit:
            problems.append({"column": name, "message": _message("too_long", maximum=limit)})
    unit_id = units.get(cell["unit"])
    if cell["unit"] and unit_id is None:
        problems.append({"column": "unit", "message": _message("unit_not_in_campaign", code=cell["unit"][:32])})
    size = None
    if cell.get("size"):
        text = cell["size"]
        if not text.isdigit() or not 1 <= int(text) <= MAX_SIZE:
            problems.append({"column": "size", "message": _message("bad_size", maximum=MAX_SIZE)})
        else:
            size = int(text)
    community = cell["community"]
    return {
        "unit_id": unit_id,
        "community": community,
        "stratum": cell.get("stratum") or community,
        "address": " ".join(part for part in (cell["address"], cell.get("building"), cell.get("room")) if part),
        "size": size,
    }


def _report_duplicates(first_row: dict[str, list[int]], report: FrameReport) -> None:
    """Every row of a household number that appears more than once is reported, naming the others."""
    by_row = {r.row: r for r in report.problems}
    for numbers in first_row.values():
        if len(numbers) < 2:
            continue
        listed = ", ".join(str(n) for n in numbers[:10])
        for number in numbers:
            entry = by_row.get(number)
            if entry is None:
                entry = by_row[number] = FrameRow(number)
                report.problems.append(entry)
            entry.problems.append({"column": "household", "message": _message("duplicate", rows=listed)})
