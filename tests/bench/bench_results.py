"""Results benchmark: one campaign with N responses (default 1,000,000) over U units (default 500) on PostgreSQL.

Times, in one run and on the same data:
- the limit: one hand-written SQL GROUP BY computing the plain per-unit mean of every scored question;
- the product: computing every result of the campaign (`services.results.compute`: indices, rates and item scores
  with design-based intervals, composite, points, ranks, category averages, weakest questions), unweighted and
  raked to per-unit sex × age margins.

The data is seeded by SQL in a schema of its own (dropped at the end unless --keep). Usage:

    .venv/bin/python tests/bench/bench_results.py [--responses 1000000] [--units 500] [--repeat 3]

BENCH_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/test) names the database."""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
import uuid
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from survey_api import create_app  # noqa: E402

DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
FORMS = ["happiness", "satisfaction", "security", "profile"]


def sql_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


def build_app(schema: str):
    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": sql_url(DATABASE_URL),
            "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"options": f"-csearch_path={schema}"}},
            "RATE_LIMIT_ENABLED": False,
        }
    )


def seed(app, schema: str, responses: int, units: int):
    """Units, a campaign and its responses; answers drawn at random per question in SQL."""
    from flask_migrate import upgrade

    from survey_api.extensions import db
    from survey_api.services.audit import SYSTEM
    from survey_api.services.campaigns import NewCampaign, campaign_definitions, create_campaign
    from survey_api.services.margins import MarginRow, set_margins
    from survey_api.services.units import create_unit

    with app.app_context():
        upgrade(directory=str(Path(__file__).resolve().parents[2] / "migrations"))
        codes = [f"B{i:04d}" for i in range(units)]
        for i, code in enumerate(codes):
            create_unit(SYSTEM, code, f"单位{i}", ["乡镇街道", "区直部门", "窗口单位"][i % 3], "示范区")
        campaign = create_campaign(SYSTEM, NewCampaign("基准测评", "2026年度", FORMS, codes))
        db.session.commit()
        definitions = campaign_definitions(campaign)
        link_ids = {link.unit_id: link.id for link in campaign.links}
        margins = [
            MarginRow(code, variable, category, share)
            for code in codes
            for variable, shares in {
                "sex": {"male": 0.49, "female": 0.51},
                "age_group": {
                    "age_18_29": 0.2,
                    "age_30_39": 0.2,
                    "age_40_49": 0.2,
                    "age_50_59": 0.2,
                    "age_60_plus": 0.2,
                },
            }.items()
            for category, share in shares.items()
        ]
        set_margins(SYSTEM, campaign, margins)
        db.session.commit()
        versions = {f.form_version.key: f.form_version_id for f in campaign.forms}
        campaign_id = campaign.id
    fields = []
    for form in definitions:
        for q in form.questions:
            if q.type == "single_choice":
                keys = ",".join(f"'{o.key}'" for o in q.options)
                value = f"to_jsonb((ARRAY[{keys}])[1 + floor(random() * {len(q.options)})::int])"
            elif q.type == "rating":
                value = "to_jsonb(floor(random() * 11)::int)"
            else:
                continue
            fields.append((form.key, q.key, value))
    by_form = {}
    for form_key, question_key, value in fields:
        by_form.setdefault(form_key, []).append(f"'{question_key}', {value}")
    answers = (
        "jsonb_build_object("
        + ", ".join(f"'{form}', jsonb_build_object({', '.join(parts)})" for form, parts in by_form.items())
        + ")"
    )
    unit_list = ",".join(str(u) for u in sorted(link_ids))
    link_list = ",".join(str(link_ids[u]) for u in sorted(link_ids))
    statement = f"""
        INSERT INTO responses (submission_id, campaign_id, unit_id, campaign_unit_id, channel, form_versions, answers,
                               answers_digest, receipt_code, submitted_at)
        SELECT md5('s' || i), {campaign_id}, (ARRAY[{unit_list}])[1 + i %% {units}],
               (ARRAY[{link_list}])[1 + i %% {units}], 'qr', %s::jsonb, {answers},
               md5('d' || i), upper(substr(md5('r' || i), 1, 16)), now()
        FROM generate_series(%s::int, %s::int) AS i
    """
    import json

    with psycopg.connect(DATABASE_URL, options=f"-csearch_path={schema}", autocommit=True) as conn:
        step = 100_000
        for start in range(0, responses, step):
            conn.execute(statement, (json.dumps(versions), start, min(start + step, responses) - 1))
        conn.execute("VACUUM ANALYZE responses")
    return campaign_id, definitions


