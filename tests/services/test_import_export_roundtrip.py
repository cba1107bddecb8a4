"""Answers imported from a telephone-survey file come back unchanged in the response export (property test)."""

from __future__ import annotations

import csv
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from survey_api.models import Channel
from survey_api.services import exports
from survey_api.services.audit import SYSTEM
from survey_api.services.response_import import ImportRequest, import_responses

from ..factories import create_campaign, create_unit
from ..import_files import answer_cells, csv_bytes, xlsx_bytes


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    picks=st.lists(st.integers(0, 20), min_size=1, max_size=8),
    as_xlsx=st.booleans(),
    by=st.sampled_from(["key", "label"]),
)
def test_imported_answers_come_back_unchanged_in_the_export(db_session, picks, as_xlsx, by):
    campaign = create_campaign([create_unit()])
    unit_code = campaign.links[0].unit.code
    rows = [
        {"record_id": f"T-{i}", "unit": unit_code, **answer_cells(campaign, by, pick=p)} for i, p in enumerate(picks)
    ]
    headers = list(rows[0])
    table = [[row[h] for h in headers] for row in rows]
    data, name = (xlsx_bytes(headers, table), "cati.xlsx") if as_xlsx else (csv_bytes(headers, table), "cati.csv")
    report = import_responses(SYSTEM, ImportRequest(campaign.id, name, data, Channel.PHONE, False))
    assert report.counts["imported"] == len(picks)

    body = b"".join(exports.export_responses(SYSTEM, campaign.id, "csv").chunks).decode("utf-8-sig")
    exported = list(csv.DictReader(io.StringIO(body)))
    assert [r["channel"] for r in exported] == ["phone"] * len(picks)
    for row, back in zip(rows, exported):  # the export is in import order
        for column, cell in row.items():
            if column in ("record_id", "unit"):
                continue
            assert back[column] == _as_key(campaign, column, cell), column


def _as_key(campaign, column: str, cell: str) -> str:
    """What the export shows for an imported cell: the option key whether the file gave the key or the label."""
    from survey_api.services.campaigns import campaign_definitions

    form_key, question_key = column.split(".")
    question = next(f for f in campaign_definitions(campaign) if f.key == form_key).question(question_key)
    if question.type in ("single_choice", "multiple_choice") and cell:
        by_label = {o.label: o.key for o in question.options}
        return by_label.get(cell, cell)
    return cell
