"""The household survey's progress and AAPOR response rates per unit and community as a file (CSV, XLSX or
JSON), for reports outside the product. No address or household number is in it."""

from __future__ import annotations

from typing import Any, Iterator

from ..errors import AppError
from .campaign_files import FileBody
from .campaigns import get_campaign
from .export_formats import FORMATS, Sheet, csv_chunks, json_chunks, xlsx_chunks
from .supervision import AreaProgress, progress

HEADERS = (
    "unit",
    "community",
    "frame",
    "interviews_needed",
    "released",
    "completed",
    "refused",
    "non_contact",
    "unresolved",
    "not_eligible",
    "rr1",
    "coop1",
    "ref1",
)


def _row(unit: AreaProgress, area: AreaProgress, community: str) -> list[Any]:
    rates = area.rates
    return [
        unit.label,
        community,
        area.frame,
        unit.interviews_needed if area is unit else None,
        area.released,
        rates.completed,
        rates.refused,
        rates.non_contact,
        rates.unknown,
        rates.not_eligible,
        None if rates.rr1 is None else round(rates.rr1, 4),
        None if rates.coop1 is None else round(rates.coop1, 4),
        None if rates.ref1 is None else round(rates.ref1, 4),
    ]


def rate_rows(campaign_id: int) -> Iterator[list[Any]]:
    """One row per unit (community blank), followed by one per community of it."""
    for unit in progress(campaign_id):
        yield _row(unit, unit, "")
        for community in unit.communities:
            yield _row(unit, community, community.label)


def response_rates_file(campaign_id: int, file_format: str) -> FileBody:
    """The rates table of the campaign in the asked format."""
    if file_format not in FORMATS:
        raise AppError("request.invalid", details={"format": sorted(FORMATS)})
    get_campaign(campaign_id)
    sheet = Sheet("response_rates", HEADERS, list(rate_rows(campaign_id)))
    chunks = {
        "csv": lambda: csv_chunks(sheet),
        "json": lambda: json_chunks(sheet),
        "xlsx": lambda: xlsx_chunks([sheet]),
    }
    chosen = FORMATS[file_format]
    filename = f"campaign-{campaign_id}-household-response-rates.{chosen.extension}"
    return FileBody(b"".join(chunks[file_format]()), chosen.mimetype, filename)
