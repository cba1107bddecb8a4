"""Faults under load, nothing lost: the product under gunicorn (deploy/gunicorn.conf.py) against a PRIVATE PostgreSQL
cluster and a PRIVATE Redis (started here on free ports, so nothing shared is ever restarted), while client threads
submit answers the way the questionnaire page does (a submission id per questionnaire, resent unchanged after any
failure, a few times with back-off). One fault after another:

  worker-kill      SIGKILL to a gunicorn worker, twice
  postgres-restart the private cluster restarted (fast shutdown: open transactions are cut)
  upload-disk-full the app's temporary folder (where uploads spool) on a 4 MB tmpfs filled to the last byte,
                   while an answers file is uploaded
  redis-drop       the private Redis stopped for 15 s, then started again

Afterwards, in SQL: every submission acknowledged to a client (2xx) is stored exactly once; every other one was
either stored once or refused with an answer and not stored; no id is stored twice. The service must come back by
itself after each fault (time to the first acknowledged submission is recorded).

    .venv/bin/python tests/bench/run_faults.py [--phase-seconds 20] [--clients 6] [--json-out faults.json]

Needs root (the tmpfs mount; PostgreSQL is run as the postgres user), initdb/pg_ctl and redis-server.
Exit status 0 when nothing acknowledged was lost and nothing stored twice, 1 otherwise.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

import psycopg

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))
import run_submission_bench as rsb  # noqa: E402
import run_surge  # noqa: E402

PG_USER = "postgres"


# --- a private PostgreSQL cluster --------------------------------------------------------------------------------


class PrivateCluster:
    """initdb + pg_ctl in a folder of our own, on a free port, run as the postgres user; stopped and removed after."""

    def __init__(self, root: Path) -> None:
        self.root = root / "pg"
        self.data = self.root / "data"
        self.port = rsb.free_port()
        self.log = self.root / "server.log"

    def _as_postgres(self, *argv: str, timeout: int = 120) -> subprocess.CompletedProcess:
        command = list(argv)
        if os.geteuid() == 0:
            command = ["runuser", "-u", PG_USER, "--", *command]
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout)

    def pg_ctl(self, action: str, *extra: str) -> None:
        done = self._as_postgres(
            shutil.which("pg_ctl") or "pg_ctl", action, "-D", str(self.data), "-l", str(self.log), "-w", *extra
        )
        if done.returncode != 0:
            raise rsb.BenchError(f"pg_ctl {action} failed: {done.stderr}{done.stdout}\n{self.log.read_text()[-2000:]}")

    def start(self) -> None:
        self.root.mkdir(parents=True)
        if os.geteuid() == 0:
            shutil.chown(self.root, PG_USER, PG_USER)
            self.root.parent.chmod(0o755)
        done = self._as_postgres(
            shutil.which("initdb") or "initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8"
        )
        if done.returncode != 0:
            raise rsb.BenchError(f"initdb failed: {done.stderr}")
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.root}"
        self.pg_ctl("start", "-o", options)

    def restart(self) -> None:
        self.pg_ctl("restart", "-m", "fast")

    def stop(self) -> None:
        with contextlib.suppress(rsb.BenchError, subprocess.TimeoutExpired):
            self.pg_ctl("stop", "-m", "immediate")


# --- clients that behave like the questionnaire page -------------------------------------------------------------


@dataclass
class Outcome:
    submission_id: str
    attempts: list[str] = field(default_factory=list)  # status codes or error names, in order
    acknowledged: bool = False
    phase: str = ""


class Clients:
    """Threads submitting complete answers to random links, resending the same id after any failure (up to 5 tries,
    1, 2, 4, 8 s apart, or Retry-After), as the page's script does; each thread also loads a page now and then."""

    def __init__(self, port: int, tokens: list[str], answers: dict, count: int) -> None:
        self.port, self.tokens, self.count = port, tokens, count
        self.answers_json = json.dumps(answers, ensure_ascii=False)
        self.outcomes: list[Outcome] = []
        self.lock = threading.Lock()
        self.stop_event = threading.Event()
        self.phase = "warm-up"
        self.events: list[tuple[float, str, str]] = []  # (time, phase at that moment, status or error name)
        self.threads = [threading.Thread(target=self._run, args=(n,), daemon=True) for n in range(count)]

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def stop(self) -> None:
        self.stop_event.set()
        for thread in self.threads:
            thread.join(timeout=60)

    def _post(self, token: str, body: bytes, address: str) -> tuple[int, dict]:
        connection = http.client.HTTPConnection(rsb.HOST, self.port, timeout=10)
        try:
            headers = {"Content-Type": "application/json", "X-Forwarded-For": address}
            connection.request("POST", f"/api/v1/links/{token}/responses", body=body, headers=headers)
            answer = connection.getresponse()
            return answer.status, dict(answer.getheaders())
        finally:
            connection.close()

    def _page(self, token: str, address: str) -> None:
        with contextlib.suppress(OSError, http.client.HTTPException):
            connection = http.client.HTTPConnection(rsb.HOST, self.port, timeout=10)
            connection.request("GET", f"/s/{token}", headers={"X-Forwarded-For": address})
            connection.getresponse().read()
            connection.close()

    def _run(self, n: int) -> None:
        rng = random.Random(n)
        while not self.stop_event.is_set():
            token = rng.choice(self.tokens)
            address = f"198.18.{n}.{rng.randint(1, 254)}"
            if rng.random() < 0.5:
                self._page(token, address)
            outcome = Outcome(f"fault-{uuid.uuid4().hex}", phase=self.phase)
            body = (
                f'{{"submission_id":"{outcome.submission_id}","identity":"device-{outcome.submission_id}",'
                f'"answers":{self.answers_json}}}'
            ).encode()
            with self.lock:
                self.outcomes.append(outcome)
            for attempt in range(5):
                try:
                    status, headers = self._post(token, body, address)
                    outcome.attempts.append(str(status))
                except (OSError, http.client.HTTPException) as error:
                    outcome.attempts.append(type(error).__name__)
                    status, headers = 0, {}
                with self.lock:
                    self.events.append((time.monotonic(), self.phase, outcome.attempts[-1]))
                if 200 <= status < 300:
                    outcome.acknowledged = True
                    break
                if 400 <= status < 500 and status != 429:
                    break  # refused for good (never expected here)
                wait = float(headers.get("Retry-After", 2**attempt)) if status in (429, 503) else 2**attempt
                if self.stop_event.wait(min(wait, 8)):
                    break


