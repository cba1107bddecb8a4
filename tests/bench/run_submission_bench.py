"""Submission throughput benchmark: the product's POST /api/v1/links/<token>/responses against a minimal Flask app
that does one insert per request, both under gunicorn on the same machine, driven by wrk.

    .venv/bin/python tests/bench/run_submission_bench.py [--duration 20] [--connections 32]

Steps: drop and create the database survey_bench, migrate it and load the demo with the product's own commands,
take one unit's link token, build a complete answer set from the real questionnaires (tests.factories.full_answers),
start gunicorn for the product (deploy/gunicorn.conf.py) and for tests/bench/minimal_app.py with the same settings,
warm both up, run wrk on each in turn (minimal, product, minimal, product, ...), check in SQL that every 2xx answer
was stored exactly once, print a table and the product/minimal ratio, and stop every process it started.

Everything stays on 127.0.0.1. Exit status: 0 when the runs completed and the stored rows match what the clients
were told, 1 on any failure, 3 with --strict when a performance target is missed.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import platform
import re
import resource
import runpy
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterator

import psycopg

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent.parent
BIN_DIR = Path(sys.executable).parent  # the virtualenv's bin/ when run as .venv/bin/python
HOST = "127.0.0.1"
DB_NAME = "survey_bench"
DATABASE_URL = f"postgresql://postgres@{HOST}:5432/{DB_NAME}"
ADMIN_DATABASE_URL = f"postgresql://postgres@{HOST}:5432/postgres"
GUNICORN_CONFIG = REPO_ROOT / "deploy" / "gunicorn.conf.py"
LUA_SCRIPT = BENCH_DIR / "submit.lua"
# deploy/gunicorn.conf.py offers no way to switch the access log off (an empty GUNICORN_ACCESS_LOG makes gunicorn
# fail to start), so both servers log to /dev/null: each request still formats its log line, neither prints it.
ACCESS_LOG = "/dev/null"
TARGET_RATIO = 0.60
TARGET_P99_MS = 100.0
APPS = ("minimal", "product")
STEP_TIMEOUT = 120  # seconds for any set-up command
START_TIMEOUT = 60
STOP_TIMEOUT = 20


class BenchError(Exception):
    """A step failed; the message says which and why."""


# --- processes -------------------------------------------------------------------------------------------------


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen
    log_path: Path

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def start_server(name: str, argv: list[str], env: dict[str, str], port: int, workdir: Path) -> Server:
    log_path = workdir / f"{name}-gunicorn.log"
    with open(log_path, "wb") as log:
        # Its own session, so the whole gunicorn process group can be stopped by its id.
        process = subprocess.Popen(
            argv,
            cwd=REPO_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    return Server(name=name, port=port, process=process, log_path=log_path)


def stop_server(server: Server) -> None:
    """SIGTERM to the gunicorn master (graceful), then SIGKILL to its process group if it lingers."""
    process = server.process
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
    # Workers normally leave with their master; make sure none of its group is left behind.
    for pid in group_members(process.pid):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)


def post_json(server: Server, path: str, body: dict[str, Any], timeout: float = 10.0) -> tuple[int, str]:
    connection = http.client.HTTPConnection(HOST, server.port, timeout=timeout)
    try:
        connection.request(
            "POST",
            path,
            body=json.dumps(body, ensure_ascii=False).encode("utf-8"),
            headers={"Content-Type": "application/json"},
        )
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", errors="replace")
    finally:
        connection.close()


def wait_until_serving(server: Server, path: str, answers: dict[str, Any]) -> None:
    """Poll until one real submission is answered 201 (the workers are up and the database is reachable)."""
    deadline = time.monotonic() + START_TIMEOUT
    last_error = "no answer yet"
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise BenchError(f"{server.name} gunicorn exited with {server.process.returncode}:\n{server.log_tail()}")
        try:
            smoke_id = f"smoke-{secrets.token_hex(6)}"
            body = {"submission_id": smoke_id, "identity": f"device-{smoke_id}", "answers": answers}
            status, text = post_json(server, path, body)
        except OSError as error:
            last_error = str(error)
            time.sleep(0.3)
            continue
        if status == 201:
            return
        raise BenchError(f"{server.name}: smoke submission answered {status}: {text[:500]}\n{server.log_tail()}")
    raise BenchError(f"{server.name} did not serve within {START_TIMEOUT}s ({last_error}):\n{server.log_tail()}")


def run_command(argv: list[str], env: dict[str, str], what: str) -> str:
    try:
        done = subprocess.run(
            argv, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=STEP_TIMEOUT, stdin=subprocess.DEVNULL
        )
    except subprocess.TimeoutExpired as error:
        raise BenchError(f"{what}: no result after {STEP_TIMEOUT}s") from error
    if done.returncode != 0:
        raise BenchError(f"{what} failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return done.stdout


# --- CPU accounting --------------------------------------------------------------------------------------------

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def group_members(group: int) -> list[int]:
    """The pids of the processes in this process group."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                raw = (entry / "stat").read_text()
            except OSError:
                continue
            if int(raw[raw.rindex(")") + 2 :].split()[2]) == group:
                pids.append(int(entry.name))
    return pids


