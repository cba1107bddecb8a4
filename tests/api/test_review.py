"""Quality flags end to end: flags raised when an answer is stored and by the sweep, the review queue, decisions
(audited, all or nothing, changing what results count) and the unit integrity view. Nothing is ever deleted."""

from __future__ import annotations

import random
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from survey_api.extensions import db
from survey_api.models import AuditEvent, Channel, Response, ResponseFlag, ResponseStatus, is_counted
from survey_api.services import responses as response_service
from survey_api.services.audit import SYSTEM
from survey_api.services.campaigns import campaign_definitions
from survey_api.services.clock import utcnow
from survey_api.services.quality import set_rules
from survey_api.services.results import compute_results

from ..factories import create_campaign, create_unit, full_answers, random_answers, store_response

ALL_DAY = {"day_starts_hour": 0, "day_ends_hour": 24}  # answers in these tests arrive whenever the suite runs


@pytest.fixture
def two_units(db_session, quality_flags_on):
    campaign = create_campaign([create_unit(code="QA1", name="城关街道"), create_unit(code="QB1", name="东城街道")])
    set_rules(SYSTEM, campaign, ALL_DAY)
    db.session.commit()
    return campaign


def post(client, token, answers, environ_base=None, **extra):
    body = {"submission_id": uuid.uuid4().hex, "answers": answers, "duration_seconds": 240, **extra}
    return client.post(f"/api/v1/links/{token}/responses", json=body, environ_base=environ_base or {})


def responses_of(campaign) -> int:
    return db.session.scalar(select(func.count()).select_from(Response).where(Response.campaign_id == campaign.id))


def flags_of(response_id: int) -> set[str]:
    return set(db.session.scalars(select(ResponseFlag.rule).where(ResponseFlag.response_id == response_id)))


def scripted_clock(monkeypatch, start, step_seconds: float):
    """Submissions stamped start, start + step, start + 2 × step, …"""
    ticks = iter(range(100_000))
    monkeypatch.setattr(response_service, "utcnow", lambda: start + timedelta(seconds=step_seconds * next(ticks)))


def test_a_scripted_burst_of_300_answers_in_two_minutes_is_flagged_queued_and_charted(
    client, client_as, two_units, monkeypatch
):
    campaign = two_units
    definitions = campaign_definitions(campaign)
    rng = random.Random(7)
    start = utcnow() + timedelta(seconds=1)
    for hour in range(1, 11):  # the unit's usual trickle earlier that day, one answer an hour at each unit
        for index in (0, 1):
            store_response(
                campaign, index, random_answers(definitions, rng), submitted_at=start - timedelta(hours=hour)
            )
    db.session.commit()
    scripted_clock(monkeypatch, start, 0.4)  # 300 answers × 0.4 s = two minutes
    token = campaign.links[0].link_token
    for _ in range(300):
        assert post(client, token, random_answers(definitions, rng)).status_code == 201
    counted_before = db.session.scalar(select(func.count()).select_from(Response).where(is_counted()))

    statistician = client_as("statistician")
    swept = statistician.post(f"/api/v1/campaigns/{campaign.id}/quality/sweep").get_json()
    assert swept["new_flags"] == 300 and swept["put_under_review"] == 300

    queue = statistician.get(f"/api/v1/campaigns/{campaign.id}/review?unit=QA1&rule=burst&limit=1000").get_json()
    assert len(queue) == 300 and {item["status"] for item in queue} == {"under_review"}
    evidence = queue[0]["flags"][0]["evidence"]
    assert queue[0]["flags"][0]["rule"] == "burst" and evidence["answers"] == 300 and evidence["usual_per_window"] == 1
    assert statistician.get(f"/api/v1/campaigns/{campaign.id}/review?unit=QB1").get_json() == []

    units = {u["unit_code"]: u for u in statistician.get(f"/api/v1/campaigns/{campaign.id}/integrity").get_json()}
    assert units["QA1"]["responses"] == 310 and units["QA1"]["flagged"] == 300
    assert units["QA1"]["by_rule"] == {"burst": 300} and units["QA1"]["under_review"] == 300
    assert units["QB1"]["flagged"] == 0 and units["QB1"]["flagged_share"] == 0
    timeline = statistician.get(f"/api/v1/campaigns/{campaign.id}/integrity/QA1").get_json()
    assert timeline["burst_answers"] == 300 and timeline["usual_per_window"] == 1
    assert sum(w["answers"] for w in timeline["windows"]) >= 300
    assert max(w["answers"] for w in timeline["windows"]) >= 150  # two minutes fall in one or two windows

    assert responses_of(campaign) == 320  # nothing deleted
    after = db.session.scalar(select(func.count()).select_from(Response).where(is_counted()))
    assert counted_before - after == 300
    again = statistician.post(f"/api/v1/campaigns/{campaign.id}/quality/sweep").get_json()
    assert again["new_flags"] == 0 and again["put_under_review"] == 0