# --- faults ------------------------------------------------------------------------------------------------------


@dataclass
class Phase:
    name: str
    started: float = 0.0
    notes: list[str] = field(default_factory=list)
    failed_attempts: dict[str, int] = field(default_factory=dict)
    failures_until_seconds: float | None = None  # the last failed attempt, counted from the fault's start
    load: str = ""


def workers_of(server: rsb.Server) -> list[int]:
    return [pid for pid in rsb.group_members(server.process.pid) if pid != server.process.pid]


def fault_worker_kill(phase: Phase, server: rsb.Server, **_) -> None:
    for _ in range(2):
        victim = random.choice(workers_of(server))
        os.kill(victim, signal.SIGKILL)
        phase.notes.append(f"SIGKILL worker {victim}")
        time.sleep(4)
    phase.notes.append(f"workers now {workers_of(server)}")


def fault_postgres_restart(phase: Phase, cluster: PrivateCluster, **_) -> None:
    started = time.monotonic()
    cluster.restart()
    phase.notes.append(f"private PostgreSQL restarted (fast) in {time.monotonic() - started:.1f} s")


def fault_upload_disk_full(phase: Phase, upload_dir: Path, server: rsb.Server, api_token: str, campaign_id: int,
                           **_) -> None:  # fmt: skip
    filler = upload_dir / "filler"
    # Full but for 32 KB: Python checks a temporary folder by writing a few bytes the first time it needs one, and
    # silently picks another folder if that fails; a disk that fills while the app runs leaves it in place.
    blocks = (shutil.disk_usage(upload_dir).free - 32 * 1024) // 4096
    subprocess.run(["dd", "if=/dev/zero", f"of={filler}", "bs=4k", f"count={blocks}"], capture_output=True)
    phase.notes.append(f"upload folder filled: {shutil.disk_usage(upload_dir).free} bytes free")
    body = b"unit,record_id\r\n" + b"T01,1\r\n" * 150_000  # ~1 MB: werkzeug spools it to the temporary folder
    boundary = "faultboundary"
    payload = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="answers.csv"\r\n'
            f"Content-Type: text/csv\r\n\r\n"
        ).encode()
        + body
        + f"\r\n--{boundary}--\r\n".encode()
    )
    for _ in range(2):
        connection = http.client.HTTPConnection(rsb.HOST, server.port, timeout=30)
        connection.request(
            "POST",
            f"/api/v1/campaigns/{campaign_id}/imports",
            body=payload,
            headers={
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Authorization": f"Bearer {api_token}",
            },
        )
        answer = connection.getresponse()
        text = answer.read().decode(errors="replace")
        phase.notes.append(f"import upload while full: {answer.status} {text[:160]}")
        connection.close()
        time.sleep(3)
    filler.unlink()
    phase.notes.append("filler removed")


