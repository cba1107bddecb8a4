"""Rate limits hold across processes: two real gunicorn servers on one database and one Redis share each count."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
import redis
from flask_migrate import upgrade

from survey_api import create_app
from survey_api.extensions import db

from ..conftest import RELAXED_RATE_LIMITS, TEST_DATABASE_URL, _drop_postgres_schema, database_config, skip_or_fail
from ..factories import create_campaign, full_answers

PROJECT_ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
PER_LINK = 4


@pytest.fixture
def redis_prefix():
    """A key prefix of this run alone in the test Redis; its keys are removed afterwards."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as error:
        skip_or_fail(f"no Redis at {REDIS_URL}: {error}")
    prefix = f"survey-test-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    yield client, prefix
    for key in client.scan_iter(f"*/{prefix}/*"):
        client.delete(key)


@pytest.fixture
def shared_database(tmp_path):
    """A migrated database (SQLite file, or a PostgreSQL schema of its own) holding one open campaign."""
    config, schema = database_config(tmp_path)
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path), **RELAXED_RATE_LIMITS, **config})
    with app.app_context():
        upgrade()
        campaign = create_campaign()
        token, answers = campaign.links[0].link_token, full_answers(campaign)
        db.engine.dispose()
    url = config["SQLALCHEMY_DATABASE_URI"]
    if schema:
        url = f"{TEST_DATABASE_URL}{'&' if '?' in TEST_DATABASE_URL else '?'}options=-csearch_path%3D{schema}"
    yield url, token, answers
    if schema:
        _drop_postgres_schema(TEST_DATABASE_URL, schema)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(tmp_path: Path, name: str, env: dict) -> tuple[subprocess.Popen, str]:
    port = free_port()
    log = (tmp_path / f"{name}.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", "deploy/gunicorn.conf.py", "survey_api.wsgi:app"],
        cwd=PROJECT_ROOT,
        env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    return process, f"http://127.0.0.1:{port}"


def wait_until_serving(process: subprocess.Popen, base: str, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server stopped:\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"the server did not answer in time:\n{log.read_text(errors='replace')}")


def post_json(url: str, body: dict) -> tuple[int, dict, dict]:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, dict(answer.headers), json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read())


def test_two_server_processes_share_the_count_in_redis(tmp_path, redis_prefix, shared_database):
    client, prefix = redis_prefix
    database_url, token, answers = shared_database
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("RATE_LIMIT_", "REDIS_", "GUNICORN_"))},
        **{k: v for k, v in RELAXED_RATE_LIMITS.items() if isinstance(v, str)},
        "DATABASE_URL": database_url,
        "INSTANCE_PATH": str(tmp_path),
        "SECRET_KEY": "test-secret",
        "REDIS_URL": REDIS_URL,
        "RATE_LIMIT_KEY_PREFIX": prefix,
        "RATE_LIMIT_SUBMIT_PER_LINK": f"{PER_LINK}/minute",
        "GUNICORN_WORKERS": "1",
        "GUNICORN_ACCESS_LOG": "",
    }
    servers = [start_server(tmp_path, name, env) for name in ("first", "second")]
    try:
        for (process, base), name in zip(servers, ("first", "second")):
            wait_until_serving(process, base, tmp_path / f"{name}.log")
        bases = [base for _, base in servers]
        answers_seen = []
        for n in range(PER_LINK + 2):  # alternately: first, second, first, second, …
            body = {"submission_id": uuid.uuid4().hex, "answers": answers}
            answers_seen.append(post_json(f"{bases[n % 2]}/api/v1/links/{token}/responses", body))
        statuses = [status for status, _, _ in answers_seen]
        assert statuses == [201] * PER_LINK + [429, 429]  # each process refuses once the two together reach 4
        for _, headers, body in answers_seen[PER_LINK:]:
            assert body["code"] == "request.rate_limited" and int(headers["Retry-After"]) >= 1
        counters = {key.decode(): int(client.get(key)) for key in client.scan_iter(f"*/{prefix}/*")}
        link_counts = [count for key, count in counters.items() if "submit-link" in key and token in key]
        assert link_counts and link_counts[0] >= PER_LINK  # one shared counter, not one per process
    finally:
        for process, _ in servers:
            process.terminate()
        for process, _ in servers:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