def test_per_response_flags_put_an_answer_under_review_when_it_is_stored(client, two_units):
    token = two_units.links[0].link_token
    rng = random.Random(3)
    definitions = campaign_definitions(two_units)
    fast = post(client, token, random_answers(definitions, rng), duration_seconds=20).get_json()
    straight = post(client, token, full_answers(two_units)).get_json()  # the first option everywhere
    ordinary = post(client, token, random_answers(definitions, rng)).get_json()
    stored = {r.receipt_code: r for r in db.session.scalars(select(Response))}
    assert flags_of(stored[fast["receipt"]].id) == {"too_fast"}
    assert flags_of(stored[straight["receipt"]].id) == {"straight_lining"}
    assert flags_of(stored[ordinary["receipt"]].id) == set()
    assert stored[fast["receipt"]].status is ResponseStatus.UNDER_REVIEW
    assert stored[ordinary["receipt"]].status is ResponseStatus.INCLUDED
    assert client.get(f"/api/v1/receipts/{fast['receipt']}").get_json()["state"] == "under_review"
    assert client.get(f"/api/v1/receipts/{ordinary['receipt']}").get_json()["state"] == "counted"


def test_the_network_is_kept_only_as_a_keyed_hash(client, two_units):
    token = two_units.links[0].link_token
    definitions = campaign_definitions(two_units)
    rng = random.Random(5)
    for address in ("10.1.2.3", "10.1.2.200", "10.1.3.3"):
        post(client, token, random_answers(definitions, rng), environ_base={"REMOTE_ADDR": address})
    keys = [r.network_key for r in db.session.scalars(select(Response).order_by(Response.id))]
    assert keys[0] == keys[1] != keys[2] and len(keys[0]) == 64 and "10.1" not in keys[0]


def test_identical_answers_from_one_network_are_flagged_by_the_sweep(client, client_as, two_units):
    token = two_units.links[0].link_token
    answers = random_answers(campaign_definitions(two_units), random.Random(11))
    for _ in range(3):
        assert post(client, token, answers).status_code == 201
    other = random_answers(campaign_definitions(two_units), random.Random(12))
    assert post(client, token, other).status_code == 201
    client_as("admin").post(f"/api/v1/campaigns/{two_units.id}/quality/sweep")
    queue = client_as("auditor").get(f"/api/v1/campaigns/{two_units.id}/review?rule=duplicate_answers").get_json()
    assert len(queue) == 3
    assert queue[0]["flags"][0]["evidence"]["matched_by"] == "network"


def flagged_responses(campaign, count: int) -> list[int]:
    definitions = campaign_definitions(campaign)
    rng = random.Random(1)
    ids = []
    for index in range(count):
        response = store_response(
            campaign,
            index % 2,
            random_answers(definitions, rng),
            status=ResponseStatus.UNDER_REVIEW if index % 2 == 0 else ResponseStatus.INCLUDED,
        )
        db.session.add(ResponseFlag(response_id=response.id, rule="too_fast", evidence={"duration_seconds": 3}))
        ids.append(response.id)
    db.session.commit()
    return ids


def decide(client, campaign, ids, decision, reason="同一设备连续提交"):
    return client.post(
        f"/api/v1/campaigns/{campaign.id}/review/decisions",
        json={"response_ids": ids, "decision": decision, "reason": reason},
    )


