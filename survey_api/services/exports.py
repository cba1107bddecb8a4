"""Exports of a campaign's responses and results, streamed: rows are read from the database in batches (a
server-side cursor on PostgreSQL) and turned into file chunks as they arrive, so memory stays flat however many
responses there are. Every export is recorded in the audit trail (who exported what, in which format).

Receipt codes are never exported: a receipt lets a respondent look up their own answer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator, Mapping
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, select

from ..domain.export_layout import (
    HEADER_STYLES,
    RATE_TABLE,
    RESULT_ROWS,
    RESULT_TABLES,
    ResponseLayout,
    WeightLookup,
    has_rates,
    response_layout,
    result_headers,
    weight_lookup,
)
from ..errors import AppError
from ..extensions import db
from ..models import Campaign, Response, ResponseFlag, ResponseStatus
from .audit import Actor, record
from .campaigns import campaign_definitions, get_campaign
from .export_formats import FORMATS, XLSX_MAX_ROWS, Sheet, csv_chunks, json_chunks, xlsx_chunks
from .results import get_run, latest_run

BATCH_ROWS = 2000  # rows fetched from the database at a time
RESULT_SHEET_NAMES = {
    "keys": {"indices": "indices", "questions": "questions", RATE_TABLE: RATE_TABLE},
    "zh": {"indices": "指数", "questions": "题目", RATE_TABLE: "应答率"},
}


@dataclass(frozen=True)
class Export:
    """A file ready to stream: its name, type, row count and a generator of byte chunks."""

    filename: str
    mimetype: str
    rows: int
    chunks: Iterator[bytes]


def _check_options(file_format: str, header_style: str) -> None:
    problems = {}
    if file_format not in FORMATS:
        problems["format"] = [f"one of {', '.join(FORMATS)}"]
    if header_style not in HEADER_STYLES:
        problems["headers"] = [f"one of {', '.join(HEADER_STYLES)}"]
    if problems:
        raise AppError("request.invalid", details=problems)


# --- responses ---------------------------------------------------------------------------------------------------


def export_responses(
    actor: Actor, campaign_id: int, file_format: str, header_style: str = "keys", labels: bool = False
) -> Export:
    """Every response of the campaign, one row each in id order, one column per question; refused before anything
    is written when XLSX cannot hold them. Records the export in the audit trail."""
    _check_options(file_format, header_style)
    campaign = get_campaign(campaign_id)
    forms = campaign_definitions(campaign)
    layout = response_layout(forms, header_style, labels)
    count = db.session.scalar(select(func.count()).select_from(Response).where(Response.campaign_id == campaign.id))
    if file_format == "xlsx" and count >= XLSX_MAX_ROWS:
        raise AppError("export.too_many_rows", rows=count, limit=XLSX_MAX_ROWS - 1)
    run = latest_run(campaign.id)
    record(
        actor,
        "export.responses",
        "campaign",
        campaign.id,
        {"format": file_format, "headers": header_style, "labels": labels, "rows": count, "run": run and run.id},
    )
    rows = response_rows(campaign, layout, weight_lookup(run.results if run else None, forms))
    sheet = Sheet("responses" if header_style == "keys" else "答卷", layout.headers, rows)
    return Export(
        f"responses-{campaign.id}.{file_format}", FORMATS[file_format].mimetype, count, _encode(file_format, [sheet])
    )


# The quality rules that flagged a response, e.g. "straight_lining;too_fast" (kept after a review decision).
FLAG_RULES = (
    select(func.aggregate_strings(ResponseFlag.rule, ";"))
    .where(ResponseFlag.response_id == Response.id)
    .correlate(Response)
    .scalar_subquery()
)
REPLACED = "replaced"  # a later answer of the same respondent took this one's place; it is kept, not counted


def response_rows(campaign: Campaign, layout: ResponseLayout, weights: WeightLookup) -> Iterator[list[Any]]:
    """The campaign's responses as rows, in id order, read BATCH_ROWS at a time."""
    units = {link.unit_id: link.unit for link in campaign.links}
    zone = ZoneInfo(current_app.config["DISPLAY_TIMEZONE"])
    for batch in response_batches(campaign.id):
        for row in batch:
            unit = units.get(row.unit_id)
            status = ResponseStatus(row.status)
            counted = status is ResponseStatus.INCLUDED and row.superseded_at is None
            fields = {
                "response_id": row.id,
                "unit_code": unit.code if unit else None,
                "unit_name": unit.name if unit else None,
                "channel": _value(row.channel),
                "status": REPLACED if row.superseded_at is not None else status.value,
                "flags": ";".join(sorted(row.flags.split(";"))) if row.flags else None,
                "stratum": row.stratum,
                "cluster": row.cluster,
                "duration_seconds": row.duration_seconds,
                "submitted_at": row.submitted_at.astimezone(zone).isoformat(timespec="seconds"),
                # Only counted responses carry a weight: the others did not count in the run.
                "weight": weights(row.unit_id, row.answers) if counted else None,
            }
            yield layout.row(fields, row.answers or {})


