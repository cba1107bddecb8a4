"""Household survey benchmark: import a sampling frame of N households (default 100,000) over four townships,
draw every township's sample, assign it to three enumerators and read the supervision figures, on PostgreSQL in a
schema of its own (dropped at the end). Usage:

    .venv/bin/python tests/bench/bench_household_frame.py [--households 100000]

BENCH_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/test) names the database."""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
import uuid
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from survey_api import create_app  # noqa: E402

DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=100_000)
    households = parser.parse_args().households
    schema = f"bench_households_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(DATABASE_URL, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": DATABASE_URL.replace("postgresql://", "postgresql+psycopg://", 1),
            "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"options": f"-csearch_path={schema}"}},
            "RATE_LIMIT_ENABLED": False,
        }
    )
    try:
        run(app, households)
    finally:
        with psycopg.connect(DATABASE_URL, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA "{schema}" CASCADE')


def timed(label: str, action):
    start = time.perf_counter()
    result = action()
    print(f"{label:<40} {time.perf_counter() - start:8.2f} s")
    return result


def run(app, households: int) -> None:
    from flask_migrate import upgrade

    from survey_api.extensions import db
    from survey_api.services.audit import SYSTEM
    from survey_api.services.demo_households import ENUMERATORS, TOWNSHIPS, frame_csv, load_household_demo
    from survey_api.services.fieldwork import assign_in_batches
    from survey_api.services.household_frame import import_frame
    from survey_api.services.household_sample import DesignRequest, draw_sample
    from survey_api.services.supervision import enumerator_work, progress, quota_cells

    print(f"python {platform.python_version()}, {os.cpu_count()} CPUs, {households} households")
    with app.app_context():
        upgrade()
        campaign = load_household_demo(SYSTEM)
        db.session.commit()
        data = timed("generate the frame CSV", lambda: frame_csv(households))
        print(f"{'frame file':<40} {len(data) / 1e6:8.2f} MB")
        report = timed("import the frame (check + insert)", lambda: import_frame(SYSTEM, campaign.id, "f.csv", data))
        assert report.imported == households, report.problems[:3]
        timed("commit", db.session.commit)

        def draw_all():
            for code, _ in TOWNSHIPS:
                draw_sample(SYSTEM, campaign.id, DesignRequest(code, seed=1))

        timed("draw four townships' samples", draw_all)
        names = [name for name, _ in ENUMERATORS]
        counts = timed(
            "assign in batches to three enumerators", lambda: assign_in_batches(SYSTEM, campaign.id, None, names)
        )
        print(f"{'households assigned':<40} {sum(counts.values()):8d}")
        db.session.commit()
        timed("supervision: progress", lambda: progress(campaign.id))
        timed("supervision: quota cells", lambda: quota_cells(campaign.id))
        timed("supervision: enumerators", lambda: enumerator_work(campaign.id))


if __name__ == "__main__":
    main()
