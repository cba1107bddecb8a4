"""The household survey's response rates in campaign results: a run keeps the rates supervision shows when it is
computed, exports and verification carry them, later visits reach only a new run, and campaigns without a household
sample have none."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from survey_api.domain.fieldwork import Outcome
from survey_api.errors import AppError
from survey_api.extensions import db
from survey_api.services import exports
from survey_api.services.audit import SYSTEM
from survey_api.services.results import compute_results, publish_run, verify_run
from survey_api.services.supervision import progress

from ..factories import create_campaign, create_unit, full_answers, store_response
from ..household_support import household_campaign, surveyed_campaign, visit
from .test_exports import read_csv


@pytest.fixture
def surveyed(db_session):
    return surveyed_campaign()


def only_unit(run) -> dict:
    (unit,) = run.results["units"]
    return unit


def test_a_result_run_carries_the_response_rates_that_supervision_shows(surveyed):
    campaign, unit, _, _ = surveyed
    run = compute_results(SYSTEM, campaign.id)
    rates = only_unit(run)["fieldwork"]
    (shown,) = progress(campaign.id)
    expected = shown.rates
    assert (rates["completed"], rates["refused"], rates["non_contact"]) == (3, 1, 0)
    assert rates["released"] == shown.released and rates["unresolved"] == expected.unknown
    assert rates["rr1"] == pytest.approx(expected.rr1) and rates["rr1"] == pytest.approx(3 / shown.released)
    assert rates["coop1"] == pytest.approx(3 / 4) and rates["ref1"] == pytest.approx(1 / shown.released)


def test_the_results_export_holds_the_rates_as_csv_and_as_an_xlsx_sheet(surveyed):
    campaign, unit, _, _ = surveyed
    run = compute_results(SYSTEM, campaign.id)
    (row,) = read_csv(exports.export_results(SYSTEM, campaign.id, "csv", table="response_rates"))
    stored = only_unit(run)["fieldwork"]
    assert row["unit_code"] == unit.code and int(row["completed"]) == 3 and int(row["refused"]) == 1
    assert float(row["rr1"]) == pytest.approx(stored["rr1"]) and float(row["coop1"]) == pytest.approx(0.75)
    book = load_workbook(io.BytesIO(b"".join(exports.export_results(SYSTEM, campaign.id, "xlsx", "zh").chunks)))
    assert book.sheetnames == ["指数", "题目", "应答率"]
    headers, values = list(book["应答率"].iter_rows(values_only=True))
    assert values[headers.index("应答率RR1")] == pytest.approx(stored["rr1"]) and headers[0] == "单位代码"


def test_a_campaign_without_a_household_sample_has_no_rates(db_session):
    campaign = create_campaign([create_unit(), create_unit()])
    store_response(campaign, 0, full_answers(campaign))
    run = compute_results(SYSTEM, campaign.id)
    assert [u["fieldwork"] for u in run.results["units"]] == [None, None]
    with pytest.raises(AppError) as refused:
        exports.export_results(SYSTEM, campaign.id, "csv", table="response_rates")
    assert refused.value.code == "request.invalid" and "table" in refused.value.details
    book = load_workbook(io.BytesIO(b"".join(exports.export_results(SYSTEM, campaign.id, "xlsx").chunks)))
    assert book.sheetnames == ["indices", "questions"]


def test_a_household_campaign_before_its_draw_has_no_rates(db_session):
    campaign, _ = household_campaign(count=10)
    store_response(campaign, 0, full_answers(campaign))
    assert only_unit(compute_results(SYSTEM, campaign.id))["fieldwork"] is None


def test_a_published_run_keeps_its_rates_after_more_visits_and_a_new_run_shows_them(surveyed):
    campaign, _, user, mine = surveyed
    run = publish_run(SYSTEM, campaign.id, compute_results(SYSTEM, campaign.id).id)
    before = dict(only_unit(run)["fieldwork"])
    visit(user, mine[5], Outcome.REFUSED)
    visit(user, mine[4], Outcome.NOBODY_HOME)
    visit(user, mine[6], Outcome.VACANT)
    db.session.commit()
    check = verify_run(campaign.id, run.id)
    assert check["identical"] and check["same_inputs"]
    assert only_unit(run)["fieldwork"] == before
    again = only_unit(compute_results(SYSTEM, campaign.id))["fieldwork"]
    assert again["refused"] == 2 and again["not_eligible"] == 1
    assert again["ref1"] > before["ref1"] and again["rr1"] != before["rr1"]


def test_verify_compares_the_rates_with_the_frozen_outcome_counts(surveyed):
    campaign, _, _, _ = surveyed
    run = compute_results(SYSTEM, campaign.id)
    document = {
        **run.results,
        "units": [{**u, "fieldwork": {**u["fieldwork"], "rr1": 0.99}} for u in run.results["units"]],
    }
    run.results = document
    db.session.flush()
    check = verify_run(campaign.id, run.id)
    assert check["same_inputs"] and not check["identical"]


def test_a_run_stored_before_rates_existed_still_verifies(db_session):
    campaign = create_campaign([create_unit()])
    store_response(campaign, 0, full_answers(campaign))
    run = compute_results(SYSTEM, campaign.id)
    run.results = {
        **run.results,
        "units": [{k: v for k, v in u.items() if k != "fieldwork"} for u in run.results["units"]],
    }
    db.session.flush()
    assert verify_run(campaign.id, run.id)["identical"]


def test_the_export_command_writes_the_rates_table(app, surveyed, tmp_path):
    campaign, unit, _, _ = surveyed
    compute_results(SYSTEM, campaign.id)
    db.session.commit()
    out = tmp_path / "rates.csv"
    args = ["results", "export", str(campaign.id), "--what", "results", "--table", "response_rates", "--out", str(out)]
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "wrote 1 rows" in result.output
    assert out.read_bytes().decode("utf-8-sig").splitlines()[1].startswith(unit.code)