# PostgreSQL processes that work for this benchmark: its own backends, and the shared writers.
_POSTGRES_OURS = re.compile(rf"^postgres: .*(?: {DB_NAME} |walwriter|checkpointer|background writer)")


class CpuMeter:
    """CPU seconds used during a run by the server's gunicorn process group, by PostgreSQL on behalf of survey_bench,
    by wrk (this process's reaped children), and the machine's busy and total time (the rest is other people's).

    gunicorn: the master's cutime takes over a recycled worker's time, so two snapshots suffice. PostgreSQL: a
    backend that exits (its worker was recycled) takes its time with it, so a thread samples the backends twice
    a second and each one counts from its first to its last sample."""

    def __init__(self, server: Server, interval: float = 0.5) -> None:
        self.server = server
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample_loop, daemon=True)
        self._commands: dict[int, bool] = {}  # pid -> is one of ours (a pid's command line is read once)
        self._start_cpu: dict[int, float] = {}
        self._last_cpu: dict[int, float] = {}

    def _postgres_ours(self, pid: int) -> bool:
        if pid not in self._commands:
            try:
                command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                return False
            self._commands[pid] = bool(_POSTGRES_OURS.match(command.strip()))
        return self._commands[pid]

    def _sample(self, first: bool = False) -> tuple[float, float]:
        """Sample every process once; return (server group CPU, PostgreSQL CPU so far in this run)."""
        group_cpu = 0.0
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                raw = (entry / "stat").read_text()
            except OSError:
                continue
            name = raw[raw.index("(") + 1 : raw.rindex(")")]
            fields = raw[raw.rindex(")") + 2 :].split()
            seconds = sum(int(fields[i]) for i in (11, 12, 13, 14)) / CLOCK_TICKS  # utime stime cutime cstime
            pid = int(entry.name)
            if int(fields[2]) == self.server.process.pid:
                group_cpu += seconds
            elif name == "postgres" and self._postgres_ours(pid):
                if first:
                    self._start_cpu[pid] = seconds
                self._last_cpu[pid] = seconds
        postgres = sum(last - self._start_cpu.get(pid, 0.0) for pid, last in self._last_cpu.items())
        return group_cpu, postgres

    def _sample_loop(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    @staticmethod
    def _machine() -> tuple[float, float]:
        values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
        busy = sum(values[:8]) - values[3] - values[4]  # all but idle and iowait
        return busy / CLOCK_TICKS, sum(values[:8]) / CLOCK_TICKS

    @staticmethod
    def _children() -> float:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    def __enter__(self) -> CpuMeter:
        self._app0, _ = self._sample(first=True)
        self._busy0, self._total0 = self._machine()
        self._wrk0 = self._children()
        self._thread.start()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        app, postgres = self._sample()
        busy, total = self._machine()
        self.seconds = {
            "app": app - self._app0,
            "postgres": postgres,
            "wrk": self._children() - self._wrk0,
            "machine_busy": busy - self._busy0,
            "machine_total": total - self._total0,
        }

    def per_request(self, requests: int) -> dict[str, float]:
        delta = self.seconds
        per = 1000.0 / max(requests, 1)
        total = max(delta["machine_total"], 1e-9)
        others = delta["machine_busy"] - delta["app"] - delta["postgres"] - delta["wrk"]
        return {
            "app_ms": delta["app"] * per,
            "postgres_ms": delta["postgres"] * per,
            "wrk_ms": delta["wrk"] * per,
            "machine_busy_pct": 100.0 * delta["machine_busy"] / total,
            "other_processes_pct": max(0.0, 100.0 * others / total),
        }


def machine_busy_pct(seconds: float = 3.0) -> float:
    """How busy the machine is with nothing of the benchmark running: other people's work skews the numbers."""

    def sample() -> tuple[int, int]:
        values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
        return sum(values[:8]) - values[3] - values[4], sum(values[:8])

    busy0, total0 = sample()
    time.sleep(seconds)
    busy1, total1 = sample()
    return 100.0 * (busy1 - busy0) / max(total1 - total0, 1)


# --- database --------------------------------------------------------------------------------------------------


def recreate_database() -> None:
    with psycopg.connect(ADMIN_DATABASE_URL, autocommit=True, connect_timeout=10) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')


def pick_link_token() -> tuple[str, str]:
    """The link token of the demo campaign's first unit (by unit code), and that code."""
    with psycopg.connect(DATABASE_URL, connect_timeout=10) as conn:
        row = conn.execute(
            "SELECT cu.link_token, u.code FROM campaign_units cu JOIN units u ON u.id = cu.unit_id "
            "ORDER BY u.code LIMIT 1"
        ).fetchone()
    if row is None:
        raise BenchError("the demo load left no campaign_units")
    return row[0], row[1]


def build_answers(workdir: Path) -> dict[str, Any]:
    """The complete, valid answer set of tests/factories.full_answers for the demo campaign's questionnaires."""
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    from sqlalchemy import select

    from survey_api import create_app
    from survey_api.extensions import db
    from survey_api.models import Campaign
    from survey_api.services.demo import DEMO_CAMPAIGN_TITLE
    from tests.factories import full_answers

    app = create_app({"SQLALCHEMY_DATABASE_URI": DATABASE_URL, "INSTANCE_PATH": str(workdir / "instance")})
    with app.app_context():
        campaign = db.session.scalar(select(Campaign).where(Campaign.title == DEMO_CAMPAIGN_TITLE))
        if campaign is None:
            raise BenchError("the demo campaign is missing")
        answers = full_answers(campaign)
        db.session.close()
        db.engine.dispose()
    return answers


def database_maintenance(statement: str) -> None:
    with psycopg.connect(DATABASE_URL, autocommit=True, connect_timeout=10) as conn:
        conn.execute(statement)


# --- wrk -------------------------------------------------------------------------------------------------------


@dataclass
class WrkResult:
    app: str
    round: int
    run_id: str
    requests_per_second: float
    p50_ms: float
    p75_ms: float
    p90_ms: float
    p99_ms: float
    requests: int
    non_2xx_3xx: int
    socket_errors: dict[str, int]
    status_counts: dict[str, int] = field(default_factory=dict)
    sent: int = 0
    verification: dict[str, Any] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)  # CPU ms per completed request, and the machine's busy %


