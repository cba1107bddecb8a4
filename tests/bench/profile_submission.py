"""Where a product submission spends its time: a loop of test-client submissions against the benchmark database.

    .venv/bin/python tests/bench/profile_submission.py [--requests 300] [--setup]

Uses the database survey_bench prepared by run_submission_bench.py (or prepares it with --setup, or when the demo
campaign is missing). Prints, per submission:
  1. wall and CPU time without a profiler, and every SQL statement with its round-trip time;
  2. a CPU profile (cProfile with a CPU clock, so waiting on PostgreSQL is not counted) summed by library, and
     the heaviest functions.
No HTTP server and no gunicorn: this isolates the Python cost of one request in one process.

    .venv/bin/python tests/bench/profile_submission.py --py-spy-summary FILE

summarises a py-spy raw profile of a real gunicorn worker under load (run_submission_bench.py --py-spy records one).
"""

from __future__ import annotations

import argparse
import collections
import cProfile
import pstats
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))
import run_submission_bench as bench  # noqa: E402  (the same database set-up as the benchmark)

sys.path.insert(0, str(bench.REPO_ROOT))

LIBRARIES = [  # (label, path fragment), first match wins
    ("survey_api", "/survey_api/"),
    ("sqlalchemy.orm", "/sqlalchemy/orm/"),
    ("sqlalchemy (core, engine, pool)", "/sqlalchemy/"),
    ("psycopg", "/psycopg"),
    ("marshmallow / webargs / flask_smorest", "/marshmallow/"),
    ("marshmallow / webargs / flask_smorest", "/webargs/"),
    ("marshmallow / webargs / flask_smorest", "/flask_smorest/"),
    ("flask / werkzeug / flask_babel", "/flask/"),
    ("flask / werkzeug / flask_babel", "/werkzeug/"),
    ("flask / werkzeug / flask_babel", "/flask_babel/"),
    ("flask / werkzeug / flask_babel", "/flask_sqlalchemy/"),
    ("json (stdlib)", "/json/"),
]


# Phases of a submission, found by function name in a sampled stack (py-spy). Each sample goes to the first phase
# in this list that has a matching frame on its stack, so nested phases count once (a pool checkout inside
# resolve_link counts as the checkout). Samples under none of them are gunicorn, Flask and hooks.
PHASES: list[tuple[str, tuple[str, ...]]] = [
    ("pool checkout + pre-ping", ("_ConnectionFairy._checkout (",)),
    ("final COMMIT", ("scoped_session.commit (",)),
    ("resolve_link: SELECT link+unit+campaign, SELECT 4 form versions", ("resolve_link (",)),
    ("validate answers against the forms", ("check_answers (",)),
    ("answers digest", ("answers_digest (",)),
    ("SELECT earlier receipt", ("_earlier_receipt (",)),
    ("build the Response object", ("_build_response (",)),
    ("INSERT answers (one executemany)", ("scoped_session.execute (",)),
    ("INSERT response (flush)", ("scoped_session.flush (", "Session.flush (")),
    ("SAVEPOINT / RELEASE", ("scoped_session.begin_nested (", "SessionTransaction.commit (")),
    ("parse + validate the body (webargs/marshmallow)", ("Parser.parse (",)),
    ("serialise the receipt (marshmallow)", ("Schema.dump (",)),
    ("close the session (teardown)", ("SQLAlchemy._teardown_session (",)),
    ("gunicorn: read request, write response", ("SyncWorker.handle_request (",)),
]
OUTSIDE_FLASK = "gunicorn: read request, write response"


