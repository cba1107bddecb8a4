"""The survey-api command group, as an operator would use it."""

from __future__ import annotations

from sqlalchemy import func, select

from survey_api.extensions import db
from survey_api.models import Campaign, CampaignUnit, Unit
from survey_api.services.demo import DEMO_UNITS


def run(app, *args):
    return app.test_cli_runner().invoke(args=list(args), catch_exceptions=False)


def test_forms_check_passes_on_the_shipped_forms(app, db_session):
    result = run(app, "forms", "check")
    assert result.exit_code == 0 and "ok    satisfaction.yaml" in result.output


def test_forms_check_names_the_file_question_and_field(app, db_session, tmp_path):
    (tmp_path / "broken.yaml").write_text(
        "format_version: 1\nkey: broken\ntitle: 坏\nkind: profile\nquestions:\n"
        "  - {key: q1, type: single_choice, text: 问, options: [{key: a, label: 甲}]}\n",
        encoding="utf-8",
    )
    result = run(app, "forms", "check", "--dir", str(tmp_path))
    assert result.exit_code == 1
    assert "broken.yaml, question 'q1', field 'options': must be a list of at least two options" in result.output


def test_units_and_campaign_lifecycle_from_the_command_line(app, db_session):
    assert run(app, "units", "create", "T01", "城关街道", "乡镇街道").exit_code == 0
    duplicate = run(app, "units", "create", "T01", "城关街道", "乡镇街道")
    assert duplicate.exit_code == 1 and "unit.exists" in duplicate.output
    created = run(
        app,
        "campaigns",
        "create",
        "--title",
        "测评",
        "--period",
        "2026年度",
        "--form",
        "satisfaction",
        "--unit",
        "T01",
        "--closes-at",
        "2026-12-31T23:59:00+08:00",
    )
    assert created.exit_code == 0, created.output
    campaign_id = db.session.scalar(select(Campaign.id).where(Campaign.title == "测评"))
    assert "is open" in run(app, "campaigns", "open", str(campaign_id)).output
    assert "/s/" in run(app, "campaigns", "links", str(campaign_id)).output
    assert "is closed" in run(app, "campaigns", "close", str(campaign_id)).output
    refused = run(app, "campaigns", "open", str(campaign_id))
    assert refused.exit_code == 1 and "campaign.invalid_transition" in refused.output


def test_a_time_without_a_zone_is_refused(app, db_session):
    run(app, "units", "create", "T01", "城关街道", "乡镇街道")
    result = run(
        app,
        "campaigns",
        "create",
        "--title",
        "x",
        "--period",
        "p",
        "--form",
        "profile",
        "--unit",
        "T01",
        "--opens-at",
        "2026-12-01T08:00:00",
    )
    assert result.exit_code == 2 and "timezone" in result.output


def test_demo_load_is_idempotent_and_prints_every_units_url(app, db_session):
    first = run(app, "demo", "load")
    counts = (
        db.session.scalar(select(func.count()).select_from(Unit)),
        db.session.scalar(select(func.count()).select_from(CampaignUnit)),
    )
    second = run(app, "demo", "load")
    assert first.exit_code == second.exit_code == 0
    assert counts == (
        db.session.scalar(select(func.count()).select_from(Unit)),
        db.session.scalar(select(func.count()).select_from(CampaignUnit)),
    )
    assert first.output == second.output  # same links, not new ones
    assert first.output.count("/s/") == len(DEMO_UNITS) == 12
    assert len({category for _, _, category in DEMO_UNITS}) == 3
    assert "(open)" in first.output


def test_posters_are_written_to_a_file(app, db_session, tmp_path):
    run(app, "demo", "load")
    campaign_id = db.session.scalar(select(Campaign.id))
    out = tmp_path / "posters.pdf"
    result = run(app, "campaigns", "posters", str(campaign_id), "--out", str(out))
    assert result.exit_code == 0 and out.read_bytes().startswith(b"%PDF")
