"""Property-based fuzzing of the whole OpenAPI surface with schemathesis: for every operation in
/api/v1/openapi.json, requests generated from the schema (valid ones, and ones that break it on purpose) never get a
500, and every refusal has the catalogue's shape. A bounded run (a few examples per operation and mode, signed in
as an admin so the requests get past the token check, all in one rolled-back transaction);
tests/bench/run_api_fuzz.py runs the same property with many more examples."""

from __future__ import annotations

from dataclasses import dataclass, field

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.generation.modes import GenerationMode

EXAMPLES = 3
CATALOGUE_KEYS = {"code", "status", "message", "details"}


@dataclass
class FuzzReport:
    operations: int = 0
    calls: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    unsatisfiable: list[str] = field(default_factory=list)


def problem_with(response, case) -> str | None:
    """A server error, or a refusal that is not a catalogue error (code, its status, a message); else None."""
    where = f"{case.method} {case.formatted_path} -> {response.status_code}"
    if response.status_code >= 500:
        return f"{where}: {response.text[:300]}"
    if response.status_code >= 400 and "json" in (response.headers.get("Content-Type") or [""])[0]:
        body = response.json()
        if not (isinstance(body, dict) and CATALOGUE_KEYS <= set(body) and body["status"] == response.status_code):
            return f"{where}: not a catalogue error: {str(body)[:300]}"
    return None


def fuzz_api(app, token: str, examples: int, seed: int | None = 0, known: dict | None = None) -> FuzzReport:
    """Call every operation of the app's OpenAPI document with generated requests, valid and invalid. Path
    parameters named in `known` (campaign_id, meeting_id, …) take those values in half the runs, so that requests
    reach real objects rather than stopping at "not found"."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    report = FuzzReport()
    headers = {"Authorization": f"Bearer {token}"}
    for result in schema.get_all_operations():
        operation = result.ok()
        report.operations += 1
        names = {parameter.name for parameter in operation.path_parameters}
        fixed = {name: value for name, value in (known or {}).items() if name in names}
        runs = [(GenerationMode.POSITIVE, None), (GenerationMode.NEGATIVE, None)]
        if fixed:
            runs += [(GenerationMode.POSITIVE, fixed), (GenerationMode.NEGATIVE, fixed)]
        for mode, path_parameters in runs:

            @settings(
                max_examples=examples,
                deadline=None,
                derandomize=seed is not None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode, path_parameters=path_parameters))
            def call(case):
                response = case.call(headers=headers)
                report.calls += 1
                report.statuses[response.status_code] = report.statuses.get(response.status_code, 0) + 1
                problem = problem_with(response, case)
                if problem and problem not in report.failures:
                    report.failures.append(problem)

            try:
                call()
            except Unsatisfiable:  # nothing in this operation can be made invalid (no parameters, no body)
                report.unsatisfiable.append(f"{operation.label} ({mode.value})")
    return report


def known_objects() -> dict:
    """Real objects for the path parameters: a campaign keyed by phone number, a meeting with slips."""
    from ..factories import create_campaign, create_meeting, issue_codes

    campaign, meeting = create_campaign(identity_mode="personal_phone", allow_replacement=True), create_meeting()
    issue_codes(meeting, "peers", 2)
    unit = campaign.links[0]
    return {"campaign_id": campaign.id, "meeting_id": meeting.id, "token": unit.link_token,
            "unit_code": unit.unit.code, "group_key": "peers"}  # fmt: skip


def test_no_operation_answers_500_to_generated_requests(app, db_session, persona_tokens):
    report = fuzz_api(app, persona_tokens["admin"], EXAMPLES, known=known_objects())
    assert report.operations >= 40  # the whole surface was loaded, not an empty document
    assert report.failures == []
    assert sum(n for status, n in report.statuses.items() if status < 300) > 0  # some requests got through
