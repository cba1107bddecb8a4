"""QR-surge load and soak against the product under gunicorn (deploy/gunicorn.conf.py), PostgreSQL and a private
Redis for the rate limits, driven by wrk with tests/bench/surge.lua (page loads, submissions, resends, many client
addresses through one trusted proxy).

    .venv/bin/python tests/bench/run_surge.py surge [--steps 4,8,16,32,64,128] [--duration 20] [--profile 15]
    .venv/bin/python tests/bench/run_surge.py soak --minutes 30 --connections 4 --delay-ms 100

surge: one wrk run per concurrency step, rising, until the error rate passes 1 % or p99 more than doubles while the
throughput no longer grows (the knee); optionally samples one worker with py-spy at the knee. soak: one long run at a
steady rate (each connection waits --delay-ms before each request), with every worker's resident memory sampled
every 30 s and gunicorn's recycling (max_requests) off so that growth would show. Both check afterwards in SQL that
every submission answered 2xx is stored exactly once. Exit status 0 when verified, 1 otherwise.

Shared machine: every figure is printed with the load average (os.getloadavg) at the time.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import psycopg

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))
import run_submission_bench as rsb  # noqa: E402  (the processes, database and wrk helpers of the submission bench)

SURGE_LUA = BENCH_DIR / "surge.lua"
UNLIMITED = "1000000/minute"


def use_database(name: str, port: int = 5432) -> None:
    """Point the submission bench's helpers at a database of our own, so two benchmarks never share one."""
    rsb.DB_NAME = name
    rsb.DATABASE_URL = f"postgresql://postgres@{rsb.HOST}:{port}/{name}"
    rsb.ADMIN_DATABASE_URL = f"postgresql://postgres@{rsb.HOST}:{port}/postgres"
    rsb._POSTGRES_OURS = re.compile(rf"^postgres: .*(?: {name} |walwriter|checkpointer|background writer)")


def load_average() -> str:
    return "load %.2f %.2f %.2f" % os.getloadavg()


# --- services --------------------------------------------------------------------------------------------------


def start_redis(workdir: Path) -> tuple[subprocess.Popen, int]:
    """A private redis-server on a free port, keeping nothing on disk."""
    port = rsb.free_port()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", rsb.HOST, "--save", "", "--appendonly", "no"],
        stdout=(workdir / "redis.log").open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    for _ in range(100):
        if subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True, text=True).stdout == "PONG\n":
            return process, port
        time.sleep(0.05)
    process.kill()
    raise rsb.BenchError("the private redis-server did not start")


def product_env(workers: int, redis_port: int | None, **extra: str) -> dict[str, str]:
    """The product's environment as behind nginx: rate limits on, counted in Redis, with many client addresses.

    The per-link submission limit is raised above the offered load: the surge sends thousands of answers a minute
    through a handful of demo links, where a real surge spreads over hundreds of units; every request still makes
    its Redis round trips."""
    env = rsb.server_env(workers)
    env.pop("RATE_LIMIT_ENABLED", None)
    env.update(
        TRUSTED_PROXY_COUNT="1",
        RATE_LIMIT_SUBMIT_PER_LINK=UNLIMITED,
        RATE_LIMIT_KEY_PREFIX=f"bench-{os.getpid()}",
        SECRET_KEY="bench-secret",
        IDENTITY_HASH_KEY="bench-identity",
        **extra,
    )
    if redis_port:
        env["REDIS_URL"] = f"redis://{rsb.HOST}:{redis_port}/0"
    return env


def start_product(name: str, env: dict[str, str], workdir: Path) -> rsb.Server:
    port = rsb.free_port()
    argv = [
        str(rsb.BIN_DIR / "gunicorn"),
        "--config",
        str(rsb.GUNICORN_CONFIG),
        "--bind",
        f"{rsb.HOST}:{port}",
        *rsb.no_control_socket(),
        "survey_api.wsgi:app",
    ]
    return rsb.start_server(name, argv, env, port, workdir)


