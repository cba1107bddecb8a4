"""Importing telephone and paper answers from CSV and XLSX files, as a statistician would."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from survey_api.errors import AppError
from survey_api.extensions import db
from survey_api.models import AuditEvent, Channel, Response
from survey_api.services.audit import SYSTEM
from survey_api.services.campaigns import campaign_definitions
from survey_api.services.response_import import ImportRequest, import_responses

from ..factories import create_campaign, create_unit
from ..import_files import answer_cells, answer_table, csv_bytes, xlsx_bytes


def stored(campaign) -> int:
    return db.session.scalar(select(func.count()).select_from(Response).where(Response.campaign_id == campaign.id))


def run_import(campaign, data: bytes, filename: str = "cati.csv", **options):
    report = import_responses(SYSTEM, ImportRequest(campaign.id, filename, data, **options))
    db.session.flush()
    return report


def problems_of(report) -> list[tuple[int, str, str]]:
    return [(r.row, p["column"], p["message"]) for r in report.rows for p in r.problems]


def test_a_utf8_csv_by_option_key_imports_every_row_as_telephone_answers(campaign):
    headers, rows = answer_table(campaign, 3)
    report = run_import(campaign, csv_bytes(headers, rows), channel=Channel.PHONE)
    assert report.counts == {"total": 3, "imported": 3, "already_imported": 0, "rejected": 0}
    assert [r.row for r in report.rows] == [2, 3, 4]
    response = db.session.scalars(
        select(Response).where(Response.campaign_id == campaign.id).order_by(Response.id)
    ).first()
    assert response.channel is Channel.PHONE
    assert response.answers["satisfaction"]["overall"] == "very_satisfied"
    assert response.submission_id.startswith("imp-") and len(response.receipt_code) == 9


def test_a_gbk_csv_with_chinese_labels_and_headers_imports(campaign):
    headers, rows = answer_table(campaign, 2, by="label")
    headers = ["单位代码" if h == "unit" else "记录编号" if h == "record_id" else h for h in headers]
    report = run_import(campaign, csv_bytes(headers, rows, encoding="gbk"), channel=Channel.PAPER)
    assert report.counts["imported"] == 2, problems_of(report)
    answers = db.session.scalars(select(Response.answers).where(Response.campaign_id == campaign.id)).all()
    assert sorted(a["satisfaction"]["overall"] for a in answers) == ["satisfied", "very_satisfied"]


def test_a_utf8_csv_with_bom_and_question_texts_as_headers(campaign):
    headers, rows = answer_table(campaign, 1, by="label")
    satisfaction = next(f for f in campaign_definitions(campaign) if f.key == "satisfaction")
    texts = {f"satisfaction.{q.key}": q.text for q in satisfaction.questions if q.key not in ("comment",)}
    headers = [texts.get(h, h) for h in headers]
    report = run_import(campaign, b"\xef\xbb\xbf" + csv_bytes(headers, rows))
    assert report.counts["imported"] == 1, problems_of(report)


def test_an_xlsx_of_telephone_answers_imports_with_numbers_and_times(campaign):
    headers, rows = answer_table(campaign, 2)
    headers += ["stratum", "cluster", "duration_seconds", "interviewed_at"]
    rows = [row + ["城关街道", "东门社区", 312, datetime(2026, 3, 1, 10, 30)] for row in rows]
    report = run_import(campaign, xlsx_bytes(headers, rows), filename="电话调查.xlsx")
    assert report.counts["imported"] == 2, problems_of(report)
    response = db.session.scalars(
        select(Response).where(Response.campaign_id == campaign.id).order_by(Response.id)
    ).first()
    assert (response.stratum, response.cluster, response.duration_seconds) == ("城关街道", "东门社区", 312)
    assert response.submitted_at.isoformat() == "2026-03-01T02:30:00+00:00"  # 10:30 in Beijing


def test_a_multiple_choice_cell_takes_keys_or_labels_separated_by_either_semicolon(campaign):
    headers, rows = answer_table(campaign, 1)
    rows[0][headers.index("satisfaction.improve_first")] = "办事效率；attitude; 政务公开"
    report = run_import(campaign, csv_bytes(headers, rows))
    assert report.counts["imported"] == 1, problems_of(report)
    answers = db.session.scalar(select(Response.answers).where(Response.campaign_id == campaign.id))
    assert answers["satisfaction"]["improve_first"] == ["efficiency", "attitude", "transparency"]


def test_unknown_columns_refuse_the_whole_file_and_name_them(campaign):
    headers, rows = answer_table(campaign, 2)
    headers += ["phone_number", "备注"]
    rows = [row + ["13800000000", "x"] for row in rows]
    with pytest.raises(AppError) as caught:
        run_import(campaign, csv_bytes(headers, rows))
    assert caught.value.code == "import.bad_columns"
    assert caught.value.details[0]["columns"] == ["phone_number", "备注"]
    assert "phone_number、备注" in caught.value.details[0]["message"]
    assert stored(campaign) == 0


def test_a_file_without_a_unit_column_or_a_required_question_is_refused(campaign):
    headers, rows = answer_table(campaign, 1)
    drop = {headers.index("unit"), headers.index("satisfaction.overall")}
    headers = [h for i, h in enumerate(headers) if i not in drop]
    rows = [[c for i, c in enumerate(row) if i not in drop] for row in rows]
    with pytest.raises(AppError) as caught:
        run_import(campaign, csv_bytes(headers, rows))
    assert {d["problem"] for d in caught.value.details} == {"missing_unit", "missing_required"}


def test_a_file_in_neither_utf8_nor_gbk_is_refused_with_a_clear_reason(campaign):
    headers, rows = answer_table(campaign, 1)
    data = csv_bytes(headers, rows) + b"\xff\xfe\x80\x80"
    with pytest.raises(AppError) as caught:
        run_import(campaign, data)
    assert caught.value.code == "import.unreadable"
    assert "GBK" in caught.value.message and "UTF-8" in caught.value.message


def test_bad_cells_reject_the_whole_file_and_every_problem_is_named_by_row_and_column(campaign):
    other_unit = create_unit(code="ELSEWHERE")
    headers, rows = answer_table(campaign, 4)
    rows[0][headers.index("satisfaction.overall")] = "很好"
    rows[1][headers.index("unit")] = other_unit.code
    rows[2][headers.index("happiness.self_rating")] = "11"
    report = run_import(campaign, csv_bytes(headers, rows))
    assert report.is_rejected and stored(campaign) == 0
    assert report.counts == {"total": 4, "imported": 0, "already_imported": 0, "rejected": 3}
    assert [r.outcome for r in report.rows] == ["rejected", "rejected", "rejected", "not_imported"]
    found = problems_of(report)
    assert found[0][:2] == (2, "satisfaction.overall") and "很好" in found[0][2] and "很满意" in found[0][2]
    assert found[1][:2] == (3, "unit") and "ELSEWHERE" in found[1][2]
    assert found[2][:2] == (4, "happiness.self_rating")


def test_accept_valid_stores_the_valid_rows_and_reports_the_rejected(campaign):
    headers, rows = answer_table(campaign, 3)
    rows[1][headers.index("satisfaction.overall")] = ""
    report = run_import(campaign, csv_bytes(headers, rows), accept_valid=True)
    assert not report.is_rejected
    assert report.counts == {"total": 3, "imported": 2, "already_imported": 0, "rejected": 1}
    assert stored(campaign) == 2
    assert problems_of(report)[0][:2] == (3, "satisfaction.overall")


def test_duplicate_record_ids_in_one_file_are_rejected(campaign):
    headers, rows = answer_table(campaign, 3)
    rows[2][headers.index("record_id")] = rows[0][headers.index("record_id")]
    report = run_import(campaign, csv_bytes(headers, rows), accept_valid=True)
    assert [r.outcome for r in report.rows] == ["rejected", "imported", "rejected"]
    assert "CATI-00001" in report.rows[0].problems[0]["message"] and "2, 4" in report.rows[0].problems[0]["message"]


def test_a_draft_campaign_takes_no_imports_but_a_closed_one_does(db_session):
    draft = create_campaign(state="draft")
    headers, rows = answer_table(draft, 1)
    with pytest.raises(AppError) as caught:
        run_import(draft, csv_bytes(headers, rows))
    assert caught.value.code == "import.campaign_draft"
    closed = create_campaign(state="closed")
    headers, rows = answer_table(closed, 1)
    assert run_import(closed, csv_bytes(headers, rows)).counts["imported"] == 1


def test_importing_a_file_again_adds_nothing_and_says_so(campaign):
    for record_ids in (True, False):
        headers, rows = answer_table(campaign, 3, record_ids=record_ids)
        if not record_ids:
            rows = [row[:] for row in rows]
            rows[0][headers.index("satisfaction.comment")] = "第二批"  # a file of its own
        data = csv_bytes(headers, rows)
        before = stored(campaign)
        assert run_import(campaign, data).counts["imported"] == 3
        again = run_import(campaign, data)
        assert again.counts == {"total": 3, "imported": 0, "already_imported": 3, "rejected": 0}
        assert stored(campaign) == before + 3


def test_the_same_record_with_different_answers_is_a_conflict_and_the_first_answers_stay(campaign):
    headers, rows = answer_table(campaign, 1)
    run_import(campaign, csv_bytes(headers, rows))
    rows[0][headers.index("satisfaction.overall")] = "dissatisfied"
    report = run_import(campaign, xlsx_bytes(headers, rows), filename="fixed.xlsx")
    assert report.is_rejected and "CATI-00001" in report.rows[0].problems[0]["message"]
    assert (
        db.session.scalar(select(Response.answers).where(Response.campaign_id == campaign.id))["satisfaction"][
            "overall"
        ]
        == "very_satisfied"
    )


def test_every_import_is_audited_with_file_name_digest_and_counts(campaign):
    headers, rows = answer_table(campaign, 2)
    report = run_import(campaign, csv_bytes(headers, rows), filename="batch-1.csv")
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "responses.import")).one()
    assert event.object_id == str(campaign.id)
    assert event.changes["file_name"] == "batch-1.csv" and event.changes["file_sha256"] == report.file_sha256
    assert (event.changes["imported"], event.changes["rejected"], event.changes["outcome"]) == (2, 0, "imported")


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    picks=st.lists(st.integers(min_value=0, max_value=20), min_size=1, max_size=6),
    with_ids=st.booleans(),
    as_xlsx=st.booleans(),
    by=st.sampled_from(["key", "label"]),
)
def test_importing_any_valid_file_twice_adds_nothing_the_second_time(campaign, picks, with_ids, as_xlsx, by):
    unit_code = campaign.links[0].unit.code
    rows, headers = [], None
    marker = f"{picks}{with_ids}{as_xlsx}{by}"  # each example is a file of its own
    for i, pick in enumerate(picks):
        cells = {"unit": unit_code, **answer_cells(campaign, by, pick)}
        cells["satisfaction.comment"] = marker
        if with_ids:
            cells = {"record_id": f"{marker}-{i}", **cells}
        headers = list(cells)
        rows.append(list(cells.values()))
    data = xlsx_bytes(headers, rows) if as_xlsx else csv_bytes(headers, rows)
    name = "answers.xlsx" if as_xlsx else "answers.csv"
    first = run_import(campaign, data, filename=name)
    assert first.counts["imported"] == len(picks), problems_of(first)
    count = stored(campaign)
    second = run_import(campaign, data, filename=name)
    assert second.counts["imported"] == 0 and second.counts["already_imported"] == len(picks)
    assert stored(campaign) == count
