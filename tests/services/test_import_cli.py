"""`survey-api responses import`: the report on the terminal and an exit status a script can act on."""

from __future__ import annotations

from sqlalchemy import func, select

from survey_api.extensions import db
from survey_api.models import Response

from ..factories import create_campaign
from ..import_files import answer_table, csv_bytes, xlsx_bytes


def run(app, *args):
    return app.test_cli_runner().invoke(args=[str(a) for a in args], catch_exceptions=False)


def test_importing_from_the_command_line_reports_and_exits_by_outcome(app, db_session, tmp_path):
    campaign = create_campaign()
    headers, rows = answer_table(campaign, 3)
    good = tmp_path / "电话调查.xlsx"
    good.write_bytes(xlsx_bytes(headers, rows))
    result = run(app, "responses", "import", campaign.id, good, "--channel", "phone")
    assert result.exit_code == 0, result.output
    assert "3 rows, 3 imported, 0 already imported, 0 rejected" in result.output
    assert run(app, "responses", "import", campaign.id, good).exit_code == 0  # again: nothing new

    rows[0][headers.index("record_id")] = "NEW-1"
    rows[0][headers.index("satisfaction.overall")] = "不知道"
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes(headers, rows, encoding="gbk"))
    refused = run(app, "responses", "import", campaign.id, bad)
    assert refused.exit_code == 1 and "row 2 [satisfaction.overall]" in refused.output
    partial = run(app, "responses", "import", campaign.id, bad, "--accept-valid")
    assert partial.exit_code == 3 and "0 imported, 2 already imported, 1 rejected" in partial.output
    count = db.session.scalar(select(func.count()).select_from(Response).where(Response.campaign_id == campaign.id))
    assert count == 3


def test_a_refused_file_or_campaign_exits_with_the_error_code(app, db_session, tmp_path):
    draft = create_campaign(state="draft")
    path = tmp_path / "a.csv"
    path.write_bytes(csv_bytes(*answer_table(draft, 1)))
    result = run(app, "responses", "import", draft.id, path)
    assert result.exit_code == 1 and "import.campaign_draft" in result.output
    garbled = tmp_path / "b.csv"
    garbled.write_bytes(b"\x80\xff\xfe")
    campaign = create_campaign()
    result = run(app, "responses", "import", campaign.id, garbled)
    assert result.exit_code == 1 and "import.unreadable" in result.output


def test_the_template_command_writes_the_headers(app, db_session, tmp_path):
    campaign = create_campaign()
    out = tmp_path / "template.csv"
    assert run(app, "responses", "template", campaign.id, "--out", out).exit_code == 0
    assert out.read_text(encoding="utf-8-sig").startswith("unit,record_id,stratum,cluster")