def prepare_database(env: dict[str, str], workdir: Path) -> tuple[Path, Path, int]:
    """A fresh database with the demo district; the link tokens and the answers file for surge.lua."""
    rsb.recreate_database()
    cli = str(rsb.BIN_DIR / "survey-api")
    rsb.run_command([cli, "db", "upgrade"], env, "survey-api db upgrade")
    rsb.run_command([cli, "demo", "load"], env, "survey-api demo load")
    with psycopg.connect(rsb.DATABASE_URL, connect_timeout=10) as conn:
        tokens = [row[0] for row in conn.execute("SELECT link_token FROM campaign_units ORDER BY id")]
    tokens_file = workdir / "tokens.txt"
    tokens_file.write_text("\n".join(tokens) + "\n")
    answers = rsb.build_answers(workdir)
    answers_file = workdir / "answers.json"
    answers_file.write_text(json.dumps(answers, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return tokens_file, answers_file, sum(len(q) for q in answers.values())


# --- one wrk run -----------------------------------------------------------------------------------------------


@dataclass
class Step:
    label: str
    connections: int
    seconds: int
    requests_per_second: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    requests: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    error_rate: float = 0.0
    socket_errors: dict[str, int] = field(default_factory=dict)
    stored_answered: int = 0
    stored_unanswered: int = 0
    problems: list[str] = field(default_factory=list)
    load: str = ""
    memory_mb: list[dict[str, Any]] = field(default_factory=list)


def wrk_surge_argv(base_url: str, files: tuple[Path, Path], run_id: str, connections: int, seconds: int) -> list[str]:
    threads = max(1, min(2, connections))
    return [
        shutil.which("wrk") or "/usr/bin/wrk",
        "--latency",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(SURGE_LUA),
        base_url,
        "--",
        str(files[0]),
        str(files[1]),
        run_id,
    ]


def run_step(base_url: str, files: tuple[Path, Path], step: Step, run_id: str, workdir: Path, **env: str) -> str:
    report = workdir / f"{run_id}.report"
    argv = wrk_surge_argv(base_url, files, run_id, step.connections, step.seconds)
    done = subprocess.run(
        argv,
        env={**os.environ, "BENCH_REPORT": str(report), **env},
        capture_output=True,
        text=True,
        timeout=step.seconds + 120,
        stdin=subprocess.DEVNULL,
    )
    if done.returncode != 0:
        raise rsb.BenchError(f"wrk failed ({done.returncode}): {done.stderr[-1000:]}")
    step.load = load_average()
    result = rsb.parse_wrk_output(done.stdout, "product", 0, run_id)
    step.requests_per_second, step.p50_ms, step.p99_ms = result.requests_per_second, result.p50_ms, result.p99_ms
    step.requests, step.socket_errors = result.requests, result.socket_errors
    (workdir / f"{run_id}.wrk.txt").write_text(done.stdout)
    return str(report)


def check_stored(step: Step, run_id: str, report_path: str) -> None:
    """Every id answered 2xx is stored exactly once; stored ids nobody was told about were in flight at the end."""
    time.sleep(1.0)  # requests abandoned when wrk stopped finish first
    report = rsb.read_script_report(Path(report_path))
    step.statuses = dict(sorted(report.status_counts.items()))
    answered = sum(report.status_counts.values())
    errors = sum(n for code, n in report.status_counts.items() if code[0] in "45")
    step.error_rate = errors / answered if answered else 1.0
    stored, _ = rsb.stored_ids("product", run_id + "-")
    ok = set(report.ok_ids)
    step.problems = []
    if duplicated := [sid for sid, n in stored.items() if n > 1]:
        step.problems.append(f"{len(duplicated)} submission ids stored more than once")
    if lost := ok - stored.keys():
        step.problems.append(f"LOST: {len(lost)} submissions answered 2xx are not stored, e.g. {sorted(lost)[:3]}")
    sent = sum(report.sent_by_thread.values())
    if len(stored) > sent:
        step.problems.append(f"{len(stored)} rows stored for {sent} submissions sent")
    step.stored_answered = len(ok & stored.keys())
    step.stored_unanswered = len(stored.keys() - ok)


# --- memory ----------------------------------------------------------------------------------------------------


def worker_memory_mb(server: rsb.Server) -> dict[str, float]:
    """Resident memory (MB) of the gunicorn master and each worker, by pid."""
    sizes = {}
    for pid in rsb.group_members(server.process.pid):
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    role = "master" if pid == server.process.pid else "worker"
                    sizes[f"{role}-{pid}"] = round(int(line.split()[1]) / 1024, 1)
        except OSError:
            continue
    return sizes


class MemorySampler(threading.Thread):
    def __init__(self, server: rsb.Server, every: float) -> None:
        super().__init__(daemon=True)
        self.server, self.every, self.samples = server, every, []
        self.stop_event = threading.Event()
        self.started_at = time.monotonic()

    def run(self) -> None:
        while not self.stop_event.wait(self.every):
            sample = {"t": round(time.monotonic() - self.started_at), "load": load_average()}
            sample.update(worker_memory_mb(self.server))
            self.samples.append(sample)
            print(f"  [memory] {sample}", flush=True)


# --- profile ---------------------------------------------------------------------------------------------------


def profile_worker(server: rsb.Server, base_url: str, files: tuple[Path, Path], connections: int, seconds: int,
                   workdir: Path) -> None:  # fmt: skip
    """py-spy on one worker while the surge mix runs (not measured), summarised by profile_submission.py."""
    py_spy = shutil.which("py-spy", path=str(rsb.BIN_DIR)) or shutil.which("py-spy")
    if py_spy is None:
        print("[profile] skipped: py-spy is not installed (.venv/bin/pip install py-spy)")
        return
    workers = [pid for pid in rsb.group_members(server.process.pid) if pid != server.process.pid]
    raw = workdir / "surge-worker.pyspy.txt"
    argv = wrk_surge_argv(base_url, files, f"prof{os.getpid()}", connections, seconds + 4)
    load = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(2)
        subprocess.run(
            [py_spy, "record", "--pid", str(min(workers)), "--rate", "100", "--gil", "--duration", str(seconds),
             "--format", "raw", "--output", str(raw)],
            capture_output=True, timeout=seconds + 60,
        )  # fmt: skip
    finally:
        load.wait(timeout=seconds + 60)
    if raw.exists():
        subprocess.run([sys.executable, str(BENCH_DIR / "profile_submission.py"), "--py-spy-summary", str(raw)])
        print(f"[profile] raw samples: {raw}")


# --- modes -----------------------------------------------------------------------------------------------------


def print_step(step: Step) -> None:
    print(
        f"  {step.label:>10} c={step.connections:<4} {step.requests_per_second:8.1f} req/s  p50 {step.p50_ms:7.1f} ms"
        f"  p99 {step.p99_ms:8.1f} ms  errors {100 * step.error_rate:5.2f} %  {step.statuses}  socket "
        f"{step.socket_errors}  stored {step.stored_answered}+{step.stored_unanswered} unanswered  ({step.load})"
        + (f"  PROBLEMS: {'; '.join(step.problems)}" if step.problems else "  verified"),
        flush=True,
    )


def is_knee(previous: Step, step: Step) -> bool:
    degraded_p99 = step.p99_ms > 2 * previous.p99_ms and step.requests_per_second < 1.10 * previous.requests_per_second
    return step.error_rate > 0.01 or degraded_p99


def surge(args: argparse.Namespace, base_url: str, server: rsb.Server, files, workdir: Path) -> list[Step]:
    steps: list[Step] = []
    knee: Step | None = None
    for connections in args.steps:
        step = Step(f"surge-{connections}", connections, args.duration)
        run_id = f"s{os.getpid()}-c{connections}"
        report = run_step(base_url, files, step, run_id, workdir)
        check_stored(step, run_id, report)
        steps.append(step)
        print_step(step)
        if knee is None and len(steps) > 1 and is_knee(steps[-2], step):
            knee = steps[-2]
            rate, p99 = knee.requests_per_second, knee.p99_ms
            print(f"  knee: beyond c={knee.connections} ({rate:.0f} req/s, p99 {p99:.0f} ms)")
            if not args.past_knee:
                break
    if args.profile:
        profile_worker(server, base_url, files, (knee or steps[-1]).connections, args.profile, workdir)
    return steps


def soak(args: argparse.Namespace, base_url: str, server: rsb.Server, files, workdir: Path) -> list[Step]:
    step = Step("soak", args.connections, args.minutes * 60)
    sampler = MemorySampler(server, args.sample_seconds)
    sampler.start()
    run_id = f"k{os.getpid()}"
    try:
        report = run_step(base_url, files, step, run_id, workdir, BENCH_DELAY_MS=str(args.delay_ms))
    finally:
        sampler.stop_event.set()
    step.memory_mb = sampler.samples
    check_stored(step, run_id, report)
    print_step(step)
    return [step]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", choices=("surge", "soak"))
    parser.add_argument("--steps", type=lambda s: [int(x) for x in s.split(",")], default=[4, 8, 16, 32, 64, 128, 256])
    parser.add_argument("--duration", type=int, default=20, help="seconds per surge step")
    parser.add_argument("--past-knee", action="store_true", help="keep rising after the knee")
    parser.add_argument("--profile", type=int, default=0, metavar="SECONDS", help="py-spy one worker at the knee")
    parser.add_argument("--minutes", type=int, default=30, help="soak length")
    parser.add_argument("--connections", type=int, default=4, help="soak connections")
    parser.add_argument("--delay-ms", type=int, default=100, help="soak think time per request and connection")
    parser.add_argument("--sample-seconds", type=float, default=30.0, help="soak memory sampling interval")
    parser.add_argument("--workers", type=int, default=5, help="gunicorn workers (deploy default on 2 cores: 5)")
    parser.add_argument("--database", default=None, help="database name (default survey_surge / survey_soak)")
    parser.add_argument("--json-out", type=Path)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    use_database(args.database or f"survey_{args.mode}")
    workdir = Path(tempfile.mkdtemp(prefix=f"survey-{args.mode}-"))
    processes: list[subprocess.Popen] = []
    servers: list[rsb.Server] = []
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        redis, redis_port = start_redis(workdir)
        processes.append(redis)
        extra = {"GUNICORN_MAX_REQUESTS": "0"} if args.mode == "soak" else {}
        env = product_env(args.workers, redis_port, **extra)
        print(f"[setup] {args.mode}: database {rsb.DB_NAME}, {args.workers} workers, work folder {workdir}, "
              f"{load_average()}", flush=True)  # fmt: skip
        *files, answers_per_response = prepare_database(env, workdir)
        server = start_product("product", env, workdir)
        servers.append(server)
        rsb.wait_until_serving(server, f"/api/v1/links/{files[0].read_text().split()[0]}/responses",
                               json.loads(files[1].read_text()))  # fmt: skip
        print(f"[setup] serving on {server.base_url}; memory {worker_memory_mb(server)}", flush=True)
        run = surge if args.mode == "surge" else soak
        steps = run(args, server.base_url, server, tuple(files), workdir)
        if args.json_out:
            args.json_out.write_text(json.dumps([asdict(s) for s in steps], indent=2, ensure_ascii=False))
        failed = any(s.problems for s in steps)
        print("\nverification " + ("FAILED" if failed else "passed: every submission answered 2xx is stored once"))
        return 1 if failed else 0
    except (rsb.BenchError, KeyboardInterrupt) as error:
        print(f"\n{args.mode} failed: {error}", file=sys.stderr)
        return 1
    finally:
        for server in servers:
            rsb.stop_server(server)
        for process in processes:
            process.terminate()
            process.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
