"""The results sheet as files — an A4 PDF and an XLSX workbook, from the API and the console — carrying the same
numbers as the results JSON, only for a closed meeting; and the team's score as the unit-results input."""

from __future__ import annotations

import io
import random

import openpyxl
import pytest

from survey_api.extensions import db
from survey_api.services.ballot_box import cast

from ..api.test_qr_and_posters import pdf_text
from ..factories import create_meeting, issue_codes
from ..services.test_meeting_results import OVERALL, close, varied_ballot

TARGET_COLUMNS = 9


@pytest.fixture
def meeting(db_session):
    """An open meeting over a team and one cadre; the cadre's overall grades spread so that a flag is raised; the
    superiors' 6 ballots are too few to show."""
    found = create_meeting(cadres=("张三",))
    rng = random.Random(7)
    number = 0
    for group, count in (("superiors", 6), ("peers", 12), ("public", 14)):
        for code in issue_codes(found, group, count):
            ballot = varied_ballot(found, rng)
            ballot[str(found.targets[1].id)]["overall"] = OVERALL[number % 4]  # half 优秀 or 称职: below 2/3
            number += 1
            cast(code, ballot)
    db.session.commit()
    return found


def test_sheets_are_refused_while_the_meeting_is_open(meeting, client_as, signed_in):
    api = client_as("admin")
    for file_format in ("pdf", "xlsx"):
        answer = api.get(f"/api/v1/meetings/{meeting.id}/results.{file_format}")
        assert answer.status_code == 409 and answer.get_json()["code"] == "meeting.not_closed"
    assert api.get("/api/v1/meetings/999999/results.pdf").get_json()["code"] == "meeting.not_found"
    assert client_as(None).get(f"/api/v1/meetings/{meeting.id}/results.xlsx").status_code == 401
    page = signed_in("admin").get(f"/console/meetings/{meeting.id}/results.pdf")
    assert page.status_code == 409


def test_the_pdf_shows_every_target_with_its_scores_rates_flags_and_hidden_groups(meeting, client_as, tmp_path):
    close(meeting)
    api = client_as("auditor")  # reading is enough
    document = api.get(f"/api/v1/meetings/{meeting.id}/results").get_json()
    answer = api.get(f"/api/v1/meetings/{meeting.id}/results.pdf")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    text = pdf_text(answer.data, tmp_path).replace(" ", "")
    assert meeting.title in text and meeting.unit.name in text and "2026-12-08" in text
    for target in document["targets"]:
        tally = target["tally"]
        assert target["name"] in text and tally["status"] == "counted"
        assert f"加权得分：{tally['score']:.2f}" in text
        assert f"优秀率：{tally['grades']['top_rate'] * 100:.1f}%" in text
        assert f"不称职率：{tally['grades']['bottom_rate'] * 100:.1f}%" in text
    assert [f["code"] for f in document["targets"][1]["tally"]["flags"]] == ["admonition_or_adjustment"]
    assert text.count("需研究：诫勉或调整") == 1
    assert "不显示" in text and "去掉一个最高分和一个最低分" in text and "6/6/10" in text  # cast/issued/due


def test_the_workbook_parses_back_to_the_numbers_of_the_json(meeting, client_as, signed_in):
    close(meeting)
    api = client_as("admin")
    document = api.get(f"/api/v1/meetings/{meeting.id}/results").get_json()
    answer = api.get(f"/api/v1/meetings/{meeting.id}/results.xlsx")
    assert answer.status_code == 200 and answer.mimetype.endswith("spreadsheetml.sheet")
    workbook = openpyxl.load_workbook(io.BytesIO(answer.data))
    assert workbook.sheetnames == ["结果", "说明"]
    header, *rows = workbook["结果"].iter_rows(values_only=True)
    assert header[:5] == ("测评对象", "类别", "职务", "状态", "加权得分") and len(rows) == 2 * 3
    labels = {g.key: g.label for g in meeting.groups}
    by_cell = {(row[0], row[TARGET_COLUMNS]): row for row in rows}
    assert [row[TARGET_COLUMNS] for row in rows[:3]] == [g.label for g in meeting.groups]  # the meeting's order
    for target in document["targets"]:
        tally = target["tally"]
        for key, group in tally["groups"].items():
            row = by_cell[(target["name"], labels[key])]
            own, by_group = row[:TARGET_COLUMNS], row[TARGET_COLUMNS:]
            assert own[3] == "有效" and own[4] == pytest.approx(tally["score"])
            rates = tally["grades"]
            assert own[5:8] == pytest.approx((rates["top_rate"], rates["good_rate"], rates["bottom_rate"]))
            turnout = group["turnout"]
            assert by_group[1:5] == (group["weight"], turnout["cast"], turnout["issued"], turnout["due"])
            if group["hidden"]:
                assert by_group[5:] == ("不显示", "不显示", "不显示")
            else:
                assert by_group[5] == group["grades"]["valid"] and by_group[6] == pytest.approx(group["mean_score"])
    assert rows[3][8] == "需研究：诫勉或调整" and rows[0][8] is None
    about = dict(list(workbook["说明"].iter_rows(values_only=True))[1:5])
    assert about["测评会"] == meeting.title and about["单位代码"] == meeting.unit.code

    page = signed_in("admin").get(f"/console/meetings/{meeting.id}/results").get_data(as_text=True)
    assert 'id="results-pdf"' in page and 'id="results-xlsx"' in page
    download = signed_in("auditor").get(f"/console/meetings/{meeting.id}/results.xlsx")
    assert download.status_code == 200 and download.headers["Content-Disposition"].startswith("attachment")
    assert download.data[:2] == b"PK"


def test_the_team_score_is_the_unit_results_input(meeting, client_as):
    close(meeting)
    document = client_as("admin").get(f"/api/v1/meetings/{meeting.id}/results").get_json()
    team = document["targets"][0]
    assert team["kind"] == "team"
    assert document["team_score"] == {
        "unit_code": meeting.unit.code,
        "target_id": team["id"],
        "score": team["tally"]["score"],
        "status": "counted",
    }


def test_a_team_score_without_quorum_has_its_status_and_no_score(db_session, client_as):
    found = create_meeting(cadres=("张三",))
    close(found)
    document = client_as("admin").get(f"/api/v1/meetings/{found.id}/results").get_json()
    assert document["team_score"]["status"] == "no_quorum" and document["team_score"]["score"] is None
