"""Peak memory (and time) of streaming the full response export, on PostgreSQL.

Seeds N responses (default 1,000,000) with COPY into a schema of its own, then streams the export of every
response to /dev/null in a child process per format and reads the child's peak resident memory from the kernel
(wait4). The child also reports its peak before the export starts (interpreter, app and one campaign loaded), so
the growth due to the export itself is visible. The schema is dropped at the end unless --keep is given.

    .venv/bin/python tests/bench/bench_export_memory.py                       # 1,000,000 responses, csv and xlsx
    .venv/bin/python tests/bench/bench_export_memory.py --responses 20000 --formats csv json xlsx

Not part of the test run (tests/bench is excluded in pyproject.toml)."""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

DEFAULT_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
UNITS = 40
DISTINCT_ANSWER_SETS = 2000


def make_app(url: str, schema: str):
    from survey_api import create_app

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"options": f"-csearch_path={schema}"}},
            "SECRET_KEY": "bench",
            "IDENTITY_HASH_KEY": "bench",
        }
    )


def random_answers(forms, rng: random.Random) -> dict:
    """A valid answer set: a random option for each choice, a rating, a comment now and then."""
    answers: dict = {}
    for form in forms:
        given: dict = {}
        for q in form.questions:
            if q.type == "single_choice":
                given[q.key] = rng.choice(q.options).key
            elif q.type == "multiple_choice":
                given[q.key] = [o.key for o in q.options if rng.random() < 0.2][: q.max_choices]
            elif q.type == "rating":
                given[q.key] = rng.randint(0, 10)
            elif q.type == "text" and rng.random() < 0.3:
                given[q.key] = f"希望改进第{rng.randint(1, 99999)}号意见所说的问题，路灯和道路需要维修。"
        answers[form.key] = given
    return answers


def seed(url: str, schema: str, responses: int) -> int:
    """Build the schema from the migrations, create units and a campaign, COPY the responses; the campaign id."""
    import psycopg
    from flask_migrate import upgrade
    from sqlalchemy import text

    from survey_api.extensions import db
    from survey_api.services.audit import SYSTEM
    from survey_api.services.campaigns import NewCampaign, campaign_definitions, create_campaign
    from survey_api.services.units import create_unit

    app = make_app(url, schema)
    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        upgrade(directory=str(ROOT / "migrations"))
        units = [create_unit(SYSTEM, f"B{i:03d}", f"第{i}街道", "乡镇街道", "示范区") for i in range(UNITS)]
        forms = ["happiness", "satisfaction", "security", "profile"]
        campaign = create_campaign(SYSTEM, NewCampaign("导出基准", "2026", forms, [u.code for u in units], None, None))
        db.session.commit()
        definitions = campaign_definitions(campaign)
        versions = json.dumps({cf.form_version.key: cf.form_version_id for cf in campaign.forms})
        links = [(link.unit_id, link.id) for link in campaign.links]
        campaign_id = campaign.id
    rng = random.Random(2026)
    answer_sets = [
        json.dumps(random_answers(definitions, rng), ensure_ascii=False) for _ in range(DISTINCT_ANSWER_SETS)
    ]
    start = datetime(2026, 3, 1, tzinfo=timezone.utc)
    columns = (
        "submission_id, campaign_id, unit_id, campaign_unit_id, channel, status, stratum, cluster, form_versions, "
        "answers, duration_seconds, answers_digest, receipt_code, submitted_at"
    )
    began = time.perf_counter()
    with psycopg.connect(url, options=f"-csearch_path={schema}") as conn:
        with conn.cursor() as cursor, cursor.copy(f"COPY responses ({columns}) FROM STDIN") as copy:
            for i in range(responses):
                unit_id, link_id = links[i % len(links)]
                status = "excluded" if i % 50 == 0 else "included"
                copy.write_row(
                    (
                        uuid.uuid4().hex,
                        campaign_id,
                        unit_id,
                        link_id,
                        "qr",
                        status,
                        f"S{unit_id}",
                        f"C{i % 7}",
                        versions,
                        answer_sets[i % DISTINCT_ANSWER_SETS],
                        60 + i % 300,
                        "0" * 64,
                        f"R{i:011d}",
                        start + timedelta(seconds=i),
                    )
                )
        conn.commit()
    print(f"seeded {responses} responses in {time.perf_counter() - began:.1f} s", flush=True)
    return campaign_id


def child(url: str, schema: str, campaign_id: int, file_format: str) -> None:
    """Stream one export to /dev/null and print a JSON line with rows, seconds and peak memory before it."""
    import resource

    from survey_api.extensions import db
    from survey_api.services.audit import SYSTEM
    from survey_api.services.exports import export_responses

    app = make_app(url, schema)
    with app.app_context():
        db.session.execute(db.text("SELECT 1"))
        before_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        began = time.perf_counter()
        export = export_responses(SYSTEM, campaign_id, file_format)
        db.session.commit()
        written = 0
        with open(os.devnull, "wb") as sink:
            for chunk in export.chunks:
                sink.write(chunk)
                written += len(chunk)
        seconds = time.perf_counter() - began
    print(json.dumps({"rows": export.rows, "bytes": written, "seconds": seconds, "before_kb": before_kb}), flush=True)


def measure(url: str, schema: str, campaign_id: int, file_format: str) -> dict:
    command = [sys.executable, __file__, "--child", file_format, "--schema", schema, "--campaign", str(campaign_id)]
    process = subprocess.Popen([*command, "--database-url", url], stdout=subprocess.PIPE, text=True)
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    if status != 0:
        raise SystemExit(f"the {file_format} export failed ({status})")
    report = json.loads(output.strip().splitlines()[-1])
    report["peak_mb"] = usage.ru_maxrss / 1024
    report["before_mb"] = report.pop("before_kb") / 1024
    return report


def drop(url: str, schema: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--formats", nargs="+", default=["csv", "xlsx"], choices=["csv", "xlsx", "json"])
    parser.add_argument("--schema", default=None, help="reuse a seeded schema (with --campaign)")
    parser.add_argument("--campaign", type=int, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the schema for another run")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.database_url, args.schema, args.campaign, args.child)
        return
    schema = args.schema or f"bench_export_{os.getpid()}"
    try:
        campaign_id = args.campaign or seed(args.database_url, schema, args.responses)
        for file_format in args.formats:
            report = measure(args.database_url, schema, campaign_id, file_format)
            print(
                f"{file_format}: {report['rows']} rows, {report['bytes'] / 1e6:.0f} MB written in "
                f"{report['seconds']:.1f} s ({report['rows'] / report['seconds']:.0f} rows/s); peak RSS "
                f"{report['peak_mb']:.0f} MB (before the export {report['before_mb']:.0f} MB)",
                flush=True,
            )
    finally:
        if not args.keep:
            drop(args.database_url, schema)
        else:
            print(f"kept schema {schema} (campaign {campaign_id})")


if __name__ == "__main__":
    main()