_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
_LATENCY_LINE = re.compile(r"^\s*(50|75|90|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s|m|h)\s*$", re.MULTILINE)
_RPS_LINE = re.compile(r"^Requests/sec:\s+([\d.]+)", re.MULTILINE)
_TOTAL_LINE = re.compile(r"^\s*(\d+) requests in ", re.MULTILINE)
_NON_2XX_LINE = re.compile(r"^\s*Non-2xx or 3xx responses:\s+(\d+)", re.MULTILINE)
_SOCKET_LINE = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")


def parse_wrk_output(text: str, app: str, round_no: int, run_id: str) -> WrkResult:
    latencies = {int(p): float(v) * _UNIT_MS[unit] for p, v, unit in _LATENCY_LINE.findall(text)}
    rps, total = _RPS_LINE.search(text), _TOTAL_LINE.search(text)
    if rps is None or total is None or not {50, 75, 90, 99} <= set(latencies):
        raise BenchError(f"cannot read wrk's output:\n{text}")
    non_2xx = _NON_2XX_LINE.search(text)
    sockets = _SOCKET_LINE.search(text)
    socket_errors = dict(
        zip(("connect", "read", "write", "timeout"), (int(n) for n in sockets.groups()) if sockets else (0, 0, 0, 0))
    )
    return WrkResult(
        app=app,
        round=round_no,
        run_id=run_id,
        requests_per_second=float(rps.group(1)),
        p50_ms=latencies[50],
        p75_ms=latencies[75],
        p90_ms=latencies[90],
        p99_ms=latencies[99],
        requests=int(total.group(1)),
        non_2xx_3xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=socket_errors,
    )


@dataclass
class ScriptReport:
    sent_by_thread: dict[int, int]
    status_counts: dict[str, int]
    ok_ids: list[str]


def read_script_report(path: Path) -> ScriptReport:
    sent: dict[int, int] = {}
    statuses: dict[str, int] = {}
    ok_ids: list[str] = []
    for line in path.read_text().splitlines():
        kind, _, rest = line.partition(" ")
        if kind == "sent":
            thread, count = rest.split()
            sent[int(thread)] = int(count)
        elif kind == "status":
            code, count = rest.split()
            statuses[code] = int(count)
        elif kind == "ok":
            ok_ids.append(rest.strip())
    return ScriptReport(sent_by_thread=sent, status_counts=statuses, ok_ids=ok_ids)


def wrk_argv(
    wrk: str, server: Server, token: str, answers_file: Path, run_id: str, args: argparse.Namespace, duration: int
) -> list[str]:
    return [
        wrk,
        "--latency",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{duration}s",
        "--timeout",
        f"{args.wrk_timeout}s",
        "-s",
        str(LUA_SCRIPT),
        server.base_url,
        "--",
        token,
        str(answers_file),
        run_id,
    ]