def response_batches(campaign_id: int) -> Iterator[list[Any]]:
    """The campaign's response rows in id order, as lists of at most BATCH_ROWS rows, from one streamed query."""
    query = (
        select(
            Response.id,
            Response.unit_id,
            Response.channel,
            Response.status,
            Response.superseded_at,
            Response.stratum,
            Response.cluster,
            Response.duration_seconds,
            Response.submitted_at,
            Response.answers,
            FLAG_RULES.label("flags"),
        )
        .where(Response.campaign_id == campaign_id)
        .order_by(Response.id)
        .execution_options(yield_per=BATCH_ROWS)
    )
    result = db.session.execute(query)
    try:
        for partition in result.partitions():
            yield partition
    finally:
        result.close()


def _value(member: Any) -> Any:
    return getattr(member, "value", member)


# --- results -----------------------------------------------------------------------------------------------------


def export_results(
    actor: Actor,
    campaign_id: int,
    file_format: str,
    header_style: str = "keys",
    run_id: int | None = None,
    table: str = "indices",
) -> Export:
    """A result run (the latest by default) as tables: per unit × index, per unit × question and, when the
    campaign had a household sample, per unit its response rates. XLSX holds them all as sheets; CSV and JSON hold
    the one named by `table`. Records the export in the audit trail."""
    _check_options(file_format, header_style)
    if table not in RESULT_TABLES:
        raise AppError("request.invalid", details={"table": [f"one of {', '.join(RESULT_TABLES)}"]})
    campaign = get_campaign(campaign_id)
    run = get_run(campaign.id, run_id)
    rated = has_rates(run.results)
    if table == RATE_TABLE and not rated:
        raise AppError("request.invalid", details={"table": ["this run has no response rates: no household sample"]})
    tables = [t for t in RESULT_TABLES if rated or t != RATE_TABLE] if file_format == "xlsx" else [table]
    record(
        actor,
        "export.results",
        "campaign",
        campaign.id,
        {"format": file_format, "headers": header_style, "run": run.id, "tables": tables},
    )
    sheets = [_result_sheet(run.results, name, header_style) for name in tables]
    rows = sum(1 for name in tables for _ in RESULT_ROWS[name](run.results))
    suffix = "" if file_format == "xlsx" else f"-{table}"
    filename = f"results-{campaign.id}-run{run.id}{suffix}.{file_format}"
    return Export(filename, FORMATS[file_format].mimetype, rows, _encode(file_format, sheets))


def _result_sheet(results: Mapping[str, Any], table: str, header_style: str) -> Sheet:
    return Sheet(
        RESULT_SHEET_NAMES[header_style][table], result_headers(table, header_style), RESULT_ROWS[table](results)
    )


def _encode(file_format: str, sheets: list[Sheet]) -> Iterator[bytes]:
    if file_format == "xlsx":
        return xlsx_chunks(sheets)
    encode = csv_chunks if file_format == "csv" else json_chunks
    return encode(sheets[0])
