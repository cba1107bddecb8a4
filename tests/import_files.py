"""Building answer files for import tests, the way a call centre or a keying office would send them."""

from __future__ import annotations

import csv
import io
from typing import Any, Sequence

from survey_api.models import Campaign
from survey_api.services.campaigns import campaign_definitions


def answer_cells(campaign: Campaign, by: str = "key", pick: int = 0) -> dict[str, str]:
    """One complete, valid row of answers as cells headed `form.question`: option keys or labels, the `pick`-th
    option (modulo their count) of every choice question."""
    cells: dict[str, str] = {}
    for form in campaign_definitions(campaign):
        for q in form.questions:
            name = f"{form.key}.{q.key}"
            if q.type in ("single_choice", "multiple_choice"):
                option = q.options[pick % len(q.options)]
                cells[name] = option.key if by == "key" else option.label
            elif q.type == "rating":
                cells[name] = str(pick % 11)
            elif q.type == "text":
                cells[name] = "希望多修路灯" if pick % 2 else ""
    return cells


def answer_table(campaign: Campaign, count: int, by: str = "key", record_ids: bool = True) -> tuple[list[str], list]:
    """Headers and `count` valid rows for the campaign's first unit."""
    unit_code = campaign.links[0].unit.code
    rows = []
    for i in range(count):
        row = {"unit": unit_code, **answer_cells(campaign, by, pick=i)}
        if record_ids:
            row = {"record_id": f"CATI-{i + 1:05d}", **row}
        rows.append(row)
    headers = list(rows[0]) if rows else ["unit", *answer_cells(campaign)]
    return headers, [[row.get(h, "") for h in headers] for row in rows]


def csv_bytes(headers: Sequence[str], rows: Sequence[Sequence[Any]], encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
