"""A gunicorn worker killed in the middle of a stream of submissions (deploy/gunicorn.conf.py, two workers): the
clients, resending the same submission id after a failure as the questionnaire page does, lose nothing that was
acknowledged, nothing is stored twice, and the server goes on serving with a fresh worker. The longer fault runs
(PostgreSQL restart, full disk, Redis lost) are tests/bench/run_faults.py; see tests/bench/RESULTS.md."""

from __future__ import annotations

import os
import signal
import threading
import time
import uuid
from http.client import HTTPException

from sqlalchemy import create_engine, func, select, text

from survey_api.models import Response

from .test_rate_limits_redis import post_json, running_servers, server_env, shared_database  # noqa: F401

CLIENTS = 4


def gunicorn_workers(port: str) -> list[int]:
    """The pids of the gunicorn workers serving on this port (children of the master that binds it)."""
    masters = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                command = open(f"/proc/{entry}/cmdline", "rb").read().replace(b"\0", b" ").decode()
                environ = open(f"/proc/{entry}/environ", "rb").read()
            except OSError:
                continue
            if "gunicorn" in command and f"GUNICORN_BIND=127.0.0.1:{port}".encode() in environ:
                masters.append(int(entry))
    parent = {pid: int(open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[1]) for pid in masters}
    return [pid for pid in masters if parent[pid] in masters]


def test_killing_a_worker_mid_stream_loses_no_acknowledged_submission(tmp_path, shared_database):  # noqa: F811
    database_url, token, answers = shared_database
    env = server_env(tmp_path, database_url, GUNICORN_WORKERS="2")
    acknowledged: list[str] = []
    sent: list[str] = []
    failures: list[str] = []
    stop = threading.Event()
    lock = threading.Lock()

    def client(url: str) -> None:
        while not stop.is_set():
            submission_id = uuid.uuid4().hex
            with lock:
                sent.append(submission_id)
            for attempt in range(6):  # resend the same id, as the page does
                try:
                    status, _, _ = post_json(url, {"submission_id": submission_id, "answers": answers})
                except (OSError, ValueError, HTTPException) as error:  # no answer, a cut one, or not JSON
                    status = 0
                    with lock:
                        failures.append(type(error).__name__)
                if 200 <= status < 300:
                    with lock:
                        acknowledged.append(submission_id)
                    break
                time.sleep(0.2 * 2**attempt)

    with running_servers(tmp_path, env, ("app",)) as [base]:
        url = f"{base}/api/v1/links/{token}/responses"
        threads = [threading.Thread(target=client, args=(url,)) for _ in range(CLIENTS)]
        for thread in threads:
            thread.start()
        time.sleep(2)
        workers = gunicorn_workers(base.rsplit(":", 1)[1])
        assert len(workers) == 2, workers
        os.kill(workers[0], signal.SIGKILL)
        before_kill = len(acknowledged)
        time.sleep(3)
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        assert len(acknowledged) > before_kill  # served on after the kill
        replacement = gunicorn_workers(base.rsplit(":", 1)[1])
        assert len(replacement) == 2 and workers[0] not in replacement  # gunicorn started a fresh worker

    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            conn.execute(text("PRAGMA busy_timeout = 5000"))
        rows = dict(
            conn.execute(
                select(Response.submission_id, func.count())
                .where(Response.submission_id.in_(sent))
                .group_by(Response.submission_id)
            ).all()
        )
    engine.dispose()
    assert acknowledged and all(rows.get(sid) == 1 for sid in acknowledged)  # every acknowledged one, once
    assert all(count == 1 for count in rows.values())  # nothing stored twice, acknowledged or not