def test_decisions_are_audited_changeable_and_change_what_results_count(client_as, two_units):
    ids = flagged_responses(two_units, 40)
    statistician = client_as("statistician")
    included = decide(statistician, two_units, ids[::2], "include").get_json()
    assert sorted(included["changed"]) == sorted(ids[::2]) and included["unchanged"] == []
    before = compute_results(SYSTEM, two_units.id).input_counts["responses"]
    assert before == 40

    excluded = decide(statistician, two_units, ids[:5], "exclude")
    assert excluded.status_code == 200
    after = compute_results(SYSTEM, two_units.id).input_counts["responses"]
    assert after == 35 and responses_of(two_units) == 40  # excluded answers stay stored

    again = decide(statistician, two_units, ids[:1], "include", "复核后确认为本人作答").get_json()
    assert again["changed"] == ids[:1]
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.object_type == "response", AuditEvent.object_id == str(ids[0]))
    ).all()
    assert [e.action for e in events] == ["response.include", "response.exclude", "response.include"]
    assert events[1].changes["reason"] == "同一设备连续提交" and events[1].changes["rules"] == ["too_fast"]
    assert events[1].changes["status"] == ["included", "excluded"] and events[1].actor_role == "statistician"
    assert flags_of(ids[0]) == {"too_fast"}  # a decision keeps the flags
    queue = statistician.get(f"/api/v1/campaigns/{two_units.id}/review?status=excluded").get_json()
    assert sorted(item["response_id"] for item in queue) == sorted(ids[1:5])


def test_a_bulk_decision_with_an_unknown_id_changes_nothing(client_as, two_units):
    ids = flagged_responses(two_units, 4)
    elsewhere = create_campaign([create_unit(code="QC1", name="西城街道")])
    foreign = store_response(elsewhere, 0, {}).id
    db.session.commit()
    answer = decide(client_as("admin"), two_units, [*ids, foreign, 999_999], "exclude")
    assert answer.status_code == 422
    body = answer.get_json()
    assert body["code"] == "review.unknown_responses" and body["details"]["response_ids"] == [foreign, 999_999]
    statuses = db.session.scalars(select(Response.status).where(Response.id.in_(ids)))
    assert ResponseStatus.EXCLUDED not in set(statuses)
    audited = select(func.count()).select_from(AuditEvent).where(AuditEvent.action.like("response.%"))
    assert db.session.scalar(audited) == 0


@pytest.mark.parametrize(
    "body, field",
    [
        ({"response_ids": [], "decision": "exclude", "reason": "重复"}, "response_ids"),
        ({"response_ids": [1], "decision": "delete", "reason": "重复"}, "decision"),
        ({"response_ids": [1], "decision": "exclude"}, "reason"),
    ],
)
def test_a_decision_needs_ids_a_known_decision_and_a_reason(client_as, two_units, body, field):
    answer = client_as("admin").post(f"/api/v1/campaigns/{two_units.id}/review/decisions", json=body)
    assert answer.status_code == 422 and field in str(answer.get_json()["details"])


def test_a_sweep_never_overturns_a_decision(client_as, two_units):
    ids = flagged_responses(two_units, 2)
    decide(client_as("admin"), two_units, ids, "include")
    definitions = campaign_definitions(two_units)
    link = two_units.links[0]
    start = utcnow()
    burst = [
        store_response(
            two_units,
            0,
            random_answers(definitions, random.Random(i)),
            submitted_at=start + timedelta(seconds=i),
            channel=Channel.QR,
        )
        for i in range(40)
    ]
    db.session.commit()
    decide(client_as("admin"), two_units, [burst[0].id], "include", "现场会议集中填写")
    client_as("admin").post(f"/api/v1/campaigns/{two_units.id}/quality/sweep")
    statuses = dict(
        db.session.execute(select(Response.id, Response.status).where(Response.unit_id == link.unit_id)).all()
    )
    assert statuses[burst[0].id] is ResponseStatus.INCLUDED and flags_of(burst[0].id) == {"burst"}
    assert statuses[burst[1].id] is ResponseStatus.UNDER_REVIEW


def test_thresholds_are_changed_by_api_audited_and_validated(client_as, two_units):
    admin = client_as("admin")
    path = f"/api/v1/campaigns/{two_units.id}/quality-rules"
    changed = admin.patch(path, json={"min_seconds": 90, "burst_min_count": 50})
    assert changed.status_code == 200 and changed.get_json()["min_seconds"] == 90
    assert admin.get(path).get_json()["burst_min_count"] == 50
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "campaign.quality_rules")).all()[-1]
    assert event.changes == {"min_seconds": [None, 90], "burst_min_count": [30, 50]}
    bad = admin.patch(path, json={"burst_factor": 0, "colour": "red"})
    assert bad.status_code == 422 and bad.get_json()["code"] == "quality.rules_invalid"
    assert set(bad.get_json()["details"]) == {"burst_factor", "colour"}
    closed = create_campaign(state="closed")
    locked = admin.patch(f"/api/v1/campaigns/{closed.id}/quality-rules", json={"min_seconds": 10})
    assert locked.status_code == 409 and locked.get_json()["code"] == "quality.rules_locked"
