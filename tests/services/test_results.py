"""Campaign results computed in the database agree with the domain formulas applied respondent by respondent,
and runs are reproducible from their frozen snapshot."""

from __future__ import annotations

import random

import numpy as np
import pytest

from survey_api.domain.question_types import RATING_TOP_BOX_FROM
from survey_api.domain.rules import parse_rules
from survey_api.domain.scoring import group_respondents, grouped_index_result
from survey_api.errors import AppError
from survey_api.extensions import db
from survey_api.models import ResponseStatus
from survey_api.services.audit import SYSTEM
from survey_api.services.campaigns import campaign_definitions
from survey_api.services.margins import MarginRow, set_margins
from survey_api.services.results import compute, compute_results, publish_run, verify_run
from survey_api.services.rule_sets import read_rules_document

from ..factories import create_campaign, create_unit, random_answers, store_response


def rules(**changes):
    document = read_rules_document("default")
    document.update(changes)
    return parse_rules(document, "test rules")


def matrices(definitions, answer_sets, index):
    """The per-respondent matrices of scoring.py, built here one answer at a time as a reference."""
    form = next(d for d in definitions if d.index == index)
    questions = form.scored_questions
    shape = (len(answer_sets), len(questions))
    scores, top, answered = np.full(shape, np.nan), np.full(shape, np.nan), np.zeros(shape, dtype=bool)
    for r, answers in enumerate(answer_sets):
        for j, q in enumerate(questions):
            value = answers.get(form.key, {}).get(q.key)
            if value is None:
                continue
            answered[r, j] = True
            if q.type == "rating":
                scores[r, j], top[r, j] = value * 10, float(value >= RATING_TOP_BOX_FROM)
            elif q.option(value).score is not None:
                scores[r, j], top[r, j] = q.option(value).score, float(value in q.top_box)
    return scores, top, answered, np.array([q.weight for q in questions])


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_database_results_equal_the_formulas_applied_to_each_respondent(db_session, seed):
    rng = random.Random(seed)
    units = [create_unit(), create_unit()]
    campaign = create_campaign(units)
    definitions = campaign_definitions(campaign)
    stored: dict[int, list] = {0: [], 1: []}
    for _ in range(40):
        unit = rng.randrange(2)
        stratum = rng.choice(["东区", "西区"])
        cluster = rng.choice([None, f"{stratum}-1", f"{stratum}-2", f"{stratum}-3"])
        answers = random_answers(definitions, rng)
        store_response(campaign, unit, answers, stratum=stratum, cluster=cluster)
        stored[unit].append((answers, stratum, cluster))
    store_response(campaign, 0, random_answers(definitions, rng), status=ResponseStatus.EXCLUDED)

    document = compute(campaign, rules(min_n=5), {}).document

    for position, unit_document in enumerate(sorted(document["units"], key=lambda u: u["unit_id"])):
        given = stored[sorted(stored, key=lambda i: campaign.links[i].unit_id)[position]]
        assert unit_document["n"] == len(given)
        strata_codes = {s: i for i, s in enumerate(sorted({s for _, s, _ in given}))}
        cluster_codes = {c: i for i, c in enumerate(sorted({(s, c) for _, s, c in given if c}))}
        strata = np.array([strata_codes[s] for _, s, _ in given])
        clusters = np.array([cluster_codes[(s, c)] if c else -1 for _, s, c in given])
        for index in ("happiness", "satisfaction", "security"):
            scores, top, answered, lam = matrices(definitions, [a for a, _, _ in given], index)
            grouped = group_respondents(scores, top, answered, np.ones(len(given)), lam, strata, clusters)
            expected = grouped_index_result(grouped, lam, 5)
            got = unit_document["indices"][index]
            assert got["value"] == pytest.approx(expected.value, abs=1e-8)
            assert got["rate"] == pytest.approx(expected.rate, abs=1e-8)
            assert got["se"] == pytest.approx(expected.respondent_scores.se, abs=1e-8)
            assert got["n"] == expected.n
            for question, item in zip(got["questions"], expected.items):
                assert question["score"]["value"] == pytest.approx(item.score.value, abs=1e-8)
                assert question["dont_know_share"] == pytest.approx(item.dont_know_share, abs=1e-8)


def test_excluded_and_under_review_answers_do_not_count(db_session):
    campaign = create_campaign()
    definitions = campaign_definitions(campaign)
    rng = random.Random(7)
    for status in (ResponseStatus.INCLUDED, ResponseStatus.EXCLUDED, ResponseStatus.UNDER_REVIEW):
        store_response(campaign, 0, random_answers(definitions, rng), status=status)
    run = compute_results(SYSTEM, campaign.id)
    assert run.input_counts["responses"] == 1 and run.results["units"][0]["n"] == 1


def test_a_campaign_without_counted_answers_has_no_results(db_session):
    campaign = create_campaign()
    store_response(
        campaign, 0, random_answers(campaign_definitions(campaign), random.Random(1)), status=ResponseStatus.EXCLUDED
    )
    with pytest.raises(AppError) as caught:
        compute_results(SYSTEM, campaign.id)
    assert caught.value.code == "results.no_responses"


def fill(campaign, unit_index: int, count: int, seed: int, profile=None):
    rng = random.Random(seed)
    definitions = campaign_definitions(campaign)
    for i in range(count):
        answers = random_answers(definitions, rng)
        if profile is not None:
            answers["profile"] = profile(i)
        store_response(campaign, unit_index, answers)