def summarise_py_spy(raw_path: Path, top: int = 25) -> None:
    """Summarise py-spy's raw (collapsed) output of a gunicorn worker: self time by library, time by phase of the
    request, and the functions with the most inclusive time."""
    inside = outside = 0
    by_library: dict[str, int] = collections.defaultdict(int)
    by_phase: dict[str, int] = collections.defaultdict(int)
    inclusive: collections.Counter[str] = collections.Counter()
    for line in raw_path.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [f for f in stack.split(";") if not f.startswith("process ")]
        if not any(f.startswith("SyncWorker.handle_request (") for f in frames):
            outside += count
            continue
        inside += count
        leaf_file = re.search(r"\(([^:()]*)", frames[-1])
        by_library[library_of("/" + (leaf_file.group(1) if leaf_file else ""))] += count
        in_flask = any(f.startswith("Flask.wsgi_app (") for f in frames)
        phase = next(
            (
                label
                for label, markers in PHASES
                if (label != OUTSIDE_FLASK or not in_flask) and any(f.startswith(markers) for f in frames)
            ),
            "Flask: routing, hooks, request/response objects",
        )
        by_phase[phase] += count
        for name in {re.sub(r":\d+\)$", ")", f) for f in frames}:
            inclusive[name] += count
    if not inside:
        raise SystemExit(f"no samples inside a request in {raw_path}")
    print(f"py-spy samples: {inside} inside a request, {outside} outside (idle samples are not recorded)")
    print("\nown time by library (the leaf frame of each sample):")
    for label in sorted(by_library, key=by_library.get, reverse=True):
        print(f"  {100 * by_library[label] / inside:5.1f}%  {label}")
    print("\ntime by phase of the request (inclusive):")
    for label in sorted(by_phase, key=by_phase.get, reverse=True):
        print(f"  {100 * by_phase[label] / inside:5.1f}%  {label}")
    print(f"\nfunctions by inclusive time (top {top}, below the request handler):")
    skip = ("gunicorn/", "<module>", "run (", "Arbiter.", "Worker.init_process", "SyncWorker.")
    shown = 0
    for name, count in inclusive.most_common():
        if any(marker in name for marker in skip):
            continue
        print(f"  {100 * count / inside:5.1f}%  {name}")
        shown += 1
        if shown >= top:
            break


def library_of(filename: str) -> str:
    for label, fragment in LIBRARIES:
        if fragment in filename:
            return label
    if filename.startswith("~") or filename == "":
        return "C built-ins (called from the above)"
    return "other (stdlib, tests)"


def prepare(force: bool) -> None:
    import psycopg

    ready = False
    if not force:
        try:
            with psycopg.connect(bench.DATABASE_URL, connect_timeout=5) as conn:
                ready = conn.execute("SELECT count(*) FROM campaign_units").fetchone()[0] > 0
        except psycopg.Error:
            ready = False
    if not ready:
        print(f"preparing {bench.DB_NAME} (migrate, demo)", flush=True)
        env = bench.server_env(1)
        bench.recreate_database()
        bench.run_command([str(bench.BIN_DIR / "survey-api"), "db", "upgrade"], env, "survey-api db upgrade")
        bench.run_command([str(bench.BIN_DIR / "survey-api"), "demo", "load"], env, "survey-api demo load")


