"""Overhead of identity keys and quality flags on submissions: the product's POST /api/v1/links/<token>/responses
with both on against the same server with both off, driven by wrk (the harness of run_submission_bench.py).

    .venv/bin/python tests/bench/run_quality_bench.py [--duration 20] [--rounds 2]

One product server (deploy/gunicorn.conf.py) and two campaigns over the same demo units and questionnaires:
- "off": identity mode none, quality flags off: the submission is the bare one-statement insert;
- "on": the demo campaign (one answer per device) with the default thresholds, answered with varied answers that
  no rule flags (the usual case): the key's HMAC, the network's HMAC, the per-response rules and two more columns;
- "flagged": the same campaign answered with the first option everywhere, so every answer is straight-lining and
  also stores its flag row (the worst case: every answer flagged).
The answering day is set to the whole day on both flagged campaigns so the hour of the run does not decide. Runs are
interleaved (off, on, flagged, off, …), each verified in SQL like the submission benchmark. Afterwards the sweep
(duplicates and bursts, off the submission path) is timed over everything stored. Exit status 0 when verified,
1 on any failure, 3 with --strict when the overhead of "on" is 20 % or more.
"""

from __future__ import annotations

import argparse
import json
import random
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

import run_submission_bench as harness  # noqa: E402

# A database of its own, so this benchmark and the submission benchmark never drop each other's.
harness.DB_NAME = "survey_bench_quality"
harness.DATABASE_URL = f"postgresql://postgres@{harness.HOST}:5432/{harness.DB_NAME}"
harness._POSTGRES_OURS = harness.re.compile(
    rf"^postgres: .*(?: {harness.DB_NAME} |walwriter|checkpointer|background writer)"
)

TARGET_OVERHEAD = 0.20
VARIANTS = ("off", "on", "flagged")


def prepare(workdir: Path) -> dict[str, tuple[str, dict]]:
    """The demo campaign (on, flagged) and a plain copy of it (off); each variant's token and answers."""
    if str(harness.REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(harness.REPO_ROOT))
    from sqlalchemy import select

    from survey_api import create_app
    from survey_api.domain.campaigns import CampaignState
    from survey_api.domain.identity import IdentityMode
    from survey_api.extensions import db
    from survey_api.models import Campaign
    from survey_api.services.audit import SYSTEM
    from survey_api.services.campaigns import NewCampaign, campaign_definitions, create_campaign, transition
    from survey_api.services.demo import DEMO_CAMPAIGN_TITLE
    from survey_api.services.quality import set_rules
    from tests.factories import full_answers, random_answers

    app = create_app({"SQLALCHEMY_DATABASE_URI": harness.DATABASE_URL, "INSTANCE_PATH": str(workdir / "instance")})
    with app.app_context():
        demo = db.session.scalar(select(Campaign).where(Campaign.title == DEMO_CAMPAIGN_TITLE))
        set_rules(SYSTEM, demo, {"enabled": True, "day_starts_hour": 0, "day_ends_hour": 24})
        plain = create_campaign(
            SYSTEM,
            NewCampaign(
                title="bench: no keys, no flags",
                period=demo.period,
                form_keys=[f.form_version.key for f in demo.forms],
                unit_codes=[link.unit.code for link in demo.links],
                identity_mode=IdentityMode.NONE,
            ),
        )
        set_rules(SYSTEM, plain, {"enabled": False})
        transition(SYSTEM, plain.id, CampaignState.OPEN)
        first = lambda campaign: min(campaign.links, key=lambda link: link.unit.code).link_token  # noqa: E731
        varied = random_answers(campaign_definitions(demo), random.Random(20261122), dont_know_share=0.0)
        variants = {
            "off": (first(plain), varied),
            "on": (first(demo), varied),
            "flagged": (first(demo), full_answers(demo)),
        }
        db.session.commit()
        db.session.close()
        db.engine.dispose()
    return variants


def in_process(workdir: Path, variants: dict, batches: int, per_batch: int) -> dict[str, float]:
    """CPU milliseconds per submission in this process (test client, no server, no other process counted): the
    median over interleaved batches of each variant. Much less disturbed by a busy machine than throughput."""
    from survey_api import create_app

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": harness.DATABASE_URL,
            "INSTANCE_PATH": str(workdir / "instance"),
            "RATE_LIMIT_ENABLED": False,
        }
    )
    client = app.test_client()
    samples: dict[str, list[float]] = {name: [] for name in VARIANTS}
    counter = 0
    for batch in range(batches + 1):  # the first round warms up and is not counted
        for name in VARIANTS:
            token, answers = variants[name]
            started = time.process_time()
            for _ in range(per_batch):
                counter += 1
                sid = f"inproc-{secrets.token_hex(4)}-{counter}"
                body = {"submission_id": sid, "identity": f"device-{sid}", "answers": answers, "duration_seconds": 300}
                answer = client.post(f"/api/v1/links/{token}/responses", json=body)
                if answer.status_code != 201:
                    raise harness.BenchError(f"in-process {name}: {answer.status_code} {answer.get_data()[:300]}")
            if batch:
                samples[name].append(1000 * (time.process_time() - started) / per_batch)
    return {name: statistics.median(values) for name, values in samples.items()}


