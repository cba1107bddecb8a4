"""The results API as the statistics bureau uses it: margins, rule sets, computing, publishing, verifying."""

from __future__ import annotations

import random

from survey_api.services.campaigns import campaign_definitions
from survey_api.services.rule_sets import read_rules_document

from ..factories import create_campaign, create_unit, random_answers, store_response


def campaign_with_answers(count: int = 12):
    campaign = create_campaign([create_unit(), create_unit()])
    rng = random.Random(4)
    for i in range(count):
        answers = random_answers(campaign_definitions(campaign), rng)
        answers["profile"] = {"sex": "male" if i % 3 else "female", "age_group": "age_30_39"}
        store_response(campaign, i % 2, answers)
    return campaign


def test_compute_read_publish_and_verify_a_run(client_as):
    statistician = client_as("statistician")
    campaign = campaign_with_answers()
    created = statistician.post(f"/api/v1/campaigns/{campaign.id}/results")
    assert created.status_code == 201, created.get_json()
    run = created.get_json()
    assert run["input_counts"]["responses"] == 12 and len(run["results"]["units"]) == 2
    unit = run["results"]["units"][0]
    satisfaction = unit["indices"]["satisfaction"]
    assert satisfaction["ci_low"] < satisfaction["value"] < satisfaction["ci_high"]
    assert satisfaction["sufficient"] is False  # 6 answers, fewer than the default 200

    latest = statistician.get(f"/api/v1/campaigns/{campaign.id}/results").get_json()
    assert latest["id"] == run["id"] and latest["results"] == run["results"]
    published = statistician.post(f"/api/v1/campaigns/{campaign.id}/results/{run['id']}/publish").get_json()
    assert published["published_at"] is not None
    again = statistician.post(f"/api/v1/campaigns/{campaign.id}/results/{run['id']}/publish").get_json()
    assert again["published_at"] == published["published_at"]
    check = client_as("auditor").get(f"/api/v1/campaigns/{campaign.id}/results/{run['id']}/verification")
    assert check.get_json() | {"input_counts": None} == {
        "run_id": run["id"],
        "same_inputs": True,
        "identical": True,
        "input_counts": None,
    }
    runs = statistician.get(f"/api/v1/campaigns/{campaign.id}/results/runs").get_json()
    assert [r["id"] for r in runs] == [run["id"]]


def test_results_of_a_campaign_without_answers_or_runs_are_clear_errors(client_as):
    statistician = client_as("statistician")
    campaign = create_campaign()
    missing = statistician.get(f"/api/v1/campaigns/{campaign.id}/results")
    assert (missing.status_code, missing.get_json()["code"]) == (404, "results.not_found")
    empty = statistician.post(f"/api/v1/campaigns/{campaign.id}/results")
    assert (empty.status_code, empty.get_json()["code"]) == (409, "results.no_responses")
    unknown = statistician.get(f"/api/v1/campaigns/{campaign.id}/results?run=424242")
    assert (unknown.status_code, unknown.get_json()["code"]) == (404, "results.run_not_found")


def test_margins_are_replaced_whole_or_refused_with_every_problem(client_as):
    statistician = client_as("statistician")
    campaign = campaign_with_answers()
    code = campaign.links[0].unit.code
    url = f"/api/v1/campaigns/{campaign.id}/margins"
    bad = statistician.put(
        url,
        json={"margins": [{"unit_code": code, "variable": "sex", "category": "male", "share": 0.7}]},
    )
    assert bad.status_code == 422 and bad.get_json()["code"] == "margins.invalid"
    assert "add up to 0.7000" in bad.get_json()["details"][0]
    assert statistician.get(url).get_json() == []
    rows = [
        {"unit_code": code, "variable": "sex", "category": "男", "share": 0.5},
        {"unit_code": code, "variable": "sex", "category": "female", "share": 0.5},
    ]
    good = statistician.put(url, json={"margins": rows})
    assert good.status_code == 200
    assert [(m["category"], m["share"]) for m in good.get_json()] == [("female", 0.5), ("male", 0.5)]
    run = statistician.post(f"/api/v1/campaigns/{campaign.id}/results").get_json()
    weighted = next(u for u in run["results"]["units"] if u["unit_code"] == code)
    assert weighted["weighting"]["variables"] == ["sex"] and len(weighted["cell_weights"]) == 2


def test_a_new_rule_set_is_checked_stored_and_locked_once_results_are_published(client_as):
    statistician = client_as("statistician")
    campaign = campaign_with_answers()
    invalid = statistician.post("/api/v1/rule-sets", json={"format_version": 1, "key": "strict", "min_n": -1})
    assert invalid.status_code == 422 and invalid.get_json()["code"] == "rules.invalid"
    assert any("min_n" in d for d in invalid.get_json()["details"])
    document = read_rules_document("default") | {"key": "small_units", "min_n": 5}
    stored = statistician.post("/api/v1/rule-sets", json=document)
    assert stored.status_code == 201 and stored.get_json()["version"] == 1
    assert statistician.post("/api/v1/rule-sets", json=document).get_json()["id"] == stored.get_json()["id"]

    chosen = statistician.put(
        f"/api/v1/campaigns/{campaign.id}/rule-set", json={"rule_set_version_id": stored.get_json()["id"]}
    )
    assert chosen.status_code == 200
    run = statistician.post(f"/api/v1/campaigns/{campaign.id}/results").get_json()
    assert run["results"]["units"][0]["indices"]["satisfaction"]["sufficient"] is True
    statistician.post(f"/api/v1/campaigns/{campaign.id}/results/{run['id']}/publish")
    default_id = statistician.get("/api/v1/rule-sets").get_json()[0]["id"]
    locked = statistician.put(f"/api/v1/campaigns/{campaign.id}/rule-set", json={"rule_set_version_id": default_id})
    assert (locked.status_code, locked.get_json()["code"]) == (409, "rules.locked")