def test_a_stored_run_recomputes_to_identical_numbers_until_the_data_changes(db_session):
    campaign = create_campaign([create_unit(), create_unit()])
    fill(campaign, 0, 30, seed=1)
    fill(campaign, 1, 25, seed=2)
    run = compute_results(SYSTEM, campaign.id)
    publish_run(SYSTEM, campaign.id, run.id)
    check = verify_run(campaign.id, run.id)
    assert check["identical"] and check["same_inputs"]

    fill(campaign, 1, 1, seed=3)
    check = verify_run(campaign.id, run.id)
    assert not check["same_inputs"] and not check["identical"]
    assert check["input_counts"]["now"]["responses"] == 56


def test_raking_fits_each_units_margins_and_is_reported(db_session):
    campaign = create_campaign()
    # 30 men and 10 women answered; the population is half and half.
    fill(campaign, 0, 40, seed=5, profile=lambda i: {"sex": "male" if i < 30 else "female", "age_group": "age_30_39"})
    code = campaign.links[0].unit.code
    set_margins(SYSTEM, campaign, [MarginRow(code, "sex", "male", 0.5), MarginRow(code, "sex", "女", 0.5)])
    db.session.commit()
    run = compute_results(SYSTEM, campaign.id)
    unit = run.results["units"][0]
    weights = {c["cell"]["sex"]: c["weight"] for c in unit["cell_weights"]}
    assert 30 * weights["male"] == pytest.approx(10 * weights["female"])  # equal weighted totals: 50/50
    assert unit["weighting"]["iterations"] >= 1 and unit["weighting"]["max_margin_error"] < 1e-6
    assert unit["indices"]["satisfaction"]["n_effective"] < 40  # unequal weights cost precision


def test_margins_that_do_not_add_up_or_name_unknown_answers_are_refused_whole(db_session):
    campaign = create_campaign()
    code = campaign.links[0].unit.code
    with pytest.raises(AppError) as caught:
        set_margins(
            SYSTEM,
            campaign,
            [
                MarginRow(code, "sex", "male", 0.5),
                MarginRow(code, "sex", "female", 0.4),
                MarginRow(code, "income", "high", 1.0),
                MarginRow("NOPE", "sex", "male", 1.0),
                MarginRow(code, "age_group", "age_200", 1.0),
            ],
        )
    details = " | ".join(caught.value.details)
    assert caught.value.code == "margins.invalid"
    assert "add up to 0.9000" in details and "'income'" in details and "'NOPE'" in details and "age_200" in details


def test_margins_for_a_group_nobody_in_the_unit_belongs_to_cannot_be_fitted(db_session):
    campaign = create_campaign()
    fill(campaign, 0, 10, seed=5, profile=lambda i: {"sex": "male", "age_group": "age_30_39"})
    code = campaign.links[0].unit.code
    set_margins(SYSTEM, campaign, [MarginRow(code, "sex", "male", 0.5), MarginRow(code, "sex", "female", 0.5)])
    db.session.commit()
    with pytest.raises(AppError) as caught:
        compute_results(SYSTEM, campaign.id)
    assert caught.value.code == "margins.not_fitted" and "female" in str(caught.value.params)


def test_units_are_ranked_within_their_category_and_compared_with_the_previous_campaign(db_session):
    units = [create_unit(category="乡镇街道"), create_unit(category="乡镇街道"), create_unit(category="区直部门")]
    first = create_campaign(units)
    first.series = "年度民评"
    fill(first, 0, 12, seed=1)
    fill(first, 1, 12, seed=2)
    fill(first, 2, 12, seed=3)
    compute_results(SYSTEM, first.id)
    second = create_campaign(units)
    second.series = "年度民评"
    fill(second, 0, 12, seed=4)
    fill(second, 1, 12, seed=5)
    fill(second, 2, 12, seed=6)
    document = compute(second, rules(min_n=10), {}).document
    streets = sorted((u for u in document["units"] if u["category"] == "乡镇街道"), key=lambda u: -u["composite"])
    assert [u["rank_in_category"] for u in streets] == [1, 2]
    assert streets[0]["points"] == pytest.approx(streets[0]["composite"] / 100 * 15)
    assert next(u for u in document["units"] if u["category"] == "区直部门")["rank_in_category"] == 1
    assert document["previous"]["campaign_id"] == first.id
    later = create_campaign(units)
    later.series = "年度民评"
    fill(later, 0, 12, seed=7)
    compute_results(SYSTEM, later.id)
    again = compute(second, rules(min_n=10), {}).document
    assert again["previous"]["campaign_id"] == first.id  # a later campaign of the series is never "previous"
    assert all(u["change"]["satisfaction"] is not None for u in document["units"])
    assert {c["category"] for c in document["categories"]} == {"乡镇街道", "区直部门"}


def test_a_unit_below_the_minimum_sample_is_not_ranked(db_session):
    campaign = create_campaign([create_unit(), create_unit()])
    fill(campaign, 0, 12, seed=1)
    fill(campaign, 1, 3, seed=2)
    document = compute(campaign, rules(min_n=10), {}).document
    small = next(u for u in document["units"] if u["n"] == 3)
    assert small["ranked"] is False and small["rank_in_category"] is None and small["points"] is None
    assert small["indices"]["satisfaction"]["sufficient"] is False


def test_a_replaced_answer_does_not_count(db_session):
    from survey_api.services.clock import utcnow

    campaign = create_campaign()
    definitions = campaign_definitions(campaign)
    rng = random.Random(9)
    earlier = store_response(campaign, 0, random_answers(definitions, rng))
    later = store_response(campaign, 0, random_answers(definitions, rng))
    earlier.superseded_at, earlier.replaced_by_id = utcnow(), later.id
    db.session.flush()
    run = compute_results(SYSTEM, campaign.id)
    assert run.input_counts["responses"] == 1
