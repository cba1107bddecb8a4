"""Shared fixtures: one schema per run built from the migrations, each test in a transaction that is rolled back.

The suite runs on SQLite by default and on PostgreSQL when TEST_DATABASE_URL is set. In CI (CI=true) a suite
that cannot find PostgreSQL or Chromium fails instead of skipping."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from survey_api import create_app
from survey_api.extensions import db

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
PUBLIC_BASE_URL = "https://survey.example.test"
# The suite keeps the limiter on (every request passes through it) with limits no test reaches, counted in memory;
# tests/api/test_rate_limits.py sets low limits where it needs them.
UNREACHED_LIMIT = "100000/minute"
RELAXED_RATE_LIMITS = {
    "REDIS_URL": None,
    "RATE_LIMIT_ENABLED": True,
    "RATE_LIMIT_SUBMIT_PER_LINK": UNREACHED_LIMIT,
    "RATE_LIMIT_SUBMIT_PER_ADDRESS": UNREACHED_LIMIT,
    "RATE_LIMIT_PAGES_PER_ADDRESS": UNREACHED_LIMIT,
    "RATE_LIMIT_SIGN_IN_FAILURES_PER_ADDRESS": UNREACHED_LIMIT,
    "RATE_LIMIT_SIGN_IN_PER_USERNAME": UNREACHED_LIMIT,
    "RATE_LIMIT_API_PER_TOKEN": UNREACHED_LIMIT,
    "RATE_LIMIT_BALLOTS_PER_ADDRESS": UNREACHED_LIMIT,
    "RATE_LIMIT_BALLOT_MISSES_PER_ADDRESS": UNREACHED_LIMIT,
}


def skip_or_fail(reason: str) -> None:
    """Skip on a bare machine; in CI a missing real component is a failure."""
    if IN_CI:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


def _postgres_schema_options(url: str) -> tuple[str, dict, str]:
    """Give this run its own schema so it never touches other data in the database."""
    schema = f"survey_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    engine = create_engine(_sqlalchemy_url(url))
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    return schema, {"connect_args": {"options": f"-csearch_path={schema}"}, "pool_pre_ping": True}, url


def _sqlalchemy_url(url: str) -> str:
    from survey_api.config import normalise_database_url

    return normalise_database_url(url)


def _drop_postgres_schema(url: str, schema: str) -> None:
    engine = create_engine(_sqlalchemy_url(url))
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    engine.dispose()


def compile_translations() -> None:
    """Compile the catalogs as `make` does, so a plain `pytest` run shows the Chinese pages too."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    import survey_api

    for po_path in Path(survey_api.__file__).parent.glob("translations/*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as source:
            catalog = read_po(source)
        with mo_path.open("wb") as target:
            write_mo(target, catalog, use_fuzzy=False)


def database_config(folder: Path) -> tuple[dict, str | None]:
    """Settings for a fresh, empty database: a PostgreSQL schema of its own when TEST_DATABASE_URL is set (its
    name is returned so it can be dropped), else a new SQLite file in `folder`."""
    if TEST_DATABASE_URL:
        schema, engine_options, url = _postgres_schema_options(TEST_DATABASE_URL)
        return {"SQLALCHEMY_DATABASE_URI": url, "SQLALCHEMY_ENGINE_OPTIONS": engine_options}, schema
    return {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'test.db'}"}, None


class IsolatedClient(FlaskClient):
    """Runs each request in an app context of its own, as a server does, so nothing a request leaves in `g`
    (the signed-in user, a CSRF token) leaks into the test or the next request. The request still joins the
    test's rolled-back transaction, because every session of the app uses the test's connection."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    """The application on a fresh schema built by the migrations."""
    compile_translations()
    instance = tmp_path_factory.mktemp("instance")
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "IDENTITY_HASH_KEY": "test-identity-key",
        "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
        "INSTANCE_PATH": str(instance),
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # fast for tests; production keeps scrypt
        **RELAXED_RATE_LIMITS,
    }
    database, schema = database_config(instance)
    config.update(database)
    application = create_app(config)
    application.test_client_class = IsolatedClient
    with application.app_context():
        upgrade()
    yield application
    with application.app_context():
        db.engine.dispose()
    if schema:
        _drop_postgres_schema(TEST_DATABASE_URL, schema)


@pytest.fixture(autouse=True)
def quality_flags_off(monkeypatch):
    """Quality flags are off unless a test turns them on (quality_flags_on, or a campaign's own rules): the other
    tests answer with the first option everywhere and at any hour, which the rules would rightly flag."""
    from survey_api.domain.quality import QualityRules
    from survey_api.services import quality

    monkeypatch.setattr(quality, "DEFAULTS", QualityRules(enabled=False))
    quality.forget_cached_rules()
    yield
    quality.forget_cached_rules()


@pytest.fixture
def quality_flags_on(monkeypatch):
    """The product's default thresholds, as a campaign that sets none gets them."""
    from survey_api.domain.quality import QualityRules
    from survey_api.services import quality

    monkeypatch.setattr(quality, "DEFAULTS", QualityRules())
    quality.forget_cached_rules()


@pytest.fixture
def db_session(app):
    """A session whose work is rolled back after the test, even when the code under test commits."""
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        engines = db.engines
        original = engines[None]
        engines[None] = connection  # every session of this app now joins the outer transaction
        db.session.remove()
        try:
            yield db.session
        finally:
            db.session.remove()
            engines[None] = original
            outer.rollback()
            connection.close()


@pytest.fixture
def client(app, db_session):
    return app.test_client()


@pytest.fixture
def is_postgres(app) -> bool:
    with app.app_context():
        return db.engine.dialect.name == "postgresql"


@pytest.fixture
def forms_dir(app) -> Path:
    return Path(app.config["FORMS_DIR"])


@pytest.fixture
def campaign(db_session):
    """An open campaign over one unit with the four shipped questionnaires."""
    from .factories import create_campaign

    return create_campaign()


@pytest.fixture
def token(campaign) -> str:
    """The public link token of the campaign's first unit."""
    return campaign.links[0].link_token


PERSONAS = {
    # name: (role, which of the two persona units the account belongs to)
    "admin": ("admin", None),
    "statistician": ("statistician", None),
    "enumerator": ("enumerator", None),
    "unit_a": ("unit", "A"),
    "unit_b": ("unit", "B"),
    "auditor": ("auditor", None),
}


@pytest.fixture
def persona_units(db_session):
    """The two units that the unit personas belong to."""
    from .factories import create_unit

    return {"A": create_unit(code="UA1", name="城关街道"), "B": create_unit(code="UB1", name="东城街道")}


@pytest.fixture
def persona_tokens(persona_units) -> dict[str, str]:
    """An account and API token for each persona (anonymous has none)."""
    from .factories import create_account, issue_token

    tokens = {}
    for name, (role, unit_key) in PERSONAS.items():
        user = create_account(f"p_{name}", role, persona_units.get(unit_key) if unit_key else None)
        tokens[name] = issue_token(user)
    return tokens


@pytest.fixture
def client_as(app, persona_tokens):
    """client_as("auditor") is a test client that sends that persona's API token; client_as(None) sends none."""

    def make(name: str | None):
        client = app.test_client()
        if name is not None:
            client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {persona_tokens[name]}"
        return client

    return make


@pytest.fixture
def admin_client(client_as):
    return client_as("admin")
