"""The documented backup and restore (deploy/bin/survey-api-backup and survey-api-restore) on a real PostgreSQL:
a database holding answers is dumped while it is live, restored into a fresh database, and every response is found
there with the same answers and receipt; the restore refuses a database that is not empty. It needs a PostgreSQL
server whatever database the rest of the suite runs on: TEST_DATABASE_URL's, or the local one at BACKUP_TEST_URL's
default. On a bare machine without one (or without pg_dump) it skips; in CI it fails."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from survey_api import create_app
from survey_api.extensions import db
from survey_api.models import Response

from ..conftest import RELAXED_RATE_LIMITS, TEST_DATABASE_URL, skip_or_fail
from ..factories import create_campaign, create_unit, full_answers

DEPLOY_BIN = Path(__file__).resolve().parents[2] / "deploy" / "bin"
SERVER_URL = TEST_DATABASE_URL or os.environ.get("BACKUP_TEST_URL", "postgresql://postgres@127.0.0.1:5432/test")
ANSWERS = 25


def libpq_url(database: str) -> str:
    """The test server's URL pointing at another of its databases."""
    return make_url(SERVER_URL).set(database=database).render_as_string(hide_password=False)


@pytest.fixture
def scratch_databases():
    """Two new, empty databases on the test server (the live one and the restore target), dropped afterwards."""
    for tool in ("pg_dump", "pg_restore", "psql"):
        if shutil.which(tool) is None:
            skip_or_fail(f"{tool} is not installed (Debian: postgresql-client)")
    suffix = f"{os.getpid()}_{uuid.uuid4().hex[:6]}"
    names = [f"survey_live_{suffix}", f"survey_restored_{suffix}"]
    admin = create_engine(make_url(SERVER_URL).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")
    try:
        admin.connect().close()
    except OperationalError as error:
        skip_or_fail(f"no PostgreSQL server at {make_url(SERVER_URL).render_as_string()}: {error.orig}")
    with admin.connect() as conn:
        for name in names:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield [libpq_url(name) for name in names]
    finally:
        with admin.connect() as conn:
            for name in names:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def run(argv: list[str], **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(argv, env={**os.environ, **env}, capture_output=True, text=True, timeout=120)


def stored_responses(url: str) -> set[tuple]:
    engine = create_engine(make_url(url).set(drivername="postgresql+psycopg"))
    with engine.connect() as conn:
        rows = conn.execute(
            select(Response.id, Response.submission_id, Response.receipt_code, Response.answers, Response.submitted_at)
        )
        found = {(row.id, row.submission_id, row.receipt_code, str(row.answers), row.submitted_at) for row in rows}
    engine.dispose()
    return found


def test_a_dump_of_a_live_database_restores_every_response(tmp_path, scratch_databases):
    live, restored = scratch_databases
    app = create_app(
        {"TESTING": True, "INSTANCE_PATH": str(tmp_path), "SQLALCHEMY_DATABASE_URI": live, **RELAXED_RATE_LIMITS}
    )
    with app.app_context():
        upgrade()
        campaign = create_campaign([create_unit(), create_unit()])
        tokens, answers = [link.link_token for link in campaign.links], full_answers(campaign)
        client = app.test_client()
        for n in range(ANSWERS):
            body = {"submission_id": uuid.uuid4().hex, "answers": answers}
            assert client.post(f"/api/v1/links/{tokens[n % 2]}/responses", json=body).status_code == 201
        db.engine.dispose()
    before = stored_responses(live)
    assert len(before) == ANSWERS

    backup = run([str(DEPLOY_BIN / "survey-api-backup")], DATABASE_URL=live, BACKUP_DIR=str(tmp_path / "backups"))
    assert backup.returncode == 0, backup.stderr
    dump = Path(backup.stdout.strip())
    assert dump.parent == tmp_path / "backups" and dump.stat().st_size > 0
    assert oct(dump.stat().st_mode & 0o777) == "0o600"  # only the service account reads every answer

    restore = run([str(DEPLOY_BIN / "survey-api-restore"), str(dump), restored])
    assert restore.returncode == 0, restore.stderr
    assert f"{ANSWERS} responses" in restore.stdout
    assert stored_responses(restored) == before

    again = run([str(DEPLOY_BIN / "survey-api-restore"), str(dump), restored])  # never over a database in use
    assert again.returncode == 3 and "not empty" in again.stderr
    assert stored_responses(restored) == before

    # The restored database is a working one: the app on it serves, and migrations have nothing left to do.
    app_on_restored = create_app(
        {"TESTING": True, "INSTANCE_PATH": str(tmp_path), **RELAXED_RATE_LIMITS, "SQLALCHEMY_DATABASE_URI": restored}
    )
    with app_on_restored.app_context():
        upgrade()
        assert app_on_restored.test_client().get("/healthz").status_code == 200
        counted = app_on_restored.test_client().get(f"/api/v1/receipts/{next(iter(before))[2]}")
        assert counted.status_code == 200 and counted.get_json()["state"] == "counted"
        db.engine.dispose()