def time_sweep(workdir: Path) -> tuple[int, float]:
    from survey_api import create_app
    from survey_api.extensions import db
    from survey_api.models import Campaign
    from survey_api.services.clock import utcnow
    from survey_api.services.demo import DEMO_CAMPAIGN_TITLE
    from survey_api.services.quality import sweep

    app = create_app({"SQLALCHEMY_DATABASE_URI": harness.DATABASE_URL, "INSTANCE_PATH": str(workdir / "instance")})
    with app.app_context():
        demo = db.session.scalar(db.select(Campaign).where(Campaign.title == DEMO_CAMPAIGN_TITLE))
        started = time.perf_counter()
        report = sweep(demo, utcnow())
        db.session.commit()
        elapsed = time.perf_counter() - started
        db.engine.dispose()
    return report.examined, elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--wrk-timeout", type=int, default=10)
    parser.add_argument("--wrk", default=shutil.which("wrk") or "/usr/bin/wrk")
    parser.add_argument("--json-out", type=Path)
    parser.add_argument("--strict", action="store_true")
    parser.add_argument("--batches", type=int, default=7, help="in-process batches per variant (default 7)")
    parser.add_argument("--per-batch", type=int, default=200, help="submissions per in-process batch")
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="survey-quality-bench-"))
    servers: list[harness.Server] = []
    try:
        with harness.terminate_as_interrupt():
            return _run(args, workdir, servers)
    except harness.BenchError as error:
        print(f"\nbenchmark failed: {error}", file=sys.stderr)
        return 1
    finally:
        for server in servers:
            harness.stop_server(server)
        shutil.rmtree(workdir, ignore_errors=True)


def _run(args: argparse.Namespace, workdir: Path, servers: list) -> int:
    env = harness.server_env(args.workers)
    cli = str(harness.BIN_DIR / "survey-api")
    print(f"[setup] machine {harness.machine_busy_pct():.0f}% busy before the benchmark", flush=True)
    harness.recreate_database()
    harness.run_command([cli, "db", "upgrade"], env, "survey-api db upgrade")
    harness.run_command([cli, "demo", "load"], env, "survey-api demo load")
    variants = prepare(workdir)
    files = {}
    for name, (_token, answers) in variants.items():
        files[name] = workdir / f"answers-{name}.json"
        files[name].write_text(json.dumps(answers, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    per_response = {name: sum(len(q) for q in answers.values()) for name, (_token, answers) in variants.items()}
    port = harness.free_port()
    argv = [
        str(harness.BIN_DIR / "gunicorn"),
        "--config",
        str(harness.GUNICORN_CONFIG),
        "--bind",
        f"{harness.HOST}:{port}",
        *harness.no_control_socket(),
        "survey_api.wsgi:app",
    ]
    server = harness.start_server("product", argv, env, port, workdir)
    servers.append(server)
    harness.wait_until_serving(server, f"/api/v1/links/{variants['off'][0]}/responses", variants["off"][1])
    nonce = secrets.token_hex(3)
    for name in VARIANTS:
        token = variants[name][0]
        harness.run_wrk(args.wrk, server, token, files[name], f"{nonce}-warm-{name}", args, args.warmup, workdir / "w")
    harness.database_maintenance("ANALYZE")
    results: list[harness.WrkResult] = []
    problems_seen = False
    for round_no in range(1, args.rounds + 1):
        for name in VARIANTS:
            harness.database_maintenance("CHECKPOINT")
            run_id = f"{nonce}-r{round_no}-{name}"
            report_path = workdir / f"{run_id}.report"
            output, meter = harness.run_wrk(
                args.wrk, server, variants[name][0], files[name], run_id, args, args.duration, report_path
            )
            result = harness.parse_wrk_output(output, "product", round_no, run_id)
            result.cpu = meter.per_request(result.requests)
            time.sleep(1.0)
            problems = harness.verify(result, harness.read_script_report(report_path), per_response[name])
            if result.non_2xx_3xx or result.status_counts.keys() - {"201"}:
                problems.append(f"answers other than 201: {result.status_counts}")
            result.app = name
            problems_seen |= bool(problems)
            results.append(result)
            print(
                f"[run] round {round_no} {name:<8} {result.requests_per_second:7.1f} req/s, p50 {result.p50_ms:.1f} "
                f"ms, p99 {result.p99_ms:.1f} ms, app CPU {result.cpu['app_ms']:.2f} ms/req, PostgreSQL "
                f"{result.cpu['postgres_ms']:.2f} ms/req, {'verified' if not problems else problems}",
                flush=True,
            )
    harness.stop_server(server)
    print(f"[in-process] {args.batches} × {args.per_batch} submissions per variant, interleaved", flush=True)
    cpu = in_process(workdir, variants, args.batches, args.per_batch)
    examined, seconds = time_sweep(workdir)
    mean = {n: statistics.mean(r.requests_per_second for r in results if r.app == n) for n in VARIANTS}
    overhead = {n: 1 - mean[n] / mean["off"] for n in ("on", "flagged")}
    print()
    for name in VARIANTS:
        line = f"{name:<8} mean {mean[name]:7.1f} req/s"
        if name != "off":
            line += f"   overhead against off: {overhead[name] * 100:5.1f} %"
        print(line)
    for name in VARIANTS:
        line = f"{name:<8} in-process CPU {cpu[name]:.3f} ms/submission"
        if name != "off":
            line += f"   overhead against off: {(cpu[name] / cpu['off'] - 1) * 100:5.1f} %"
        print(line)
    print(f"sweep over {examined} stored answers: {seconds:.2f} s (off the submission path)")
    met = overhead["on"] < TARGET_OVERHEAD
    print(f"target: overhead of 'on' under {TARGET_OVERHEAD:.0%}: {'met' if met else 'MISSED'}")
    if args.json_out:
        args.json_out.write_text(
            json.dumps(
                {
                    "runs": [r.__dict__ for r in results],
                    "mean": mean,
                    "overhead": overhead,
                    "in_process_cpu_ms": cpu,
                    "sweep": {"answers": examined, "seconds": seconds},
                },
                indent=2,
                default=str,
            )
        )
    if problems_seen:
        return 1
    return 3 if args.strict and not met else 0


if __name__ == "__main__":
    sys.exit(main())
