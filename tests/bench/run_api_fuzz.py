"""A long fuzzing run of the whole OpenAPI surface (the property of tests/api/test_openapi_fuzz.py: no 500, every
refusal a catalogue error) with many examples per operation and a fresh random seed, on a fresh SQLite database
(or PostgreSQL with --database-url) holding a campaign, a meeting and an admin.

    .venv/bin/python tests/bench/run_api_fuzz.py [--examples 200] [--database-url postgresql://…/db] [--seed N]

Exit status 0 when nothing failed, 1 otherwise; the failures are printed one per line with the request.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=200, help="examples per operation and mode (default 200)")
    parser.add_argument("--database-url", help="an empty database to use (default: a new SQLite file)")
    parser.add_argument("--seed", type=int, default=None, help="derandomise with this seed (default: random)")
    args = parser.parse_args(argv)

    from flask_migrate import upgrade

    from survey_api import create_app
    from survey_api.extensions import db
    from tests.api.test_openapi_fuzz import fuzz_api, known_objects
    from tests.conftest import RELAXED_RATE_LIMITS
    from tests.factories import create_account, issue_token

    folder = Path(tempfile.mkdtemp(prefix="survey-fuzz-"))
    url = args.database_url or f"sqlite:///{folder / 'fuzz.db'}"
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": str(folder), "SECRET_KEY": "fuzz", **RELAXED_RATE_LIMITS}
    )
    with app.app_context():
        upgrade()
        token = issue_token(create_account("fuzz_admin", "admin"))
        started = time.monotonic()
        report = fuzz_api(app, token, args.examples, seed=args.seed, known=known_objects())
        seconds = time.monotonic() - started
        db.engine.dispose()
    print(
        f"{report.operations} operations, {report.calls} calls in {seconds:.0f} s ({args.examples} examples per "
        f"operation and mode), load {'%.2f %.2f %.2f' % os.getloadavg()}"
    )
    print("statuses:", dict(sorted(report.statuses.items())))
    if report.unsatisfiable:
        print("no invalid request could be made for:", ", ".join(report.unsatisfiable))
    for failure in report.failures:
        print("FAILURE", failure)
    print("no 500, every refusal a catalogue error" if not report.failures else f"{len(report.failures)} failures")
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