class StatementClock:
    """Wall time of every SQL statement, commit and pool ping, keyed by a short label."""

    def __init__(self, engine) -> None:
        from sqlalchemy import event

        self.total: dict[str, float] = collections.defaultdict(float)
        self.count: collections.Counter[str] = collections.Counter()
        self.enabled = False
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)
        dialect = engine.dialect
        dialect.do_commit = self._timed("COMMIT", dialect.do_commit)
        dialect.do_ping = self._timed("pool pre-ping", dialect.do_ping)

    def _timed(self, label: str, call: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any) -> Any:
            started = time.perf_counter()
            try:
                return call(*args)
            finally:
                self._add(label, time.perf_counter() - started)

        return timed

    def _add(self, label: str, seconds: float) -> None:
        if self.enabled:
            self.total[label] += seconds
            self.count[label] += 1

    def _before(self, conn, cursor, statement, parameters, context, executemany) -> None:
        conn.info["statement_started"] = time.perf_counter()

    def _after(self, conn, cursor, statement, parameters, context, executemany) -> None:
        words = statement.split()
        if words[0] == "INSERT":
            rows = f" (executemany, {len(parameters)} rows)" if executemany and isinstance(parameters, list) else ""
            label = f"INSERT INTO {words[2]}{rows}"
        elif words[0] == "SELECT":
            found = re.search(r"\bFROM\s+(\S+)", statement)
            label = "SELECT ... FROM " + (found.group(1) if found else "?")
        else:
            label = " ".join(words[:2])
        self._add(label, time.perf_counter() - conn.info.pop("statement_started", time.perf_counter()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300, help="submissions per measured loop (default 300)")
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--top", type=int, default=25, help="functions to list (default 25)")
    parser.add_argument("--setup", action="store_true", help="recreate survey_bench first")
    parser.add_argument(
        "--py-spy-summary",
        type=Path,
        metavar="RAW_FILE",
        help="only summarise a py-spy raw file (run_submission_bench.py --py-spy writes one)",
    )
    args = parser.parse_args(argv)
    if args.py_spy_summary:
        summarise_py_spy(args.py_spy_summary, args.top)
        return 0

    prepare(args.setup)
    token, unit_code = bench.pick_link_token()
    workdir = Path(tempfile.mkdtemp(prefix="survey-profile-"))
    answers = bench.build_answers(workdir)

    from survey_api import create_app
    from survey_api.extensions import db

    # The product's own engine options (pool_pre_ping included), as in production.
    app = create_app({"SQLALCHEMY_DATABASE_URI": bench.DATABASE_URL, "INSTANCE_PATH": str(workdir / "instance")})
    with app.app_context():
        clock = StatementClock(db.engine)
    client = app.test_client()
    path = f"/api/v1/links/{token}/responses"
    run = f"prof{int(time.time())}"

    def submit(label: str, n: int) -> None:
        submission_id = f"{run}-{label}-{n}"
        response = client.post(
            path, json={"submission_id": submission_id, "identity": f"device-{submission_id}", "answers": answers}
        )
        if response.status_code != 201:
            raise SystemExit(f"submission answered {response.status_code}: {response.get_data(as_text=True)[:300]}")

    for i in range(args.warmup):
        submit("warm", i)

    clock.enabled = True
    wall0, cpu0 = time.perf_counter(), time.process_time()
    for i in range(args.requests):
        submit("timed", i)
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    clock.enabled = False
    n = args.requests
    print(
        f"\nproduct submission, test client, unit {unit_code}, {sum(len(v) for v in answers.values())} answers, "
        f"{n} requests"
    )
    print(f"  wall {1000 * wall / n:.2f} ms/request, CPU of this process {1000 * cpu / n:.2f} ms/request")
    print(
        f"  {sum(clock.count.values()) / n:.1f} database round trips per request "
        f"({1000 * sum(clock.total.values()) / n:.2f} ms wall in them):"
    )
    for label in sorted(clock.total, key=clock.total.get, reverse=True):
        print(f"    {1000 * clock.total[label] / n:6.2f} ms  x{clock.count[label] / n:.0f}  {label}")

    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    for i in range(args.requests):
        submit("profiled", i)
    profiler.disable()
    stats = pstats.Stats(profiler)
    by_library: dict[str, float] = collections.defaultdict(float)
    total = 0.0
    for (filename, _line, _name), (_cc, _nc, tottime, _ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        by_library[library_of(filename)] += tottime
        total += tottime
    print(
        f"\nCPU profile (cProfile, CPU clock; the profiler itself inflates every figure), own time by library, "
        f"{1000 * total / n:.2f} ms/request in all:"
    )
    for label in sorted(by_library, key=by_library.get, reverse=True):
        print(f"  {100 * by_library[label] / total:5.1f}%  {1000 * by_library[label] / n:6.2f} ms  {label}")
    print(f"\nheaviest functions by cumulative CPU time (top {args.top}):")
    stats.sort_stats("cumulative").print_stats(args.top)
    print(f"heaviest functions by own CPU time (top {args.top}):")
    stats.sort_stats("tottime").print_stats(args.top)
    with app.app_context():
        db.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
