"""The results pages as the statistics bureau and the auditor use them."""

from __future__ import annotations

from io import BytesIO

from survey_api.extensions import db
from survey_api.models import UnitMargin

from ..api.test_results_api import campaign_with_answers
from .console_client import post_form


def test_a_statistician_computes_reads_and_publishes_results_in_the_console(signed_in):
    campaign = campaign_with_answers()
    statistician = signed_in("statistician")
    url = f"/console/campaigns/{campaign.id}/results"
    empty = statistician.get(url).get_data(as_text=True)
    assert 'id="no-results"' in empty and 'id="compute-results"' in empty

    computed = post_form(statistician, url, url, {}, follow_redirects=True)
    page = computed.get_data(as_text=True)
    assert computed.status_code == 200 and 'id="run-info"' in page
    for name in ("happiness", "satisfaction", "security"):
        assert f'id="chart-{name}"' in page
    assert page.count("<circle") == 6  # two units on three indices
    unit_code = campaign.links[0].unit.code
    assert f'data-unit="{unit_code}"' in page

    run_id = db.session.execute(db.text("select max(id) from result_runs")).scalar()
    verified = post_form(statistician, url, f"{url}/{run_id}/verify", {}, follow_redirects=True)
    assert 'id="page-notice"' in verified.get_data(as_text=True)
    published = post_form(statistician, url, f"{url}/{run_id}/publish", {}, follow_redirects=True)
    assert 'id="published"' in published.get_data(as_text=True)

    drill = statistician.get(f"{url}/units/{unit_code}?run={run_id}").get_data(as_text=True)
    assert 'id="weakest"' in drill and drill.count('class="weak"') == 3
    assert 'data-index="satisfaction"' in drill


def test_computing_without_answers_explains_why_on_the_page(signed_in):
    campaign = campaign_with_answers(count=0)
    statistician = signed_in("statistician")
    url = f"/console/campaigns/{campaign.id}/results"
    refused = post_form(statistician, url, url, {})
    assert refused.status_code == 409 and 'id="page-error"' in refused.get_data(as_text=True)


def test_the_auditor_reads_results_but_cannot_compute_them(signed_in):
    campaign = campaign_with_answers()
    auditor = signed_in("auditor")
    url = f"/console/campaigns/{campaign.id}/results"
    page = auditor.get(url).get_data(as_text=True)
    assert auditor.get(url).status_code == 200 and 'id="compute-results"' not in page
    assert post_form(auditor, url, url, {}).status_code == 403


def test_margins_are_uploaded_as_csv_all_or_nothing(signed_in):
    campaign = campaign_with_answers()
    code = campaign.links[0].unit.code
    statistician = signed_in("statistician")
    url = f"/console/campaigns/{campaign.id}/margins"
    bad = f"unit_code,variable,category,share\n{code},sex,男,0.6\n{code},sex,女,0.6\n"
    refused = post_form(
        statistician, url, url, {"file": (BytesIO(bad.encode("gbk")), "m.csv")}, content_type="multipart/form-data"
    )
    assert refused.status_code == 422 and "1.2000" in refused.get_data(as_text=True)
    assert db.session.query(UnitMargin).count() == 0
    good = f"unit_code,variable,category,share\n{code},sex,男,0.48\n{code},sex,女,0.52\n"
    stored = post_form(
        statistician,
        url,
        url,
        {"file": (BytesIO(good.encode("gbk")), "m.csv")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert stored.status_code == 200 and "female 52.0%" in stored.get_data(as_text=True)
