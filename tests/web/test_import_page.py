"""The console's import page, as a statistician uses it: from the campaign page to the report table."""

from __future__ import annotations

import io
import re
from html import unescape

from sqlalchemy import func, select

from survey_api.extensions import db
from survey_api.models import Response

from ..factories import create_campaign
from ..import_files import answer_table, xlsx_bytes
from .console_client import csrf_of


def stored(campaign_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Response).where(Response.campaign_id == campaign_id))


def upload(client, campaign_id: int, data: bytes, filename: str, **fields):
    page = client.get(f"/console/campaigns/{campaign_id}/import").get_data(as_text=True)
    body = {"csrf_token": csrf_of(page), "channel": "phone", "file": (io.BytesIO(data), filename), **fields}
    return client.post(f"/console/campaigns/{campaign_id}/import", data=body, content_type="multipart/form-data")


def test_a_statistician_imports_telephone_answers_and_reads_the_report(signed_in, persona_units):
    campaign = create_campaign([persona_units["A"]])
    statistician = signed_in("statistician")
    campaign_page = statistician.get(f"/console/campaigns/{campaign.id}").get_data(as_text=True)
    link = re.search(r'href="([^"]+)" id="import-answers"', campaign_page).group(1)
    page = statistician.get(link).get_data(as_text=True)
    assert 'id="template-xlsx"' in page
    template = statistician.get(f"/console/campaigns/{campaign.id}/import/template.xlsx")
    assert template.status_code == 200 and template.get_data()[:2] == b"PK"

    headers, rows = answer_table(campaign, 5, by="label")
    rows[3][headers.index("satisfaction.overall")] = "一般般"
    data = xlsx_bytes(headers, rows)
    refused = upload(statistician, campaign.id, data, "电话调查.xlsx")
    html = unescape(refused.get_data(as_text=True))
    assert refused.status_code == 422 and 'id="nothing-imported"' in html
    problem = re.search(r'<tr data-row="5">(.*?)</tr>', html, re.S).group(1)
    assert "satisfaction.overall" in problem and "一般般" in problem and "很满意" in problem
    assert stored(campaign.id) == 0

    accepted = upload(statistician, campaign.id, data, "电话调查.xlsx", accept_valid="1")
    html = unescape(accepted.get_data(as_text=True))
    assert accepted.status_code == 200 and 'id="import-report"' in html and 'data-row="5"' in html
    assert stored(campaign.id) == 4
    progress = unescape(statistician.get(f"/console/campaigns/{campaign.id}").get_data(as_text=True))
    assert "电话调查" in progress  # the channel table names the imported answers


def test_an_unreadable_file_is_explained_on_the_page(signed_in, persona_units):
    campaign = create_campaign([persona_units["A"]])
    statistician = signed_in("statistician")
    response = upload(statistician, campaign.id, b"\x80\x81\xff", "broken.csv")
    assert response.status_code == 422 and 'id="import-error"' in response.get_data(as_text=True)


def test_the_import_page_is_for_statisticians_and_admins_only(signed_in, persona_units):
    campaign = create_campaign([persona_units["A"]])
    assert signed_in("auditor").get(f"/console/campaigns/{campaign.id}/import").status_code == 403
    page = signed_in("auditor").get(f"/console/campaigns/{campaign.id}").get_data(as_text=True)
    assert 'id="import-answers"' not in page
