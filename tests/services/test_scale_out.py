"""Scale-out: two gunicorn servers (two workers each, deploy/gunicorn.conf.py) on different ports, one database and
one Redis, as two app hosts behind a load balancer. Traffic goes to both at once, and what must hold across hosts
holds: a submission resent to both is stored once, one phone number answers once, a per-address rate limit is
counted once, a ballot slip is spent once, and the results computed on one host are the ones the other reads,
counting exactly the answers acknowledged as new. Runs on the suite's database (a PostgreSQL schema of its own in
the PostgreSQL leg, a shared SQLite file otherwise)."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from flask_migrate import upgrade

from survey_api import create_app
from survey_api.extensions import db
from survey_api.services import quality
from survey_api.services.audit import SYSTEM

from ..conftest import RELAXED_RATE_LIMITS, _drop_postgres_schema, database_config
from ..factories import create_account, create_campaign, create_meeting, full_answers, full_ballot, issue_codes
from ..factories import issue_token as issue_api_token
from .test_rate_limits_redis import REDIS_URL, redis_prefix, running_servers, server_database_url, server_env  # noqa: F401

PHONE_A, PHONE_A_AGAIN = "138 1234 5678", "+86-13812345678"  # one number, written two ways
NEW_ANSWERS = 24
PAGE_LIMIT = 5


@pytest.fixture
def district(tmp_path):
    """A migrated database with an open campaign keyed by phone number, an open meeting with slips, and an admin's
    API token; committed for real, since the servers are other processes."""
    config, schema = database_config(tmp_path)
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path), **RELAXED_RATE_LIMITS, **config})
    with app.app_context():
        upgrade()
        campaign = create_campaign(identity_mode="personal_phone")
        # The same answers from everyone would be flagged for review (and not counted) by the quality rules.
        quality.set_rules(SYSTEM, campaign, {"enabled": False})
        db.session.commit()
        meeting = create_meeting()
        admin = create_account(f"admin_{uuid.uuid4().hex[:6]}", "admin")
        facts = {
            "campaign_id": campaign.id,
            "token": campaign.links[0].link_token,
            "answers": full_answers(campaign),
            "meeting_id": meeting.id,
            "slips": issue_codes(meeting, "peers", 2),
            "ballot": {f"t{t}.{q}": g for t, items in full_ballot(meeting).items() for q, g in items.items()},
            "api_token": issue_api_token(admin),
        }
        db.engine.dispose()
    yield server_database_url(config, schema), facts
    if schema:
        from ..conftest import TEST_DATABASE_URL

        _drop_postgres_schema(TEST_DATABASE_URL, schema)


def call(url: str, body: dict | None = None, form: dict | None = None, headers: dict | None = None):
    """(status, JSON body or None) of one request; never raises on an HTTP error status."""
    headers = {"Accept": "application/json", **(headers or {})}
    data = None
    if body is not None:
        data, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
    elif form is not None:
        data, headers["Content-Type"] = urllib.parse.urlencode(form).encode(), "application/x-www-form-urlencoded"
    request = urllib.request.Request(url, data=data, headers=headers, method="POST" if data else "GET")

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=30) as answer:
            status, raw = answer.status, answer.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, None


def concurrently(calls):
    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(lambda job: job(), calls))


def test_two_app_servers_on_one_database_and_one_redis_keep_every_guarantee(tmp_path, redis_prefix, district):  # noqa: F811
    _, prefix = redis_prefix
    database_url, facts = district
    env = server_env(
        tmp_path,
        database_url,
        REDIS_URL=REDIS_URL,
        RATE_LIMIT_KEY_PREFIX=prefix,
        TRUSTED_PROXY_COUNT="1",  # as behind nginx: each test client below has an address of its own
        RATE_LIMIT_PAGES_PER_ADDRESS=f"{PAGE_LIMIT}/minute",
        GUNICORN_WORKERS="2",
    )
    with running_servers(tmp_path, env, ("host_a", "host_b")) as hosts:
        submit_url = [f"{host}/api/v1/links/{facts['token']}/responses" for host in hosts]

        def submit(n: int, submission_id: str, phone: str):
            body = {"submission_id": submission_id, "identity": phone, "answers": facts["answers"]}
            return lambda: call(submit_url[n % 2], body, headers={"X-Forwarded-For": f"198.18.1.{n % 250}"})

        # Traffic on both hosts at once: residents with phone numbers of their own, each submission sent twice
        # (once to each host, as a phone resending after a timeout might reach the other host).
        ids = [uuid.uuid4().hex for _ in range(NEW_ANSWERS)]
        phones = [f"139{n:08d}" for n in range(NEW_ANSWERS)]
        jobs = [submit(n + side, ids[n], phones[n]) for n in range(NEW_ANSWERS) for side in (0, 1)]
        answers = concurrently(jobs)
        statuses = sorted(status for status, _ in answers)
        assert statuses == [200] * NEW_ANSWERS + [201] * NEW_ANSWERS, statuses  # one stored, one "already stored"
        receipts = {body["submission_id"]: body["receipt"] for _, body in answers}
        assert all(body["receipt"] == receipts[body["submission_id"]] for _, body in answers)

        # One phone number, two submissions, two hosts, the same moment: one answer counts.
        same_phone = concurrently([submit(0, uuid.uuid4().hex, PHONE_A), submit(1, uuid.uuid4().hex, PHONE_A_AGAIN)])
        assert sorted(status for status, _ in same_phone) == [201, 409]
        refused = next(body for status, body in same_phone if status == 409)
        assert refused["code"] == "response.already_answered"

        # One address viewing pages on both hosts: one counter in Redis.
        office = {"X-Forwarded-For": "203.0.113.50"}
        pages = [call(f"{hosts[n % 2]}/s/{facts['token']}", headers=office)[0] for n in range(PAGE_LIMIT + 2)]
        assert pages == [200] * PAGE_LIMIT + [429, 429]

        # One slip, cast on both hosts at the same moment: spent once.
        slip, other_slip = facts["slips"]
        casts = concurrently([lambda host=host: call(f"{host}/b/{slip}", form=facts["ballot"]) for host in hosts])
        assert sorted(status for status, _ in casts) == [303, 409], casts
        assert next(body for status, body in casts if status == 409)["code"] == "ballot.token_used"
        assert call(f"{hosts[1]}/b/{other_slip}", form=facts["ballot"])[0] == 303
        admin = {"Authorization": f"Bearer {facts['api_token']}"}
        turnout = call(f"{hosts[0]}/api/v1/meetings/{facts['meeting_id']}/turnout", headers=admin)[1]
        peers = next(group for group in turnout["groups"] if group["key"] == "peers")
        assert (peers["issued"], peers["used"]) == (2, 2)

        # Results computed on one host are the ones the other reads, over exactly the acknowledged answers.
        campaign = facts["campaign_id"]
        status, run = call(f"{hosts[0]}/api/v1/campaigns/{campaign}/results", body={}, headers=admin)
        assert status == 201, run
        assert run["input_counts"]["responses"] == NEW_ANSWERS + 1  # every new answer and the one phone
        status, latest = call(f"{hosts[1]}/api/v1/campaigns/{campaign}/results", headers=admin)
        assert status == 200 and latest["id"] == run["id"] and latest["results"] == run["results"]
