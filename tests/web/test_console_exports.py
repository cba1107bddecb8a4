"""Download links on the console's campaign page, shown by role, and the files behind them."""

from __future__ import annotations

import csv
import io

from ..exports_support import add_response, add_run, score_units
from ..factories import create_campaign, full_answers
from .test_console import sign_in


def test_the_campaign_page_links_the_exports_it_may_download(app, persona_tokens, persona_units):
    campaign = create_campaign([persona_units["A"]])
    add_response(campaign, full_answers(campaign))
    client = app.test_client()
    assert sign_in(client, "p_statistician").status_code == 302
    page = client.get(f"/console/campaigns/{campaign.id}").get_data(as_text=True)
    assert 'data-export="responses-xlsx"' in page and 'data-export="results-xlsx"' not in page
    download = client.get(f"/console/campaigns/{campaign.id}/exports/responses?format=csv")
    assert download.status_code == 200 and download.headers["Content-Disposition"].startswith("attachment")
    rows = list(csv.DictReader(io.StringIO(download.data.decode("utf-8-sig"))))
    assert rows[0]["单位代码"] == "UA1"  # the console exports Chinese headers by default

    add_run(campaign, score_units(campaign, []))
    page = client.get(f"/console/campaigns/{campaign.id}").get_data(as_text=True)
    assert 'data-export="results-xlsx"' in page
    results = client.get(f"/console/campaigns/{campaign.id}/exports/results?format=xlsx")
    assert results.status_code == 200 and results.data[:2] == b"PK"


def test_a_bad_format_gets_the_error_page(app, persona_tokens, persona_units):
    campaign = create_campaign([persona_units["A"]])
    client = app.test_client()
    sign_in(client, "p_admin")
    response = client.get(f"/console/campaigns/{campaign.id}/exports/responses?format=pdf")
    assert response.status_code == 422 and "<html" in response.get_data(as_text=True).lower()