def fault_redis_drop(phase: Phase, redis: dict, workdir: Path, **_) -> None:
    redis["process"].terminate()
    redis["process"].wait(timeout=10)
    phase.notes.append("private Redis stopped")
    time.sleep(15)
    process = subprocess.Popen(
        ["redis-server", "--port", str(redis["port"]), "--bind", rsb.HOST, "--save", "", "--appendonly", "no"],
        stdout=(workdir / "redis2.log").open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    redis["process"] = process
    phase.notes.append("private Redis started again")


FAULTS = {
    "worker-kill": fault_worker_kill,
    "postgres-restart": fault_postgres_restart,
    "upload-disk-full": fault_upload_disk_full,
    "redis-drop": fault_redis_drop,
}


# --- verification ------------------------------------------------------------------------------------------------


def verify(outcomes: list[Outcome], database_url: str) -> dict:
    with psycopg.connect(database_url, connect_timeout=10) as conn:
        stored = dict(
            conn.execute(
                "SELECT submission_id, count(*) FROM responses WHERE submission_id LIKE 'fault-%' GROUP BY 1"
            ).fetchall()
        )
    acknowledged = [o for o in outcomes if o.acknowledged]
    lost = [o.submission_id for o in acknowledged if stored.get(o.submission_id, 0) != 1]
    twice = [sid for sid, n in stored.items() if n > 1]
    unacknowledged = [o for o in outcomes if not o.acknowledged]
    unack_stored = [o for o in unacknowledged if stored.get(o.submission_id)]
    first_try = sum(1 for o in acknowledged if len(o.attempts) == 1)
    attempts: dict[str, int] = {}
    for outcome in outcomes:
        for attempt in outcome.attempts:
            attempts[attempt] = attempts.get(attempt, 0) + 1
    return {
        "submissions": len(outcomes),
        "acknowledged": len(acknowledged),
        "acknowledged_first_try": first_try,
        "acknowledged_after_resend": len(acknowledged) - first_try,
        "acknowledged_not_stored_once": len(lost),
        "stored_twice": len(twice),
        "unacknowledged": len(unacknowledged),
        "unacknowledged_stored_once": len(unack_stored),
        "unacknowledged_not_stored": len(unacknowledged) - len(unack_stored),
        "answers_seen": dict(sorted(attempts.items())),
        "examples_lost": lost[:5],
    }


# --- main --------------------------------------------------------------------------------------------------------


def wait_healthy(port: int, seconds: float = 60) -> float:
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        with contextlib.suppress(OSError, http.client.HTTPException):
            connection = http.client.HTTPConnection(rsb.HOST, port, timeout=3)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return time.monotonic() - started
        time.sleep(0.2)
    raise rsb.BenchError("the service did not come back by itself")


def api_token_for_admin(env: dict[str, str]) -> str:
    output = rsb.run_command([str(rsb.BIN_DIR / "survey-api"), "users", "list"], env, "users list")
    admin = next(line.split("\t")[0] for line in output.splitlines() if line.split("\t")[1:2] == ["admin"])
    output = rsb.run_command([str(rsb.BIN_DIR / "survey-api"), "tokens", "create", admin, "faults"], env, "token")
    return next(word for word in output.split() if word.startswith("sa_"))


def run(args: argparse.Namespace, workdir: Path, cleanup: list) -> int:
    cluster = PrivateCluster(workdir)
    cluster.start()
    cleanup.append(cluster.stop)
    run_surge.use_database("survey_faults", cluster.port)
    redis_process, redis_port = run_surge.start_redis(workdir)
    redis = {"process": redis_process, "port": redis_port}
    cleanup.append(lambda: (redis["process"].terminate(), redis["process"].wait(timeout=10)))
    upload_dir = workdir / "uploads"
    upload_dir.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(upload_dir)], check=True)
    cleanup.append(lambda: subprocess.run(["umount", "-l", str(upload_dir)]))
    env = run_surge.product_env(args.workers, redis_port, TMPDIR=str(upload_dir))
    tokens_file, answers_file, _ = run_surge.prepare_database(env, workdir)
    with psycopg.connect(rsb.DATABASE_URL) as conn:
        campaign_id = conn.execute("SELECT min(campaign_id) FROM campaign_units").fetchone()[0]
    api_token = api_token_for_admin(env)
    server = run_surge.start_product("product", env, workdir)
    cleanup.append(lambda: rsb.stop_server(server))
    wait_healthy(server.port)
    print(f"[setup] private PostgreSQL :{cluster.port}, Redis :{redis_port}, {args.workers} workers on "
          f"{server.base_url}, uploads in a 4 MB tmpfs; {run_surge.load_average()}", flush=True)  # fmt: skip
    clients = Clients(server.port, tokens_file.read_text().split(), json.loads(answers_file.read_text()), args.clients)
    clients.start()
    phases: list[Phase] = []
    time.sleep(args.phase_seconds / 2)
    context = {"server": server, "cluster": cluster, "upload_dir": upload_dir, "redis": redis, "workdir": workdir,
               "api_token": api_token, "campaign_id": campaign_id}  # fmt: skip
    for name in args.faults:
        phase = Phase(name, started=time.monotonic())
        clients.phase = name
        print(f"[fault] {name}", flush=True)
        FAULTS[name](phase, **context)
        fault_over = time.monotonic()
        time.sleep(args.phase_seconds)
        for at, during, result in list(clients.events):
            if during == name and not result.startswith("2"):
                phase.failed_attempts[result] = phase.failed_attempts.get(result, 0) + 1
                phase.failures_until_seconds = round(at - phase.started, 1)
        phase.notes.append(f"healthz answers after {wait_healthy(server.port):.1f} s more")
        phase.load = run_surge.load_average()
        print(f"        {phase.notes}; fault took {fault_over - phase.started:.1f} s; failed attempts "
              f"{phase.failed_attempts or 'none'}, the last {phase.failures_until_seconds} s after the fault began; "
              f"({phase.load})", flush=True)  # fmt: skip
        phases.append(phase)
    clients.phase = "cool-down"
    time.sleep(args.phase_seconds / 2)
    clients.stop()
    time.sleep(2)
    summary = verify(clients.outcomes, rsb.DATABASE_URL)
    by_phase = {
        name: verify([o for o in clients.outcomes if o.phase == name], rsb.DATABASE_URL)
        for name in ["warm-up", *args.faults, "cool-down"]
    }
    print(json.dumps({"all": summary, "by_phase": by_phase}, indent=2))
    log_errors = [line for line in server.log_path.read_text(errors="replace").splitlines() if "ERROR" in line]
    print(f"server log: {len(log_errors)} ERROR lines; first: {log_errors[:3]}")
    if args.json_out:
        args.json_out.write_text(json.dumps(
            {"phases": [asdict(p) for p in phases], "all": summary, "by_phase": by_phase}, indent=2))  # fmt: skip
    ok = summary["acknowledged_not_stored_once"] == 0 and summary["stored_twice"] == 0
    print("zero acknowledged submissions lost, none stored twice" if ok else "FAILED: see above")
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--phase-seconds", type=int, default=20, help="load after each fault (default 20)")
    parser.add_argument("--clients", type=int, default=6, help="client threads (default 6)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (default 3)")
    parser.add_argument("--faults", nargs="+", choices=sorted(FAULTS), default=list(FAULTS))
    parser.add_argument("--json-out", type=Path)
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="survey-faults-"))
    cleanup: list = []
    try:
        return run(args, workdir, cleanup)
    except rsb.BenchError as error:
        print(f"faults failed: {error}", file=sys.stderr)
        return 1
    finally:
        for step in reversed(cleanup):
            with contextlib.suppress(Exception):
                step()
        print(f"work folder: {workdir}")


if __name__ == "__main__":
    sys.exit(main())
