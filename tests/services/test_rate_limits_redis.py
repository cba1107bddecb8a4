"""Rate limits with a real Redis: two gunicorn servers on one database and one Redis share each count, and losing
Redis in the middle of a campaign costs no request (counting moves to memory and back)."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Iterator

import pytest
import redis
from flask_migrate import upgrade

from survey_api import create_app
from survey_api.extensions import db

from ..api.test_rate_limits import sibling_app
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
    yield server_database_url(config, schema), token, answers
    if schema:
        _drop_postgres_schema(TEST_DATABASE_URL, schema)


def server_database_url(config: dict, schema: str | None) -> str:
    """The DATABASE_URL that puts a server process on the database of database_config (its own schema)."""
    if schema:
        return f"{TEST_DATABASE_URL}{'&' if '?' in TEST_DATABASE_URL else '?'}options=-csearch_path%3D{schema}"
    return config["SQLALCHEMY_DATABASE_URI"]


def server_env(tmp_path: Path, database_url: str, **settings: str) -> dict[str, str]:
    """The environment of a gunicorn server on that database: the suite's unreached limits unless settings say
    otherwise, no Redis unless REDIS_URL is given, one worker unless GUNICORN_WORKERS is given."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(("RATE_LIMIT_", "REDIS_", "GUNICORN_"))}
    return {
        **inherited,
        **{k: v for k, v in RELAXED_RATE_LIMITS.items() if isinstance(v, str)},
        "DATABASE_URL": database_url,
        "INSTANCE_PATH": str(tmp_path),
        "SECRET_KEY": "test-secret",
        "GUNICORN_WORKERS": "1",
        "GUNICORN_ACCESS_LOG": "",
        **settings,
    }


@contextlib.contextmanager
def running_servers(tmp_path: Path, env: dict[str, str], names: tuple[str, ...]) -> Iterator[list[str]]:
    """gunicorn servers (deploy/gunicorn.conf.py) on ports of their own, serving; their base URLs. Stopped after."""
    servers = [start_server(tmp_path, name, env) for name in names]
    try:
        for (process, base), name in zip(servers, names):
            wait_until_serving(process, base, tmp_path / f"{name}.log")
        yield [base for _, base in servers]
    finally:
        for process, _ in servers:
            process.terminate()
        for process, _ in servers:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


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
    env = server_env(
        tmp_path,
        database_url,
        REDIS_URL=REDIS_URL,
        RATE_LIMIT_KEY_PREFIX=prefix,
        RATE_LIMIT_SUBMIT_PER_LINK=f"{PER_LINK}/minute",
    )
    with running_servers(tmp_path, env, ("first", "second")) as bases:
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


def start_redis(port: int) -> subprocess.Popen:
    """A private Redis this test may stop, on its own port, keeping nothing on disk."""
    args = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    try:
        process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except FileNotFoundError:
        skip_or_fail("redis-server is not installed")
    probe = redis.Redis(port=port, socket_connect_timeout=0.2)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            probe.ping()
            return process
        except redis.RedisError:
            time.sleep(0.05)
    process.kill()
    pytest.fail("the private redis-server did not start")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    process.wait(timeout=10)


def page_views(client, count: int) -> list[int]:
    return [client.get("/s/no-such-link").status_code for _ in range(count)]


def counted_in_redis(port: int) -> int:
    return sum(int(redis.Redis(port=port).get(key)) for key in redis.Redis(port=port).scan_iter("*page-address*"))


def test_losing_redis_mid_campaign_serves_every_request_and_counts_in_memory_until_it_returns(app, caplog):
    port = free_port()
    server = start_redis(port)
    limited = sibling_app(app, REDIS_URL=f"redis://127.0.0.1:{port}/0", RATE_LIMIT_PAGES_PER_ADDRESS="3/minute")
    client = limited.test_client()
    try:
        assert page_views(client, 2) == [404, 404] and counted_in_redis(port) == 2
        stop(server)
        with caplog.at_level(logging.INFO, logger="flask-limiter"):
            # Nothing fails: counting restarts in this process's memory, and the limit still holds there.
            assert page_views(client, 4) == [404, 404, 404, 429]
            assert client.get("/healthz").status_code == 200
            assert any("falling back to in-memory" in r.getMessage() for r in caplog.records)
            server = start_redis(port)
            deadline = time.monotonic() + 40  # the limiter looks for Redis again after 1, 2, 4 … 32 seconds
            while not any("recovered" in r.getMessage() for r in caplog.records):
                assert time.monotonic() < deadline, "the limiter never went back to Redis"
                assert client.get("/healthz").status_code == 200
                time.sleep(0.25)
        assert page_views(client, 1) == [404] and counted_in_redis(port) == 1  # counted in Redis again
    finally:
        stop(server)
        with limited.app_context():
            db.engine.dispose()
