"""Response rates in the campaign's results as the bureau reads them: the results page, its download, the campaign
page's export link and the results API."""

from __future__ import annotations

import csv
import io

from ..household_support import surveyed_campaign
from .console_client import post_form


def test_the_results_page_and_its_download_show_each_units_rates(signed_in, persona_tokens):
    campaign, unit, _, _ = surveyed_campaign()
    statistician = signed_in("statistician")
    url = f"/console/campaigns/{campaign.id}/results"
    assert 'id="response-rates"' not in statistician.get(url).get_data(as_text=True)
    page = post_form(statistician, url, url, {}, follow_redirects=True).get_data(as_text=True)
    table = page[page.index('id="response-rates"') : page.index("</table>", page.index('id="response-rates"'))]
    assert f'data-unit="{unit.code}"' in table and "RR1" in table and 'id="rate-definitions"' in page
    assert '<td class="num coop1">75.0%</td>' in table  # three interviews of four households contacted
    link = page[page.index('id="rates-csv"') :].split('href="')[1].split('"')[0].replace("&amp;", "&")
    download = statistician.get(link)
    (row,) = csv.DictReader(io.StringIO(download.data.decode("utf-8-sig")))
    assert row["单位代码"] == unit.code and row["完成访问"] == "3" and row["拒访"] == "1"
    overview = statistician.get(f"/console/campaigns/{campaign.id}").get_data(as_text=True)
    assert 'data-export="results-rates-csv"' in overview


def test_the_results_api_carries_the_rates_and_exports_them(client_as, persona_tokens):
    campaign, unit, _, _ = surveyed_campaign()
    statistician = client_as("statistician")
    run = statistician.post(f"/api/v1/campaigns/{campaign.id}/results").get_json()
    (fieldwork,) = [u["fieldwork"] for u in run["results"]["units"]]
    assert fieldwork["completed"] == 3 and fieldwork["refused"] == 1 and 0 < fieldwork["rr1"] < 1
    exported = statistician.get(f"/api/v1/campaigns/{campaign.id}/exports/results?format=json&table=response_rates")
    assert exported.status_code == 200
    assert "rr1" in exported.get_data(as_text=True) and unit.code in exported.get_data(as_text=True)
    bad = statistician.get(f"/api/v1/campaigns/{campaign.id}/exports/results?table=rates")
    assert bad.status_code == 422 and bad.get_json()["code"] == "request.invalid"
