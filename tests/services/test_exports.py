"""Exports of responses and results, through the service: content, weights, statuses, streaming in batches, and
results that a recomputation from the exported responses reproduces."""

from __future__ import annotations

import csv
import io
import json
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from survey_api.errors import AppError
from survey_api.extensions import db
from survey_api.models import AuditEvent, Channel, ResponseFlag, ResponseStatus
from survey_api.services import export_formats, exports
from survey_api.services.audit import SYSTEM

from ..exports_support import add_response, add_run, score_units
from ..factories import create_campaign, create_unit, full_answers


def read_csv(export) -> list[dict]:
    body = b"".join(export.chunks)
    assert body.startswith("\ufeff".encode())
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


@pytest.fixture
def two_units(db_session):
    return create_campaign([create_unit(code="A01", name="城关街道"), create_unit(code="B01", name="东城街道")])


def test_one_row_per_response_with_option_keys_status_and_local_time(two_units):
    answers = full_answers(two_units)
    first = add_response(two_units, answers, stratum="城关", cluster="一社区", duration_seconds=140)
    second = add_response(two_units, answers, unit_index=1, status=ResponseStatus.EXCLUDED, channel=Channel.PHONE)
    for rule in ("too_fast", "straight_lining"):
        db.session.add(ResponseFlag(response_id=second.id, rule=rule, evidence={}))
    db.session.flush()
    rows = read_csv(exports.export_responses(SYSTEM, two_units.id, "csv"))
    assert [r["response_id"] for r in rows] == [str(first.id), str(first.id + 1)]
    one, two = rows
    assert (one["unit_code"], one["unit_name"], one["channel"], one["status"]) == ("A01", "城关街道", "qr", "included")
    assert (one["stratum"], one["cluster"], one["duration_seconds"]) == ("城关", "一社区", "140")
    assert one["submitted_at"] == "2026-03-01T10:30:00+08:00"
    assert one["satisfaction.overall"] == "very_satisfied"  # the option key, not 很满意
    assert one["satisfaction.improve_first"] == "efficiency"
    assert one["flags"] == "" and one["weight"] == ""  # not flagged; no result run yet
    assert (two["unit_code"], two["status"], two["channel"]) == ("B01", "excluded", "phone")
    assert two["flags"] == "straight_lining;too_fast"  # the rules that flagged it, kept after the decision
    assert not any("receipt" in header for header in one)
    assert first.receipt_code not in json.dumps(rows, ensure_ascii=False)


def test_labels_are_an_extra_column_and_chinese_headers_are_question_texts(two_units):
    add_response(two_units, full_answers(two_units))
    keyed = read_csv(exports.export_responses(SYSTEM, two_units.id, "csv", labels=True))[0]
    assert keyed["satisfaction.overall"] == "very_satisfied" and keyed["satisfaction.overall.label"] == "很满意"
    assert "satisfaction.comment.label" not in keyed  # only choice questions have labels
    zh = read_csv(exports.export_responses(SYSTEM, two_units.id, "csv", header_style="zh"))[0]
    assert zh["单位代码"] == "A01" and zh["状态"] == "included"
    assert zh["总体来说，您对该单位近一年的工作满意吗？"] == "very_satisfied"


def test_a_campaign_without_responses_exports_its_headers_only(two_units):
    export = exports.export_responses(SYSTEM, two_units.id, "csv")
    body = b"".join(export.chunks).decode("utf-8-sig")
    assert export.rows == 0 and body.count("\r\n") == 1 and body.startswith("response_id,unit_code")
    assert json.loads(b"".join(exports.export_responses(SYSTEM, two_units.id, "json").chunks)) == []


def test_every_export_is_in_the_audit_trail(two_units, db_session):
    exports.export_responses(SYSTEM, two_units.id, "json", header_style="zh")
    event = db_session.query(AuditEvent).filter_by(action="export.responses").one()
    assert (event.object_type, event.object_id) == ("campaign", str(two_units.id))
    assert event.changes == {"format": "json", "headers": "zh", "labels": False, "rows": 0, "run": None}


