"""The baseline for the submission benchmark: the least a Flask app can do with the same request.

One endpoint at the product's path parses the JSON body, checks its shape and inserts one row (the submission id,
unique, and the answers as JSON text) with one SQLAlchemy Core insert in its own transaction. No validation against
the questionnaires, no ORM, no per-answer rows: whatever the product spends beyond this is its own cost.

    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/survey_bench \\
        .venv/bin/gunicorn --pythonpath tests/bench 'minimal_app:create_app()'

run_submission_bench.py creates the table with create_schema() before starting the server.
"""

from __future__ import annotations

import json
import os

from flask import Flask, jsonify, request
from sqlalchemy import BigInteger, Column, Identity, MetaData, String, Table, Text, create_engine, insert
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/survey_bench"

metadata = MetaData()
submissions = Table(
    "bench_minimal_submissions",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("submission_id", String(64), nullable=False, unique=True),
    Column("answers", Text, nullable=False),
)


def sqlalchemy_url(url: str) -> str:
    """postgres:// or postgresql:// become the psycopg 3 driver, as in the product."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def database_url() -> str:
    return sqlalchemy_url(os.environ.get("BENCH_DATABASE_URL") or DEFAULT_DATABASE_URL)


def create_schema(url: str | None = None) -> None:
    """Create the baseline's table (idempotent)."""
    engine = create_engine(sqlalchemy_url(url) if url else database_url())
    metadata.create_all(engine)
    engine.dispose()


def create_app(engine: Engine | None = None) -> Flask:
    app = Flask(__name__)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    engine = engine or create_engine(database_url())
    # gunicorn may load this module in the master and fork: a child must never reuse the parent's connections.
    os.register_at_fork(after_in_child=lambda: engine.dispose(close=False))

    @app.post("/api/v1/links/<token>/responses")
    def submit(token: str):
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return jsonify(error="request.malformed_json"), 400
        submission_id, answers = body.get("submission_id"), body.get("answers")
        if not isinstance(submission_id, str) or not 8 <= len(submission_id) <= 64 or not isinstance(answers, dict):
            return jsonify(error="request.invalid"), 422
        try:
            with engine.begin() as connection:
                connection.execute(
                    insert(submissions).values(
                        submission_id=submission_id, answers=json.dumps(answers, ensure_ascii=False)
                    )
                )
        except IntegrityError:
            return jsonify(submission_id=submission_id, is_new=False), 200
        return jsonify(submission_id=submission_id, is_new=True), 201

    return app
