"""The migrations build the whole schema on an empty database, and the models have not drifted from them."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from survey_api import create_app
from survey_api.extensions import db

from ..conftest import TEST_DATABASE_URL, _drop_postgres_schema, database_config


def fresh_app(tmp_path):
    database, schema = database_config(tmp_path)
    return create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path), **database}), schema


def test_migrations_apply_to_an_empty_database_and_match_the_models(tmp_path):
    app, schema = fresh_app(tmp_path)
    try:
        with app.app_context():
            assert inspect(db.engine).get_table_names() == []
            upgrade()
            with db.engine.connect() as connection:
                context = MigrationContext.configure(connection, opts={"compare_type": True})
                drift = compare_metadata(context, db.metadata)
            assert drift == [], f"models and migrations differ: {drift}"
            tables = set(inspect(db.engine).get_table_names())
            assert {
                "units",
                "campaigns",
                "campaign_forms",
                "campaign_units",
                "form_versions",
                "responses",
            } <= tables
            downgrade(revision="base")
            assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
            db.engine.dispose()
    finally:
        if schema:
            _drop_postgres_schema(TEST_DATABASE_URL, schema)


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path):
    app = create_app(
        {"TESTING": True, "INSTANCE_PATH": str(tmp_path), "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'wal.db'}"}
    )
    with app.app_context():
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        db.engine.dispose()