def test_rows_are_read_in_batches_not_all_at_once(two_units, monkeypatch):
    for _ in range(7):
        add_response(two_units, full_answers(two_units))
    monkeypatch.setattr(exports, "BATCH_ROWS", 3)
    sizes = [len(batch) for batch in exports.response_batches(two_units.id)]
    assert sizes == [3, 3, 1]
    monkeypatch.setattr(export_formats, "CHUNK_ROWS", 2)
    chunks = list(exports.export_responses(SYSTEM, two_units.id, "csv").chunks)
    assert len(chunks) == 4  # written as the rows arrive: 2 + 2 + 2 + 1
    assert len(list(csv.reader(io.StringIO(b"".join(chunks).decode("utf-8-sig"))))) == 1 + 7


def test_weights_come_from_the_latest_run_cells(two_units):
    answers = full_answers(two_units)
    female = add_response(two_units, answers | {"profile": {**answers["profile"], "sex": "female"}})
    male = add_response(two_units, answers | {"profile": {**answers["profile"], "sex": "male"}})
    no_profile = add_response(two_units, {k: v for k, v in answers.items() if k != "profile"})
    excluded = add_response(two_units, answers, status=ResponseStatus.EXCLUDED)
    other_unit = add_response(two_units, answers, unit_index=1)
    document = score_units(two_units, [])
    document["weighting_variables"] = ["sex"]
    document["units"] = document["units"][:1]  # the second unit is not in this run
    document["units"][0]["cell_weights"] = [
        {"cell": {"sex": "female"}, "weight": 1.25},
        {"cell": {"sex": "male"}, "weight": 0.75},
    ]
    add_run(two_units, {"units": [], "indices": []})  # an older run
    add_run(two_units, document)
    weights = {r["response_id"]: r["weight"] for r in read_csv(exports.export_responses(SYSTEM, two_units.id, "csv"))}
    assert weights[str(female.id)] == "1.25" and weights[str(male.id)] == "0.75"
    assert weights[str(no_profile.id)] == "1.0"  # matches no cell
    assert weights[str(excluded.id)] == "" and weights[str(other_unit.id)] == ""


def test_xlsx_refuses_more_rows_than_a_sheet_holds(two_units, monkeypatch):
    for _ in range(3):
        add_response(two_units, full_answers(two_units))
    monkeypatch.setattr(exports, "XLSX_MAX_ROWS", 3)
    with pytest.raises(AppError) as refused:
        exports.export_responses(SYSTEM, two_units.id, "xlsx")
    assert refused.value.code == "export.too_many_rows" and "CSV" in refused.value.message
    assert exports.export_responses(SYSTEM, two_units.id, "csv").rows == 3


def test_results_need_a_run_and_a_run_of_this_campaign(two_units):
    with pytest.raises(AppError) as no_run:
        exports.export_results(SYSTEM, two_units.id, "csv")
    assert no_run.value.code == "results.not_found"
    other = create_campaign()
    run = add_run(other, score_units(other, []))
    with pytest.raises(AppError) as foreign:
        exports.export_results(SYSTEM, two_units.id, "csv", run_id=run.id)
    assert foreign.value.code == "results.run_not_found"


def test_results_rows_per_unit_and_index_and_per_question_with_nulls(two_units):
    add_response(two_units, full_answers(two_units))
    run = add_run(two_units, score_units(two_units, []))  # nobody counted: every number is null
    indices = read_csv(exports.export_results(SYSTEM, two_units.id, "csv"))
    assert [(r["unit_code"], r["index"]) for r in indices] == [
        (unit, index) for unit in ("A01", "B01") for index in ("happiness", "satisfaction", "security")
    ]
    assert indices[0]["value"] == "" and indices[0]["sufficient"] == "False"
    questions = read_csv(exports.export_results(SYSTEM, two_units.id, "csv", table="questions", run_id=run.id))
    assert {"score_value", "score_ci_low", "top_box_rate_value", "dont_know_share"} <= set(questions[0])
    assert len(questions) == 2 * sum(len(i["questions"]) for i in run.results["units"][0]["indices"].values())


