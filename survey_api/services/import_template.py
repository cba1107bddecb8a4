"""An empty answers file for a campaign, with the headers an import reads: CSV, or XLSX with a sheet that lists
every question's text and options."""

from __future__ import annotations

import io

from flask_babel import gettext as _

from ..domain.import_columns import template_headers
from ..models import Campaign
from .campaign_files import FileBody
from .campaigns import campaign_definitions

MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def import_template(campaign: Campaign, file_format: str) -> FileBody:
    """The template in `csv` (UTF-8 with a BOM, so spreadsheets show Chinese) or `xlsx`."""
    headers = template_headers(campaign_definitions(campaign))
    filename = f"import-template-{campaign.id}.{file_format}"
    if file_format == "csv":
        return FileBody(("\ufeff" + ",".join(headers) + "\r\n").encode("utf-8"), MIMETYPES["csv"], filename)
    return FileBody(_xlsx(campaign, headers), MIMETYPES["xlsx"], filename)


def _xlsx(campaign: Campaign, headers: list[str]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    answers = workbook.create_sheet(_("Answers"))
    answers.append(headers)
    guide = workbook.create_sheet(_("Columns"))
    guide.append([_("Column"), _("Question"), _("Answer with")])
    guide.append(["unit", _("Unit code"), ", ".join(link.unit.code for link in campaign.links)])
    guide.append(["record_id", _("The record's id in the source system (recommended)"), ""])
    guide.append(["stratum / cluster", _("Sample design: township or street / village or community"), ""])
    guide.append(["duration_seconds", _("Interview length in seconds"), ""])
    guide.append(["interviewed_at", _("Interview time, e.g. 2026-11-20 14:05"), ""])
    for form in campaign_definitions(campaign):
        for question in form.questions:
            if question.options:
                choices = "；".join(f"{o.key} = {o.label}" for o in question.options)
            elif question.type == "rating":
                choices = "0–10"
            else:
                choices = _("text")
            guide.append([f"{form.key}.{question.key}", question.text, choices])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