def plain_group_by(schema: str, campaign_id: int, definitions) -> tuple[float, int]:
    """The limit: per-unit means of every scored question's score, hand-written."""
    columns = []
    for form in definitions:
        for q in form.scored_questions:
            if q.type == "rating":
                columns.append(f"avg(((answers->'{form.key}'->>'{q.key}')::float) * 10)")
                continue
            cases = " ".join(f"WHEN '{o.key}' THEN {o.score}" for o in q.options if o.score is not None)
            columns.append(f"avg(CASE answers->'{form.key}'->>'{q.key}' {cases} END)")
    query = f"SELECT unit_id, {', '.join(columns)} FROM responses WHERE campaign_id = %s GROUP BY unit_id"
    with psycopg.connect(DATABASE_URL, options=f"-csearch_path={schema}") as conn:
        started = time.perf_counter()
        rows = conn.execute(query, (campaign_id,)).fetchall()
        return time.perf_counter() - started, len(rows)


def product(app, campaign_id: int, weighted: bool) -> tuple[float, int]:
    from survey_api.services.campaigns import get_campaign
    from survey_api.services.margins import margins_of
    from survey_api.services.results import compute
    from survey_api.services.rule_sets import check_rules, read_rules_document

    with app.app_context():
        document = read_rules_document("default")
        document["weighting"]["method"] = "raking" if weighted else "none"
        rules = check_rules(document, "bench")
        campaign = get_campaign(campaign_id)
        margins = margins_of(campaign_id) if weighted else {}
        started = time.perf_counter()
        computed = compute(campaign, rules, margins)
        elapsed = time.perf_counter() - started
        return elapsed, computed.input_counts["responses"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--units", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the benchmark schema")
    args = parser.parse_args()
    schema = f"bench_results_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(DATABASE_URL, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        app = build_app(schema)
        started = time.perf_counter()
        campaign_id, definitions = seed(app, schema, args.responses, args.units)
        print(f"seeded {args.responses} responses over {args.units} units in {time.perf_counter() - started:.0f} s")
        timings: dict[str, list[float]] = {"plain SQL GROUP BY": [], "results, unweighted": [], "results, raked": []}
        for _ in range(args.repeat):  # interleaved, so drift in the machine's load hits every variant alike
            seconds, groups = plain_group_by(schema, campaign_id, definitions)
            timings["plain SQL GROUP BY"].append(seconds)
            seconds, counted = product(app, campaign_id, weighted=False)
            assert counted == args.responses, counted
            timings["results, unweighted"].append(seconds)
            seconds, counted = product(app, campaign_id, weighted=True)
            timings["results, raked"].append(seconds)
        limit = statistics.median(timings["plain SQL GROUP BY"])
        print(f"\n{platform.node()}: {os.cpu_count()} CPUs, Python {platform.python_version()}")
        print("| computation | runs (s) | median (s) | × plain SQL |")
        print("| --- | --- | ---: | ---: |")
        for name, values in timings.items():
            median = statistics.median(values)
            runs = ", ".join(f"{v:.2f}" for v in values)
            print(f"| {name} | {runs} | {median:.2f} | {median / limit:.2f} |")
    finally:
        if not args.keep:
            with psycopg.connect(DATABASE_URL, autocommit=True) as conn:
                conn.execute(f"DROP SCHEMA {schema} CASCADE")


if __name__ == "__main__":
    main()