answer_choice = st.sampled_from(["very_satisfied", "satisfied", "fairly_satisfied", "not_very_satisfied", "dont_know"])


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    picks=st.lists(
        st.tuples(
            st.integers(0, 1), st.sampled_from(["male", "female"]), st.sampled_from(list(ResponseStatus)), answer_choice
        ),
        min_size=1,
        max_size=12,
    )
)
def test_exported_results_match_a_recomputation_from_the_exported_responses(db_session, picks):
    campaign = create_campaign([create_unit(), create_unit()])
    cells = {"female": 1.3, "male": 0.7}
    rows = []
    for unit_index, sex, status, choice in picks:
        answers = full_answers(campaign)
        answers["profile"]["sex"] = sex
        answers["satisfaction"]["overall"] = choice
        add_response(campaign, answers, unit_index=unit_index, status=status)
        flat = {f"{form}.{q}": v for form, given in answers.items() for q, v in given.items()}
        rows.append(
            flat | {"unit_code": campaign.links[unit_index].unit.code, "status": status.value, "weight": cells[sex]}
        )
    document = score_units(campaign, rows)
    document["weighting_variables"] = ["sex"]
    for unit in document["units"]:
        unit["cell_weights"] = [{"cell": {"sex": s}, "weight": w} for s, w in cells.items()]
    add_run(campaign, document)

    exported = read_csv(exports.export_responses(SYSTEM, campaign.id, "csv"))
    recomputed = score_units(campaign, exported)
    results = read_csv(exports.export_results(SYSTEM, campaign.id, "csv"))
    expected = {(u["unit_code"], name): index for u in recomputed["units"] for name, index in u["indices"].items()}
    assert len(results) == len(expected)
    for row in results:
        index = expected[(row["unit_code"], row["index"])]
        for key in ("value", "rate", "n", "n_effective", "se"):
            assert_same(row[key], index[key])


def assert_same(text: str, value) -> None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        assert text == ""
    else:
        assert math.isclose(float(text), float(value), rel_tol=1e-9, abs_tol=1e-9), (text, value)


def test_the_command_writes_the_file(app, two_units, tmp_path):
    add_response(two_units, full_answers(two_units))
    out = tmp_path / "answers.csv"
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "results",
            "export",
            str(two_units.id),
            "--what",
            "responses",
            "--format",
            "csv",
            "--headers",
            "zh",
            "--out",
            str(out),
        ]
    )
    assert result.exit_code == 0, result.output
    assert "wrote 1 rows" in result.output
    assert out.read_bytes().startswith("\ufeff答卷编号".encode())
    failed = runner.invoke(args=["results", "export", str(two_units.id), "--what", "results", "--out", str(out) + "2"])
    assert failed.exit_code == 1 and "results.not_found" in failed.output
    assert not (tmp_path / "answers.csv2").exists() and not (tmp_path / "answers.csv2.part").exists()


def test_results_of_the_scoring_service_match_a_recomputation_from_the_exported_responses(db_session):
    """Done-when of the scoring issue: compute a raked run with the real service, export its responses and its
    results, recompute the indices from the exported file alone (answers, statuses and weights) and compare."""
    import random

    from survey_api.services.campaigns import campaign_definitions
    from survey_api.services.margins import MarginRow, set_margins
    from survey_api.services.results import compute_results

    from ..factories import random_answers, store_response

    campaign = create_campaign([create_unit(), create_unit()])
    definitions = campaign_definitions(campaign)
    rng = random.Random(11)
    for i in range(60):
        answers = random_answers(definitions, rng)
        answers["profile"] = {"sex": "male" if i % 3 else "female", "age_group": "age_30_39"}
        status = ResponseStatus.EXCLUDED if i % 10 == 0 else ResponseStatus.INCLUDED
        store_response(campaign, i % 2, answers, status=status)
    margins = [MarginRow(link.unit.code, "sex", s, 0.5) for link in campaign.links for s in ("male", "female")]
    set_margins(SYSTEM, campaign, margins)
    compute_results(SYSTEM, campaign.id)

    exported = read_csv(exports.export_responses(SYSTEM, campaign.id, "csv"))
    assert {r["status"] for r in exported} == {"included", "excluded"}
    recomputed = score_units(campaign, exported)
    results = read_csv(exports.export_results(SYSTEM, campaign.id, "csv"))
    expected = {(u["unit_code"], name): index for u in recomputed["units"] for name, index in u["indices"].items()}
    assert len(results) == len(expected) == 6
    for row in results:
        index = expected[(row["unit_code"], row["index"])]
        for key in ("value", "rate", "n", "n_effective", "se"):
            assert math.isclose(float(row[key]), float(index[key]), rel_tol=1e-7), (row["unit_code"], key)