def run_wrk(
    wrk: str,
    server: Server,
    token: str,
    answers_file: Path,
    run_id: str,
    args: argparse.Namespace,
    duration: int,
    report_path: Path,
) -> tuple[str, CpuMeter]:
    """Run wrk once; return its output and the CPU used meanwhile."""
    argv = wrk_argv(wrk, server, token, answers_file, run_id, args, duration)
    env = {**os.environ, "BENCH_REPORT": str(report_path)}
    try:
        with CpuMeter(server) as meter:
            done = subprocess.run(
                argv,
                cwd=REPO_ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=duration + 60,
                stdin=subprocess.DEVNULL,
            )
    except subprocess.TimeoutExpired as error:
        raise BenchError(f"wrk against {server.name} did not finish") from error
    if done.returncode != 0:
        raise BenchError(f"wrk against {server.name} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    if server.process.poll() is not None:
        raise BenchError(f"{server.name} gunicorn died during the run:\n{server.log_tail()}")
    return done.stdout, meter


# --- verification ----------------------------------------------------------------------------------------------


def stored_ids(app: str, prefix: str) -> tuple[dict[str, int], int | None]:
    """submission_id → number of stored rows for this run; for the product also the number of stored answers."""
    table = "responses" if app == "product" else "bench_minimal_submissions"
    with psycopg.connect(DATABASE_URL, connect_timeout=10) as conn:
        rows = conn.execute(
            f"SELECT submission_id, count(*) FROM {table} WHERE left(submission_id, %s) = %s GROUP BY submission_id",
            (len(prefix), prefix),
        ).fetchall()
        answer_rows = None
        if app == "product":
            answer_rows = conn.execute(
                "SELECT count(*) FROM responses r, jsonb_each(r.answers) AS f(form_key, questions), "
                "jsonb_each(f.questions) AS q WHERE left(r.submission_id, %s) = %s",
                (len(prefix), prefix),
            ).fetchone()[0]
    return {sid: n for sid, n in rows}, answer_rows


def verify(result: WrkResult, report: ScriptReport, answers_per_response: int) -> list[str]:
    """Compare the database with what the clients were told; return the problems (none means verified).

    A request still in flight when wrk stops may be stored although wrk never read its answer; such rows are
    counted as `stored_unanswered` and accepted only for ids the script really sent and never saw answered."""
    problems: list[str] = []
    prefix = result.run_id + "-"
    stored, answer_rows = stored_ids(result.app, prefix)
    ok_ids = report.ok_ids
    ok_set = set(ok_ids)
    answered = sum(report.status_counts.values())
    two_xx = sum(n for code, n in report.status_counts.items() if code.startswith("2"))
    sent = sum(report.sent_by_thread.values())
    if answered != result.requests:
        problems.append(f"wrk counted {result.requests} responses, the script saw {answered}")
    if two_xx != len(ok_ids):
        problems.append(f"{two_xx} 2xx answers but {len(ok_ids)} named their submission_id")
    if len(ok_set) != len(ok_ids):
        problems.append(f"{len(ok_ids) - len(ok_set)} submission ids were answered 2xx more than once")
    resends = report.status_counts.get("200", 0)
    if resends:
        problems.append(f"{resends} answers said 'already stored' (200) although every id was new")
    duplicated = {sid: n for sid, n in stored.items() if n > 1}
    if duplicated:
        problems.append(f"{len(duplicated)} submission ids stored more than once")
    lost = ok_set - stored.keys()
    if lost:
        problems.append(f"{len(lost)} submissions answered 2xx are not in the database, e.g. {sorted(lost)[:3]}")
    unanswered = stored.keys() - ok_set
    for sid in unanswered:
        thread, _, counter = sid[len(prefix) :].partition("-")
        if not (
            thread.isdigit() and counter.isdigit() and 1 <= int(counter) <= report.sent_by_thread.get(int(thread), 0)
        ):
            problems.append(f"stored id {sid} was never sent by this run")
            break
    if len(unanswered) > sent - answered:
        problems.append(
            f"{len(unanswered)} stored rows were never answered, but only {sent - answered} "
            "requests were left in flight"
        )
    stored_answered = len(ok_set & stored.keys())
    if stored_answered != two_xx:
        problems.append(f"stored {stored_answered} of the {two_xx} submissions answered 2xx")
    if answer_rows is not None and answer_rows != len(stored) * answers_per_response:
        problems.append(
            f"{answer_rows} answers stored for {len(stored)} responses, expected {answers_per_response} each"
        )
    result.sent = sent
    result.status_counts = dict(sorted(report.status_counts.items()))
    result.verification = {
        "two_xx": two_xx,
        "stored_answered": stored_answered,
        "stored_unanswered": len(unanswered),
        "in_flight_at_stop": sent - answered,
        "answer_rows": answer_rows,
        "problems": problems,
    }
    return problems


def profile_one_worker(
    args: argparse.Namespace, server: Server, token: str, answers_file: Path, run_id: str, workdir: Path
) -> Path:
    """Sample one gunicorn worker with py-spy while wrk loads the server as in the measured runs (not counted).

    --gil keeps only samples where the worker holds the GIL, i.e. runs Python: on this CPU-bound machine that is
    where the time goes; waits on PostgreSQL and on the run queue are left out."""
    py_spy = shutil.which("py-spy", path=str(BIN_DIR)) or shutil.which("py-spy")
    if py_spy is None:
        raise BenchError("--py-spy needs py-spy: .venv/bin/pip install py-spy")
    workers = [pid for pid in group_members(server.process.pid) if pid != server.process.pid]
    if not workers:
        raise BenchError(f"no {server.name} workers found to profile")
    raw = workdir / f"{server.name}-worker.pyspy.txt"
    load = subprocess.Popen(
        wrk_argv(args.wrk, server, token, answers_file, run_id, args, args.py_spy + 4),
        cwd=REPO_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
    )
    try:
        time.sleep(2)
        done = subprocess.run(
            [
                py_spy,
                "record",
                "--pid",
                str(min(workers)),
                "--rate",
                "100",
                "--gil",
                "--duration",
                str(args.py_spy),
                "--format",
                "raw",
                "--output",
                str(raw),
            ],
            capture_output=True,
            text=True,
            timeout=args.py_spy + 60,
            stdin=subprocess.DEVNULL,
        )
        if done.returncode != 0 or not raw.exists():
            raise BenchError(f"py-spy failed ({done.returncode}): {done.stderr[-1000:]}")
    finally:
        try:
            load.wait(timeout=args.py_spy + 60)
        except subprocess.TimeoutExpired:
            load.kill()
            load.wait(timeout=5)
    return raw


# --- reporting -------------------------------------------------------------------------------------------------


def machine_facts(wrk: str, gunicorn_settings: dict[str, Any]) -> dict[str, Any]:
    cpu_model = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    memory = "unknown"
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    with psycopg.connect(DATABASE_URL, connect_timeout=10) as conn:
        pg_version = conn.execute("SHOW server_version").fetchone()[0]
        pg_settings = {
            name: conn.execute(f"SHOW {name}").fetchone()[0]
            for name in ("synchronous_commit", "fsync", "shared_buffers")
        }
    wrk_version = subprocess.run([wrk, "-v"], capture_output=True, text=True).stdout.splitlines()[:1]
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True)
    changed = subprocess.run(
        ["git", "status", "--porcelain", "--", "survey_api", "deploy", "migrations", "forms"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
    )
    import gunicorn

    return {
        "nproc": os.cpu_count(),
        "cpu_model": cpu_model,
        "memory": memory,
        "python": platform.python_version(),
        "postgresql": pg_version,
        "postgresql_settings": pg_settings,
        "gunicorn": gunicorn.__version__,
        "wrk": wrk_version[0] if wrk_version else "unknown",
        "gunicorn_settings": gunicorn_settings,
        "product_commit": commit.stdout.strip() or "unknown",
        "product_code_changed_since_commit": bool(changed.stdout.strip()),
    }


def print_table(results: list[WrkResult]) -> None:
    header = (
        f"{'app':<8} {'round':>5} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'requests':>9} "
        f"{'non-2xx':>8} {'sock err':>8} {'stored':>7} {'+unans':>6}  verified"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        v = r.verification
        print(
            f"{r.app:<8} {r.round:>5} {r.requests_per_second:>9.1f} {r.p50_ms:>8.1f} {r.p99_ms:>8.1f} "
            f"{r.requests:>9} {r.non_2xx_3xx:>8} {sum(r.socket_errors.values()):>8} "
            f"{v.get('stored_answered', 0):>7} {v.get('stored_unanswered', 0):>6}  "
            f"{'yes' if not v.get('problems') else 'NO: ' + '; '.join(v['problems'])}"
        )


def print_cpu_table(results: list[WrkResult]) -> None:
    header = (
        f"{'app':<8} {'round':>5} {'app CPU ms/req':>15} {'PostgreSQL ms/req':>18} {'wrk ms/req':>11} "
        f"{'machine busy':>13} {'of it others':>13}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        print(
            f"{r.app:<8} {r.round:>5} {r.cpu['app_ms']:>15.2f} {r.cpu['postgres_ms']:>18.2f} "
            f"{r.cpu['wrk_ms']:>11.2f} {r.cpu['machine_busy_pct']:>12.0f}% {r.cpu['other_processes_pct']:>12.0f}%"
        )


def summarise(results: list[WrkResult]) -> dict[str, Any]:
    summary: dict[str, Any] = {}
    for app in APPS:
        runs = [r for r in results if r.app == app]
        summary[app] = {
            "rounds": len(runs),
            "requests_per_second": statistics.mean(r.requests_per_second for r in runs),
            "p50_ms": statistics.mean(r.p50_ms for r in runs),
            "p99_ms": statistics.mean(r.p99_ms for r in runs),
            "worst_p99_ms": max(r.p99_ms for r in runs),
            "app_cpu_ms_per_request": statistics.mean(r.cpu["app_ms"] for r in runs),
            "postgres_cpu_ms_per_request": statistics.mean(r.cpu["postgres_ms"] for r in runs),
        }
    ratio = summary["product"]["requests_per_second"] / summary["minimal"]["requests_per_second"]
    summary["ratio"] = ratio
    summary["throughput_target_met"] = ratio >= TARGET_RATIO
    summary["p99_target_met"] = summary["product"]["worst_p99_ms"] < TARGET_P99_MS
    return summary


def print_summary(summary: dict[str, Any], connections: int) -> None:
    print()
    print(f"{'app':<8} {'mean req/s':>11} {'mean p50 ms':>12} {'mean p99 ms':>12} {'worst p99 ms':>13}")
    for app in APPS:
        s = summary[app]
        print(
            f"{app:<8} {s['requests_per_second']:>11.1f} {s['p50_ms']:>12.1f} {s['p99_ms']:>12.1f} "
            f"{s['worst_p99_ms']:>13.1f}"
        )
    print()
    met = {True: "met", False: "MISSED"}
    print(
        f"throughput ratio product/minimal: {summary['ratio']:.2f} "
        f"(target >= {TARGET_RATIO:.2f}: {met[summary['throughput_target_met']]})"
    )
    print(
        f"product p99 at {connections} connections, worst round: {summary['product']['worst_p99_ms']:.1f} ms "
        f"(target < {TARGET_P99_MS:.0f} ms: {met[summary['p99_target_met']]})"
    )


# --- main ------------------------------------------------------------------------------------------------------


def gunicorn_settings(workers: int) -> dict[str, Any]:
    """The values deploy/gunicorn.conf.py yields with this worker count, so the baseline runs under the same ones."""
    saved = {k: os.environ.get(k) for k in ("GUNICORN_WORKERS", "GUNICORN_ACCESS_LOG")}
    os.environ.update(GUNICORN_WORKERS=str(workers), GUNICORN_ACCESS_LOG=ACCESS_LOG)
    try:
        config = runpy.run_path(str(GUNICORN_CONFIG))
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    names = (
        "worker_class",
        "workers",
        "timeout",
        "graceful_timeout",
        "keepalive",
        "max_requests",
        "max_requests_jitter",
        "preload_app",
        "accesslog",
        "access_log_format",
        "limit_request_line",
        "limit_request_fields",
    )
    return {name: config[name] for name in names}


def no_control_socket() -> list[str]:
    """Recent gunicorn (27 here) opens a control socket at one fixed path per user; two servers (or a developer's
    own) would fight over it, so the benchmark's servers go without. It does not touch request handling."""
    from gunicorn.config import KNOWN_SETTINGS

    return ["--no-control-socket"] if any(s.name == "control_socket_disable" for s in KNOWN_SETTINGS) else []


def minimal_argv(settings: dict[str, Any], port: int) -> list[str]:
    argv = [
        str(BIN_DIR / "gunicorn"),
        "--worker-class",
        settings["worker_class"],
        "--workers",
        str(settings["workers"]),
        "--timeout",
        str(settings["timeout"]),
        "--graceful-timeout",
        str(settings["graceful_timeout"]),
        "--keep-alive",
        str(settings["keepalive"]),
        "--max-requests",
        str(settings["max_requests"]),
        "--max-requests-jitter",
        str(settings["max_requests_jitter"]),
        "--access-logfile",
        settings["accesslog"],
        "--access-logformat",
        settings["access_log_format"],
        "--error-logfile",
        "-",
        "--limit-request-line",
        str(settings["limit_request_line"]),
        "--limit-request-fields",
        str(settings["limit_request_fields"]),
        "--bind",
        f"{HOST}:{port}",
        "--pythonpath",
        str(BENCH_DIR),
        *no_control_socket(),
    ]
    if settings["preload_app"]:
        argv.append("--preload")
    return argv + ["minimal_app:create_app()"]


def server_env(workers: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUNICORN_") and k != "DATABASE_URL"}
    env.update(
        DATABASE_URL=DATABASE_URL,
        BENCH_DATABASE_URL=DATABASE_URL,
        GUNICORN_WORKERS=str(workers),
        GUNICORN_ACCESS_LOG=ACCESS_LOG,
        PYTHONUNBUFFERED="1",
        # The benchmark measures storing answers: every request comes from one address to one link, which the rate
        # limits (rightly) refuse after a few dozen; wrk would then measure 429 answers.
        RATE_LIMIT_ENABLED="false",
    )
    return env


@contextlib.contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """Turn SIGTERM into an exception so the clean-up below runs."""

    def handler(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=20, help="seconds per measured wrk run (default 20)")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections (default 32)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers for each app (default 4)")
    parser.add_argument("--rounds", type=int, default=2, help="minimal+product pairs, interleaved (default 2)")
    parser.add_argument("--warmup", type=int, default=5, help="seconds of wrk warm-up per app (default 5)")
    parser.add_argument(
        "--wrk-timeout",
        type=int,
        default=10,
        help="wrk --timeout in seconds: slow answers are measured, not dropped (default 10)",
    )
    parser.add_argument("--wrk", default=shutil.which("wrk") or "/usr/bin/wrk", help="the wrk binary")
    parser.add_argument("--json-out", type=Path, help="also write the settings, runs and summary as JSON here")
    parser.add_argument("--keep-files", action="store_true", help="keep the work folder (logs, payload, reports)")
    parser.add_argument("--strict", action="store_true", help="exit 3 when a performance target is missed")
    parser.add_argument(
        "--py-spy",
        type=int,
        metavar="SECONDS",
        default=0,
        help="after the measured runs, sample one product worker under the same load for this long "
        "with py-spy (installed separately) and summarise it; kept in the work folder",
    )
    args = parser.parse_args(argv)
    if args.threads > args.connections:
        parser.error("--threads cannot exceed --connections")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not Path(args.wrk).is_file():
        print(f"wrk not found at {args.wrk}", file=sys.stderr)
        return 1
    workdir = Path(tempfile.mkdtemp(prefix="survey-bench-"))
    servers: list[Server] = []
    failed = True
    try:
        with terminate_as_interrupt():
            exit_code = _run(args, workdir, servers)
        failed = exit_code == 1
        return exit_code
    except BenchError as error:
        print(f"\nbenchmark failed: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 1
    finally:
        for server in servers:
            stop_server(server)
        if failed or args.keep_files:
            print(f"work folder kept: {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def _relative(arg: str) -> str:
    """A path inside the repository as the repository-relative path, for readable output."""
    return arg.replace(str(REPO_ROOT) + os.sep, "")


def _run(args: argparse.Namespace, workdir: Path, servers: list[Server]) -> int:
    settings = gunicorn_settings(args.workers)
    env = server_env(args.workers)
    survey_api_cli = str(BIN_DIR / "survey-api")

    background = machine_busy_pct()
    print(
        f"[setup] machine {background:.0f}% busy before the benchmark"
        + ("  WARNING: other work is running; the numbers will be skewed" if background > 10 else ""),
        flush=True,
    )
    print(f"[setup] recreating database {DB_NAME}", flush=True)
    recreate_database()
    run_command([survey_api_cli, "db", "upgrade"], env, "survey-api db upgrade")
    run_command([survey_api_cli, "demo", "load"], env, "survey-api demo load")
    token, unit_code = pick_link_token()
    answers = build_answers(workdir)
    answers_per_response = sum(len(questions) for questions in answers.values())
    answers_file = workdir / "answers.json"
    answers_file.write_text(json.dumps(answers, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    path = f"/api/v1/links/{token}/responses"
    print(
        f"[setup] unit {unit_code}, token {token}, {answers_per_response} answers in "
        f"{len(answers)} questionnaires, body ~{answers_file.stat().st_size + 60} bytes",
        flush=True,
    )

    sys.path.insert(0, str(BENCH_DIR))
    from minimal_app import create_schema

    create_schema(DATABASE_URL)

    facts = machine_facts(args.wrk, settings)
    facts["busy_before_pct"] = round(background, 1)
    print(
        f"[setup] {facts['nproc']} CPUs ({facts['cpu_model']}), {facts['memory']}, Python {facts['python']}, "
        f"PostgreSQL {facts['postgresql']} {facts['postgresql_settings']}, gunicorn {facts['gunicorn']}, "
        f"{facts['wrk']}; product at commit {facts['product_commit']}"
        + (" with uncommitted changes" if facts["product_code_changed_since_commit"] else ""),
        flush=True,
    )
    print(
        f"[setup] both apps: {settings['workers']} {settings['worker_class']} workers, keepalive "
        f"{settings['keepalive']}, max_requests {settings['max_requests']}±{settings['max_requests_jitter']}, "
        f"preload {settings['preload_app']}, access log {settings['accesslog']}; wrk -t{args.threads} "
        f"-c{args.connections} -d{args.duration}s --timeout {args.wrk_timeout}s on the same CPUs",
        flush=True,
    )

    product_port, minimal_port = free_port(), free_port()
    product_argv = [
        str(BIN_DIR / "gunicorn"),
        "--config",
        str(GUNICORN_CONFIG),
        "--bind",
        f"{HOST}:{product_port}",
        *no_control_socket(),
        "survey_api.wsgi:app",
    ]
    by_name: dict[str, Server] = {}
    for name, argv_, port in (
        ("minimal", minimal_argv(settings, minimal_port), minimal_port),
        ("product", product_argv, product_port),
    ):
        print(f"[setup] {name}: {' '.join(_relative(a) for a in argv_)}", flush=True)
        server = start_server(name, argv_, env, port, workdir)
        servers.append(server)
        by_name[name] = server
    for server in servers:
        wait_until_serving(server, path, answers)
        print(f"[setup] {server.name} serving on {server.base_url}", flush=True)

    nonce = secrets.token_hex(3)
    for name in APPS:
        print(f"[warm-up] {name}: {args.warmup}s", flush=True)
        run_wrk(
            args.wrk,
            by_name[name],
            token,
            answers_file,
            f"{nonce}-warm-{name}",
            args,
            args.warmup,
            workdir / f"warm-{name}.report",
        )
    database_maintenance("ANALYZE")

    results: list[WrkResult] = []
    problems_seen = False
    for round_no in range(1, args.rounds + 1):
        for name in APPS:
            database_maintenance("CHECKPOINT")  # the same starting point for each run
            run_id = f"{nonce}-r{round_no}-{name}"
            report_path = workdir / f"{run_id}.report"
            print(f"[run] round {round_no}: {name} for {args.duration}s", flush=True)
            output, meter = run_wrk(
                args.wrk, by_name[name], token, answers_file, run_id, args, args.duration, report_path
            )
            (workdir / f"{run_id}.wrk.txt").write_text(output)
            result = parse_wrk_output(output, name, round_no, run_id)
            result.cpu = meter.per_request(result.requests)
            time.sleep(1.0)  # let requests abandoned at wrk's stop finish before counting rows
            problems = verify(result, read_script_report(report_path), answers_per_response if name == "product" else 1)
            problems_seen |= bool(problems)
            results.append(result)
            print(
                f"        {result.requests_per_second:.1f} req/s, p50 {result.p50_ms:.1f} ms, "
                f"p99 {result.p99_ms:.1f} ms, statuses {result.status_counts}, CPU ms/request: app "
                f"{result.cpu['app_ms']:.1f}, PostgreSQL {result.cpu['postgres_ms']:.1f}, wrk "
                f"{result.cpu['wrk_ms']:.1f} (machine {result.cpu['machine_busy_pct']:.0f}% busy, "
                f"{result.cpu['other_processes_pct']:.0f}% by other processes), "
                f"{'verified' if not problems else 'PROBLEMS: ' + '; '.join(problems)}",
                flush=True,
            )

    if args.py_spy:
        print(
            f"[profile] py-spy on one product worker for {args.py_spy}s under the same load (not measured)", flush=True
        )
        raw = profile_one_worker(args, by_name["product"], token, answers_file, f"{nonce}-pyspy-product", workdir)
        args.keep_files = True
        subprocess.run(
            [sys.executable, str(BENCH_DIR / "profile_submission.py"), "--py-spy-summary", str(raw)],
            cwd=REPO_ROOT,
            timeout=STEP_TIMEOUT,
            check=False,
        )
        print(f"[profile] raw samples: {raw}", flush=True)

    print()
    print(
        f"Submissions, {args.connections} connections, {args.duration}s per run, "
        f"{settings['workers']} {settings['worker_class']} gunicorn workers per app"
    )
    print()
    print_table(results)
    print()
    print_cpu_table(results)
    summary = summarise(results)
    print_summary(summary, args.connections)
    others = max(r.cpu["other_processes_pct"] for r in results)
    if others > 5:
        print(
            f"\nWARNING: processes outside the benchmark used up to {others:.0f}% of the machine during a run; "
            "rerun on a quiet machine before trusting these numbers."
        )
    print(
        "\nnote: wrk, both gunicorn servers and PostgreSQL share this machine's "
        f"{facts['nproc']} CPUs; 'stored' counts 2xx answers found in the database, '+unans' rows stored for "
        "requests still in flight when wrk stopped (never answered to the client)."
    )

    if args.json_out:
        args.json_out.write_text(
            json.dumps(
                {
                    "machine": facts,
                    "args": {k: str(v) for k, v in vars(args).items()},
                    "unit": unit_code,
                    "answers_per_response": answers_per_response,
                    "runs": [asdict(r) for r in results],
                    "summary": summary,
                },
                indent=2,
                ensure_ascii=False,
            )
        )
    if problems_seen:
        print("\nverification FAILED: the database does not match what the clients were told", file=sys.stderr)
        return 1
    if args.strict and not (summary["throughput_target_met"] and summary["p99_target_met"]):
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
